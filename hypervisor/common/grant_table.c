/* SPDX-License-Identifier: MIT */
/*
 * Grant tables (v1), Xen's model (xen/common/grant_table.c), written for
 * Keel: the tables and their lifecycle, the GTF entry protocol, the small
 * ops and the grant_table_op hypercall. Mappings are in grant_map.c, copies
 * in grant_copy.c; the x86 PV page-table side in arch/x86/pv/grant_mapping.c
 * and pt_grant.c.
 *
 * Tables. A domain's table is nr_frames hypervisor pages shared with it
 * (page_share_with_owner(): PGC_XEN_HEAP, counted by
 * domain_account_xen_page()), holding struct grant_entry_v1 {flags, domid,
 * frame}. It starts with one frame and grows on GNTTABOP_setup_table up
 * to max_frames (gnttab_max_frames=, default 64 as in Xen); it never
 * shrinks. Each frame carries its allocation reference (dropped by the
 * domain's teardown walk) and the hypervisor's own, which the table holds
 * until the domain dies (gnttab_release_mappings()); after that the table
 * is "released" and its frames are never touched again. Version 2 is not
 * offered (Xen with gnttab=max-ver:1).
 *
 * Entry protocol (the guest writes its entries concurrently). A grantee
 * pins ref for host or device, read or write access (gnttab_pin()): the
 * first pin requires flags & (GTF_type_mask [| GTF_sub_page for a mapping])
 * == GTF_permit_access and domid == the grantee's id, and takes one
 * general reference on the frame (which must be the granter's own RAM
 * frame: a "gfn" of a 64-bit PV domain is an MFN it owns); a write pin
 * requires !GTF_readonly. The first pin sets GTF_reading, the first write
 * pin GTF_writing, by a compare-exchange on the 32-bit {flags, domid} word
 * that fails after GNTTAB_CMPXCHG_TRIES races with the guest
 * (GNTST_general_error). Unpinning clears GTF_writing with the last write
 * pin and GTF_reading with the last pin, with an atomic AND on the flags,
 * and drops the frame reference with the last pin. So GTF_reading is set
 * iff the entry is pinned and GTF_writing iff it is pinned for writing (as
 * long as the guest leaves those two bits alone), and a granter that sees
 * neither may reuse the frame. While pinned, the active entry (frame,
 * grantee, counts) is what counts: a granter clearing GTF_permit_access
 * or changing the frame does not affect the pins already held.
 *
 * References (Keel is stricter than Xen in one place: the pin reference).
 *   - A pinned active entry: one general reference on its frame.
 *   - A device mapping (GNTMAP_device_map): a general reference, plus a
 *     PGT_WRITABLE type reference unless read-only; held by the maptrack
 *     entry, dropped at unmap or release.
 *   - A PV host mapping: the PTE's own references, exactly those of an
 *     ordinary L1 entry (general + writable type if RW); whoever replaces
 *     the PTE drops them (unmap, or the guest overwriting it, or page-table
 *     teardown), as in Xen.
 *   - A maptrack entry in use: a domain reference on the granter, so the
 *     granter's struct domain and table stay while anyone maps its grants.
 *   - A copy: a general reference (and a writable type reference for the
 *     destination) for its duration.
 * Hence a granted frame that is mapped can be neither freed nor ballooned
 * out (decrease_reservation wants the allocation reference alone), nor
 * made a page table or descriptor page while mapped writable.
 *
 * Teardown. gnttab_release_mappings() (domain_kill()) first ends every
 * mapping the dying domain holds: pins, device references, granter
 * references; a host mapping's PTE references go with the dying domain's
 * page tables in arch_domain_relinquish(), which runs next (Xen's
 * gnttab_release_host_mappings() is false for PV for the same reason).
 * Then the domain's own table is released: the hypervisor's references on
 * its frames go. Pins other domains hold on its grants stay, with their
 * frame references, until they unmap; grant_table_destroy() runs when the
 * domain is freed, which those references (maptrack) delay.
 *
 * Locks. grant_table.lock: the table (nr_frames, shared frames, active
 * entries, released). grant_table.maptrack_lock: the domain's own
 * mappings of grants. Order: a maptrack_lock, then at most one table lock.
 * The frame table's atomics and d->page_lock (frame accounting) nest
 * inside; no frame reference that can be the last is dropped under a grant
 * lock. The guest-visible entries are the guest's too: only atomic
 * read-modify-write of the flags.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/nospec.h>
#include <keel/page_info.h>
#include <keel/vcpu.h>
#include <public/grant_table.h>
#include <public/xen.h>

#include "grant_internal.h"

unsigned int opt_gnttab_max_frames = GNTTAB_DEFAULT_MAX_FRAMES;

/* The continuation's argument in the cmd word (Xen's encoding). */
#define GNTTABOP_CONTINUATION_ARG_SHIFT 12
#define GNTTABOP_CMD_MASK       ((1U << GNTTABOP_CONTINUATION_ARG_SHIFT) - 1)
/* Refs grant_map_exists() scans per step of GNTTABOP_cache_flush. */
#define GNTTAB_CACHE_SCAN       (1U << GNTTABOP_CONTINUATION_ARG_SHIFT)

_Static_assert(sizeof(struct grant_entry_v1) == 8, "v1 entries are 8 bytes");
_Static_assert(GNTTAB_ENTRIES_PER_FRAME % GNTTAB_ACTIVE_PER_PAGE == 0,
               "whole active pages per frame");
_Static_assert(GNTTAB_MAX_FRAMES_LIMIT * GNTTAB_ENTRIES_PER_FRAME <=
               (1U << (32 - GNTTABOP_CONTINUATION_ARG_SHIFT)),
               "every ref fits the continuation argument");
_Static_assert(GNTTAB_INITIAL_FRAMES * GNTTAB_ENTRIES_PER_FRAME >= GNTTAB_NR_RESERVED_ENTRIES,
               "the reserved entries exist from the start");

/* The guest's {flags, domid} word, read and compare-exchanged whole. */
typedef uint32_t __attribute__((may_alias)) gnttab_word_t;
typedef uint16_t __attribute__((may_alias)) gnttab_flags_t;

#define ACTIVE_PAGES_PER_FRAME  (GNTTAB_ENTRIES_PER_FRAME / GNTTAB_ACTIVE_PER_PAGE)

/* ---- Tables ----------------------------------------------------------------- */

struct grant_entry_v1 *gnttab_shared_entry(struct grant_table *gt, grant_ref_t ref)
{
    ref = array_index_nospec(ref, gnttab_nr_entries(gt));
    return &gt->shared[ref / GNTTAB_ENTRIES_PER_FRAME][ref % GNTTAB_ENTRIES_PER_FRAME];
}

struct gnttab_active *gnttab_active_entry(struct grant_table *gt, grant_ref_t ref)
{
    ref = array_index_nospec(ref, gnttab_nr_entries(gt));
    return &gt->active[ref / GNTTAB_ACTIVE_PER_PAGE][ref % GNTTAB_ACTIVE_PER_PAGE];
}

static void *alloc_array(size_t bytes)
{
    void *p = alloc_xenheap_pages(order_for_bytes(bytes));

    if (p)
        memset(p, 0, bytes);
    return p;
}

static void free_array(void *p, size_t bytes)
{
    free_xenheap_pages(p, order_for_bytes(bytes));
}

/*
 * Grow gt to @nr frames (> nr_frames, <= max_frames): allocate everything,
 * then share the new frames with the domain (which cannot fail). Returns 0
 * or -ENOMEM with nothing changed. Table lock held.
 */
static int grow_table(struct grant_table *gt, unsigned int nr)
{
    unsigned int i, first_active = gt->nr_frames * ACTIVE_PAGES_PER_FRAME;

    ASSERT(nr > gt->nr_frames && nr <= gt->max_frames);
    for (i = gt->nr_frames; i < nr; i++) {
        gt->shared[i] = alloc_xenheap_pages(0);
        if (!gt->shared[i])
            goto free_shared;
        memset(gt->shared[i], 0, GNTTAB_PAGE_SIZE);
    }
    for (i = first_active; i < nr * ACTIVE_PAGES_PER_FRAME; i++) {
        gt->active[i] = alloc_xenheap_pages(0);
        if (!gt->active[i])
            goto free_active;
        memset(gt->active[i], 0, GNTTAB_PAGE_SIZE);
    }

    for (i = gt->nr_frames; i < nr; i++) {
        mfn_t mfn = arch_gnttab_virt_to_mfn(gt->shared[i]);

        gt->shared_mfn[i] = mfn_x(mfn);
        page_share_with_owner(mfn_to_page(mfn), gt->domain);
        domain_account_xen_page(gt->domain);
    }
    /* Readers of nr_frames hold the lock: no ordering needed beyond it. */
    gt->nr_frames = nr;
    return 0;

free_active:
    while (i-- > first_active) {
        free_xenheap_pages(gt->active[i], 0);
        gt->active[i] = NULL;
    }
    i = nr;
free_shared:
    while (i-- > gt->nr_frames) {
        if (gt->shared[i])
            free_xenheap_pages(gt->shared[i], 0);
        gt->shared[i] = NULL;
    }
    return -ENOMEM;
}

static void free_table(struct grant_table *gt)
{
    unsigned int max = gt->max_frames;

    free_array(gt->active, max * ACTIVE_PAGES_PER_FRAME * sizeof(*gt->active));
    free_array(gt->shared_mfn, max * sizeof(*gt->shared_mfn));
    free_array(gt->shared, max * sizeof(*gt->shared));
    free_xenheap_pages(gt, order_for_bytes(sizeof(*gt)));
}

int grant_table_init(struct domain *d)
{
    struct grant_table *gt = alloc_array(sizeof(*gt));
    unsigned int max = opt_gnttab_max_frames;

    if (!gt)
        return -ENOMEM;
    gt->domain = d;
    gt->lock = (spinlock_t)SPINLOCK_INIT;
    gt->maptrack_lock = (spinlock_t)SPINLOCK_INIT;
    gt->max_frames = max;
    gt->maptrack_free = GNTTAB_MAPTRACK_TAIL;
    gt->shared = alloc_array(max * sizeof(*gt->shared));
    gt->shared_mfn = alloc_array(max * sizeof(*gt->shared_mfn));
    gt->active = alloc_array(max * ACTIVE_PAGES_PER_FRAME * sizeof(*gt->active));
    if (!gt->shared || !gt->shared_mfn || !gt->active || grow_table(gt, GNTTAB_INITIAL_FRAMES))
        goto free_table;
    d->grant_table = gt;
    return 0;

free_table:
    if (gt->shared)
        free_array(gt->shared, max * sizeof(*gt->shared));
    if (gt->shared_mfn)
        free_array(gt->shared_mfn, max * sizeof(*gt->shared_mfn));
    if (gt->active)
        free_array(gt->active, max * ACTIVE_PAGES_PER_FRAME * sizeof(*gt->active));
    free_xenheap_pages(gt, order_for_bytes(sizeof(*gt)));
    return -ENOMEM;
}

/* Give back the hypervisor's reference on d's table frames; never touch them again. */
static void release_shared_frames(struct grant_table *gt)
{
    unsigned int nr;

    spin_lock(&gt->lock);
    gt->released = true;
    nr = gt->nr_frames;
    spin_unlock(&gt->lock);
    /* The allocation references go with the domain's frames (teardown walk). */
    for (unsigned int i = 0; i < nr; i++)
        put_page(mfn_to_page(_mfn(gt->shared_mfn[i])));
}

void gnttab_release_mappings(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    gnttab_release_maptrack(d);
    if (!gt->released)
        release_shared_frames(gt);
}

void grant_table_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    unsigned int i;

    if (!gt)
        return;
    /* Pins hold frame references the domain's teardown never drops: none may remain. */
    for (i = 0; i < gt->nr_frames * ACTIVE_PAGES_PER_FRAME; i++) {
        for (unsigned int j = 0; j < GNTTAB_ACTIVE_PER_PAGE; j++)
            BUG_ON(gt->active[i][j].pin);
        free_xenheap_pages(gt->active[i], 0);
    }
    /* A domain that never ran (creation failed): no teardown walk took the frames. */
    if (!gt->released) {
        gnttab_release_maptrack(d);
        for (i = 0; i < gt->nr_frames; i++) {
            struct page_info *pg = mfn_to_page(_mfn(gt->shared_mfn[i]));

            BUG_ON(page_release(pg));
            put_page(pg);
        }
    }
    free_table(gt);
    d->grant_table = NULL;
}

/* ---- The entry protocol ----------------------------------------------------- */

static void clear_flags(struct grant_entry_v1 *e, uint16_t mask)
{
    __atomic_fetch_and((gnttab_flags_t *)&e->flags, (uint16_t)~mask, __ATOMIC_ACQ_REL);
}

/* After a pin change: the status bits the remaining @pin no longer justifies. */
static void reduce_status(struct grant_entry_v1 *e, uint32_t pin, bool write)
{
    uint16_t clear = pin ? 0 : GTF_reading;

    if (write && !(pin & GNTPIN_WRITE_MASK))
        clear |= GTF_writing;
    if (clear)
        clear_flags(e, clear);
}

/* Xen's _set_status_v1(): check the entry (unless already pinned) and set GTF_reading/writing. */
static int set_status(struct grant_entry_v1 *e, uint32_t pin, bool write, bool mapping,
                      domid_t ldomid)
{
    gnttab_word_t *w = (gnttab_word_t *)e;
    uint16_t mask = GTF_type_mask | (mapping ? GTF_sub_page : 0);
    uint32_t cur = __atomic_load_n(w, __ATOMIC_ACQUIRE);

    for (unsigned int tries = 0;;) {
        uint16_t flags = (uint16_t)cur;
        domid_t domid = (domid_t)(cur >> 16);
        uint32_t want = cur | GTF_reading | (write ? GTF_writing : 0);

        if (!pin && ((flags & mask) != GTF_permit_access || domid != ldomid))
            return GNTST_general_error;
        if (write && (flags & GTF_readonly))
            return GNTST_general_error;
        /* Acquire: the frame is read after the flags were checked. */
        if (__atomic_compare_exchange_n(w, &cur, want, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return GNTST_okay;
        if (++tries == GNTTAB_CMPXCHG_TRIES)
            return GNTST_general_error;     /* the guest keeps changing it */
    }
}

static bool pin_is_write(uint32_t pin_incr)
{
    return pin_incr & (GNTPIN_HSTW_INC | GNTPIN_DEVW_INC);
}

int gnttab_pin(struct domain *rd, grant_ref_t ref, domid_t ldomid, uint32_t pin_incr,
               bool mapping, mfn_t *mfn)
{
    struct grant_table *gt = rd->grant_table;
    bool write = pin_is_write(pin_incr);
    struct grant_entry_v1 *e;
    struct gnttab_active *act;
    int rc = GNTST_okay;

    spin_lock(&gt->lock);
    if (gt->released) {
        rc = GNTST_general_error;
        goto unlock;
    }
    if (ref >= gnttab_nr_entries(gt)) {
        rc = GNTST_bad_gntref;
        goto unlock;
    }
    e = gnttab_shared_entry(gt, ref);
    act = gnttab_active_entry(gt, ref);
    if (act->pin && (act->domid != ldomid || (act->pin & GNTPIN_OVERFLOW_MASK(pin_incr)))) {
        rc = GNTST_general_error;
        goto unlock;
    }
    if (!act->pin || (write && !(act->pin & GNTPIN_WRITE_MASK))) {
        rc = set_status(e, act->pin, write, mapping, ldomid);
        if (rc != GNTST_okay)
            goto unlock;
        if (!act->pin) {
            mfn_t frame = _mfn(__atomic_load_n(&e->frame, __ATOMIC_RELAXED));

            if (!arch_gnttab_frame_ok(frame) || get_page(mfn_to_page(frame), rd)) {
                rc = GNTST_bad_page;
                goto clear;
            }
            act->mfn = mfn_x(frame);
            act->domid = ldomid;
        } else if (!mapping && __atomic_load_n(&e->frame, __ATOMIC_RELAXED) != act->mfn) {
            /* A copy upgrading a read pin: the entry must still name the frame. */
            rc = GNTST_general_error;
            goto clear;
        }
    }
    act->pin += pin_incr;
    *mfn = _mfn(act->mfn);
    spin_unlock(&gt->lock);
    return GNTST_okay;

clear:
    reduce_status(e, act->pin, write);
unlock:
    spin_unlock(&gt->lock);
    return rc;
}

void gnttab_unpin(struct domain *rd, grant_ref_t ref, uint32_t pin_incr)
{
    struct grant_table *gt = rd->grant_table;
    struct gnttab_active *act;
    unsigned long mfn;
    bool last;

    spin_lock(&gt->lock);
    BUG_ON(ref >= gnttab_nr_entries(gt));
    act = gnttab_active_entry(gt, ref);
    for (unsigned int shift = 0; shift < 32; shift += 8)
        BUG_ON(((act->pin >> shift) & GNTPIN_CNTR_MASK) < ((pin_incr >> shift) & GNTPIN_CNTR_MASK));
    act->pin -= pin_incr;
    if (!gt->released)
        reduce_status(gnttab_shared_entry(gt, ref), act->pin, pin_is_write(pin_incr));
    last = act->pin == 0;
    mfn = act->mfn;
    spin_unlock(&gt->lock);
    /* The caller holds a reference on rd: this cannot free rd under us. */
    if (last)
        put_page(mfn_to_page(_mfn(mfn)));
}

struct domain *gnttab_get_domain(domid_t domid, bool any_id)
{
    struct domain *cur = current_vcpu()->domain;

    if ((any_id && domid == DOMID_SELF) || domid == cur->domain_id) {
        get_domain(cur);
        return cur;
    }
    if (domid >= DOMID_FIRST_RESERVED_ID)
        return NULL;
    return get_domain_by_id(domid);
}

bool gnttab_may_target(const struct domain *d)
{
    const struct domain *cur = current_vcpu()->domain;

    return d == cur || cur->is_privileged;
}

/* ---- setup_table, query_size, versions, status frames ------------------------ */

static long gnttab_setup_table(unsigned long uop, unsigned int count)
{
    struct gnttab_setup_table op;
    struct grant_table *gt;
    unsigned int nr = 0;
    struct domain *d;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    if (!guest_range_ok((unsigned long)op.frame_list.p, (size_t)op.nr_frames * sizeof(xen_pfn_t)))
        return -EFAULT;

    d = gnttab_get_domain(op.dom, true);
    if (!d) {
        op.status = GNTST_bad_domain;
        goto out;
    }
    if (!gnttab_may_target(d)) {
        op.status = GNTST_permission_denied;
        goto put;
    }
    gt = d->grant_table;
    spin_lock(&gt->lock);
    if (op.nr_frames > gt->max_frames || gt->released)
        op.status = GNTST_general_error;
    else if (op.nr_frames > gt->nr_frames && grow_table(gt, op.nr_frames))
        op.status = GNTST_general_error;
    else
        op.status = GNTST_okay;
    nr = op.status == GNTST_okay ? op.nr_frames : 0;
    spin_unlock(&gt->lock);

    /* shared_mfn[0..nr) never changes once set: copy without the lock. */
    for (unsigned int i = 0; i < nr; i++) {
        xen_pfn_t mfn = gt->shared_mfn[i];

        if (copy_to_guest((unsigned long)op.frame_list.p + i * sizeof(mfn), &mfn, sizeof(mfn)))
            op.status = GNTST_bad_virt_addr;
    }
put:
    put_domain(d);
out:
    if (copy_to_guest(uop + offsetof(struct gnttab_setup_table, status), &op.status,
                      sizeof(op.status)))
        return -EFAULT;
    return 0;
}

static long gnttab_query_size(unsigned long uop, unsigned int count)
{
    struct gnttab_query_size op;
    struct domain *d;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    d = gnttab_get_domain(op.dom, true);
    if (!d) {
        op.status = GNTST_bad_domain;
    } else if (!gnttab_may_target(d)) {
        op.status = GNTST_permission_denied;
    } else {
        spin_lock(&d->grant_table->lock);
        op.nr_frames = d->grant_table->nr_frames;
        op.max_nr_frames = d->grant_table->max_frames;
        spin_unlock(&d->grant_table->lock);
        op.status = GNTST_okay;
    }
    if (d)
        put_domain(d);
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

/* Only version 1 exists (Xen with gnttab=max-ver:1); 2 is -ENOSYS as there. */
static long gnttab_set_version(unsigned long uop)
{
    struct gnttab_set_version op;
    long rc;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    if (op.version != 1 && op.version != 2)
        rc = -EINVAL;
    else if (op.version == 2)
        rc = -ENOSYS;
    else
        rc = 0;
    op.version = 1;
    if (copy_to_guest(uop, &op, sizeof(op)))
        return -EFAULT;
    return rc;
}

static long gnttab_get_version(unsigned long uop)
{
    struct gnttab_get_version op;
    struct domain *d;
    bool ok;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    d = gnttab_get_domain(op.dom, true);
    if (!d)
        return -ESRCH;
    ok = gnttab_may_target(d);
    put_domain(d);
    if (!ok)
        return -EPERM;
    op.version = 1;
    if (copy_to_guest(uop + offsetof(struct gnttab_get_version, version), &op.version,
                      sizeof(op.version)))
        return -EFAULT;
    return 0;
}

/* Version 1 has no status frames: any request for one is GNTST_general_error. */
static long gnttab_get_status_frames(unsigned long uop, unsigned int count)
{
    struct gnttab_get_status_frames op;
    struct domain *d;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    if (!guest_range_ok((unsigned long)op.frame_list.p, (size_t)op.nr_frames * sizeof(uint64_t)))
        return -EFAULT;
    d = gnttab_get_domain(op.dom, true);
    if (!d)
        op.status = GNTST_bad_domain;
    else if (!gnttab_may_target(d))
        op.status = GNTST_permission_denied;
    else
        op.status = op.nr_frames ? GNTST_general_error : GNTST_okay;
    if (d)
        put_domain(d);
    if (copy_to_guest(uop + offsetof(struct gnttab_get_status_frames, status), &op.status,
                      sizeof(op.status)))
        return -EFAULT;
    return 0;
}

/* ---- swap_grant_ref, cache_flush ---------------------------------------------- */

static int16_t swap_one(grant_ref_t a, grant_ref_t b)
{
    struct grant_table *gt = current_vcpu()->domain->grant_table;
    int16_t rc = GNTST_okay;

    spin_lock(&gt->lock);
    if (a >= gnttab_nr_entries(gt) || b >= gnttab_nr_entries(gt)) {
        rc = GNTST_bad_gntref;
    } else if (a != b) {
        if (gnttab_active_entry(gt, a)->pin || gnttab_active_entry(gt, b)->pin) {
            rc = GNTST_eagain;
        } else {
            uint64_t *ea = (uint64_t *)gnttab_shared_entry(gt, a);
            uint64_t *eb = (uint64_t *)gnttab_shared_entry(gt, b);
            uint64_t va = __atomic_load_n(ea, __ATOMIC_RELAXED);

            __atomic_store_n(ea, __atomic_load_n(eb, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
            __atomic_store_n(eb, va, __ATOMIC_RELAXED);
        }
    }
    spin_unlock(&gt->lock);
    return rc;
}

static long gnttab_swap_grant_ref(unsigned long uop, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        unsigned long p = uop + i * sizeof(struct gnttab_swap_grant_ref);
        struct gnttab_swap_grant_ref op;

        if (i == GNTTAB_BATCH)
            return i;
        if (copy_from_guest(&op, p, sizeof(op)))
            return -EFAULT;
        op.status = swap_one(op.ref_a, op.ref_b);
        if (copy_to_guest(p + offsetof(struct gnttab_swap_grant_ref, status), &op.status,
                          sizeof(op.status)))
            return -EFAULT;
    }
    return 0;
}

/*
 * Xen's grant_map_exists(): whether @owner's table has a ref pinned by
 * @ld for @mfn, scanning GNTTAB_CACHE_SCAN refs from *@cur_ref. Returns
 * 0 (found), 1 (not yet: *@cur_ref advanced) or -EINVAL. Table lock held.
 */
static int grant_map_exists(const struct domain *ld, struct grant_table *gt, unsigned long mfn,
                            grant_ref_t *cur_ref)
{
    unsigned int nr = gnttab_nr_entries(gt);
    unsigned int end = min(*cur_ref + GNTTAB_CACHE_SCAN, nr);

    for (grant_ref_t ref = *cur_ref; ref < end; ref++) {
        const struct gnttab_active *act = gnttab_active_entry(gt, ref);

        if (act->pin && act->domid == ld->domain_id && act->mfn == mfn)
            return 0;
    }
    if (end < nr) {
        *cur_ref = end;
        return 1;
    }
    return -EINVAL;
}

/* Xen's _cache_flush() on x86: returns 0, 1 (continue the scan) or an errno. */
static int cache_flush_one(const struct gnttab_cache_flush *c, grant_ref_t *cur_ref)
{
    struct domain *d = current_vcpu()->domain, *owner;
    struct page_info *pg;
    mfn_t mfn;
    int rc = 0;

    if (c->offset >= GNTTAB_PAGE_SIZE || c->length > GNTTAB_PAGE_SIZE ||
        c->offset + c->length > GNTTAB_PAGE_SIZE ||
        (c->op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)))
        return -EINVAL;
    if (c->length == 0 || c->op == 0)
        return *cur_ref ? -EILSEQ : 0;

    mfn = _mfn(c->a.dev_bus_addr >> 12);
    if (!mfn_valid(mfn))
        return -EINVAL;
    pg = mfn_to_page(_mfn(array_index_nospec(mfn_x(mfn), frame_table_nr)));
    owner = page_get_owner(pg);
    if (!owner || get_page(pg, owner))
        return -EPERM;
    if (!owner->grant_table) {
        put_page(pg);
        return -EPERM;
    }
    if (owner != d) {
        spin_lock(&owner->grant_table->lock);
        rc = owner->grant_table->released ? -EINVAL
                                          : grant_map_exists(d, owner->grant_table,
                                                             mfn_x(mfn), cur_ref);
        spin_unlock(&owner->grant_table->lock);
    }
    if (rc == 0) {
        /* x86 can clean (write back) a range but not just invalidate it. */
        if (!(c->op & GNTTAB_CACHE_CLEAN))
            rc = -EOPNOTSUPP;
        else
            arch_gnttab_cache_clean(mfn, c->offset, c->length);
    }
    put_page(pg);
    return rc;
}

/* Returns the ops done when continuing, 0 when all done, or an errno; *cur_ref as Xen. */
static long gnttab_cache_flush(unsigned long uop, grant_ref_t *cur_ref, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        struct gnttab_cache_flush op;
        int rc;

        if (copy_from_guest(&op, uop + i * sizeof(op), sizeof(op)))
            return -EFAULT;
        rc = cache_flush_one(&op, cur_ref);
        if (rc < 0)
            return rc;
        if (rc > 0)
            return i;   /* continue with this op at *cur_ref */
        *cur_ref = 0;
        if (i + 1 == GNTTAB_BATCH && i + 1 < count)
            return i + 1;
    }
    *cur_ref = 0;
    return 0;
}

/* ---- The hypercall ---------------------------------------------------------- */

static size_t op_size(unsigned int cmd)
{
    switch (cmd) {
    case GNTTABOP_map_grant_ref: return sizeof(struct gnttab_map_grant_ref);
    case GNTTABOP_unmap_grant_ref: return sizeof(struct gnttab_unmap_grant_ref);
    case GNTTABOP_unmap_and_replace: return sizeof(struct gnttab_unmap_and_replace);
    case GNTTABOP_transfer: return sizeof(struct gnttab_transfer);
    case GNTTABOP_copy: return sizeof(struct gnttab_copy);
    case GNTTABOP_swap_grant_ref: return sizeof(struct gnttab_swap_grant_ref);
    case GNTTABOP_cache_flush: return sizeof(struct gnttab_cache_flush);
    default: return 0;
    }
}

/*
 * grant_table_op(cmd, uop, count). Batches continue themselves after
 * GNTTAB_BATCH ops with uop advanced and count reduced (Xen's encoding);
 * cache_flush also carries the ref its scan reached in cmd bits 12-31.
 */
long do_grant_table_op(unsigned long cmd_arg, unsigned long uop, unsigned long count_arg,
                       unsigned long unused4, unsigned long unused5)
{
    unsigned int cmd = (unsigned int)cmd_arg & GNTTABOP_CMD_MASK;
    unsigned int opaque = (unsigned int)cmd_arg & ~GNTTABOP_CMD_MASK;
    unsigned int count = (unsigned int)count_arg;
    grant_ref_t cur_ref = opaque >> GNTTABOP_CONTINUATION_ARG_SHIFT;
    size_t size = op_size(cmd);
    long rc;

    (void)unused4, (void)unused5;
    if ((int)count < 0)
        return -EINVAL;
    if (cmd != GNTTABOP_cache_flush && opaque)
        return -EINVAL;
    /* The whole array of a batched op must be guest memory (Xen's guest_handle_okay). */
    if (size && !guest_range_ok(uop, (size_t)count * size))
        return -EFAULT;

    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        rc = gnttab_map_grant_ref(uop, count);
        break;
    case GNTTABOP_unmap_grant_ref:
        rc = gnttab_unmap_grant_ref(uop, count);
        break;
    case GNTTABOP_unmap_and_replace:
        rc = gnttab_unmap_and_replace(uop, count);
        break;
    case GNTTABOP_setup_table:
        return gnttab_setup_table(uop, count);
    case GNTTABOP_transfer:
        /* Page transfer is not offered (Xen with gnttab=transfer=0). */
        return -EOPNOTSUPP;
    case GNTTABOP_copy:
        rc = gnttab_copy(uop, count);
        break;
    case GNTTABOP_query_size:
        return gnttab_query_size(uop, count);
    case GNTTABOP_set_version:
        return gnttab_set_version(uop);
    case GNTTABOP_get_status_frames:
        return gnttab_get_status_frames(uop, count);
    case GNTTABOP_get_version:
        return gnttab_get_version(uop);
    case GNTTABOP_swap_grant_ref:
        rc = gnttab_swap_grant_ref(uop, count);
        break;
    case GNTTABOP_cache_flush:
        rc = gnttab_cache_flush(uop, &cur_ref, count);
        if (rc > 0 || (rc == 0 && cur_ref))
            opaque = cur_ref << GNTTABOP_CONTINUATION_ARG_SHIFT;
        break;
    default:
        /* Including GNTTABOP_dump_table, which Xen dropped long before 4.17. */
        return -ENOSYS;
    }
    if (rc > 0 || (cmd == GNTTABOP_cache_flush && rc == 0 && cur_ref))
        return hypercall_continue(__HYPERVISOR_grant_table_op, opaque | cmd, uop + rc * size,
                                  count - rc, 0, 0);
    return rc;
}
