/* SPDX-License-Identifier: MIT */
/*
 * Virtual CPUs, the portable part. A vCPU runs on one physical CPU at a
 * time; its architectural state lives in struct arch_vcpu (arch code).
 *
 * Locking: a vCPU's state is touched only by the CPU running it, or by the
 * builder before it first runs, unless a field says otherwise.
 */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include <stdbool.h>

#include <keel/vcpu_timer.h>

struct domain;
struct arch_vcpu;

struct vcpu {
    unsigned int vcpu_id;
    struct domain *domain;
    unsigned int processor;     /* physical CPU it runs on */
    bool is_initialised;        /* has a context (builder or VCPUOP_initialise) */
    bool is_up;                 /* initialised and brought up (VCPUOP_up, the builder) */
    bool may_run;               /* is_up, domain not paused/shut down/dying: the
                                 * scheduler's "may be online" flag; domain_lock */

    /* Guest areas registered with vcpu_op; vcpu_op.c's areas_lock. */
    bool vcpu_info_registered;  /* VCPUOP_register_vcpu_info done */
    unsigned long vcpu_info_mfn; /* its frame (holds a writable type ref) */
    bool runstate_registered;
    unsigned long runstate_va;  /* guest VA of a vcpu_runstate_info */

    void *sched_priv;           /* scheduler's per-vCPU data (schedule.c) */

    /* SCHEDOP_poll: the ports being polled; event_channel.c */
    bool polling;

    /* Singleshot and periodic VIRQ_TIMER; its own lock (vcpu_timer.c). */
    struct vcpu_timers timers;

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
