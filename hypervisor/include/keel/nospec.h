/* SPDX-License-Identifier: MIT */
/*
 * Bounds clamps that hold under speculation: after a bounds check on a
 * guest-supplied index, array_index_nospec() keeps a mispredicted path
 * from reading out of bounds.
 */
#ifndef KEEL_NOSPEC_H
#define KEEL_NOSPEC_H

/* idx if idx < size, else 0, computed without a branch. */
static inline unsigned long array_index_nospec(unsigned long idx, unsigned long size)
{
    unsigned long mask;

    /* CF = (idx < size); SBB turns it into all-ones or zero. */
    __asm__("cmp %[size], %[idx]; sbb %[mask], %[mask]"
            : [mask] "=r"(mask) : [idx] "r"(idx), [size] "r"(size) : "cc");
    return idx & mask;
}

#endif
