/* SPDX-License-Identifier: MIT */
/*
 * The x86 PV side of grant tables: where a host mapping goes (a linear
 * address of the current vCPU's address space, or with GNTMAP_contains_pte
 * the machine address of an L1 entry of the caller's), frame access for
 * copies, and TLB and cache maintenance. The page-table work itself is the
 * engine's (pt_grant.c): the PTE takes and drops its own references.
 *
 * Errors are Xen's (xen/arch/x86/pv/grant_table.c): any address that does
 * not lead to an entry of a validated L1 of the caller, a misaligned PTE
 * address, a frame the PTE cannot take (see pv_grant_map_l1e()), or an
 * entry that no longer maps the grant at unmap time: GNTST_general_error.
 * unmap_and_replace with GNTMAP_contains_pte is refused the same way.
 */
#include <asm/config.h>
#include <asm/ipi.h>
#include <asm/page.h>
#include <asm/pv/pv.h>
#include <asm/pv_mm.h>
#include <keel/domain.h>
#include <keel/grant_table.h>
#include <keel/lib.h>
#include <keel/page_info.h>
#include <keel/vcpu.h>
#include <public/grant_table.h>

#define CACHE_LINE 64

void *arch_gnttab_map_frame(mfn_t mfn)
{
    return __va(mfn_x(mfn) << PAGE_SHIFT);
}

void arch_gnttab_unmap_frame(void *va)
{
    (void)va;   /* the direct map needs no teardown */
}

mfn_t arch_gnttab_virt_to_mfn(const void *va)
{
    return _mfn(__pa(va) >> PAGE_SHIFT);
}

bool arch_gnttab_frame_ok(mfn_t mfn)
{
    return !pv_mfn_is_io(mfn);
}

void arch_gnttab_flush_tlb(void)
{
    flush_tlb_all_cpus();
}

void arch_gnttab_cache_clean(mfn_t mfn, unsigned int offset, unsigned int len)
{
    char *p = (char *)arch_gnttab_map_frame(mfn) + (offset & ~(CACHE_LINE - 1));
    char *end = (char *)arch_gnttab_map_frame(mfn) + offset + len;

    for (; p < end; p += CACHE_LINE)
        __asm__ volatile("clflush %0" : "+m"(*p));
    __asm__ volatile("mfence" ::: "memory");
}

/* Where @addr (with GNTMAP_* @flags) says the PTE is; the engine checks it is an L1 of ours. */
static bool pte_location(uint64_t addr, uint32_t flags, mfn_t *l1, unsigned int *index)
{
    if (flags & GNTMAP_contains_pte) {
        if (addr & (sizeof(uint64_t) - 1))
            return false;
        *l1 = _mfn(addr >> PAGE_SHIFT);
        *index = (addr & (PAGE_SIZE - 1)) / sizeof(uint64_t);
        return true;
    }
    return pv_find_l1(current_vcpu(), addr, l1, index) == 0;
}

int arch_gnttab_create_host_mapping(uint64_t addr, mfn_t mfn, const struct domain *owner,
                                    uint32_t flags)
{
    struct domain *d = current_vcpu()->domain;
    unsigned int index;
    mfn_t l1;

    if (!pte_location(addr, flags, &l1, &index) ||
        pv_grant_map_l1e(d, l1, index, pv_grant_l1e(mfn, flags), owner))
        return GNTST_general_error;
    return GNTST_okay;
}

int arch_gnttab_replace_host_mapping(uint64_t addr, mfn_t mfn, uint64_t new_addr,
                                     uint32_t flags)
{
    struct domain *d = current_vcpu()->domain;
    uint64_t moved = 0;
    unsigned int index;
    mfn_t l1;

    if (new_addr) {
        if ((flags & GNTMAP_contains_pte) || pv_find_l1(current_vcpu(), new_addr, &l1, &index) ||
            pv_grant_steal_l1e(d, l1, index, &moved))
            return GNTST_general_error;
    }
    if (!pte_location(addr, flags, &l1, &index) ||
        pv_grant_unmap_l1e(d, l1, index, mfn, pv_grant_l1e(mfn, flags) & _PAGE_RW, moved)) {
        /* We are still responsible for the stolen entry. */
        pv_put_l1e(moved);
        return GNTST_general_error;
    }
    return GNTST_okay;
}
