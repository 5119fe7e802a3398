/* SPDX-License-Identifier: MIT */
/*
 * Grant mappings: each domain's maptrack (the mappings it holds, named by
 * handle), GNTTABOP_map_grant_ref, unmap_grant_ref, unmap_and_replace,
 * and the release of a dying domain's mappings. The reference model and
 * the locks are described in grant_table.c.
 *
 * Maptrack. Pages of struct gnttab_maptrack allocated on demand (one page
 * at a time, up to GNTTAB_MAPTRACK_MAX handles, Xen's default bound), with
 * a free list through next_free. A handle is reserved (flags 0) while its
 * map is under way, holds GNTMAP_* flags while mapped, and goes back to the
 * free list when neither host nor device mapping remains. An entry in use
 * holds a domain reference on the granter and one pin per kind mapped.
 *
 * Map (Xen's map_grant_ref()): flags must ask for a host or a device
 * mapping (else GNTST_bad_gntref); the granter is a real domain id
 * (DOMID_SELF is GNTST_bad_domain, as Xen's rcu_lock_domain_by_id()); pin
 * the grant (grant_table.c: the GTF checks), take the device mapping's
 * references, install the host mapping (arch: the PTE takes its own), then
 * publish the maptrack entry. Any failure undoes the steps before it.
 *
 * Unmap (Xen's unmap_common() + unmap_common_complete()), in batches of
 * GNTTAB_UNMAP_BATCH: first each op's mappings are removed (a host mapping
 * only if its PTE still maps the frame, else GNTST_general_error and the
 * mapping stays), then the TLBs are flushed, then the pins and device
 * references go. So a granter never sees GTF_reading/GTF_writing cleared,
 * nor the frame released, while a stale translation may remain.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/nospec.h>
#include <keel/page_info.h>
#include <keel/vcpu.h>
#include <public/grant_table.h>

#include "grant_internal.h"

/* Unmaps whose TLB flush is shared (Xen's GNTTAB_UNMAP_BATCH_SIZE). */
#define GNTTAB_UNMAP_BATCH      32U

#define MAPTRACK_ARRAY_BYTES    (GNTTAB_MAPTRACK_FRAMES * sizeof(struct gnttab_maptrack *))

_Static_assert(GNTTAB_MAPTRACK_MAX % GNTTAB_MAPTRACK_PER_PAGE == 0, "whole maptrack pages");
_Static_assert(GNTTAB_BATCH % GNTTAB_UNMAP_BATCH == 0, "whole unmap batches per call");

/* ---- Maptrack ------------------------------------------------------------------ */

struct gnttab_maptrack *gnttab_maptrack_entry(struct grant_table *gt, grant_handle_t handle)
{
    handle = array_index_nospec(handle, gt->maptrack_limit);
    return &gt->maptrack[handle / GNTTAB_MAPTRACK_PER_PAGE][handle % GNTTAB_MAPTRACK_PER_PAGE];
}

/* One more page of handles on the free list. maptrack_lock held. Returns 0 or -ENOMEM. */
static int grow_maptrack(struct grant_table *gt)
{
    struct gnttab_maptrack *page;
    unsigned int base = gt->maptrack_limit;

    if (base >= GNTTAB_MAPTRACK_MAX)
        return -ENOMEM;
    if (!gt->maptrack) {
        gt->maptrack = alloc_xenheap_pages(order_for_bytes(MAPTRACK_ARRAY_BYTES));
        if (!gt->maptrack)
            return -ENOMEM;
        memset(gt->maptrack, 0, MAPTRACK_ARRAY_BYTES);
    }
    page = alloc_xenheap_pages(0);
    if (!page)
        return -ENOMEM;
    memset(page, 0, GNTTAB_PAGE_SIZE);
    for (unsigned int i = 0; i < GNTTAB_MAPTRACK_PER_PAGE; i++)
        page[i].next_free = i + 1 < GNTTAB_MAPTRACK_PER_PAGE ? base + i + 1 : gt->maptrack_free;
    gt->maptrack[base / GNTTAB_MAPTRACK_PER_PAGE] = page;
    gt->maptrack_limit = base + GNTTAB_MAPTRACK_PER_PAGE;
    gt->maptrack_free = base;
    return 0;
}

/* Reserve a handle (flags 0). Returns 0 or -ENOMEM (bound reached or no memory). */
static int get_maptrack_handle(struct grant_table *gt, grant_handle_t *handle)
{
    struct gnttab_maptrack *e;
    int rc = 0;

    spin_lock(&gt->maptrack_lock);
    if (gt->maptrack_free == GNTTAB_MAPTRACK_TAIL)
        rc = grow_maptrack(gt);
    if (rc == 0) {
        *handle = gt->maptrack_free;
        e = gnttab_maptrack_entry(gt, *handle);
        gt->maptrack_free = e->next_free;
        e->flags = 0;
        e->rd = NULL;
        gt->maptrack_in_use++;
    }
    spin_unlock(&gt->maptrack_lock);
    return rc;
}

/* Back to the free list. maptrack_lock held. */
static void put_maptrack_handle_locked(struct grant_table *gt, grant_handle_t handle)
{
    struct gnttab_maptrack *e = gnttab_maptrack_entry(gt, handle);

    e->flags = 0;
    e->rd = NULL;
    e->next_free = gt->maptrack_free;
    gt->maptrack_free = handle;
    gt->maptrack_in_use--;
}

static void put_maptrack_handle(struct grant_table *gt, grant_handle_t handle)
{
    spin_lock(&gt->maptrack_lock);
    put_maptrack_handle_locked(gt, handle);
    spin_unlock(&gt->maptrack_lock);
}

/* The pin increment of a mapping's kind(s), as Xen's GNTPIN_*_inc. */
static uint32_t pin_incr_of(uint32_t flags, uint32_t kinds)
{
    bool ro = flags & GNTMAP_readonly;
    uint32_t incr = 0;

    if (kinds & GNTMAP_device_map)
        incr += ro ? GNTPIN_DEVR_INC : GNTPIN_DEVW_INC;
    if (kinds & GNTMAP_host_map)
        incr += ro ? GNTPIN_HSTR_INC : GNTPIN_HSTW_INC;
    return incr;
}

/* A device mapping's references: general, plus writable type unless read-only. */
static int get_device_refs(struct page_info *pg, struct domain *rd, bool ro)
{
    if (get_page(pg, rd))
        return GNTST_general_error;
    if (!ro && get_page_type(pg, PGT_WRITABLE)) {
        put_page(pg);
        return GNTST_general_error;
    }
    return GNTST_okay;
}

static void put_device_refs(struct page_info *pg, bool ro)
{
    if (ro)
        put_page(pg);
    else
        put_page_and_type(pg);
}

/* ---- Map ----------------------------------------------------------------------- */

static int16_t map_one(struct gnttab_map_grant_ref *op)
{
    struct domain *ld = current_vcpu()->domain;
    struct grant_table *lgt = ld->grant_table;
    uint32_t pin_incr = pin_incr_of(op->flags, op->flags);
    bool ro = op->flags & GNTMAP_readonly;
    struct gnttab_maptrack *e;
    struct page_info *pg;
    grant_handle_t handle;
    struct domain *rd;
    mfn_t mfn;
    int rc;

    if (!pin_incr)
        return GNTST_bad_gntref;
    rd = gnttab_get_domain(op->dom, false);
    if (!rd)
        return GNTST_bad_domain;
    if (get_maptrack_handle(lgt, &handle)) {
        rc = GNTST_no_space;
        goto put_domain;
    }
    rc = gnttab_pin(rd, op->ref, ld->domain_id, pin_incr, true, &mfn);
    if (rc != GNTST_okay)
        goto put_handle;
    pg = mfn_to_page(mfn);
    if (op->flags & GNTMAP_device_map) {
        rc = get_device_refs(pg, rd, ro);
        if (rc != GNTST_okay)
            goto unpin;
    }
    if (op->flags & GNTMAP_host_map) {
        rc = arch_gnttab_create_host_mapping(op->host_addr, mfn, rd, op->flags);
        if (rc != GNTST_okay)
            goto put_device;
    }

    spin_lock(&lgt->maptrack_lock);
    e = gnttab_maptrack_entry(lgt, handle);
    e->rd = rd;         /* keeps the lookup's domain reference */
    e->ref = op->ref;
    e->flags = op->flags;
    spin_unlock(&lgt->maptrack_lock);
    op->handle = handle;
    op->dev_bus_addr = (uint64_t)mfn_x(mfn) << 12;
    return GNTST_okay;

put_device:
    if (op->flags & GNTMAP_device_map)
        put_device_refs(pg, ro);
unpin:
    gnttab_unpin(rd, op->ref, pin_incr);
put_handle:
    put_maptrack_handle(lgt, handle);
put_domain:
    put_domain(rd);
    return (int16_t)rc;
}

long gnttab_map_grant_ref(unsigned long uop, unsigned int count)
{
    long rc = 0;
    unsigned int i;

    for (i = 0; i < count; i++) {
        unsigned long p = uop + i * sizeof(struct gnttab_map_grant_ref);
        struct gnttab_map_grant_ref op;

        if (i == GNTTAB_BATCH) {
            rc = i;
            break;
        }
        if (copy_from_guest(&op, p, sizeof(op))) {
            rc = -EFAULT;
            break;
        }
        op.status = map_one(&op);
        if (copy_to_guest(p, &op, sizeof(op))) {
            rc = -EFAULT;
            break;
        }
    }
    /* A host mapping may have replaced a present entry another CPU caches. */
    if (i)
        arch_gnttab_flush_tlb();
    return rc;
}

/* ---- Unmap --------------------------------------------------------------------- */

/* One unmap between its two halves. */
struct unmap_op {
    uint64_t host_addr, new_addr, dev_bus_addr;
    grant_handle_t handle;
    int16_t status;
    uint32_t done;          /* GNTMAP_host_map/device_map removed, | GNTMAP_readonly */
    bool freed_handle;      /* the maptrack's domain reference passed to us */
    struct domain *rd;      /* with a reference of ours, if done */
    grant_ref_t ref;
    mfn_t mfn;
};

/* The first half: remove the mappings named (under the mapper's maptrack_lock). */
static void unmap_begin(struct unmap_op *u)
{
    struct grant_table *lgt = current_vcpu()->domain->grant_table;
    struct gnttab_maptrack *e;
    struct grant_table *rgt;
    uint32_t flags;
    int rc;

    u->done = 0;
    u->freed_handle = false;
    u->rd = NULL;
    spin_lock(&lgt->maptrack_lock);
    if (u->handle >= lgt->maptrack_limit) {
        u->status = GNTST_bad_handle;
        goto unlock;
    }
    e = gnttab_maptrack_entry(lgt, u->handle);
    flags = e->flags;
    if (!flags) {
        u->status = GNTST_bad_handle;
        goto unlock;
    }
    u->ref = e->ref;
    rgt = e->rd->grant_table;
    spin_lock(&rgt->lock);
    u->mfn = _mfn(gnttab_active_entry(rgt, u->ref)->mfn);
    spin_unlock(&rgt->lock);

    u->status = GNTST_okay;
    if (u->dev_bus_addr && (flags & GNTMAP_device_map) &&
        u->dev_bus_addr != (uint64_t)mfn_x(u->mfn) << 12) {
        u->status = GNTST_bad_dev_addr;
        goto unlock;
    }
    if (u->host_addr && (flags & GNTMAP_host_map)) {
        rc = arch_gnttab_replace_host_mapping(u->host_addr, u->mfn, u->new_addr, flags);
        if (rc != GNTST_okay) {
            u->status = (int16_t)rc;
            goto unlock;
        }
        e->flags &= ~GNTMAP_host_map;
        u->done |= GNTMAP_host_map | (flags & GNTMAP_readonly);
    }
    if (u->dev_bus_addr && (flags & GNTMAP_device_map)) {
        e->flags &= ~GNTMAP_device_map;
        u->done |= GNTMAP_device_map | (flags & GNTMAP_readonly);
    }
    if (!u->done)
        goto unlock;
    u->rd = e->rd;
    get_domain(u->rd);
    if (!(e->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
        put_maptrack_handle_locked(lgt, u->handle);
        u->freed_handle = true;
    }
unlock:
    spin_unlock(&lgt->maptrack_lock);
}

/* The second half, after the TLB flush: pins and device references go. */
static void unmap_complete(struct unmap_op *u)
{
    bool ro = u->done & GNTMAP_readonly;

    if (!u->done)
        return;
    if (u->done & GNTMAP_device_map)
        put_device_refs(mfn_to_page(u->mfn), ro);
    /* The host mapping's references went with its PTE. */
    gnttab_unpin(u->rd, u->ref, pin_incr_of(u->done, u->done));
    if (u->freed_handle)
        put_domain(u->rd);
    put_domain(u->rd);
}

/* Shared by unmap_grant_ref and unmap_and_replace: their structs differ. */
static long unmap_batch(unsigned long uop, unsigned int count, bool replace)
{
    size_t size = replace ? sizeof(struct gnttab_unmap_and_replace)
                          : sizeof(struct gnttab_unmap_grant_ref);
    size_t status_off = replace ? offsetof(struct gnttab_unmap_and_replace, status)
                                : offsetof(struct gnttab_unmap_grant_ref, status);
    struct unmap_op ops[GNTTAB_UNMAP_BATCH];
    unsigned int done = 0;

    while (done < count) {
        unsigned int n = min(count - done, GNTTAB_UNMAP_BATCH), i;
        long rc = 0;

        if (done == GNTTAB_BATCH)
            return done;
        for (i = 0; i < n; i++) {
            unsigned long p = uop + (done + i) * size;
            struct unmap_op *u = &ops[i];

            if (replace) {
                struct gnttab_unmap_and_replace op;

                if (copy_from_guest(&op, p, sizeof(op))) {
                    rc = -EFAULT;
                    break;
                }
                *u = (struct unmap_op){ .host_addr = op.host_addr, .new_addr = op.new_addr,
                                        .handle = op.handle };
            } else {
                struct gnttab_unmap_grant_ref op;

                if (copy_from_guest(&op, p, sizeof(op))) {
                    rc = -EFAULT;
                    break;
                }
                *u = (struct unmap_op){ .host_addr = op.host_addr,
                                        .dev_bus_addr = op.dev_bus_addr, .handle = op.handle };
            }
            unmap_begin(u);
            if (copy_to_guest(p + status_off, &u->status, sizeof(u->status))) {
                i++;
                rc = -EFAULT;
                break;
            }
        }
        arch_gnttab_flush_tlb();
        for (unsigned int j = 0; j < i; j++)
            unmap_complete(&ops[j]);
        if (rc)
            return rc;
        done += n;
    }
    return 0;
}

long gnttab_unmap_grant_ref(unsigned long uop, unsigned int count)
{
    return unmap_batch(uop, count, false);
}

long gnttab_unmap_and_replace(unsigned long uop, unsigned int count)
{
    return unmap_batch(uop, count, true);
}

/* ---- Release ------------------------------------------------------------------- */

void gnttab_release_maptrack(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    /* d's vCPUs are stopped: nothing else changes its maptrack now. */
    for (grant_handle_t h = 0; h < gt->maptrack_limit; h++) {
        struct gnttab_maptrack *e = gnttab_maptrack_entry(gt, h);
        uint32_t flags = e->flags, kinds = flags & (GNTMAP_host_map | GNTMAP_device_map);
        struct domain *rd = e->rd;
        mfn_t mfn;

        if (!flags)
            continue;
        spin_lock(&rd->grant_table->lock);
        mfn = _mfn(gnttab_active_entry(rd->grant_table, e->ref)->mfn);
        spin_unlock(&rd->grant_table->lock);
        if (flags & GNTMAP_device_map)
            put_device_refs(mfn_to_page(mfn), flags & GNTMAP_readonly);
        /* A host mapping's PTE references go with d's page tables (arch teardown). */
        gnttab_unpin(rd, e->ref, pin_incr_of(flags, kinds));
        put_maptrack_handle(gt, h);
        put_domain(rd);
    }
    for (unsigned int i = 0; i < gt->maptrack_limit / GNTTAB_MAPTRACK_PER_PAGE; i++)
        free_xenheap_pages(gt->maptrack[i], 0);
    if (gt->maptrack)
        free_xenheap_pages(gt->maptrack, order_for_bytes(MAPTRACK_ARRAY_BYTES));
    gt->maptrack = NULL;
    gt->maptrack_limit = 0;
    gt->maptrack_free = GNTTAB_MAPTRACK_TAIL;
    BUG_ON(gt->maptrack_in_use);
}
