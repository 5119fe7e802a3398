/* SPDX-License-Identifier: MIT */
/* pvclock reads for the test guests (see pvclock.h). */
#include "pvclock.h"

uint64_t pvclock_ns(const volatile struct vcpu_time_info *t)
{
    uint32_t version, lo, hi;
    uint64_t delta, ns;

    do {
        version = t->version;
        barrier();
        asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
        delta = (((uint64_t)hi << 32) | lo) - t->tsc_timestamp;
        if (t->tsc_shift >= 0)
            delta <<= t->tsc_shift;
        else
            delta >>= -t->tsc_shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        barrier();
    } while ((version & 1) || version != t->version);
    return ns;
}
