/* SPDX-License-Identifier: MIT */
/*
 * Grant tables, private to the files that implement them: grant_table.c
 * (tables, the entry protocol, the small ops, the hypercall), grant_map.c
 * (maptrack, map/unmap, release) and grant_copy.c (GNTTABOP_copy). The host
 * tests' invariant checker reads it too. Other code uses keel/grant_table.h.
 * The model and the locking rules are described at the top of grant_table.c.
 */
#ifndef KEEL_COMMON_GRANT_INTERNAL_H
#define KEEL_COMMON_GRANT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/domain.h>
#include <keel/frame_types.h>
#include <keel/spinlock.h>
#include <public/grant_table.h>
#include <public/xen.h>

#define GNTTAB_PAGE_SIZE        4096U
/* v1 entries per shared frame. */
#define GNTTAB_ENTRIES_PER_FRAME (GNTTAB_PAGE_SIZE / sizeof(struct grant_entry_v1))
/* Frames a table starts with (Xen's INITIAL_NR_GRANT_FRAMES on x86). */
#define GNTTAB_INITIAL_FRAMES   1U

/*
 * Pin counts of an active entry, Xen's layout: four 8-bit counters of the
 * mappings and copies holding the grant, host (CPU mappings and copies) and
 * device, read-only and writable.
 */
#define GNTPIN_CNTR_MASK        0xffU
#define GNTPIN_HSTW_SHIFT       0
#define GNTPIN_HSTR_SHIFT       8
#define GNTPIN_DEVW_SHIFT       16
#define GNTPIN_DEVR_SHIFT       24
#define GNTPIN_HSTW_INC         (1U << GNTPIN_HSTW_SHIFT)
#define GNTPIN_HSTR_INC         (1U << GNTPIN_HSTR_SHIFT)
#define GNTPIN_DEVW_INC         (1U << GNTPIN_DEVW_SHIFT)
#define GNTPIN_DEVR_INC         (1U << GNTPIN_DEVR_SHIFT)
#define GNTPIN_HSTW_MASK        (GNTPIN_CNTR_MASK << GNTPIN_HSTW_SHIFT)
#define GNTPIN_HSTR_MASK        (GNTPIN_CNTR_MASK << GNTPIN_HSTR_SHIFT)
#define GNTPIN_DEVW_MASK        (GNTPIN_CNTR_MASK << GNTPIN_DEVW_SHIFT)
#define GNTPIN_DEVR_MASK        (GNTPIN_CNTR_MASK << GNTPIN_DEVR_SHIFT)
#define GNTPIN_WRITE_MASK       (GNTPIN_HSTW_MASK | GNTPIN_DEVW_MASK)
/* For a sum of *_INC: the bits that are set when a counter is at >= 128. */
#define GNTPIN_OVERFLOW_MASK(inc) ((inc) << 7)

/* Bounded retries of the compare-exchange on a guest-writable entry (Xen: 5 tries). */
#define GNTTAB_CMPXCHG_TRIES    5

/*
 * One grant ref of the table in use (pinned by mappings or copies).
 * Every field: the granting table's lock.
 */
struct gnttab_active {
    uint32_t pin;           /* GNTPIN_* counters; 0 = not in use */
    domid_t domid;          /* the domain holding it, while pin != 0 */
    uint16_t pad;
    unsigned long mfn;      /* the frame, while pin != 0: holds a general reference */
};
_Static_assert(sizeof(struct gnttab_active) == 16, "active entries are 16 bytes");
#define GNTTAB_ACTIVE_PER_PAGE  (GNTTAB_PAGE_SIZE / sizeof(struct gnttab_active))

/*
 * One mapping a domain holds (its handle is the index). Fields: the
 * mapping domain's maptrack_lock. flags == 0: free, or reserved by a map
 * in progress; otherwise rd holds a domain reference, taken at map time.
 */
struct gnttab_maptrack {
    struct domain *rd;      /* the granter */
    grant_ref_t ref;
    uint32_t flags;         /* GNTMAP_* of the mapping; host/device bits still held */
    uint32_t next_free;     /* free list link while free */
    uint32_t pad[3];
};
_Static_assert(sizeof(struct gnttab_maptrack) == 32, "maptrack entries are 32 bytes");
#define GNTTAB_MAPTRACK_PER_PAGE (GNTTAB_PAGE_SIZE / sizeof(struct gnttab_maptrack))
/* Handles per domain: Xen's default 1024 maptrack frames of 256 (16-byte) entries. */
#define GNTTAB_MAPTRACK_MAX     (1024U * 256U)
#define GNTTAB_MAPTRACK_FRAMES  (GNTTAB_MAPTRACK_MAX / GNTTAB_MAPTRACK_PER_PAGE)
#define GNTTAB_MAPTRACK_TAIL    (~0U)

struct grant_table {
    struct domain *domain;

    /* The table: lock protects everything from here to maptrack_lock. */
    spinlock_t lock;
    unsigned int nr_frames;     /* shared frames in use, grows only */
    unsigned int max_frames;    /* set at creation */
    bool released;              /* shared frames given back (domain dying): never touch them */
    struct grant_entry_v1 **shared;  /* max_frames entries, nr_frames valid */
    unsigned long *shared_mfn;  /* their MFNs; each holds the hypervisor's reference */
    struct gnttab_active **active;   /* one page per GNTTAB_ACTIVE_PER_PAGE refs */

    /* The domain's mappings of grants: maptrack_lock protects these. */
    spinlock_t maptrack_lock;
    struct gnttab_maptrack **maptrack;  /* GNTTAB_MAPTRACK_FRAMES entries, lazily */
    unsigned int maptrack_limit;    /* handles allocated (whole pages) */
    unsigned int maptrack_free;     /* free list head, GNTTAB_MAPTRACK_TAIL if empty */
    unsigned int maptrack_in_use;   /* entries not on the free list */
};

/* Refs the table has now. Table lock held. */
static inline unsigned int gnttab_nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * GNTTAB_ENTRIES_PER_FRAME;
}

/* The shared entry and active entry of @ref (< gnttab_nr_entries, clamped). Table lock held. */
struct grant_entry_v1 *gnttab_shared_entry(struct grant_table *gt, grant_ref_t ref);
struct gnttab_active *gnttab_active_entry(struct grant_table *gt, grant_ref_t ref);

/* A maptrack entry of a handle below maptrack_limit (clamped). maptrack_lock held. */
struct gnttab_maptrack *gnttab_maptrack_entry(struct grant_table *gt, grant_handle_t handle);

/*
 * Take @pin_incr (GNTPIN_*_INC, host or device, read or write) on @ref of
 * rd for domain @ldomid, with the GTF protocol: a first pin checks the
 * entry (GTF_permit_access, no GTF_sub_page when @mapping, domid = ldomid)
 * and takes a general reference on its frame (owned by rd); every pin for
 * writing checks GTF_readonly; GTF_reading/GTF_writing are set with a
 * bounded compare-exchange. For a write pin of a grant held read-only by a
 * copy, the entry's frame must still be the active one (Xen's rule).
 * Returns GNTST_okay with the frame in *@mfn, or GNTST_bad_gntref,
 * GNTST_general_error (entry refused, unstable, counter overflow, held by
 * another domain, table gone), GNTST_bad_page (frame not rd's);
 * nothing changed on error. Takes and drops rd's table lock.
 */
int gnttab_pin(struct domain *rd, grant_ref_t ref, domid_t ldomid, uint32_t pin_incr,
               bool mapping, mfn_t *mfn);

/*
 * Drop @pin_incr from @ref of rd (taken by gnttab_pin()), clearing
 * GTF_writing when the last write pin goes and GTF_reading with the last
 * pin; the last pin also drops the frame reference (after the table lock
 * is released). Takes and drops rd's table lock.
 */
void gnttab_unpin(struct domain *rd, grant_ref_t ref, uint32_t pin_incr);

/*
 * The domain a grant op names: DOMID_SELF or the caller's id is the
 * caller; another id (any_id false: only a real id, as Xen's
 * rcu_lock_domain_by_id) is looked up. Returns it with a reference
 * (put_domain()) or NULL.
 */
struct domain *gnttab_get_domain(domid_t domid, bool any_id);

/* XSM_TARGET: the caller may act on @d (itself, or the control domain on any). */
bool gnttab_may_target(const struct domain *d);

/* GNTTABOP_map_grant_ref, unmap_grant_ref, unmap_and_replace, copy (grant_map.c, grant_copy.c). */
long gnttab_map_grant_ref(unsigned long uop, unsigned int count);
long gnttab_unmap_grant_ref(unsigned long uop, unsigned int count);
long gnttab_unmap_and_replace(unsigned long uop, unsigned int count);
long gnttab_copy(unsigned long uop, unsigned int count);

/* Release d's maptrack (grant_map.c): the first half of gnttab_release_mappings(). */
void gnttab_release_maptrack(struct domain *d);

/* Ops per hypercall invocation before it continues itself. */
#define GNTTAB_BATCH            64U

#endif
