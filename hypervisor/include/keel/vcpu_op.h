/* SPDX-License-Identifier: MIT */
/*
 * The vcpu_op hypercall (common/vcpu_op.c): the guest-registered areas of
 * a vCPU and the architecture hook that moves its vcpu_info. The hook
 * belongs with the other arch_*() hooks in keel/arch.h, the areas in
 * struct vcpu; both live here until those headers are opened for them.
 */
#ifndef KEEL_VCPU_OP_H
#define KEEL_VCPU_OP_H

struct vcpu;

/*
 * VCPUOP_register_vcpu_info, the architecture's part: take a general and
 * a writable type reference on frame @mfn of v's domain (kept for the
 * domain's life, so the frame can never become a page table or descriptor
 * page), copy v's current vcpu_info to @offset in it, point v at the copy
 * and mark every event pending there (evtchn_pending_sel = ~0,
 * evtchn_upcall_pending = 1) so nothing raised meanwhile is lost. @offset
 * is checked by the caller (8-aligned, a whole vcpu_info in the page).
 * Returns 0, or -EINVAL if the frame is not v's domain's or cannot be
 * typed writable (it is a page table or a descriptor page).
 */
int arch_vcpu_map_info(struct vcpu *v, unsigned long mfn, unsigned int offset);

/*
 * Write v's runstate to the area it registered, if any. For the scheduler,
 * each time v starts running, with v's kernel page tables loaded (the area
 * is a guest kernel VA). A write that faults is ignored, as in Xen.
 */
void vcpu_runstate_publish(struct vcpu *v);

#endif
