/* SPDX-License-Identifier: MIT */
/*
 * The credit scheduler's policy interface (private to the scheduler).
 *
 * sched_credit.c decides which vCPU runs where and for how long; it knows
 * nothing of struct vcpu, softirqs or timers. schedule.c (the core) owns
 * the memory of the objects below, calls these functions with the time
 * now() and turns their answers into actions: a mask of CPUs that must run
 * schedule() (raise_softirq(cpu, SCHEDULE_SOFTIRQ) for each), a slice
 * deadline for the calling CPU's slice timer, and a context switch. The
 * host unit tests drive the same functions on a simulated clock.
 *
 * The algorithm, its invariants and its locks are described at the top of
 * sched_credit.c. In the structures below, each field names what guards
 * it:
 *   (c)  constant after csched_*_init();
 *   (p)  the global scheduler lock (csched_private.lock);
 *   (q)  the run-queue lock of the CPU the vCPU is assigned to (sv->cpu);
 *   (a)  atomic accesses only.
 */
#ifndef KEEL_SCHED_CREDIT_H
#define KEEL_SCHED_CREDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/spinlock.h>
#include <keel/timer.h>

/* CPUs the policy can manage: one bit each in a uint64_t mask. */
#define CSCHED_MAX_CPUS 64

/* Accounting period: credits are handed out every period. */
#define CSCHED_PERIOD       MILLISECS(30)
/* Slice when nothing else waits on the CPU, and when something does. */
#define CSCHED_SLICE        MILLISECS(30)
#define CSCHED_SLICE_SHARED MILLISECS(10)
/* Credit bounds (ns of CPU time): one period either way. */
#define CSCHED_CREDIT_MAX   ((int64_t)CSCHED_PERIOD)
#define CSCHED_CREDIT_MIN   (-(int64_t)CSCHED_PERIOD)
/* Credit of a new vCPU: enough to start UNDER, not enough to hog. */
#define CSCHED_CREDIT_INIT  ((int64_t)CSCHED_SLICE_SHARED)

#define CSCHED_DEFAULT_WEIGHT 256
#define CSCHED_MAX_WEIGHT     65535

/* Priority classes, better is larger. */
enum csched_pri {
    CSCHED_PRI_OVER = 0,    /* credit used up: runs only if nothing UNDER waits */
    CSCHED_PRI_UNDER = 1,   /* has credit */
    CSCHED_PRI_BOOST = 2,   /* woke from blocked with credit: runs first, once */
};

/* Time spent in each public RUNSTATE_* (public/vcpu.h numbering). */
struct csched_runstate {
    int state;                  /* RUNSTATE_* now */
    s_time_t entry;             /* when state was entered */
    uint64_t time[4];           /* ns in each state, before entry */
    /*
     * The latest time a reader counted the current state up to
     * (csched_runstate()). CPUs' clocks differ slightly, so a transition
     * stamped later by another CPU may carry an earlier time; it is
     * recorded at no earlier than this, so no reader ever sees a time
     * go backwards.
     */
    s_time_t seen;
};

struct csched_dom {
    unsigned int weight;        /* (p) relative share; 1..CSCHED_MAX_WEIGHT */
    unsigned int cap;           /* (p) % of one CPU per period; 0 = uncapped */
    uint64_t cap_budget;        /* (a) ns per period the cap allows; 0 = uncapped */
    uint64_t cap_used;          /* (a) ns run this period, overrun carried */
    struct csched_vcpu *vcpus;  /* (p) this domain's vCPUs */
    struct csched_dom *next;    /* (p) csched_private.doms link */
    unsigned int nr_vcpus;      /* (p) length of vcpus */
    bool inserted;              /* (p) on csched_private.doms */
    /* Scratch of the accounting pass, (p). */
    unsigned int nr_active;     /* vCPUs active in the period */
    uint64_t acct_limit;        /* most it can use: active vCPUs x period, or the cap */
    uint64_t acct_grant;        /* credit granted this period */
    bool acct_fixed, acct_counted;
};

struct csched_vcpu {
    struct csched_dom *dom;     /* (c) */
    void *owner;                /* (c) the core's object (struct vcpu) */
    const bool *up;             /* (c) owner's "may be online" flag, read under (q) */
    struct csched_vcpu *dom_next; /* (p) csched_dom.vcpus link */

    /*
     * The CPU whose run queue and lock this vCPU belongs to. Written with
     * the locks of both the old and the new CPU held, so holding either
     * one keeps it stable; readers that hold neither lock it and recheck.
     */
    unsigned int cpu;
    uint64_t affinity;          /* (q) hard affinity, never 0 */
    int64_t credit;             /* (q) ns of CPU time still owed */
    enum csched_pri pri;        /* (q) */
    struct csched_vcpu *rq_prev, *rq_next; /* (q) run-queue links */
    bool queued;                /* (q) on cpu's run queue */
    bool yield;                 /* (q) give up the rest of the slice */
    bool ran;                   /* (q) ran since the last accounting */
    bool acct_active;           /* (p) scratch of the accounting pass */
    /*
     * (q) cpu switched this vCPU out and may still be saving its
     * registers: no other CPU may take it until cpu passes through
     * csched_pick_next() again (which proves the switch completed).
     */
    bool saving;
    s_time_t run_start;         /* (q) last burn while running */
    struct csched_runstate rs;  /* (q) */
};

/* A decision of csched_pick_next() for the calling CPU. */
struct csched_decision {
    struct csched_vcpu *prev;   /* running before the call, NULL: idle */
    struct csched_vcpu *next;   /* run this, NULL: idle */
    s_time_t slice_end;         /* run schedule() again at this time; 0: never */
    uint64_t tickle;            /* CPUs that must run schedule() */
    bool resched_self;          /* next != prev: run schedule() once more after the switch */
};

/*
 * Set up the policy for nr_cpus CPUs (1..CSCHED_MAX_CPUS), every CPU idle,
 * the first accounting period starting at now. Forgets all earlier state.
 */
void csched_init(unsigned int nr_cpus, s_time_t now);

/* Number of CPUs, and the mask of all of them. */
unsigned int csched_nr_cpus(void);
uint64_t csched_all_cpus(void);

/* Prepare sd with the default weight and no cap; not yet known to the policy. */
void csched_dom_init(struct csched_dom *sd);

/*
 * Prepare sv (offline, affinity: every CPU) for sd on cpu and make it
 * known to the policy; sd becomes known with its first vCPU. *up is the
 * owner's flag saying the vCPU may be online: csched_wake() brings an
 * offline vCPU online only while it is set (read under sv's lock, so a
 * wake racing with "clear *up, then csched_sleep(offline)" cannot undo it).
 */
void csched_vcpu_insert(struct csched_vcpu *sv, struct csched_dom *sd, void *owner,
                        const bool *up, unsigned int cpu, s_time_t now);

/*
 * Forget sv, which must be offline and quiesced (csched_vcpu_quiesced()).
 * Returns true if that was sd's last vCPU (sd is then unknown again).
 */
bool csched_vcpu_remove(struct csched_vcpu *sv);

/*
 * Whether sv is off every CPU with its registers saved. this_cpu is the
 * caller's CPU: a switch it made earlier has completed by now.
 */
bool csched_vcpu_quiesced(struct csched_vcpu *sv, unsigned int this_cpu);

/* sv (blocked or offline) wants a CPU again. Returns CPUs to tickle. */
uint64_t csched_wake(struct csched_vcpu *sv, s_time_t now);

/*
 * sv stops wanting a CPU: state is RUNSTATE_blocked or RUNSTATE_offline.
 * Blocking an offline vCPU leaves it offline. Returns CPUs to tickle
 * (sv's CPU, if sv is running there).
 */
uint64_t csched_sleep(struct csched_vcpu *sv, int state, s_time_t now);

/* sv, running, gives up the rest of its slice. Returns CPUs to tickle. */
uint64_t csched_yield(struct csched_vcpu *sv);

/*
 * The scheduling decision for cpu (the caller's CPU) at now: accounts the
 * running vCPU, chooses the next one (possibly stealing from another CPU)
 * and its slice. The caller must switch to d.next when it differs from
 * d.prev.
 */
struct csched_decision csched_pick_next(unsigned int cpu, s_time_t now);

/*
 * Periodic accounting: hand out one period of credits by weight, reset the
 * caps' budgets. Call at or after csched_next_account(); earlier calls do
 * nothing. Returns CPUs to tickle.
 */
uint64_t csched_account(s_time_t now);
s_time_t csched_next_account(void);

/* Set sd's weight (1..CSCHED_MAX_WEIGHT) and cap (0..100 * CPUs). 0 or -EINVAL. */
int csched_set_params(struct csched_dom *sd, unsigned int weight, unsigned int cap);

/*
 * Restrict sv to the CPUs in mask; bits beyond the last CPU are ignored.
 * Returns -EINVAL if no CPU is left, else 0 with *tickle set to the CPUs
 * that must reschedule (sv's CPU, if sv runs outside its new mask).
 */
int csched_set_affinity(struct csched_vcpu *sv, uint64_t mask, uint64_t *tickle, s_time_t now);

/* sv's runstate times including the current state up to now. */
void csched_runstate(struct csched_vcpu *sv, s_time_t now, uint64_t times[4], int *state,
                     s_time_t *state_entry);

/* The vCPU running on cpu, NULL if idle (tests and assertions; racy without the lock). */
struct csched_vcpu *csched_curr(unsigned int cpu);

#endif
