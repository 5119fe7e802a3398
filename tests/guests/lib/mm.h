/* SPDX-License-Identifier: MIT */
/*
 * Memory helpers: the shared_info page and single-page (un)mapping with
 * update_va_mapping.
 *
 * The guest's initial mapping is VIRT_BASE + PFN * 4 KiB for the whole
 * initial region, with 4 KiB L1 entries, so any page-aligned page of the
 * guest's own .bss has an L1 entry that update_va_mapping can rewrite.
 */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include "guest.h"

#define PTE_PRESENT  0x001UL
#define PTE_RW       0x002UL
#define PTE_USER     0x004UL
#define PTE_ACCESSED 0x020UL
#define PTE_DIRTY    0x040UL
#define PTE_NX       (1UL << 63)

/* The mapped shared_info page, or NULL until map_shared_info() succeeds. */
extern struct shared_info *shared_info;

/*
 * Maps the machine frame start_info->shared_info names at a page of the
 * guest's .bss.  Returns 0 or the update_va_mapping error.
 */
long map_shared_info(void);

/* vCPU 0's vcpu_info, or NULL if shared_info is not mapped. */
struct vcpu_info *vcpu0_info(void);

/*
 * A page of .bss that map_guard_page() unmapped (update_va_mapping with
 * PTE 0), so the test can point hypercalls just before or into a hole.
 * Returns the page's VA, or NULL if the hypervisor refused; *rc gets the
 * update_va_mapping result.
 */
char *map_guard_page(long *rc);

#endif /* GUEST_MM_H */
