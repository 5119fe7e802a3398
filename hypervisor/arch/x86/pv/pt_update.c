/* SPDX-License-Identifier: MIT */
/*
 * PV page tables in use: entry updates (mmu_update, update_va_mapping, the
 * PTE-write emulator), pins, vCPU roots, M2P updates and the teardown of a
 * dying domain's tables. The entry rules and the reference model are in
 * pt_validate.c.
 *
 * Entry update protocol: take the new entry's references first, replace the
 * entry with a compare-exchange, then drop the references of exactly the
 * value replaced. Whoever replaces a value drops its references, so
 * concurrent updaters of one entry (other vCPUs, the MMU setting A/D bits)
 * need no lock: a lost compare-exchange just retries against the value now
 * there. The table itself stays validated throughout because the updater
 * holds a type reference on it.
 *
 * Errors (Xen's): a frame not owned by the caller, a table neither in use
 * nor writable, a hypervisor L4 slot: -EINVAL. Pin of a pinned frame or
 * unpin of an unpinned one: -EINVAL. Entry refusals: see pt_validate.c.
 *
 * Locks: none; see pt_validate.c.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/nospec.h>
#include <keel/page_info.h>

#include <asm/pv_mm.h>

#include "pt_internal.h"

static bool type_is_table(unsigned long type)
{
    return type >= PGT_L1 && type <= PGT_L4;
}

/*
 * Take a type reference on @pg if it is a validated page table in use, and
 * return its type; else return PGT_NONE holding nothing. A table whose
 * last reference goes between the check and the get is validated afresh
 * by get_page_type(), which is correct, just slower (the guest raced its
 * own unpin).
 */
static unsigned long get_live_table(struct page_info *pg)
{
    unsigned long x = __atomic_load_n(&pg->u.type_info, __ATOMIC_ACQUIRE);
    unsigned long type = page_type(x);

    if (!type_is_table(type) || !(x & PGT_VALIDATED) || !(x & PGT_COUNT_MASK))
        return PGT_NONE;
    if (get_page_type(pg, type))
        return PGT_NONE;
    return type;
}

static int mod_table_entry(struct domain *d, struct domain *pg_owner, mfn_t table,
                           unsigned int level, unsigned int index, uint64_t val,
                           unsigned int flags, uint64_t *old)
{
    uint64_t *t, *p, cur, want;
    int rc;

    if (level == 4 && !pv_is_guest_l4_slot(index))
        return -EINVAL;

    if (pte_present(val)) {
        rc = pv_get_entry_refs(d, pg_owner, level, val);
        if (rc)
            return rc;
        val = pv_adjust_entry(level, val);
    }

    t = pv_ops->map_frame(table);
    p = &t[index];
    cur = pte_read(p);
    for (;;) {
        if ((flags & PV_MOD_CMPXCHG) && cur != *old) {
            *old = cur;
            pv_ops->unmap_frame(t);
            /* Our new references (may devalidate a table we validated). */
            pv_put_entry_refs(level, val);
            return -EAGAIN;
        }
        want = val;
        if (flags & PV_MOD_PRESERVE_AD)
            want |= cur & (_PAGE_ACCESSED | _PAGE_DIRTY);
        if (__atomic_compare_exchange_n(p, &cur, want, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            break;
    }
    pv_ops->unmap_frame(t);

    pv_put_entry_refs(level, cur);
    if (old)
        *old = cur;
    return 0;
}

static int mod_writable(mfn_t mfn, unsigned int index, uint64_t val, unsigned int flags,
                        uint64_t *old)
{
    uint64_t *t = pv_ops->map_frame(mfn);
    uint64_t cur;
    int rc = 0;

    if (flags & PV_MOD_CMPXCHG) {
        cur = *old;
        if (!__atomic_compare_exchange_n(&t[index], &cur, val, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_RELAXED))
            rc = -EAGAIN;
    } else {
        cur = __atomic_exchange_n(&t[index], val, __ATOMIC_ACQ_REL);
    }
    pv_ops->unmap_frame(t);
    if (old)
        *old = cur;
    return rc;
}

int pv_mod_entry(struct domain *d, mfn_t table, unsigned int index, uint64_t val,
                 unsigned int flags, uint64_t *old)
{
    return pv_mod_entry_foreign(d, d, table, index, val, flags, old);
}

int pv_mod_entry_foreign(struct domain *d, struct domain *pg_owner, mfn_t table,
                         unsigned int index, uint64_t val, unsigned int flags, uint64_t *old)
{
    struct page_info *pg;
    unsigned long type;
    int rc;

    if (!mfn_valid(table) || index >= PT_ENTRIES)
        return -EINVAL;
    if ((flags & PV_MOD_CMPXCHG) && old == NULL)
        return -EINVAL;
    index = array_index_nospec(index, PT_ENTRIES);
    table = _mfn(array_index_nospec(mfn_x(table), frame_table_nr));
    pg = mfn_to_page(table);
    if (get_page(pg, d))
        return -EINVAL;

    type = get_live_table(pg);
    if (type != PGT_NONE) {
        if ((flags & PV_MOD_L1_ONLY) && type != PGT_L1)
            rc = -EINVAL;
        else
            rc = mod_table_entry(d, pg_owner, table, type >> PGT_TYPE_SHIFT, index, val,
                                 flags, old);
        put_page_type(pg);
    } else if (flags & PV_MOD_L1_ONLY) {
        rc = -EINVAL;
    } else if (get_page_type(pg, PGT_WRITABLE) == 0) {
        /* Not a table in use: an ordinary store, as Xen does. */
        rc = mod_writable(table, index, val, flags, old);
        put_page_type(pg);
    } else {
        rc = -EINVAL;
    }

    put_page(pg);
    return rc;
}

int pv_pin_table(struct domain *d, mfn_t mfn, unsigned int level)
{
    struct page_info *pg;
    int rc;

    if (level < PV_LEVEL_MIN || level > PV_LEVEL_MAX || !mfn_valid(mfn))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if (get_page(pg, d))
        return -EINVAL;
    rc = page_pin(pg, pv_level_type(level));
    put_page(pg);
    return rc;
}

int pv_unpin_table(struct domain *d, mfn_t mfn)
{
    struct page_info *pg;
    int rc;

    if (!mfn_valid(mfn))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if (get_page(pg, d))
        return -EINVAL;
    rc = page_unpin(pg);
    put_page(pg);
    return rc;
}

int pv_get_root(struct domain *d, mfn_t mfn)
{
    if (!mfn_valid(mfn))
        return -EINVAL;
    return get_page_and_type(mfn_to_page(mfn), d, PGT_L4);
}

void pv_put_root(mfn_t mfn)
{
    put_page_and_type(mfn_to_page(mfn));
}

int pv_machphys_update(struct domain *d, mfn_t mfn, unsigned long pfn)
{
    struct page_info *pg;
    int rc;

    if (!mfn_valid(mfn))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if (get_page(pg, d))
        return -EINVAL;
    rc = set_gpfn_from_mfn(mfn, pfn);
    put_page(pg);
    return rc;
}

/*
 * Unpinning every table lets each cascade run to the bottom: with no
 * linear page tables there are no cycles (pt_validate.c), so once no pin
 * and no root remains, no frame of @d holds a page-table type reference
 * and each frame is down to its allocation reference. Xen's
 * relinquish_memory() additionally force-devalidates the top-most tables
 * to break linear-page-table cycles; Keel needs no such pass.
 */
int pv_mm_teardown(struct domain *d, const mfn_t *frames, unsigned long nr)
{
    unsigned long i;
    int rc = 0;

    for (i = 0; i < nr; i++) {
        struct page_info *pg;

        if (!mfn_valid(frames[i]))
            continue;
        pg = mfn_to_page(frames[i]);
        if (get_page(pg, d))
            continue;
        page_unpin(pg); /* -EINVAL if not pinned: nothing to do */
        put_page(pg);
    }

    for (i = 0; i < nr; i++) {
        struct page_info *pg;
        unsigned long count, type;

        if (!mfn_valid(frames[i]))
            continue;
        pg = mfn_to_page(frames[i]);
        if (get_page(pg, d))
            continue;
        /* Ours and the allocation reference: anything more is held elsewhere. */
        count = __atomic_load_n(&pg->count_info, __ATOMIC_ACQUIRE);
        type = __atomic_load_n(&pg->u.type_info, __ATOMIC_ACQUIRE);
        if ((count & PGC_COUNT_MASK) != 1 + !!(count & PGC_ALLOCATED) ||
            (type & PGT_COUNT_MASK) != 0) {
            printk(LOG_WARN "d%u: frame %#lx still referenced at teardown "
                   "(count %#lx type %#lx)\n", d->domain_id, mfn_x(frames[i]), count, type);
            rc = -EBUSY;
        }
        page_release(pg);
        put_page(pg);
    }
    return rc;
}
