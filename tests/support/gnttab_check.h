/* SPDX-License-Identifier: MIT */
/*
 * Invariant checker for the grant-table code on the fake machine of
 * gnttab_fake.h, shared by the unit tests and the fuzzer; host code.
 */
#ifndef TESTS_SUPPORT_GNTTAB_CHECK_H
#define TESTS_SUPPORT_GNTTAB_CHECK_H

#include <stdbool.h>

#include "gnttab_fake.h"

/* References the harness itself holds per frame (general, type), at rest. */
extern unsigned int gcheck_extra_general[FAKE_NR_FRAMES];
extern unsigned int gcheck_extra_type[FAKE_NR_FRAMES];
/* A test tampered with GTF_reading/GTF_writing: skip that check. */
extern bool gcheck_skip_status;

/*
 * Check, with no grant operation running:
 *  - every maptrack: entries in use have a host or device kind and a live
 *    granter; in-use count and free list agree with the entries;
 *  - every active entry's pin counters equal, counter by counter, the
 *    mappings all maptracks hold of it, all from the domain it records;
 *  - GTF_reading set iff pinned, GTF_writing iff pinned for writing (tables
 *    not released);
 *  - every frame's general count = allocation + the table's own reference
 *    (unreleased table frames) + pins + device mappings + fake PTEs + the
 *    harness's; its writable type count = writable device mappings + RW
 *    PTEs; page-table types only as the harness holds them;
 *  - every domain's refcnt = existence (unless killed) + owning frames +
 *    maptrack entries naming it as granter.
 * Returns NULL or a description of the first violation.
 */
const char *gnttab_check_invariants(void);

#endif
