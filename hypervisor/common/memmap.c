/* SPDX-License-Identifier: MIT */
/*
 * The machine memory map the control domain sees (XENMEM_machine_memory_map),
 * built from the boot loader's E820 map the way Xen builds it
 * (arch/x86/mm.c: the machine_memory_map case and handle_iomem_range):
 * every host entry, in address order and unchanged, plus an E820_RESERVED
 * entry for each run of frames in the holes that the domain may not map,
 * so the domain never places a device there.
 *
 * Pure: the host map, the denied frames and the address width come in as
 * arguments, entries go out through a callback. The loader's map is not
 * sorted (multiboot passes it as the firmware gave it), so entries are
 * visited through an index sorted by address; overlapping entries are
 * passed through as they are, as Xen's sanitised map would not have them.
 */
#include <keel/lib.h>
#include <keel/memop.h>

#define MEMMAP_PAGE_SHIFT 12
#define MEMMAP_PAGE_SIZE  (1UL << MEMMAP_PAGE_SHIFT)

_Static_assert(BOOT_MAX_MEMMAP <= 256, "the sort index holds entry numbers in a byte");

/* The denied frames in the hole [*cursor, end) as reserved entries; moves *cursor to end. */
static int emit_hole(unsigned long *cursor, unsigned long end, const unsigned long *denied,
                     unsigned int nr_denied, unsigned long limit_frame,
                     int (*emit)(void *ctx, const struct memmap_entry *e), void *ctx)
{
    for (unsigned int i = 0; i < nr_denied; i++) {
        unsigned long first = denied[i], last = denied[i];
        struct memmap_entry e;
        int rc;

        if (first < *cursor || first >= end)
            continue;
        while (i + 1 < nr_denied && denied[i + 1] == last + 1 && last + 1 < end)
            last = denied[++i];
        if (last + 1 >= limit_frame)
            continue;
        e.addr = (uint64_t)first << MEMMAP_PAGE_SHIFT;
        e.size = (uint64_t)(last - first + 1) << MEMMAP_PAGE_SHIFT;
        e.type = E820_RESERVED;
        rc = emit(ctx, &e);
        if (rc)
            return rc;
    }
    *cursor = end;
    return 0;
}

int memmap_machine_walk(const struct memmap_entry *host, unsigned int nr_host,
                        const unsigned long *denied, unsigned int nr_denied,
                        unsigned long limit_frame,
                        int (*emit)(void *ctx, const struct memmap_entry *e), void *ctx)
{
    uint8_t order[BOOT_MAX_MEMMAP];
    unsigned long cursor = 0;   /* first frame not yet covered */
    int rc;

    BUG_ON(nr_host > BOOT_MAX_MEMMAP);
    /* Insertion sort by address, stable: at most BOOT_MAX_MEMMAP entries. */
    for (unsigned int i = 0; i < nr_host; i++) {
        unsigned int j = i;

        while (j && host[order[j - 1]].addr > host[i].addr) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = (uint8_t)i;
    }

    for (unsigned int i = 0; i < nr_host; i++) {
        const struct memmap_entry *e = &host[order[i]];
        unsigned long start = e->addr >> MEMMAP_PAGE_SHIFT;
        unsigned long end = (e->addr + e->size + MEMMAP_PAGE_SIZE - 1) >> MEMMAP_PAGE_SHIFT;

        if (start > cursor) {
            rc = emit_hole(&cursor, start, denied, nr_denied, limit_frame, emit, ctx);
            if (rc)
                return rc;
        }
        rc = emit(ctx, e);
        if (rc)
            return rc;
        if (end > cursor)
            cursor = end;
    }
    if (!nr_host)
        return 0;
    return emit_hole(&cursor, ~0UL, denied, nr_denied, limit_frame, emit, ctx);
}
