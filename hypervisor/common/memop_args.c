/* SPDX-License-Identifier: MIT */
/*
 * Decoding of the reservation ops' argument (struct xen_memory_reservation)
 * into what the allocator needs, with Xen's checks (common/memory.c:
 * do_memory_op, construct_memop_from_reservation, propagate_node, and the
 * extent-order ceilings of increase_reservation, populate_physmap and
 * decrease_reservation). Pure: no guest access, no allocation, so the host
 * unit tests cover every case.
 */
#include <keel/errno.h>
#include <keel/memop.h>

#define MEMOP_PAGE_SHIFT 12

unsigned int memop_max_order(bool privileged)
{
    return privileged ? MEMOP_MAX_ORDER_CTLDOM : MEMOP_MAX_ORDER_DOMU;
}

/* Smallest order with 2^order >= nr (Xen's get_order_from_pages). */
static unsigned int order_for_frames(unsigned long nr)
{
    unsigned int order = 0;

    while (order < 63 && (1UL << order) < nr)
        order++;
    return order;
}

static int decode_node(uint32_t flags, bool privileged, struct memop_args *a)
{
    unsigned int node = XENMEMF_get_node(flags);
    bool exact = flags & XENMEMF_exact_node_request;

    a->node = MEMOP_NO_NODE;
    a->exact_node = false;
    /* With XENMEMF_vnode the node is virtual; no domain has a vNUMA layout. */
    if ((flags & XENMEMF_vnode) || node == MEMOP_NO_NODE)
        return 0;
    if (!privileged)
        /* Others' node wishes are ignored, but an exact one cannot be met. */
        return exact ? -EINVAL : 0;
    if (node >= MEMOP_MAX_NUMNODES)
        return -EINVAL;
    a->node = node;
    a->exact_node = exact;
    return 0;
}

int memop_decode_reservation(unsigned int op, const struct xen_memory_reservation *r,
                             unsigned long start_extent, bool privileged,
                             unsigned long max_page, struct memop_args *a)
{
    unsigned int bits = XENMEMF_get_address_bits(r->mem_flags);

    /* The continuation carries start_extent in the bits above the command. */
    if (r->nr_extents > (UINT32_MAX >> MEMOP_EXTENT_SHIFT) || start_extent >= r->nr_extents)
        return -EINVAL;
    if (r->extent_order > memop_max_order(privileged))
        return -EINVAL;
    if (op == XENMEM_populate_physmap && (r->mem_flags & XENMEMF_populate_on_demand))
        return -EINVAL;

    a->extent_list = (unsigned long)r->extent_start.p;
    a->nr_extents = r->nr_extents;
    a->extent_order = r->extent_order;
    a->start_extent = start_extent;
    a->below_mfn = 0;
    /* A limit at or above the top of the machine's memory is no limit. */
    if (bits && bits < order_for_frames(max_page) + MEMOP_PAGE_SHIFT) {
        if (bits <= MEMOP_PAGE_SHIFT)
            return -EINVAL;
        a->below_mfn = 1UL << (bits - MEMOP_PAGE_SHIFT);
    }
    return decode_node(r->mem_flags, privileged, a);
}
