/* SPDX-License-Identifier: MIT */
/*
 * Invariant checker for the PV page-table engine (asm/pv_mm.h), shared by
 * the unit tests and the fuzzer; host code, not in the hypervisor build.
 */
#ifndef TESTS_SUPPORT_PV_MM_CHECK_H
#define TESTS_SUPPORT_PV_MM_CHECK_H

#include <stdbool.h>

#include <keel/page_info.h>

#include <asm/pv_mm.h>

struct pv_check_env {
    /* The ops given to pv_mm_init(): frame contents, I/O permission,
     * hypervisor slots, paddr_bits. */
    const struct pv_mm_ops *ops;
    /* Per MFN, the vCPU root references the harness holds; NULL: none. */
    const unsigned int *roots;
    /* L1 entries may map other domains' frames (grant mappings, pt_grant.c). */
    bool foreign_l1_ok;
};

/*
 * Check every frame of the frame table at rest (no engine call running):
 *  - counts sane: reserved bits clear, no wrap (a count above any possible
 *    number of holders), type count <= general count, pinned only on a
 *    validated page table, a page table validated iff its type count > 0;
 *  - every present entry of every validated table obeys the level's rules
 *    (flags, reserved bits, owner (or any owner at L1 with foreign_l1_ok),
 *    target type one level down, RW only to
 *    writable frames, I/O only with permission, adjusted: US, L4 A), and
 *    every L4's hypervisor slots are the ones installed;
 *  - no frame is both the target of a RW entry and a page table;
 *  - exact accounting: a page table's type count = present parent entries
 *    + pin + roots; a writable frame's type count = RW entries mapping it;
 *    general count = allocation + present entries mapping it + pin + roots.
 * Returns NULL if all hold, else a description of the first violation.
 */
const char *pv_check_invariants(const struct pv_check_env *env);

/*
 * After teardown: every frame of the table has count_info and type count
 * zero. Returns NULL or a description of the first frame that does not.
 */
const char *pv_check_all_released(void);

#endif
