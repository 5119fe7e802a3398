/* SPDX-License-Identifier: MIT */
/*
 * A PV domain's architectural state: its shared_info page, and the
 * teardown of everything a dying domain holds (vCPU roots, descriptor
 * pages, registered areas, page tables, frames).
 *
 * Teardown walks the frame table for the domain's frames rather than
 * keeping a per-domain page list (struct page_info has no room for the
 * links): two passes, the first unpinning every pinned table (the
 * cascades drop every reference the domain's page tables hold), the
 * second dropping every allocation reference. A frame another domain
 * still references (a grant mapping, a privileged foreign mapping) stays
 * until that reference goes; it keeps the dying domain allocated until
 * then (keel/domain.h). The walk continues itself every
 * RELINQUISH_BATCH frames.
 */
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/pv/pv.h>
#include <asm/pv_mm.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/page_info.h>
#include <public/xen.h>

/* Frames examined per call of arch_domain_relinquish(). */
#define RELINQUISH_BATCH (64UL * 1024)

/* Progress through the frame table: pass in the top bit, next MFN below. */
#define RELINQUISH_PASS_RELEASE (1UL << 63)

int arch_domain_create(struct domain *d)
{
    struct arch_domain *ad = alloc_xenheap_pages(order_for_bytes(sizeof(*ad)));
    struct shared_info *s;

    if (!ad)
        return -ENOMEM;
    memset(ad, 0, sizeof(*ad));
    s = alloc_xenheap_pages(0);
    if (!s) {
        free_xenheap_pages(ad, order_for_bytes(sizeof(*ad)));
        return -ENOMEM;
    }
    memset(s, 0, PAGE_SIZE);
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        s->vcpu_info[i].evtchn_upcall_mask = 1;
    ad->shared_info = s;
    ad->shared_info_mfn = __pa(s) >> PAGE_SHIFT;
    /* The guest maps it by MFN: it must count as a frame the guest may reference. */
    page_share_with_owner(mfn_to_page(_mfn(ad->shared_info_mfn)), d);
    domain_account_xen_page(d);
    d->arch = ad;
    pv_update_wallclock(d);
    return 0;
}

void arch_domain_destroy(struct domain *d)
{
    struct arch_domain *ad = pv_domain(d);

    if (!ad)
        return;
    /* shared_info went with the domain's frames (arch_domain_relinquish()). */
    free_xenheap_pages(ad, order_for_bytes(sizeof(*ad)));
    d->arch = NULL;
}

void pv_vcpu_release(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;

    if (a->guest_table)
        pv_put_root(_mfn(a->guest_table));
    if (a->guest_table_user)
        pv_put_root(_mfn(a->guest_table_user));
    a->guest_table = a->guest_table_user = 0;
    pv_release_gdt_frames(a);
    if (v->vcpu_info_registered) {
        a->vcpu_info = v->vcpu_id < XEN_LEGACY_MAX_VCPUS && pv_domain(v->domain)->shared_info
                       ? &pv_domain(v->domain)->shared_info->vcpu_info[v->vcpu_id] : NULL;
        put_page_and_type(mfn_to_page(_mfn(v->vcpu_info_mfn)));
        v->vcpu_info_registered = false;
    }
}

int arch_domain_relinquish(struct domain *d)
{
    struct arch_domain *ad = pv_domain(d);
    unsigned long pass = d->relinquish_next & RELINQUISH_PASS_RELEASE;
    unsigned long mfn = d->relinquish_next & ~RELINQUISH_PASS_RELEASE;
    unsigned long stop;

    if (!pass && mfn == 0)
        for (unsigned int i = 0; i < d->max_vcpus; i++)
            if (d->vcpus[i])
                pv_vcpu_release(d->vcpus[i]);

    for (;;) {
        stop = min(frame_table_nr, mfn + RELINQUISH_BATCH);
        for (; mfn < stop; mfn++) {
            struct page_info *pg = mfn_to_page(_mfn(mfn));

            /* A racy first look; get_page() confirms the owner. */
            if (page_get_owner(pg) != d || get_page(pg, d))
                continue;
            if (!pass)
                page_unpin(pg);     /* -EINVAL if not pinned: nothing to do */
            else
                page_release(pg);   /* -EINVAL if already released */
            put_page(pg);
        }
        if (mfn < frame_table_nr) {
            d->relinquish_next = pass | mfn;
            return -ERESTART;
        }
        if (pass)
            break;
        pass = RELINQUISH_PASS_RELEASE;
        mfn = 0;
    }
    d->relinquish_next = RELINQUISH_PASS_RELEASE | frame_table_nr;
    if (ad->shared_info) {
        /* The hypervisor's own reference (page_share_with_owner()). */
        ad->shared_info = NULL;
        put_page(mfn_to_page(_mfn(ad->shared_info_mfn)));
    }
    return 0;
}
