/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark guest needs: an ordered TSC read and the report of
 * a sample set as the line bench/run parses:
 *     BENCH <what>: n=N min=A median=B mean=C cycles
 * Header-only, included by one guest each.
 */
#ifndef BENCH_GUESTS_BENCH_H
#define BENCH_GUESTS_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "console.h"

/* The TSC, not read before earlier instructions complete. */
static inline uint64_t bench_rdtsc(void)
{
    uint32_t lo, hi;

    asm volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
}

static inline void bench_sift_down(uint64_t *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        uint64_t t;

        if (child >= n)
            return;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[root] >= a[child])
            return;
        t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static inline void bench_sort(uint64_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        bench_sift_down(a, i, n);
    for (size_t end = n; end-- > 1;) {
        uint64_t t = a[0];

        a[0] = a[end];
        a[end] = t;
        bench_sift_down(a, 0, end);
    }
}

/* Sorts @a and prints min/median/mean; returns the median. */
static inline uint64_t bench_report(const char *what, uint64_t *a, size_t n)
{
    uint64_t sum = 0, median;

    bench_sort(a, n);
    for (size_t i = 0; i < n; i++)
        sum += a[i];
    median = (n % 2) ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    printf("BENCH %s: n=%lu min=%lu median=%lu mean=%lu cycles\n", what, (unsigned long)n,
           (unsigned long)a[0], (unsigned long)median, (unsigned long)(sum / n));
    return median;
}

#endif /* BENCH_GUESTS_BENCH_H */
