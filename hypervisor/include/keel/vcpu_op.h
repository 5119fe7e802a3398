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
 * Write v's runstate to the area it registered, if any. For the scheduler,
 * each time v starts running, with v's kernel page tables loaded (the area
 * is a guest kernel VA). A write that faults is ignored, as in Xen.
 */
void vcpu_runstate_publish(struct vcpu *v);

#endif
