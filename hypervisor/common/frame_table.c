/* SPDX-License-Identifier: MIT */
/*
 * Frame table: per machine frame, an owner, a general reference count and a
 * type with its own type count (Xen's model; xen/arch/x86/mm.c).
 *
 * General references (count_info). Every user of a frame holds one: the
 * owner's allocation reference (PGC_ALLOCATED, from page_assign_owner()
 * until page_release()), each mapping, each type-reference holder, each
 * transient lookup. get_page() succeeds only on an allocated frame (count
 * > 0) of the expected owner. When the count drops to 0 the frame goes back
 * through page_ops.free_page. Since the allocation reference is counted, a
 * count of 0 with PGC_ALLOCATED set is impossible.
 *
 * Type references (type_info). A holder of a type reference also holds a
 * general reference. The type can change only while the type count is 0.
 * States of type_info, for a page-table or descriptor type T:
 *
 *   count 0                     free to retype; a page table is never
 *                               PGT_VALIDATED here (devalidated at 1 -> 0)
 *   T | 1, !PGT_VALIDATED       being validated or devalidated by the CPU
 *                               that made the transition: exclusive, other
 *                               getters wait, nobody else holds a type ref
 *   T | n, PGT_VALIDATED        in use by n holders
 *
 * Writable frames are PGT_VALIDATED as soon as typed and stay so at count 0;
 * descriptor pages likewise keep PGT_VALIDATED at count 0 (they take no
 * references, so there is nothing to undo) and revalidate only after a type
 * change. PGT_PINNED implies a type count >= 1 (the pin's).
 *
 * Locks: none. count_info and type_info change only by atomic
 * compare-exchange, so this file is SMP-safe as is; the "being validated"
 * state is the per-frame lock for validation and devalidation. The
 * acquire/release pairs are named where they are used. owner is written
 * only while the general count is 0 (nobody can be looking) and published
 * by the release store of the first reference in page_assign_owner().
 *
 * Preemption: validation and devalidation run to completion (no
 * -ERESTART/partial state as in Xen yet); the PV MMU bounds the work per
 * frame (512 entries).
 */
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page_info.h>

struct page_info *frame_table;
unsigned long frame_table_nr;

static const struct page_ops *page_ops;

static unsigned long *m2p_table;
static unsigned long m2p_nr;

void frame_table_init(struct page_info *table, unsigned long nr_frames)
{
    BUG_ON(table == NULL);
    BUG_ON(nr_frames == 0 || nr_frames > FRAME_TABLE_MAX_FRAMES);

    memset(table, 0, nr_frames * sizeof(*table));
    frame_table = table;
    frame_table_nr = nr_frames;
}

void frame_table_set_ops(const struct page_ops *ops)
{
    page_ops = ops;
}

static unsigned long load_acquire(const unsigned long *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Compare-exchange with acquire on success (pairs with the releasing
 * updates of the same word); on failure *x receives the current value. */
static bool cmpxchg(unsigned long *p, unsigned long *x, unsigned long nx)
{
    return __atomic_compare_exchange_n(p, x, nx, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

void page_assign_owner(struct page_info *pg, struct domain *owner)
{
    BUG_ON(load_acquire(&pg->count_info) != 0);

    pg->owner = owner;
    pg->u.type_info = 0;
    /* Publishes owner and type_info; pairs with get_page()'s acquire. */
    __atomic_store_n(&pg->count_info, PGC_ALLOCATED | 1, __ATOMIC_RELEASE);
}

void page_share_with_owner(struct page_info *pg, struct domain *owner)
{
    BUG_ON(load_acquire(&pg->count_info) != 0);

    pg->owner = owner;
    pg->u.type_info = 0;
    /* The allocation reference and the hypervisor's own. */
    __atomic_store_n(&pg->count_info, PGC_XEN_HEAP | PGC_ALLOCATED | 2, __ATOMIC_RELEASE);
}

int page_release(struct page_info *pg)
{
    unsigned long old = __atomic_fetch_and(&pg->count_info, ~PGC_ALLOCATED,
                                           __ATOMIC_ACQ_REL);

    if (!(old & PGC_ALLOCATED))
        return -EINVAL;
    put_page(pg);
    return 0;
}

int get_page(struct page_info *pg, const struct domain *owner)
{
    unsigned long x = load_acquire(&pg->count_info);
    unsigned long count;

    do {
        count = x & PGC_COUNT_MASK;
        if (count == 0 || count == PGC_COUNT_MASK)
            return -EINVAL;
    } while (!cmpxchg(&pg->count_info, &x, x + 1));

    /* Only now is the owner stable: it changes only at count 0. */
    if (unlikely(pg->owner != owner)) {
        put_page(pg);
        return -EINVAL;
    }
    return 0;
}

void put_page(struct page_info *pg)
{
    unsigned long x = load_acquire(&pg->count_info);
    unsigned long nx;

    do {
        BUG_ON((x & PGC_COUNT_MASK) == 0);
        nx = x - 1;
    } while (!cmpxchg(&pg->count_info, &x, nx));

    if (likely((nx & PGC_COUNT_MASK) != 0))
        return;

    BUG_ON(nx & PGC_ALLOCATED);
    BUG_ON(pg->u.type_info & (PGT_COUNT_MASK | PGT_PINNED));
    BUG_ON(page_ops == NULL || page_ops->free_page == NULL);
    page_ops->free_page(pg);
}

/* A general reference for someone who already holds one: only overflow can
 * stop it. Returns 0 or -EINVAL. */
static int get_page_light(struct page_info *pg)
{
    unsigned long x = load_acquire(&pg->count_info);

    do {
        ASSERT((x & PGC_COUNT_MASK) != 0);
        if ((x & PGC_COUNT_MASK) == PGC_COUNT_MASK)
            return -EINVAL;
    } while (!cmpxchg(&pg->count_info, &x, x + 1));
    return 0;
}

static bool type_is_page_table(unsigned long type)
{
    return type >= PGT_L1 && type <= PGT_L4;
}

static bool type_needs_validation(unsigned long type)
{
    return type_is_page_table(type) || type == PGT_SEG_DESC;
}

int get_page_type(struct page_info *pg, unsigned long type)
{
    unsigned long x, nx;
    bool validate;
    int rc;

    BUG_ON(type & ~PGT_TYPE_MASK);
    BUG_ON(!type_needs_validation(type) && type != PGT_WRITABLE);
    ASSERT(load_acquire(&pg->count_info) & PGC_COUNT_MASK);

    x = load_acquire(&pg->u.type_info);
    for (;;) {
        unsigned long count = x & PGT_COUNT_MASK;

        if (count == PGT_COUNT_MASK)
            return -EINVAL;

        validate = false;
        if (count == 0) {
            ASSERT(!(x & PGT_PINNED));
            if (page_type(x) == type && (x & PGT_VALIDATED)) {
                nx = x + 1;
            } else {
                /* Retype (or revalidate): flags restart from nothing. */
                validate = type_needs_validation(type);
                nx = type | 1 | (validate ? 0 : PGT_VALIDATED);
            }
        } else if (page_type(x) != type) {
            return -EINVAL;
        } else if (!(x & PGT_VALIDATED)) {
            /* Another CPU is (de)validating: wait for it to finish. */
            unsigned long y;

            while ((y = load_acquire(&pg->u.type_info)) == x)
                ;
            x = y;
            continue;
        } else {
            nx = x + 1;
        }

        if (cmpxchg(&pg->u.type_info, &x, nx))
            break;
    }

    if (!validate)
        return 0;

    /* We own the frame's "being validated" state (count 1, !VALIDATED). */
    BUG_ON(page_ops == NULL || page_ops->validate == NULL);
    rc = page_ops->validate(pg, type);
    if (rc) {
        BUG_ON(rc > 0);
        /* Nobody else wrote type_info meanwhile: give back the old state. */
        __atomic_store_n(&pg->u.type_info, x, __ATOMIC_RELEASE);
        return rc;
    }
    /* Publishes the references validate() took; pairs with the acquire
     * loads of waiting getters. */
    __atomic_fetch_or(&pg->u.type_info, PGT_VALIDATED, __ATOMIC_RELEASE);
    return 0;
}

void put_page_type(struct page_info *pg)
{
    unsigned long x = load_acquire(&pg->u.type_info);
    unsigned long nx;

    for (;;) {
        BUG_ON((x & PGT_COUNT_MASK) == 0);
        BUG_ON(!(x & PGT_VALIDATED));

        if ((x & PGT_COUNT_MASK) == 1) {
            BUG_ON(x & PGT_PINNED);
            if (type_is_page_table(page_type(x))) {
                /* Enter "being devalidated": count stays 1, so getters wait
                 * instead of seeing a half-dismantled table. */
                nx = x & ~PGT_VALIDATED;
                if (!cmpxchg(&pg->u.type_info, &x, nx))
                    continue;
                BUG_ON(page_ops == NULL || page_ops->devalidate == NULL);
                page_ops->devalidate(pg, page_type(x));
                /* Releases the frame to waiting getters, after the
                 * references devalidate() dropped. */
                __atomic_fetch_sub(&pg->u.type_info, 1, __ATOMIC_RELEASE);
                return;
            }
        }

        nx = x - 1;
        if (cmpxchg(&pg->u.type_info, &x, nx))
            return;
    }
}

int get_page_and_type(struct page_info *pg, const struct domain *owner,
                      unsigned long type)
{
    int rc = get_page(pg, owner);

    if (rc)
        return rc;
    rc = get_page_type(pg, type);
    if (rc)
        put_page(pg);
    return rc;
}

void put_page_and_type(struct page_info *pg)
{
    put_page_type(pg);
    put_page(pg);
}

int page_pin(struct page_info *pg, unsigned long type)
{
    unsigned long old;
    int rc;

    BUG_ON(!type_is_page_table(type));

    rc = get_page_light(pg);
    if (rc)
        goto out;
    rc = get_page_type(pg, type);
    if (rc)
        goto out_put_page;

    old = __atomic_fetch_or(&pg->u.type_info, PGT_PINNED, __ATOMIC_ACQ_REL);
    if (old & PGT_PINNED) {
        rc = -EINVAL;
        goto out_put_type;
    }
    return 0;

out_put_type:
    /* Cannot be the last type reference: the existing pin holds one. */
    put_page_type(pg);
out_put_page:
    /* Cannot be the last general reference: the caller holds one. */
    put_page(pg);
out:
    return rc;
}

int page_unpin(struct page_info *pg)
{
    unsigned long old = __atomic_fetch_and(&pg->u.type_info, ~PGT_PINNED,
                                           __ATOMIC_ACQ_REL);

    if (!(old & PGT_PINNED))
        return -EINVAL;
    put_page_and_type(pg);
    return 0;
}

void m2p_init(unsigned long *table, unsigned long nr)
{
    unsigned long i;

    BUG_ON(table == NULL && nr != 0);
    for (i = 0; i < nr; i++)
        table[i] = INVALID_M2P_ENTRY;
    m2p_table = table;
    m2p_nr = nr;
}

int set_gpfn_from_mfn(mfn_t mfn, unsigned long pfn)
{
    if (mfn_x(mfn) >= m2p_nr)
        return -EINVAL;
    /* Single-copy atomic for guests reading the read-only alias. */
    __atomic_store_n(&m2p_table[mfn_x(mfn)], pfn, __ATOMIC_RELAXED);
    return 0;
}

unsigned long get_gpfn_from_mfn(mfn_t mfn)
{
    if (mfn_x(mfn) >= m2p_nr)
        return INVALID_M2P_ENTRY;
    return __atomic_load_n(&m2p_table[mfn_x(mfn)], __ATOMIC_RELAXED);
}
