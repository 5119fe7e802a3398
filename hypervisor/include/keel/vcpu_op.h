/* SPDX-License-Identifier: MIT */
/*
 * The vcpu_op hypercall (common/vcpu_op.c): publishing a vCPU's
 * registered runstate area (the areas are fields of struct vcpu; moving
 * vcpu_info is arch_vcpu_map_info() in keel/arch.h).
 */
#ifndef KEEL_VCPU_OP_H
#define KEEL_VCPU_OP_H

struct vcpu;

/*
 * Write v's runstate to the area it registered, if any. Called when v is
 * switched in and out (pv/context.c), with v's kernel page tables loaded
 * (the area is a guest kernel VA). A write that faults is ignored, as in Xen.
 */
void vcpu_runstate_publish(struct vcpu *v);

#endif
