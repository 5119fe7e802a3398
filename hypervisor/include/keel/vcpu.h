/* SPDX-License-Identifier: MIT */
/*
 * Virtual CPUs, the portable part. A vCPU runs on one physical CPU at a
 * time; its architectural state lives in struct arch_vcpu (arch code).
 *
 * Locking: a vCPU's state is touched only by the CPU running it, or by the
 * builder before it first runs.
 */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include <stdbool.h>

struct domain;
struct arch_vcpu;

struct vcpu {
    unsigned int vcpu_id;
    struct domain *domain;
    unsigned int processor;     /* physical CPU it runs on */
    bool is_up;                 /* initialised and allowed to run */
    struct arch_vcpu *arch;
};

/* The vCPU running on this CPU, or NULL in the idle loop and during boot. */
struct vcpu *current_vcpu(void);

/*
 * SCHEDOP_block for v (the caller): enable event delivery and wait until an
 * event is pending. Returns 0.
 */
long arch_vcpu_block(struct vcpu *v);

#endif
