/* SPDX-License-Identifier: MIT */
/*
 * The vCPU scheduler: the first level of PV two-level scheduling (guests
 * schedule threads on vCPUs, Keel schedules vCPUs on physical CPUs).
 *
 * Model: each physical CPU runs at most one vCPU at a time, or its idle
 * loop. A vCPU is in one runstate (public/vcpu.h RUNSTATE_*): running,
 * runnable (wants a CPU), blocked (waits for an event or timer) or offline
 * (down, or its domain is paused/dying). schedule() runs as the
 * SCHEDULE_SOFTIRQ of a CPU and may switch that CPU to another vCPU through
 * arch_context_switch(), which does not return.
 *
 * The policy (which runnable vCPU, for how long, on which CPU) lives in
 * portable code behind this interface; see the implementation's header
 * comment for its algorithm, invariants and locks.
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/timer.h>

struct vcpu;
struct domain;

/* Scheduler set-up for nr_cpus physical CPUs. Boot CPU, before any vCPU. */
void scheduler_init(unsigned int nr_cpus);

/*
 * Attach v (already created, not yet up) to the scheduler, with initial
 * processor cpu. Returns 0 or -ENOMEM.
 */
int sched_init_vcpu(struct vcpu *v, unsigned int cpu);

/*
 * Wait until v, which was put to sleep (offline) by someone, is off its
 * CPU with its registers saved. Not for the caller's own vCPU.
 */
void sched_vcpu_sync(struct vcpu *v);

/* Detach a vCPU that is offline and not running. */
void sched_destroy_vcpu(struct vcpu *v);

/* v may run again (it was blocked, or was just brought up). Any context. */
void vcpu_wake(struct vcpu *v);

/*
 * The current vCPU stops until vcpu_wake(): marks it blocked and raises
 * SCHEDULE_SOFTIRQ on this CPU; the switch happens on the way back to the
 * guest. Callers check their wake-up condition after this (a wake that
 * raced in makes the vCPU runnable again).
 */
void vcpu_block(void);

/* The current vCPU gives up the rest of its slice. */
void vcpu_yield(void);

/* Take v offline (VCPUOP_down) / back online (VCPUOP_up). */
void vcpu_sleep(struct vcpu *v);

/* Per-domain proportional share (default 256) and cap (% of one CPU, 0 = none). */
int sched_set_domain_params(struct domain *d, unsigned int weight, unsigned int cap);
void sched_get_domain_params(struct domain *d, unsigned int *weight, unsigned int *cap);

/* Hard affinity: v may only run on CPUs in mask (bit n = CPU n). */
int sched_set_affinity(struct vcpu *v, uint64_t mask);

/* Time v has spent in each runstate (ns), including the current one. */
void vcpu_runstate_times(const struct vcpu *v, uint64_t times[4], int *state,
                         s_time_t *state_entry);

/*
 * Switch this CPU from prev (NULL: the idle loop) to next (NULL: the idle
 * loop). Saves prev's state, loads next's, and resumes next; never
 * returns. Provided by the architecture.
 */
void arch_context_switch(struct vcpu *prev, struct vcpu *next) __attribute__((noreturn));

#endif
