/* SPDX-License-Identifier: MIT */
/*
 * Range sets (keel/rangeset.h). Invariant, checked by the host tests after
 * every operation: r[0..nr) sorted, each s <= e, and r[i].e + 1 < r[i+1].s
 * (neither overlapping nor adjacent), so every set has exactly one
 * representation.
 */
#include <keel/errno.h>
#include <keel/rangeset.h>

void rangeset_init(struct rangeset *rs)
{
    rs->lock = (spinlock_t)SPINLOCK_INIT;
    rs->nr = 0;
}

/* Replace ranges [first, last) by nnew ranges from new[]. Lock held; fits. */
static void splice(struct rangeset *rs, unsigned int first, unsigned int last,
                   const unsigned long (*new)[2], unsigned int nnew)
{
    unsigned int tail = rs->nr - last;

    /* Move the tail to its new place, then write the new ranges. */
    if (first + nnew != last) {
        for (unsigned int i = 0; i < tail; i++) {
            unsigned int from = first + nnew > last ? last + tail - 1 - i : last + i;
            unsigned int to = from - last + first + nnew;

            rs->r[to] = rs->r[from];
        }
    }
    for (unsigned int i = 0; i < nnew; i++) {
        rs->r[first + i].s = new[i][0];
        rs->r[first + i].e = new[i][1];
    }
    rs->nr = first + nnew + tail;
}

int rangeset_add(struct rangeset *rs, unsigned long s, unsigned long e)
{
    unsigned long flags, merged[1][2];
    unsigned int first, last;
    int rc = 0;

    if (s > e)
        return -EINVAL;
    flags = spin_lock_irqsave(&rs->lock);
    /* Ranges [first, last) touch [s, e] (overlap or adjacency) and merge with it. */
    for (first = 0; first < rs->nr && rs->r[first].e != ~0UL && rs->r[first].e + 1 < s; first++)
        ;
    for (last = first; last < rs->nr && (e == ~0UL || rs->r[last].s <= e + 1); last++)
        ;
    merged[0][0] = first < last && rs->r[first].s < s ? rs->r[first].s : s;
    merged[0][1] = first < last && rs->r[last - 1].e > e ? rs->r[last - 1].e : e;
    if (first == last && rs->nr == RANGESET_MAX)
        rc = -ENOSPC;
    else
        splice(rs, first, last, merged, 1);
    spin_unlock_irqrestore(&rs->lock, flags);
    return rc;
}

int rangeset_remove(struct rangeset *rs, unsigned long s, unsigned long e)
{
    unsigned long flags, keep[2][2];
    unsigned int first, last, nkeep = 0;
    int rc = 0;

    if (s > e)
        return -EINVAL;
    flags = spin_lock_irqsave(&rs->lock);
    /* Ranges [first, last) overlap [s, e]. */
    for (first = 0; first < rs->nr && rs->r[first].e < s; first++)
        ;
    for (last = first; last < rs->nr && rs->r[last].s <= e; last++)
        ;
    if (first < last && rs->r[first].s < s) {
        keep[nkeep][0] = rs->r[first].s;
        keep[nkeep++][1] = s - 1;
    }
    if (first < last && rs->r[last - 1].e > e) {
        keep[nkeep][0] = e + 1;
        keep[nkeep++][1] = rs->r[last - 1].e;
    }
    if (rs->nr - (last - first) + nkeep > RANGESET_MAX)
        rc = -ENOSPC;
    else
        splice(rs, first, last, keep, nkeep);
    spin_unlock_irqrestore(&rs->lock, flags);
    return rc;
}

bool rangeset_contains(const struct rangeset *rs, unsigned long s, unsigned long e)
{
    spinlock_t *lock = (spinlock_t *)&rs->lock;
    unsigned long flags;
    bool in = false;

    if (s > e)
        return false;
    flags = spin_lock_irqsave(lock);
    for (unsigned int i = 0; i < rs->nr && rs->r[i].s <= s; i++)
        if (rs->r[i].e >= e)
            in = true;
    spin_unlock_irqrestore(lock, flags);
    return in;
}

bool rangeset_is_empty(const struct rangeset *rs)
{
    return __atomic_load_n(&rs->nr, __ATOMIC_RELAXED) == 0;
}
