/* SPDX-License-Identifier: MIT */
/*
 * Software timers on per-CPU queues, driven by one hardware one-shot timer
 * per CPU that is always programmed for the earliest pending deadline.
 */
#ifndef KEEL_TIMER_H
#define KEEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t s_time_t;   /* nanoseconds of system time since boot */

#define MILLISECS(ms) ((s_time_t)(ms) * 1000000ULL)
#define MICROSECS(us) ((s_time_t)(us) * 1000ULL)

struct timer {
    s_time_t expires;           /* deadline, system time */
    void (*fn)(void *data);     /* runs on the timer's CPU, interrupts off */
    void *data;
    struct timer *next;         /* queue link; queue lock of cpu */
    unsigned int cpu;           /* its queue; changed only by timer_migrate(),
                                   holding the old and the new queue's locks */
    bool active;                /* on a queue; queue lock of cpu */
};

/* System time now, in ns. Provided by the architecture. */
s_time_t now(void);
/* Program this CPU's one-shot hardware timer for deadline (0 = stop). */
void arch_timer_program(s_time_t deadline);
/* The CPU number of the caller. */
unsigned int arch_cpu_id(void);

/* Prepare t to run fn(data) on cpu. t must not be active. */
void timer_init(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu);
/* (Re)arm t for expires; an active timer is moved. A past deadline fires at once. */
void timer_set(struct timer *t, s_time_t expires);
/* Disarm t if active. Safe to call on an inactive timer. */
void timer_stop(struct timer *t);
/*
 * Move t to cpu's queue (a timer follows the vCPU it serves when the vCPU
 * changes CPU). An inactive timer may move to any CPU; an active one only
 * to the calling CPU, which programs its own hardware for it (BUG
 * otherwise). Callers serialise migrations of one timer against each
 * other; timer_stop() and a running handler may race with it.
 */
void timer_migrate(struct timer *t, unsigned int cpu);
/*
 * Disarm t and wait until its handler is not running on any CPU, so that
 * t and its data may be freed. The caller guarantees nothing re-arms t
 * meanwhile (its handler included). BUG if called from t's own handler.
 */
void timer_kill(struct timer *t);
/* Run every expired timer of this CPU and reprogram the hardware. Timer interrupt. */
void timer_run_expired(void);
/* Number of active timers on cpu (tests, leak checks). */
unsigned int timer_pending(unsigned int cpu);

#endif
