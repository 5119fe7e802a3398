/* SPDX-License-Identifier: MIT */
/*
 * Buddy allocator of machine frames, kept in the frame table. The model is
 * described at the top of common/buddy.c. Callers hold the heap lock.
 */
#ifndef KEEL_BUDDY_H
#define KEEL_BUDDY_H

#include <stdint.h>

#include <keel/frame_types.h>
#include <keel/page_info.h>

/* Largest block: 2^20 frames (4 GiB). */
#define BUDDY_MAX_ORDER         20

/*
 * Empty the allocator: no free frames, counters zero. Needs
 * frame_table_init() first; does not touch the frame table (the frames
 * described by it must not be in the free lists, as after
 * frame_table_init()).
 */
void buddy_init(void);

/*
 * Hand the @nr frames from @start to the allocator. The range need not be
 * aligned; it is split into maximal aligned blocks, which coalesce with free
 * neighbours. Every frame must be inside the frame table and unused
 * (count_info 0: never handed out, or back from page_ops.free_page); a
 * frame already free, in use, or outside the table is a BUG. @nr 0 is a
 * no-op.
 */
void buddy_add_range(mfn_t start, unsigned long nr);

/*
 * Allocate 2^@order contiguous frames, aligned to their size. Returns the
 * first frame, every frame with count_info 0, no owner and type_info 0
 * (contents not zeroed: scrubbing is the caller's job); or NULL if no block
 * is free or @order > BUDDY_MAX_ORDER.
 */
struct page_info *buddy_alloc(unsigned int order);

/*
 * As buddy_alloc(), but every frame of the block is below @limit (MFN,
 * exclusive), e.g. 0x100 for the AP trampoline under 1 MiB. Returns NULL if
 * no such block is free. Costs a walk of the free lists: for rare callers.
 */
struct page_info *buddy_alloc_below(unsigned int order, unsigned long limit);

/*
 * Give back the 2^@order frames from @pg, which were allocated (or added)
 * as such or as part of a larger block; they coalesce with free buddies.
 * @pg misaligned for @order, @order > BUDDY_MAX_ORDER, a frame outside the
 * table, already free, still referenced (count_info != 0) or still
 * type-referenced is a BUG.
 */
void buddy_free(struct page_info *pg, unsigned int order);

/* Frames ever added by buddy_add_range(). */
unsigned long buddy_total_frames(void);
/* Frames currently free. */
unsigned long buddy_free_frames(void);
/* Free blocks of exactly @order (0 for @order > BUDDY_MAX_ORDER). */
unsigned long buddy_free_blocks(unsigned int order);

#endif
