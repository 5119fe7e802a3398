/* SPDX-License-Identifier: MIT */
/*
 * Grant mappings in PV page tables: the engine's primitives that install,
 * remove and move L1 entries for GNTTABOP_map_grant_ref,
 * unmap_grant_ref and unmap_and_replace (arch/x86/pv/grant_mapping.c).
 *
 * Model (Xen's for PV, xen/arch/x86/pv/grant_table.c): a grant PTE holds
 * exactly the references an ordinary L1 entry for the frame holds, one
 * general reference plus a PGT_WRITABLE type reference if RW, on a frame
 * that may belong to another domain (the granter). Installing takes them
 * here, with the same type rule as validation, so a granted frame that is
 * a page table or descriptor page of its owner can be mapped read-only
 * only. Whoever replaces the entry drops them: unmap below, a guest's own
 * mmu_update (pt_update.c), or the devalidation of the L1 when its last
 * type reference goes (pt_validate.c: pv_put_entry_refs() does not look at
 * the owner). Revalidating an L1 that still holds a grant PTE for another
 * domain's frame fails the ordinary owner check (-EBUSY), as in Xen: a
 * guest keeps its L1s with live grant mappings in use.
 *
 * The entry update protocol is pt_update.c's: take the new value's
 * references, compare-exchange, drop the replaced value's. The L1 stays
 * validated throughout because we hold a type reference on it.
 *
 * Locks: none; see pt_validate.c.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/nospec.h>
#include <keel/page_info.h>

#include <asm/pv_mm.h>
#include <public/grant_table.h>

#include "pt_internal.h"

#define PTE_AVL_SHIFT       9
#define PTE_AVL_MASK        _UL(0x0000000000000e00)

_Static_assert((PTE_AVL_MASK >> PTE_AVL_SHIFT) == 7, "three available bits at 9-11");

uint64_t pv_grant_l1e(mfn_t mfn, uint32_t gntmap_flags)
{
    uint64_t e = ((uint64_t)mfn_x(mfn) << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED |
                 _PAGE_DIRTY | _PAGE_NX;

    if (gntmap_flags & GNTMAP_application_map)
        e |= _PAGE_USER;
    if (!(gntmap_flags & GNTMAP_readonly))
        e |= _PAGE_RW;
    e |= ((uint64_t)(gntmap_flags >> _GNTMAP_guest_avail0) << PTE_AVL_SHIFT) & PTE_AVL_MASK;
    return e;
}

/*
 * A general and a type reference on @table if it is a validated L1 in use
 * owned by @d (so it stays one while we work on it). Returns its page or
 * NULL holding nothing.
 */
static struct page_info *get_live_l1(struct domain *d, mfn_t table, unsigned int index)
{
    struct page_info *pg;
    unsigned long x;

    if (!mfn_valid(table) || index >= PT_ENTRIES)
        return NULL;
    pg = mfn_to_page(_mfn(array_index_nospec(mfn_x(table), frame_table_nr)));
    if (get_page(pg, d))
        return NULL;
    x = __atomic_load_n(&pg->u.type_info, __ATOMIC_ACQUIRE);
    if (page_type(x) != PGT_L1 || !(x & PGT_VALIDATED) || !(x & PGT_COUNT_MASK) ||
        get_page_type(pg, PGT_L1)) {
        put_page(pg);
        return NULL;
    }
    return pg;
}

static void put_live_l1(struct page_info *pg)
{
    put_page_and_type(pg);
}

/* Exchange entry @index for @new, unconditionally; returns the old value. */
static uint64_t l1_exchange(mfn_t table, unsigned int index, uint64_t new)
{
    uint64_t *t = pv_ops->map_frame(table);
    uint64_t old = __atomic_exchange_n(&t[array_index_nospec(index, PT_ENTRIES)], new,
                                       __ATOMIC_ACQ_REL);

    pv_ops->unmap_frame(t);
    return old;
}

int pv_grant_map_l1e(struct domain *d, mfn_t table, unsigned int index, uint64_t val,
                     const struct domain *owner)
{
    mfn_t mfn = pte_mfn(val);
    struct page_info *l1, *pg;
    uint64_t old;

    ASSERT(pte_present(val));
    l1 = get_live_l1(d, table, index);
    if (!l1)
        return -EINVAL;
    if (pv_mfn_is_io(mfn)) {
        put_live_l1(l1);
        return -EPERM;
    }
    pg = mfn_to_page(mfn);
    if (get_page(pg, owner)) {
        put_live_l1(l1);
        return -EBUSY;
    }
    if ((val & _PAGE_RW) && get_page_type(pg, PGT_WRITABLE)) {
        put_page(pg);
        put_live_l1(l1);
        return -EBUSY;
    }
    old = l1_exchange(table, index, pv_adjust_entry(1, val));
    put_live_l1(l1);
    pv_put_entry_refs(1, old);
    return 0;
}

int pv_grant_unmap_l1e(struct domain *d, mfn_t table, unsigned int index, mfn_t mfn,
                       uint64_t rw, uint64_t new)
{
    struct page_info *l1 = get_live_l1(d, table, index);
    uint64_t *t, *p, cur;
    int rc = 0;

    if (!l1)
        return -EINVAL;
    t = pv_ops->map_frame(table);
    p = &t[array_index_nospec(index, PT_ENTRIES)];
    cur = pte_read(p);
    for (;;) {
        if (!pte_present(cur) || mfn_x(pte_mfn(cur)) != mfn_x(mfn) ||
            (cur & _PAGE_RW) != (rw & _PAGE_RW)) {
            rc = -ESRCH;
            break;
        }
        if (__atomic_compare_exchange_n(p, &cur, new, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            break;
    }
    pv_ops->unmap_frame(t);
    put_live_l1(l1);
    if (rc == 0)
        pv_put_entry_refs(1, cur);
    return rc;
}

int pv_grant_steal_l1e(struct domain *d, mfn_t table, unsigned int index, uint64_t *old)
{
    struct page_info *l1 = get_live_l1(d, table, index);

    if (!l1)
        return -EINVAL;
    *old = l1_exchange(table, index, 0);
    put_live_l1(l1);
    return 0;
}

void pv_put_l1e(uint64_t e)
{
    pv_put_entry_refs(1, e);
}
