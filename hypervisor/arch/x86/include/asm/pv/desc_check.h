/* SPDX-License-Identifier: MIT */
/* Validation of the segment descriptors a PV guest installs (GDT/LDT). */
#ifndef ASM_PV_DESC_CHECK_H
#define ASM_PV_DESC_CHECK_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Check one 8-byte descriptor for a 64-bit PV guest and make it safe in
 * place: not-present entries and the all-zero type pass; code and data
 * descriptors pass with their DPL raised to 3 (the guest kernel runs in
 * ring 3); a call gate passes only if its target is a guest code selector
 * (below the reserved GDT page, or the flat ring-3 ones), with DPL 0 so
 * using it traps to Keel; every other system descriptor (TSS, LDT,
 * interrupt and trap gates) is refused. Returns true if *desc may be used.
 */
bool pv_check_descriptor(uint64_t *desc);

#endif
