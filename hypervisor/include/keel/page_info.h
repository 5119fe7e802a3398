/* SPDX-License-Identifier: MIT */
/*
 * The frame table: one struct page_info per machine frame, and the reference
 * counting and page-type state machine the PV MMU builds on. The model and
 * its invariants are described at the top of common/frame_table.c.
 *
 * Pure C: no arch includes, shared by the hypervisor and host unit tests.
 */
#ifndef KEEL_PAGE_INFO_H
#define KEEL_PAGE_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/frame_types.h>
#include <keel/lib.h>

struct domain;

/*
 * count_info: general reference count in the low bits, PGC_* flags on top.
 *
 *   63          PGC_ALLOCATED  one of the counted references is the owner's
 *                              allocation reference (page_assign_owner())
 *   62          PGC_FREE       the frame is in the buddy allocator's free lists
 *   61          PGC_XEN_HEAP   a hypervisor page shared with its owner
 *                              (shared_info, grant-table frames): not one of
 *                              the owner's tot_pages, never handed back by
 *                              reservation ops (page_share_with_owner())
 *   60..48      reserved, zero
 *   47..0       general reference count
 */
#define PGC_COUNT_WIDTH         48
#define PGC_COUNT_MASK          ((1UL << PGC_COUNT_WIDTH) - 1)
#define _PGC_ALLOCATED          63
#define PGC_ALLOCATED           (1UL << _PGC_ALLOCATED)
#define _PGC_FREE               62
#define PGC_FREE                (1UL << _PGC_FREE)
#define _PGC_XEN_HEAP           61
#define PGC_XEN_HEAP            (1UL << _PGC_XEN_HEAP)

/*
 * type_info: page type on top, flags, type count in the low bits.
 *
 *   63..61      PGT_TYPE       page type (PGT_NONE ... PGT_WRITABLE); the
 *                              numbering is Xen's, so "type <= PGT_L4" still
 *                              means "none or page table"
 *   60          PGT_PINNED     a pin holds one of the type references
 *   59          PGT_VALIDATED  contents checked for the current type
 *   58..48      reserved, zero (room for Xen-style partial/locked/linear bits)
 *   47..0       type count
 */
#define PGT_TYPE_SHIFT          61
#define PGT_TYPE_MASK           (7UL << PGT_TYPE_SHIFT)
#define PGT_NONE                (0UL << PGT_TYPE_SHIFT) /* never typed */
#define PGT_L1                  (1UL << PGT_TYPE_SHIFT) /* L1 page table */
#define PGT_L2                  (2UL << PGT_TYPE_SHIFT) /* L2 page table */
#define PGT_L3                  (3UL << PGT_TYPE_SHIFT) /* L3 page table */
#define PGT_L4                  (4UL << PGT_TYPE_SHIFT) /* L4 page table (root) */
#define PGT_SEG_DESC            (5UL << PGT_TYPE_SHIFT) /* GDT/LDT page */
/* 6 is Xen's PGT_shared_page (memory sharing); unused by Keel. */
#define PGT_WRITABLE            (7UL << PGT_TYPE_SHIFT) /* mapped writable */
#define _PGT_PINNED             60
#define PGT_PINNED              (1UL << _PGT_PINNED)
#define _PGT_VALIDATED          59
#define PGT_VALIDATED           (1UL << _PGT_VALIDATED)
#define PGT_COUNT_WIDTH         48
#define PGT_COUNT_MASK          ((1UL << PGT_COUNT_WIDTH) - 1)

_Static_assert(PGC_COUNT_WIDTH < _PGC_XEN_HEAP, "PGC count overlaps flags");
_Static_assert(PGT_COUNT_WIDTH < _PGT_VALIDATED, "PGT count overlaps flags");
_Static_assert(_PGT_PINNED < PGT_TYPE_SHIFT, "PGT flags overlap type");

/* Free-list link value meaning "none"; links are MFNs, hence the limit below. */
#define PAGE_LINK_NONE          UINT32_MAX
/* page_info.order of a free frame that is not the head of a free block. */
#define PAGE_ORDER_NONE         UINT32_MAX
/* Frames the table can describe: links are 32-bit MFNs, PAGE_LINK_NONE excluded. */
#define FRAME_TABLE_MAX_FRAMES  ((unsigned long)UINT32_MAX)

struct page_info {
    /* PGC_* flags and general reference count. Atomic. */
    unsigned long count_info;
    union {
        /* In use (not PGC_FREE): PGT_* type, flags, type count. Atomic. */
        unsigned long type_info;
        /* PGC_FREE: the buddy free list of this block's order, as MFNs.
         * Meaningful on a block's head frame only. Heap lock. */
        struct {
            uint32_t next;
            uint32_t prev;
        } free;
    } u;
    /* Owning domain, NULL if none. Written only while the general count is
     * zero (page_assign_owner(), the allocator); read after taking a ref. */
    struct domain *owner;
    /* PGC_FREE: the block's order on a block's head frame, PAGE_ORDER_NONE
     * on every other free frame. Heap lock. */
    uint32_t order;
    /* Reserved for the TLB-flush clock of type changes; zero for now. */
    uint32_t tlbflush_timestamp;
};

_Static_assert(sizeof(struct page_info) == 32, "struct page_info must stay 32 bytes");

/*
 * Hooks the frame table calls. The hypervisor installs the PV MMU's; tests
 * install fakes. Each is called with no frame-table state locked.
 */
struct page_ops {
    /*
     * Check the contents of @pg for @type (PGT_L1..PGT_L4 or PGT_SEG_DESC)
     * and take the references its entries need. Called by get_page_type()
     * when a type reference is taken on a frame that is not validated for
     * @type; the frame already carries @type with type count 1 and no
     * PGT_VALIDATED, so concurrent getters of the frame wait and a nested
     * request for a different type on the same frame fails. Also the place
     * to flush stale writable TLB entries for the frame. Returns 0, or a
     * negative errno (e.g. -EINVAL) after dropping every reference it took.
     * Must not request @type on @pg itself (that would wait forever).
     */
    int (*validate)(struct page_info *pg, unsigned long type);
    /*
     * Drop every reference taken by validate(pg, @type). Called by
     * put_page_type() when the last type reference of a validated page
     * table (PGT_L1..PGT_L4) is dropped; may recurse into put_page_type()
     * and put_page() on other frames (the cascade). Cannot fail.
     */
    void (*devalidate)(struct page_info *pg, unsigned long type);
    /*
     * Take back a frame whose last general reference is gone (count_info is
     * 0, owner still set for accounting). The hypervisor passes it to
     * buddy_free(pg, 0) under the heap lock.
     */
    void (*free_page)(struct page_info *pg);
};

/* The table and its size; set by frame_table_init(). */
extern struct page_info *frame_table;
extern unsigned long frame_table_nr;

/*
 * Install @table (@nr_frames entries, @nr_frames <= FRAME_TABLE_MAX_FRAMES)
 * as the frame table and zero it: every frame unowned, count 0, untyped, not
 * free. The hypervisor maps it at FRAMETABLE_VIRT_START first. Calling again
 * replaces the table (tests). A NULL table or a bad size is a BUG.
 */
void frame_table_init(struct page_info *table, unsigned long nr_frames);

/* Install the hooks; @ops must outlive every frame-table user. */
void frame_table_set_ops(const struct page_ops *ops);

static inline bool mfn_valid(mfn_t mfn)
{
    return mfn_x(mfn) < frame_table_nr;
}

/* @mfn must be valid (ASSERT). */
static inline struct page_info *mfn_to_page(mfn_t mfn)
{
    ASSERT(mfn_valid(mfn));
    return frame_table + mfn_x(mfn);
}

static inline mfn_t page_to_mfn(const struct page_info *pg)
{
    ASSERT(pg >= frame_table && pg < frame_table + frame_table_nr);
    return _mfn((unsigned long)(pg - frame_table));
}

static inline struct domain *page_get_owner(const struct page_info *pg)
{
    return pg->owner;
}

static inline unsigned long page_type(unsigned long type_info)
{
    return type_info & PGT_TYPE_MASK;
}

/*
 * Give a frame fresh from the allocator (count_info 0) to @owner: owner set,
 * untyped, general count 1 held as the allocation reference
 * (PGC_ALLOCATED). A frame in use or free is a BUG.
 */
void page_assign_owner(struct page_info *pg, struct domain *owner);

/*
 * Like page_assign_owner(), for a page of the hypervisor's own that @owner
 * may map (PGC_XEN_HEAP): the hypervisor keeps its own general reference
 * on top of the allocation reference and drops both when it lets go.
 */
void page_share_with_owner(struct page_info *pg, struct domain *owner);

/* Whether @pg is a hypervisor page shared with its owner. */
static inline bool page_is_xen_heap(const struct page_info *pg)
{
    return __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED) & PGC_XEN_HEAP;
}

/*
 * Drop the allocation reference: the frame goes back through
 * page_ops.free_page once every other reference is gone too.
 * Returns 0, or -EINVAL if the allocation reference was already dropped.
 */
int page_release(struct page_info *pg);

/*
 * Take a general reference on a frame owned by @owner.
 * Returns 0, or -EINVAL (Xen's callers' answer) if the frame is not
 * allocated (count 0, e.g. free), is owned by another domain, or the count
 * would overflow. On error nothing changed.
 */
int get_page(struct page_info *pg, const struct domain *owner);

/*
 * Drop a general reference. Dropping the last one hands the frame to
 * page_ops.free_page. Dropping a reference not held (count 0), or the last
 * one while the allocation reference or a type reference is still counted,
 * is a BUG.
 */
void put_page(struct page_info *pg);

/*
 * Take a type reference of @type (PGT_L1..PGT_L4, PGT_SEG_DESC,
 * PGT_WRITABLE) on @pg. The caller holds a general reference for as long
 * as it holds the type reference. The type can change only while the type
 * count is 0; taking a page-table or descriptor type on a frame not
 * validated for it calls page_ops.validate.
 * Returns 0, -EINVAL if the frame currently has another type with a
 * non-zero count (Xen: "Bad type", its callers return -EINVAL) or the type
 * count would overflow, or validate's error (state restored exactly).
 * Any other @type is a BUG.
 */
int get_page_type(struct page_info *pg, unsigned long type);

/*
 * Drop a type reference. Dropping the last one of a validated page table
 * calls page_ops.devalidate first (the cascade). Dropping a reference not
 * held, or the last one while PGT_PINNED, is a BUG.
 */
void put_page_type(struct page_info *pg);

/*
 * get_page() then get_page_type(); on failure neither is held.
 * Returns 0 or the error of the step that failed.
 */
int get_page_and_type(struct page_info *pg, const struct domain *owner,
                      unsigned long type);

/* put_page_type() then put_page(). */
void put_page_and_type(struct page_info *pg);

/*
 * Pin @pg as page table @type (PGT_L1..PGT_L4): take a general and a type
 * reference (validating if needed) that stay with the pin, and set
 * PGT_PINNED. The caller holds a general reference of its own for the
 * duration of the call (its lookup reference).
 * Returns 0; -EINVAL if already pinned, if the general count would
 * overflow, or if the type cannot be taken (see get_page_type()); or
 * validate's error. On error nothing changed. Any other @type is a BUG.
 */
int page_pin(struct page_info *pg, unsigned long type);

/*
 * Unpin @pg: clear PGT_PINNED and drop the pin's type reference (which may
 * devalidate and cascade) and general reference. The caller holds a
 * general reference of its own for the duration of the call.
 * Returns 0, or -EINVAL if @pg is not pinned (nothing changed).
 */
int page_unpin(struct page_info *pg);

/*
 * Machine-to-phys table: the PFN each MFN has in its owner's
 * pseudo-physical space, INVALID_M2P_ENTRY when none. Guests read it (a
 * read-only mapping) concurrently, so entries are stored atomically.
 */
#define INVALID_M2P_ENTRY       (~0UL)

/*
 * Install @table (@nr entries, one per MFN) as the M2P and fill it with
 * INVALID_M2P_ENTRY. The hypervisor maps it at RDWR_MPT_VIRT_START first.
 */
void m2p_init(unsigned long *table, unsigned long nr);

/* Set M2P[@mfn] = @pfn. Returns 0, or -EINVAL if @mfn is beyond the M2P. */
int set_gpfn_from_mfn(mfn_t mfn, unsigned long pfn);

/* M2P[@mfn], or INVALID_M2P_ENTRY if @mfn is beyond the M2P. */
unsigned long get_gpfn_from_mfn(mfn_t mfn);

#endif
