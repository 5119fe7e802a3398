/* SPDX-License-Identifier: MIT */
/*
 * Buddy allocator of machine frames.
 *
 * Free memory is a set of blocks of 2^k frames (0 <= k <= BUDDY_MAX_ORDER),
 * each aligned to its size. Invariants:
 *  - every frame of a free block has PGC_FREE in count_info (and nothing
 *    else there), so freeing any frame of it twice is caught;
 *  - a block's first frame (its head) has order k and is linked into the
 *    free list of order k through u.free (links are MFNs); every other free
 *    frame has order PAGE_ORDER_NONE. "Free head of order k" is therefore
 *    "PGC_FREE and order == k", which is what coalescing tests;
 *  - two free buddies of the same order are always merged, so the buddy of
 *    a free block of order k is never a free block of order k.
 * Allocation takes the first block of the smallest order that fits and
 * splits it, keeping the lower half each time and freeing the upper one.
 *
 * Lock: the whole allocator state (free lists, counters, and the u.free,
 * order and PGC_FREE fields of free frames) is protected by heap_lock,
 * which every entry point here takes with interrupts off, so any CPU and
 * any context may allocate and free. It is a leaf lock: nothing is called
 * with it held.
 *
 * Frames handed out have count_info 0, no owner and type 0; the allocator
 * never reads or writes their contents.
 */
#include <keel/buddy.h>
#include <keel/lib.h>
#include <keel/page_info.h>
#include <keel/spinlock.h>

_Static_assert(BUDDY_MAX_ORDER < 32, "orders are stored in 32 bits");

/* Free-list heads by order, as MFNs. */
static uint32_t free_head[BUDDY_MAX_ORDER + 1];
static unsigned long free_blocks[BUDDY_MAX_ORDER + 1];
static unsigned long total_frames;
static unsigned long free_frames;
static spinlock_t heap_lock = SPINLOCK_INIT;

void buddy_init(void)
{
    unsigned int k;

    BUG_ON(frame_table == NULL);
    heap_lock = (spinlock_t)SPINLOCK_INIT;
    for (k = 0; k <= BUDDY_MAX_ORDER; k++) {
        free_head[k] = PAGE_LINK_NONE;
        free_blocks[k] = 0;
    }
    total_frames = 0;
    free_frames = 0;
}

static void list_add(unsigned long mfn, unsigned int order)
{
    struct page_info *pg = &frame_table[mfn];
    uint32_t head = free_head[order];

    pg->order = order;
    pg->u.free.prev = PAGE_LINK_NONE;
    pg->u.free.next = head;
    if (head != PAGE_LINK_NONE)
        frame_table[head].u.free.prev = (uint32_t)mfn;
    free_head[order] = (uint32_t)mfn;
    free_blocks[order]++;
}

static void list_del(unsigned long mfn, unsigned int order)
{
    struct page_info *pg = &frame_table[mfn];

    if (pg->u.free.prev != PAGE_LINK_NONE)
        frame_table[pg->u.free.prev].u.free.next = pg->u.free.next;
    else
        free_head[order] = pg->u.free.next;
    if (pg->u.free.next != PAGE_LINK_NONE)
        frame_table[pg->u.free.next].u.free.prev = pg->u.free.prev;
    pg->order = PAGE_ORDER_NONE;
    free_blocks[order]--;
}

static bool is_free_head(unsigned long mfn, unsigned int order)
{
    const struct page_info *pg = &frame_table[mfn];

    return (pg->count_info & PGC_FREE) && pg->order == order;
}

/* A block's frames may be freed: checked before heap_lock is taken. */
static void check_free_block(const struct page_info *pg, unsigned int order)
{
    unsigned long mfn = mfn_x(page_to_mfn(pg));
    unsigned long nr;

    BUG_ON(order > BUDDY_MAX_ORDER);
    nr = 1UL << order;
    BUG_ON(!IS_ALIGNED(mfn, nr));
    BUG_ON(mfn + nr > frame_table_nr);
    for (unsigned long i = 0; i < nr; i++) {
        BUG_ON(pg[i].count_info != 0);
        BUG_ON(pg[i].u.type_info & (PGT_COUNT_MASK | PGT_PINNED));
    }
}

/* Free a block check_free_block() accepted. heap_lock held. */
static void free_block(struct page_info *pg, unsigned int order)
{
    unsigned long mfn = mfn_x(page_to_mfn(pg));
    unsigned long nr = 1UL << order;
    unsigned long i;

    for (i = 0; i < nr; i++) {
        pg[i].count_info = PGC_FREE;
        pg[i].owner = NULL;
        pg[i].order = PAGE_ORDER_NONE;
    }
    free_frames += nr;

    while (order < BUDDY_MAX_ORDER) {
        unsigned long buddy = mfn ^ (1UL << order);

        if (buddy + (1UL << order) > frame_table_nr || !is_free_head(buddy, order))
            break;
        list_del(buddy, order);
        mfn = min(mfn, buddy);
        order++;
    }
    list_add(mfn, order);
}

void buddy_free(struct page_info *pg, unsigned int order)
{
    unsigned long flags;

    check_free_block(pg, order);
    flags = spin_lock_irqsave(&heap_lock);
    free_block(pg, order);
    spin_unlock_irqrestore(&heap_lock, flags);
}

void buddy_add_range(mfn_t start, unsigned long nr)
{
    unsigned long mfn = mfn_x(start);
    unsigned long end = mfn + nr;
    unsigned long flags;

    BUG_ON(end < mfn || end > frame_table_nr);
    for (unsigned long m = mfn; m < end; m++)
        check_free_block(&frame_table[m], 0);
    flags = spin_lock_irqsave(&heap_lock);

    while (mfn < end) {
        unsigned int order = 0;

        /* Largest aligned block starting at mfn that fits before end. */
        while (order < BUDDY_MAX_ORDER &&
               IS_ALIGNED(mfn, 1UL << (order + 1)) &&
               mfn + (1UL << (order + 1)) <= end)
            order++;
        free_block(&frame_table[mfn], order);
        total_frames += 1UL << order;
        mfn += 1UL << order;
    }
    spin_unlock_irqrestore(&heap_lock, flags);
}

static struct page_info *alloc_block_below(unsigned int order, unsigned long limit)
{
    unsigned long mfn = PAGE_LINK_NONE;
    unsigned long i, nr;
    unsigned int k;
    struct page_info *pg;

    if (order > BUDDY_MAX_ORDER)
        return NULL;
    nr = 1UL << order;

    /* The lower end of a block is where a split keeps going, so a block
     * fits if its first 2^order frames are below the limit. */
    for (k = order; k <= BUDDY_MAX_ORDER; k++) {
        uint32_t m;

        for (m = free_head[k]; m != PAGE_LINK_NONE; m = frame_table[m].u.free.next)
            if (m < limit && limit - m >= nr)
                break;
        if (m != PAGE_LINK_NONE) {
            mfn = m;
            break;
        }
    }
    if (mfn == PAGE_LINK_NONE)
        return NULL;

    list_del(mfn, k);
    while (k > order) {
        k--;
        list_add(mfn + (1UL << k), k);
    }

    pg = &frame_table[mfn];
    for (i = 0; i < nr; i++) {
        ASSERT(pg[i].count_info == PGC_FREE);
        pg[i].count_info = 0;
        pg[i].u.type_info = 0;
        pg[i].owner = NULL;
        pg[i].order = PAGE_ORDER_NONE;
    }
    free_frames -= nr;
    return pg;
}

struct page_info *buddy_alloc_below(unsigned int order, unsigned long limit)
{
    unsigned long flags = spin_lock_irqsave(&heap_lock);
    struct page_info *pg = alloc_block_below(order, limit);

    spin_unlock_irqrestore(&heap_lock, flags);
    return pg;
}

struct page_info *buddy_alloc(unsigned int order)
{
    return buddy_alloc_below(order, ~0UL);
}

unsigned long buddy_total_frames(void)
{
    return total_frames;
}

unsigned long buddy_free_frames(void)
{
    return __atomic_load_n(&free_frames, __ATOMIC_RELAXED);
}

unsigned long buddy_free_blocks(unsigned int order)
{
    return order <= BUDDY_MAX_ORDER ? free_blocks[order] : 0;
}
