/* SPDX-License-Identifier: MIT */
/*
 * Moving a PV vCPU's vcpu_info into a guest frame (VCPUOP_register_vcpu_info,
 * Xen 4.17's map_vcpu_info()). The frame keeps a general and a writable
 * type reference for as long as the domain lives, so it cannot be retyped
 * as a page table or descriptor page while Keel writes into it; Keel
 * reaches it through the direct map. The domain's frames are never freed
 * under it: decrease_reservation refuses frames with extra references.
 */
#include <asm/page.h>
#include <asm/pv/pv.h>
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page_info.h>
#include <keel/vcpu_op.h>
#include <public/xen.h>

int arch_vcpu_map_info(struct vcpu *v, unsigned long mfn, unsigned int offset)
{
    struct arch_vcpu *a = v->arch;
    struct vcpu_info *old = a->vcpu_info, *new;
    struct page_info *pg;

    if (!mfn_valid(_mfn(mfn)))
        return -EINVAL;
    pg = mfn_to_page(_mfn(mfn));
    if (get_page_and_type(pg, v->domain, PGT_WRITABLE))
        return -EINVAL;

    new = (struct vcpu_info *)((char *)__va(mfn << PAGE_SHIFT) + offset);
    if (old) {
        memcpy(new, old, sizeof(*new));
    } else {
        /* No vcpu_info yet (beyond shared_info's slots): start with events masked. */
        memset(new, 0, sizeof(*new));
        new->evtchn_upcall_mask = 1;
    }
    /*
     * Publish the copy, then mark everything pending in it, so an event
     * raised meanwhile is seen in one place or the other. Whoever raises
     * events on another CPU must load vcpu_info with acquire to pair.
     */
    __atomic_store_n(&a->vcpu_info, new, __ATOMIC_RELEASE);
    __atomic_store_n(&new->evtchn_pending_sel, ~0UL, __ATOMIC_RELAXED);
    __atomic_store_n(&new->evtchn_upcall_pending, 1, __ATOMIC_RELAXED);
    /* As Xen: fresh pvclock fields at the new place. */
    pv_update_vcpu_time(v);
    return 0;
}
