/* SPDX-License-Identifier: MIT */
/*
 * The memory_op hypercall: common part (common/memory_op.c), the pure
 * argument decoding and memory-map building it relies on (common/memop_args.c,
 * common/memmap.c, host-tested). The x86 sub-ops are arch_memory_op()
 * (keel/arch.h).
 */
#ifndef KEEL_MEMOP_H
#define KEEL_MEMOP_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/bootinfo.h>
#include <public/memory.h>

struct domain;

/*
 * cmd of memory_op: the sub-op in the low bits, the continuation point of
 * the reservation ops above them (Xen's encoding; guests pass 0 there).
 */
#define MEMOP_EXTENT_SHIFT      6
#define MEMOP_CMD_MASK          ((1UL << MEMOP_EXTENT_SHIFT) - 1)

/* Xen x86's extent-order ceilings: any domain, and the control domain. */
#define MEMOP_MAX_ORDER_DOMU    9
#define MEMOP_MAX_ORDER_CTLDOM  18
/* Xen's MAX_NUMNODES on x86: node numbers a control domain may name. */
#define MEMOP_MAX_NUMNODES      64
#define MEMOP_NO_NODE           0xffu

/* A reservation request, decoded and checked. */
struct memop_args {
    unsigned long extent_list;  /* guest VA of a xen_pfn_t array; 0 = none */
    unsigned long nr_extents;
    unsigned int extent_order;  /* log2 frames per extent */
    unsigned long start_extent; /* first extent to do (continuation point) */
    unsigned long below_mfn;    /* every frame below this MFN; 0 = anywhere */
    unsigned int node;          /* NUMA node asked for, or MEMOP_NO_NODE */
    bool exact_node;            /* only that node will do */
};

/* The largest extent order a caller may use in reservation ops. */
unsigned int memop_max_order(bool privileged);

/*
 * Decode reservation op @op (XENMEM_increase_reservation,
 * XENMEM_decrease_reservation or XENMEM_populate_physmap) resumed at
 * @start_extent, for a caller that is @privileged (the control domain), on
 * a machine of @max_page frames, into @a.
 * Returns 0, or -EINVAL: nr_extents too large to encode a continuation,
 * start_extent not below nr_extents, extent_order above the caller's
 * ceiling, address_bits of a page or less, a node the caller may not name,
 * or populate-on-demand (only HVM domains have it, never for oneself).
 * Xen answers all of these with "start_extent extents done", so do the
 * callers. @a is undefined on error.
 */
int memop_decode_reservation(unsigned int op, const struct xen_memory_reservation *r,
                             unsigned long start_extent, bool privileged,
                             unsigned long max_page, struct memop_args *a);

/*
 * The control domain's machine memory map (Xen's XENMEM_machine_memory_map):
 * the @nr_host entries of @host in address order, and, in the holes
 * between and above them, an E820_RESERVED entry for each run of the
 * @nr_denied frames in @denied (sorted, distinct) that the domain may not
 * map, when the frame after the run is below @limit_frame (the host's
 * physical address width). Calls @emit for each entry in order, stopping
 * at the first non-zero return, which it returns; 0 after the last.
 * @nr_host <= BOOT_MAX_MEMMAP.
 */
int memmap_machine_walk(const struct memmap_entry *host, unsigned int nr_host,
                        const unsigned long *denied, unsigned int nr_denied,
                        unsigned long limit_frame,
                        int (*emit)(void *ctx, const struct memmap_entry *e), void *ctx);

#endif
