/* SPDX-License-Identifier: MIT */
/*
 * Guest timers: each vCPU's singleshot and periodic VIRQ_TIMER sources
 * (VCPUOP_*_timer, set_timer_op), and the per-CPU pvclock refresh.
 * common/vcpu_timer.c holds the model and the locking rules.
 */
#ifndef KEEL_VCPU_TIMER_H
#define KEEL_VCPU_TIMER_H

#include <stdbool.h>

#include <keel/spinlock.h>
#include <keel/timer.h>

struct vcpu;

/* Period of the periodic timer a PV vCPU starts with (Xen's default). */
#define VCPU_DEFAULT_PERIOD MILLISECS(10)

/* Embedded in struct vcpu; all zero is the valid "never used" state. */
struct vcpu_timers {
    spinlock_t lock;            /* guards every field below; taken with IRQs off */
    bool ready;                 /* timers set up (on first use) */
    bool dead;                  /* vcpu_timers_destroy() ran: nothing is armed again */
    s_time_t period;            /* periodic timer's period, 0 = stopped */
    s_time_t last_tick;         /* system time of the last periodic tick */
    struct timer singleshot;    /* armed only on the CPU v runs on */
    struct timer periodic;      /* armed only while v runs, on its CPU */
};

/*
 * vcpu_op's timer commands (VCPUOP_set_periodic_timer, stop_periodic_timer,
 * set_singleshot_timer, stop_singleshot_timer) for target v, with the
 * guest's argument pointer. The caller has checked v is the caller
 * domain's. Returns 0, or: -EFAULT arg unreadable; -EINVAL singleshot ops
 * on another vCPU than the caller, a period below 1 ms or above INT64_MAX;
 * -ETIME VCPU_SSHOTTMR_future with a deadline already passed; -ENOSYS any
 * other cmd.
 */
long vcpu_timer_op(int cmd, struct vcpu *v, unsigned long arg);

/*
 * v has just been switched in on this CPU (v->processor set, IRQs off):
 * its timers move here, its periodic timer restarts (with one tick now if
 * one fell due while it was not running; the first call starts the 10 ms
 * default one), and this CPU's pvclock refresh is armed.
 */
void vcpu_timers_follow(struct vcpu *v);

/*
 * v's domain is being destroyed (v no longer runs): disarm both timers and
 * wait until no handler of theirs runs, so v may be freed.
 */
void vcpu_timers_destroy(struct vcpu *v);

#endif
