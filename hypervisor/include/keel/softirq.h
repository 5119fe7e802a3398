/* SPDX-License-Identifier: MIT */
/*
 * Softirqs: work raised anywhere (interrupt handlers, other CPUs) and run
 * on the CPU it was raised for, at a point where it may switch vCPUs: just
 * before returning to a guest, and in the idle loop.
 */
#ifndef KEEL_SOFTIRQ_H
#define KEEL_SOFTIRQ_H

#include <stdbool.h>

/* Lower numbers run first; SCHEDULE last, as it may not return. */
enum softirq {
    TIMER_SOFTIRQ,          /* run expired software timers */
    DOMAIN_FREE_SOFTIRQ,    /* free domains whose last reference went (domain.c) */
    SCHEDULE_SOFTIRQ,       /* run schedule(): pick the next vCPU */
    NR_SOFTIRQS
};

typedef void (*softirq_handler_t)(void);

/* Install the handler for nr (boot time). */
void softirq_register(enum softirq nr, softirq_handler_t fn);

/* Mark nr pending on cpu; if cpu is not the caller's, kick it with an IPI. */
void raise_softirq(unsigned int cpu, enum softirq nr);

/* Whether anything is pending on this CPU. */
bool softirq_pending(void);

/*
 * Run this CPU's pending softirqs until none is left. Called with
 * interrupts disabled; may not return if a handler switches vCPUs.
 */
void do_softirq(void);

/* Wake cpu to look at its softirqs (arch: an IPI). */
void arch_softirq_kick(unsigned int cpu);

#endif
