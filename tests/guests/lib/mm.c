/* SPDX-License-Identifier: MIT */
/*
 * shared_info and guard-page mappings.  Both replace the L1 entry of a
 * page-aligned .bss page, so the frame the loader put there simply loses
 * its mapping; nothing else refers to it.
 */
#include "guest.h"
#include "mm.h"

struct shared_info *shared_info;

static char shared_info_slot[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE),
                                                      section(".bss.page_aligned")));
static char guard_slot[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE),
                                                section(".bss.page_aligned")));
static bool guard_unmapped;

long map_shared_info(void)
{
    uint64_t pte = (start_info->shared_info & ~(PAGE_SIZE - 1)) | PTE_PRESENT | PTE_RW |
                   PTE_ACCESSED | PTE_DIRTY;
    long rc;

    if (shared_info)
        return 0;
    rc = HYPERVISOR_update_va_mapping((unsigned long)shared_info_slot, pte,
                                      UVMF_INVLPG | UVMF_LOCAL);
    if (!rc)
        shared_info = (struct shared_info *)shared_info_slot;
    return rc;
}

struct vcpu_info *vcpu0_info(void)
{
    return shared_info ? &shared_info->vcpu_info[0] : NULL;
}

char *map_guard_page(long *rc)
{
    *rc = 0;
    if (!guard_unmapped) {
        *rc = HYPERVISOR_update_va_mapping((unsigned long)guard_slot, 0,
                                           UVMF_INVLPG | UVMF_LOCAL);
        if (*rc)
            return NULL;
    }
    guard_unmapped = true;
    return guard_slot;
}
