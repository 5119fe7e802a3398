/* SPDX-License-Identifier: MIT */
/*
 * The memory_op hypercall, common part: the reservation ops that move
 * frames between a domain and the free pool (increase_reservation,
 * decrease_reservation, populate_physmap), the reservation queries and
 * maximum_ram_page. The x86 sub-ops (memory maps, M2P placement) are in
 * arch/x86/pv/memory_op.c; anything else is -ENOSYS.
 *
 * Semantics are Xen's (common/memory.c), for a PV (untranslated) domain:
 *  - reservation ops return how many extents are done; every argument
 *    error (unreadable argument, bad domid, too large an order, ...) is
 *    "start_extent done", never an errno. A PV guest names frames by MFN:
 *    decrease takes MFNs; populate takes the PFNs the frames will have
 *    (their M2P entries) and, like increase, returns the MFNs in
 *    extent_start.
 *  - They run on the caller's own domain (DOMID_SELF or its id), or, for
 *    the control domain, on any domain: the builder populates a new
 *    domain's memory this way. A dying domain gets no new frames.
 *  - Preemptible: after MEMOP_WORK_BATCH frames the call continues itself
 *    with cmd = op | (next extent << MEMOP_EXTENT_SHIFT), Xen's encoding.
 *
 * Frame accounting (keel/domain.h, keel/page_info.h): a domain's frame
 * holds the allocation reference from page_assign_owner() on; tot_pages
 * counts owned frames and drops in the free_page hook when the last
 * reference goes. Populate counts and assigns new frames in one step
 * (domain_assign_pages()), so tot_pages never exceeds max_pages and a
 * domain being destroyed never gains a frame its teardown would miss. Decrease (Keel is
 * stricter than Xen here) takes only frames nobody else holds: no mapping,
 * no type reference, just the allocation reference; it invalidates the
 * M2P entry and drops that reference, which frees the frame at once.
 * Keel's own pages shared with the domain (PGC_XEN_HEAP: shared_info,
 * grant-table frames) are never taken.
 * Fresh frames are zeroed before the domain can see them (the buddy
 * allocator does not scrub).
 *
 * Locks: d->page_lock around the check, count and assignment (in
 * domain_assign_pages()).
 */
#include <asm/page.h>
#include <asm/mm.h>
#include <keel/arch.h>
#include <keel/buddy.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/memop.h>
#include <keel/page_info.h>
#include <keel/vcpu.h>
#include <public/memory.h>
#include <public/xen.h>

/* Frames zeroed or released per invocation before the call continues itself. */
#define MEMOP_WORK_BATCH 4096UL

/*
 * Xen's rcu_lock_domain_by_any_id() and XSM_TARGET: DOMID_SELF or one's
 * own id is oneself; another domain only for the control domain (the
 * builder populates a new domain's memory this way). Returns the domain
 * with a reference (put_domain()), or NULL with *rc = -ESRCH or -EPERM.
 */
static struct domain *memop_domain(domid_t domid, int *rc)
{
    struct domain *cur = current_vcpu()->domain;
    struct domain *d;

    if (domid == DOMID_SELF || domid == cur->domain_id) {
        get_domain(cur);
        return cur;
    }
    d = get_domain_by_id(domid);
    if (!d) {
        *rc = -ESRCH;
        return NULL;
    }
    if (!cur->is_privileged) {
        put_domain(d);
        *rc = -EPERM;
        return NULL;
    }
    return d;
}

/* Take 2^order fresh frames for d, or NULL: over max_pages, no memory, no suitable node. */
static struct page_info *alloc_extent(struct domain *d, const struct memop_args *a)
{
    unsigned long nr = 1UL << a->extent_order;
    struct page_info *pg;

    /* One memory node (0): an exact request for another cannot be met. */
    if (a->exact_node && a->node != 0)
        return NULL;
    pg = a->below_mfn ? buddy_alloc_below(a->extent_order, a->below_mfn)
                      : buddy_alloc(a->extent_order);
    if (!pg)
        return NULL;
    /* Zeroed before the domain (or anyone through it) can see the frames. */
    memset(__va(mfn_x(page_to_mfn(pg)) << PAGE_SHIFT), 0, nr << PAGE_SHIFT);
    if (!domain_assign_pages(d, pg, nr)) {
        buddy_free(pg, a->extent_order);
        return NULL;
    }
    return pg;
}

/*
 * Give back an extent of d's that alloc_extent() produced but whose MFNs d
 * was not told (copy_to_guest() failed). d owned the frames from their
 * assignment on, and another of its vCPUs may have named one meanwhile
 * (MFNs are guessable): mapped it, or released it with
 * decrease_reservation, after which it may already be free or another
 * domain's. So each frame is touched only under a reference of ours that
 * proves it still d's, and its allocation reference dropped only if d has
 * not dropped it itself.
 */
static void free_extent(struct domain *d, struct page_info *pg, unsigned int order)
{
    for (unsigned long j = 0; j < (1UL << order); j++) {
        struct page_info *p = pg + j;

        if (get_page(p, d))
            continue;       /* d released it and it was freed */
        set_gpfn_from_mfn(page_to_mfn(p), INVALID_M2P_ENTRY);
        (void)page_release(p);  /* -EINVAL: d released it itself */
        put_page(p);        /* frees it unless d maps it */
    }
}

/* Xen's guest_remove_page() for a PV domain, minus frames in use. */
static int remove_frame(struct domain *d, unsigned long mfn)
{
    struct page_info *pg;
    unsigned long count;

    if (!mfn_valid(_mfn(mfn)))
        return -EINVAL;
    pg = mfn_to_page(_mfn(mfn));
    if (get_page(pg, d))
        return -ENXIO;
    if (page_is_xen_heap(pg)) {
        put_page(pg);
        return -EPERM;
    }
    /* Ours and the allocation reference, no type reference: nobody uses it. */
    count = __atomic_load_n(&pg->count_info, __ATOMIC_ACQUIRE);
    if (count != (PGC_ALLOCATED | 2) ||
        (__atomic_load_n(&pg->u.type_info, __ATOMIC_ACQUIRE) & PGT_COUNT_MASK)) {
        put_page(pg);
        return -EBUSY;
    }
    set_gpfn_from_mfn(_mfn(mfn), INVALID_M2P_ENTRY);
    if (page_release(pg)) {
        put_page(pg);
        return -EINVAL;
    }
    put_page(pg);
    return 0;
}

/* Continue at extent i if this invocation has done enough; else 0. */
static bool should_preempt(unsigned long i, const struct memop_args *a, unsigned long work)
{
    return i != a->start_extent && work >= MEMOP_WORK_BATCH;
}

/* increase_reservation and populate_physmap; returns the next extent to do. */
static unsigned long add_extents(struct domain *d, unsigned int op, const struct memop_args *a,
                                 bool *preempted)
{
    unsigned long i, work = 0;

    for (i = a->start_extent; i < a->nr_extents; i++) {
        unsigned long slot = a->extent_list + i * sizeof(xen_pfn_t);
        xen_pfn_t gpfn = 0, mfn;
        struct page_info *pg;

        if (should_preempt(i, a, work)) {
            *preempted = true;
            break;
        }
        if (op == XENMEM_populate_physmap && copy_from_guest(&gpfn, slot, sizeof(gpfn)))
            break;
        pg = alloc_extent(d, a);
        if (!pg)
            break;
        mfn = mfn_x(page_to_mfn(pg));
        if (op == XENMEM_populate_physmap)
            for (unsigned long j = 0; j < (1UL << a->extent_order); j++)
                set_gpfn_from_mfn(_mfn(mfn + j), gpfn + j);
        /* Tell the (untranslated) domain where its memory is. */
        if (a->extent_list && copy_to_guest(slot, &mfn, sizeof(mfn))) {
            free_extent(d, pg, a->extent_order);
            break;
        }
        work += 1UL << a->extent_order;
    }
    return i;
}

/* decrease_reservation; returns the next extent to do. */
static unsigned long remove_extents(struct domain *d, const struct memop_args *a,
                                    bool *preempted)
{
    unsigned long i, work = 0;

    for (i = a->start_extent; i < a->nr_extents; i++) {
        xen_pfn_t gmfn;
        unsigned long j;

        if (should_preempt(i, a, work)) {
            *preempted = true;
            break;
        }
        if (copy_from_guest(&gmfn, a->extent_list + i * sizeof(gmfn), sizeof(gmfn)))
            break;
        /* As Xen: frames removed before a failure stay removed. */
        for (j = 0; j < (1UL << a->extent_order); j++)
            if (remove_frame(d, gmfn + j))
                break;
        if (j < (1UL << a->extent_order))
            break;
        work += 1UL << a->extent_order;
    }
    return i;
}

static long reservation_op(unsigned int op, unsigned long start_extent, unsigned long arg)
{
    struct domain *cur = current_vcpu()->domain;
    struct xen_memory_reservation r;
    struct memop_args a;
    struct domain *d;
    bool preempted = false;
    unsigned long done;
    int rc = 0;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return (long)start_extent;
    if (memop_decode_reservation(op, &r, start_extent, cur->is_privileged, max_page, &a))
        return (long)start_extent;
    /* The whole remaining list must be guest memory (Xen: subrange_okay). */
    if ((a.extent_list || op != XENMEM_increase_reservation) &&
        !guest_range_ok(a.extent_list + a.start_extent * sizeof(xen_pfn_t),
                        (a.nr_extents - a.start_extent) * sizeof(xen_pfn_t)))
        return (long)start_extent;
    d = memop_domain(r.domid, &rc);
    if (!d)
        return (long)start_extent;

    if (op == XENMEM_decrease_reservation)
        done = remove_extents(d, &a, &preempted);
    else
        done = add_extents(d, op, &a, &preempted);
    put_domain(d);
    if (preempted)
        return hypercall_continue(__HYPERVISOR_memory_op, op | (done << MEMOP_EXTENT_SHIFT), arg,
                                  0, 0, 0);
    return (long)done;
}

/* current_reservation, maximum_reservation: arg is a domid_t. */
static long reservation_query(unsigned int op, unsigned long arg)
{
    struct domain *d;
    domid_t domid;
    int rc = 0;

    if (copy_from_guest(&domid, arg, sizeof(domid)))
        return -EFAULT;
    long pages;

    d = memop_domain(domid, &rc);
    if (!d)
        return rc;
    pages = (long)(op == XENMEM_current_reservation
                   ? __atomic_load_n(&d->tot_pages, __ATOMIC_RELAXED)
                   : __atomic_load_n(&d->max_pages, __ATOMIC_RELAXED));
    put_domain(d);
    return pages;
}

/*
 * XENMEM_add_to_physmap places a frame (shared_info, a grant-table frame,
 * ...) in a translated guest's physical address space. A PV guest has none
 * (it maps grant-table frames by the MFNs GNTTABOP_setup_table returns),
 * so, as Xen 4.17's xatp_permission_check(), every well-formed request is
 * -EACCES once the domain exists; the checks before it keep Xen's order.
 */
static long add_to_physmap(unsigned long start_extent, unsigned long arg)
{
    struct xen_add_to_physmap xatp;
    struct domain *cur = current_vcpu()->domain;
    struct domain *d;

    if (start_extent != (uint16_t)start_extent)
        return -EDOM;
    if (copy_from_guest(&xatp, arg, sizeof(xatp)))
        return -EFAULT;
    /* Foreign mappings only through add_to_physmap_batch. */
    if (xatp.space == XENMAPSPACE_gmfn_foreign)
        return -ENOSYS;
    /* Xen's rcu_lock_domain_by_any_id(): no privilege check before -EACCES. */
    if (xatp.domid == DOMID_SELF || xatp.domid == cur->domain_id) {
        d = cur;
        get_domain(d);
    } else {
        d = xatp.domid < DOMID_FIRST_RESERVED_ID ? get_domain_by_id(xatp.domid) : NULL;
        if (!d)
            return -ESRCH;
    }
    put_domain(d);
    return -EACCES;     /* not a translated (HVM/PVH) domain */
}

/* memory_op(cmd, arg) */
long do_memory_op(unsigned long cmd, unsigned long arg, unsigned long unused3,
                  unsigned long unused4, unsigned long unused5)
{
    unsigned int op = cmd & MEMOP_CMD_MASK;
    unsigned long start_extent = cmd >> MEMOP_EXTENT_SHIFT;

    (void)unused3, (void)unused4, (void)unused5;
    switch (op) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation_op(op, start_extent, arg);
    case XENMEM_maximum_ram_page:
        return start_extent ? -EINVAL : (long)max_page;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        return start_extent ? -EINVAL : reservation_query(op, arg);
    case XENMEM_add_to_physmap:
        return add_to_physmap(start_extent, arg);
    default:
        return arch_memory_op(cmd, arg);
    }
}
