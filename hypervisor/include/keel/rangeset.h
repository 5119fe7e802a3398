/* SPDX-License-Identifier: MIT */
/*
 * Range sets: which I/O memory frames and I/O ports a domain may use
 * (Xen's iomem_caps / ioport_caps). A set holds at most RANGESET_MAX
 * disjoint, non-adjacent inclusive ranges, kept sorted; adding merges,
 * removing splits. Portable and host-tested (tests/unit/test_rangeset.c).
 *
 * Locking: each set has its own lock; every function takes it, so a set
 * may be changed by the toolstack while its domain's vCPUs look it up.
 */
#ifndef KEEL_RANGESET_H
#define KEEL_RANGESET_H

#include <stdbool.h>

#include <keel/spinlock.h>

#define RANGESET_MAX 32

struct rangeset {
    spinlock_t lock;
    unsigned int nr;
    struct {
        unsigned long s, e;     /* inclusive */
    } r[RANGESET_MAX];
};

/* An empty set. */
void rangeset_init(struct rangeset *rs);

/*
 * Add [s, e]. Returns 0, -EINVAL if s > e, or -ENOSPC if the set would
 * need more than RANGESET_MAX ranges (nothing changed then).
 */
int rangeset_add(struct rangeset *rs, unsigned long s, unsigned long e);

/*
 * Remove [s, e] (parts not in the set are ignored). Returns 0, -EINVAL if
 * s > e, or -ENOSPC if splitting a range would need one range too many.
 */
int rangeset_remove(struct rangeset *rs, unsigned long s, unsigned long e);

/*
 * Whether every element of [s, e] is in the set (false if s > e). Takes
 * the set's lock although the set is const: the lock is not part of its
 * value.
 */
bool rangeset_contains(const struct rangeset *rs, unsigned long s, unsigned long e);

/* Whether the set is empty. */
bool rangeset_is_empty(const struct rangeset *rs);

#endif
