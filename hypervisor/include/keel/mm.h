/* SPDX-License-Identifier: MIT */
/* Hypervisor heap: zeroed, directly mapped pages for Keel's own objects. */
#ifndef KEEL_MM_H
#define KEEL_MM_H

#include <stddef.h>

/* 2^order zeroed pages, directly mapped; NULL if memory is exhausted. */
void *alloc_xenheap_pages(unsigned int order);
/* As alloc_xenheap_pages(), from frames below limit_mfn (exclusive). */
void *alloc_xenheap_pages_below(unsigned int order, unsigned long limit_mfn);
/* Return pages from alloc_xenheap_pages() with the same order. */
void free_xenheap_pages(void *va, unsigned int order);

/* Smallest order whose pages hold size bytes. */
static inline unsigned int order_for_bytes(size_t size)
{
    unsigned int order = 0;

    while ((4096UL << order) < size)
        order++;
    return order;
}

#endif
