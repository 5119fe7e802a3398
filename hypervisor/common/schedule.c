/* SPDX-License-Identifier: MIT */
/*
 * The scheduler core: binds struct vcpu / struct domain to the credit
 * policy (sched_credit.c), and turns the policy's answers into actions:
 * SCHEDULE_SOFTIRQ on the CPUs it names, each CPU's slice timer, and the
 * context switch. keel/sched.h is the interface.
 *
 * Per CPU: a slice timer on that CPU's queue, armed by schedule() on that
 * CPU for the deadline of the slice just chosen (stopped while idle); when
 * it fires it raises SCHEDULE_SOFTIRQ there. One accounting timer, on the
 * boot CPU, runs the policy's accounting every period from the timer
 * interrupt and re-arms itself.
 *
 * schedule() is the SCHEDULE_SOFTIRQ handler. After a switch it leaves
 * SCHEDULE_SOFTIRQ raised on its own CPU: the next pass proves the switch
 * completed (prev's registers are saved), which the policy waits for
 * before it lets another CPU take prev.
 *
 * Memory: the policy's per-vCPU and per-domain records come from the
 * xenheap (sched_priv fields). A domain's record is made with its first
 * vCPU (or its first sched_set_domain_params()) and freed with its last
 * vCPU. vCPU creation and destruction are serialised per domain by their
 * callers (the domain builder, the toolstack's domctl).
 *
 * A vCPU not attached (no sched_init_vcpu() yet) is outside the
 * scheduler: waking, blocking, yielding and sleeping it do nothing, so
 * the boot path may run a vCPU directly until it attaches it.
 *
 * Locks: none of its own; the policy's locks (sched_credit.c) are taken
 * inside the calls below, never across a call out of this file. Callers
 * may hold their own locks (event channels call vcpu_wake() under theirs):
 * the scheduler's locks nest inside every other lock.
 */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/sched.h>
#include <keel/softirq.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <public/vcpu.h>

#include "sched_credit.h"

_Static_assert(RUNSTATE_running == 0 && RUNSTATE_runnable == 1 && RUNSTATE_blocked == 2 &&
               RUNSTATE_offline == 3, "runstate times[] are indexed by RUNSTATE_*");

static struct timer slice_timer[CSCHED_MAX_CPUS];
static struct timer acct_timer;

static void tickle(uint64_t cpus)
{
    for (; cpus; cpus &= cpus - 1)
        raise_softirq((unsigned int)__builtin_ctzll(cpus), SCHEDULE_SOFTIRQ);
}

static void slice_timer_fn(void *data)
{
    raise_softirq((unsigned int)(uintptr_t)data, SCHEDULE_SOFTIRQ);
}

static void acct_timer_fn(void *unused)
{
    (void)unused;
    tickle(csched_account(now()));
    timer_set(&acct_timer, csched_next_account());
}

/*
 * SCHEDULE_SOFTIRQ: account the running vCPU, let the policy choose, arm
 * the slice, and switch if the choice changed.
 */
static void schedule(void)
{
    unsigned int cpu = arch_cpu_id();
    struct csched_decision d = csched_pick_next(cpu, now());
    struct vcpu *prev = d.prev ? d.prev->owner : NULL;
    struct vcpu *next = d.next ? d.next->owner : NULL;

    ASSERT(prev == current_vcpu());
    tickle(d.tickle);
    if (d.slice_end)
        timer_set(&slice_timer[cpu], d.slice_end);
    else
        timer_stop(&slice_timer[cpu]);
    if (next == prev)
        return;
    if (next)
        next->processor = cpu;
    if (d.resched_self)
        raise_softirq(cpu, SCHEDULE_SOFTIRQ);
    arch_context_switch(prev, next);
}

void scheduler_init(unsigned int nr_cpus)
{
    unsigned int boot_cpu = arch_cpu_id();

    if (nr_cpus == 0 || nr_cpus > CSCHED_MAX_CPUS)
        panic("scheduler: %u CPUs; Keel schedules 1 to %u (boot with fewer CPUs)", nr_cpus,
              CSCHED_MAX_CPUS);
    /* Harmless at boot (nothing armed yet); lets the host tests start over. */
    for (unsigned int cpu = 0; cpu < CSCHED_MAX_CPUS; cpu++)
        timer_stop(&slice_timer[cpu]);
    timer_stop(&acct_timer);
    csched_init(nr_cpus, now());
    for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
        timer_init(&slice_timer[cpu], slice_timer_fn, (void *)(uintptr_t)cpu, cpu);
    timer_init(&acct_timer, acct_timer_fn, NULL, boot_cpu);
    timer_set(&acct_timer, csched_next_account());
    softirq_register(SCHEDULE_SOFTIRQ, schedule);
}

static void *sched_alloc(size_t size)
{
    return alloc_xenheap_pages(order_for_bytes(size));
}

static void sched_free(void *p, size_t size)
{
    free_xenheap_pages(p, order_for_bytes(size));
}

/* d's policy record, made on first use. NULL if memory is exhausted. */
static struct csched_dom *dom_priv(struct domain *d, bool *made)
{
    struct csched_dom *sd = d->sched_priv;

    *made = false;
    if (sd)
        return sd;
    sd = sched_alloc(sizeof(*sd));
    if (!sd)
        return NULL;
    csched_dom_init(sd);
    d->sched_priv = sd;
    *made = true;
    return sd;
}

int sched_init_vcpu(struct vcpu *v, unsigned int cpu)
{
    struct domain *d = v->domain;
    struct csched_dom *sd;
    struct csched_vcpu *sv;
    bool made;

    BUG_ON(cpu >= csched_nr_cpus() || v->sched_priv);
    sd = dom_priv(d, &made);
    if (!sd)
        return -ENOMEM;
    sv = sched_alloc(sizeof(*sv));
    if (!sv)
        goto free_dom;
    v->processor = cpu;
    v->sched_priv = sv;
    csched_vcpu_insert(sv, sd, v, &v->may_run, cpu, now());
    return 0;

free_dom:
    if (made) {
        d->sched_priv = NULL;
        sched_free(sd, sizeof(*sd));
    }
    return -ENOMEM;
}

void sched_vcpu_sync(struct vcpu *v)
{
    struct csched_vcpu *sv = v->sched_priv;

    /*
     * Its CPU may still be switching it out (vcpu_sleep() only asked it
     * to); that takes at most until the CPU's next softirq pass.
     */
    while (sv && !csched_vcpu_quiesced(sv, arch_cpu_id()))
        __builtin_ia32_pause();
}

void sched_destroy_vcpu(struct vcpu *v)
{
    struct csched_vcpu *sv = v->sched_priv;
    struct domain *d = v->domain;

    if (!sv)
        return;
    sched_vcpu_sync(v);
    if (csched_vcpu_remove(sv)) {
        sched_free(d->sched_priv, sizeof(struct csched_dom));
        d->sched_priv = NULL;
    }
    v->sched_priv = NULL;
    sched_free(sv, sizeof(*sv));
}

void vcpu_wake(struct vcpu *v)
{
    if (v->sched_priv)
        tickle(csched_wake(v->sched_priv, now()));
}

void vcpu_block(void)
{
    struct vcpu *v = current_vcpu();

    BUG_ON(!v);
    if (!v->sched_priv)
        return;
    tickle(csched_sleep(v->sched_priv, RUNSTATE_blocked, now()));
    raise_softirq(arch_cpu_id(), SCHEDULE_SOFTIRQ);
}

void vcpu_yield(void)
{
    struct vcpu *v = current_vcpu();

    BUG_ON(!v);
    if (v->sched_priv)
        tickle(csched_yield(v->sched_priv));
}

void vcpu_sleep(struct vcpu *v)
{
    if (v->sched_priv)
        tickle(csched_sleep(v->sched_priv, RUNSTATE_offline, now()));
}

int sched_set_domain_params(struct domain *d, unsigned int weight, unsigned int cap)
{
    struct csched_dom *sd;
    bool made;
    int rc;

    sd = dom_priv(d, &made);
    if (!sd)
        return -ENOMEM;
    rc = csched_set_params(sd, weight, cap);
    if (rc && made) {
        d->sched_priv = NULL;
        sched_free(sd, sizeof(*sd));
    }
    return rc;
}

void sched_get_domain_params(struct domain *d, unsigned int *weight, unsigned int *cap)
{
    const struct csched_dom *sd = d->sched_priv;

    *weight = sd ? __atomic_load_n(&sd->weight, __ATOMIC_RELAXED) : CSCHED_DEFAULT_WEIGHT;
    *cap = sd ? __atomic_load_n(&sd->cap, __ATOMIC_RELAXED) : 0;
}

int sched_set_affinity(struct vcpu *v, uint64_t mask)
{
    uint64_t cpus;
    int rc;

    if (!v->sched_priv)
        return -EINVAL;
    rc = csched_set_affinity(v->sched_priv, mask, &cpus, now());

    tickle(cpus);
    return rc;
}

void vcpu_runstate_times(const struct vcpu *v, uint64_t times[4], int *state,
                         s_time_t *state_entry)
{
    if (!v->sched_priv) {
        for (unsigned int i = 0; i < 4; i++)
            times[i] = 0;
        *state = RUNSTATE_offline;
        *state_entry = 0;
        return;
    }
    csched_runstate(v->sched_priv, now(), times, state, state_entry);
}
