/* SPDX-License-Identifier: MIT */
/*
 * The vCPU scheduler on a simulated machine: the real schedule.c,
 * sched_credit.c and timer.c against fake arch hooks.
 *
 * The simulation: N CPUs, each with a current vCPU (or idle), a one-shot
 * hardware timer (arch_timer_program) and softirq bits. Simulated time
 * jumps from event to event: a hardware timer firing (timer_run_expired
 * on that CPU), an I/O-bound vCPU finishing its burst of CPU time
 * (vcpu_block on its CPU) or its event arriving (vcpu_wake, from CPU 0).
 * After every event each CPU with pending softirqs runs them, as the
 * return-to-guest path and the idle loop do; arch_context_switch()
 * records the switch and longjmps back to that loop (it never returns).
 * IPIs and switches take no simulated time.
 *
 * Guest behaviour per vCPU: CPU-bound (never blocks) or I/O-bound (runs
 * `burst` ns of CPU, blocks, is woken `sleep` ns later). The simulation
 * measures each vCPU's CPU time itself, and checks on every switch and
 * every step that no vCPU runs outside its affinity or on two CPUs.
 *
 * SCHED_VERBOSE=1 in the environment prints the measured numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/sched.h>
#include <keel/softirq.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <public/vcpu.h>

#include "host_shim.h"
#include "sched_credit.h"

#define MAX_CPUS  8
#define MAX_DOMS  6
#define MAX_VCPUS 16
#define CPU(c)    (1ULL << (c))

enum kind { CPU_BOUND, IO_BOUND };

struct sim_vcpu {
    struct vcpu v;              /* first: struct vcpu * converts back */
    enum kind kind;
    s_time_t burst, sleep;      /* IO_BOUND: CPU per burst, time blocked */
    s_time_t burst_left;        /* of the current burst */
    s_time_t wake_at;           /* pending event, 0: none */
    uint64_t aff;               /* affinity as last set */

    s_time_t ran;               /* CPU time, as the simulation measured it */
    s_time_t wait_since;        /* runnable but not running since; 0: not waiting */
    bool wait_from_wake;        /* that wait began with a wake-up */
    s_time_t max_wait;          /* longest runnable-but-not-running stretch */
    s_time_t max_wake_latency;  /* longest wake-up to running */
    unsigned int wakes;
    int saved_by;               /* CPU still saving its registers, -1: none */
    uint64_t cpus_seen;         /* CPUs it ran on */
    unsigned int migrations;
    int last_cpu;
};

/* ---- fake machine ---------------------------------------------------------- */

static s_time_t fake_now;
static unsigned int fake_cpu;
static unsigned int nr_cpus;
static struct vcpu *cur[MAX_CPUS];
static s_time_t hw[MAX_CPUS];           /* programmed deadline, 0: stopped */
static unsigned long pending[MAX_CPUS]; /* softirq bits */
/*
 * Lazy resume: a CPU that switched to a vCPU runs the softirqs raised
 * during the switch only at its next entry to the hypervisor (timer, IPI,
 * hypercall), not on the way into the guest. The scheduler must not rely
 * on the return path looking at softirqs. A switched-out vCPU's registers
 * count as saved only once its CPU ran again after the switch.
 */
static bool lazy_resume;
static unsigned long deferred[MAX_CPUS];
static softirq_handler_t handlers[NR_SOFTIRQS];
static jmp_buf switch_jb;
static unsigned long nr_switches;
static int fail_alloc_at;               /* fail the n-th allocation from now, 0: never */

static struct domain doms[MAX_DOMS];
static struct vcpu *dom_vcpus[MAX_DOMS][MAX_VCPUS];
static struct sim_vcpu sims[MAX_VCPUS];
static unsigned int nr_sims;

static struct sim_vcpu *sim_of(struct vcpu *v)
{
    return (struct sim_vcpu *)v;
}

s_time_t now(void)
{
    return fake_now;
}

void arch_timer_program(s_time_t deadline)
{
    assert_true(fake_cpu < nr_cpus);
    hw[fake_cpu] = deadline;
}

unsigned int arch_cpu_id(void)
{
    return fake_cpu;
}

struct vcpu *current_vcpu(void)
{
    return cur[fake_cpu];
}

void softirq_register(enum softirq nr, softirq_handler_t fn)
{
    handlers[nr] = fn;
}

/* cpu enters the hypervisor: what the last switch deferred is looked at now. */
static void cpu_entry(unsigned int cpu)
{
    pending[cpu] |= deferred[cpu];
    deferred[cpu] = 0;
}

void raise_softirq(unsigned int cpu, enum softirq nr)
{
    assert_true(cpu < nr_cpus);
    pending[cpu] |= 1UL << nr;
    if (cpu != fake_cpu)
        cpu_entry(cpu); /* the IPI */
}

void *alloc_xenheap_pages(unsigned int order)
{
    void *p;

    if (fail_alloc_at && --fail_alloc_at == 0)
        return NULL;
    p = aligned_alloc(4096, 4096UL << order);
    assert_non_null(p);
    memset(p, 0, 4096UL << order);
    return p;
}

void free_xenheap_pages(void *va, unsigned int order)
{
    (void)order;
    free(va);
}

void arch_context_switch(struct vcpu *prev, struct vcpu *next)
{
    unsigned int cpu = fake_cpu;

    assert_ptr_equal(prev, cur[cpu]);
    assert_ptr_not_equal(prev, next);
    if (prev) {
        struct sim_vcpu *p = sim_of(prev);

        p->saved_by = (int)cpu;
        /* Switched out while it still wants the CPU: it waits from now. */
        if (p->v.sched_priv && ((struct csched_vcpu *)p->v.sched_priv)->rs.state ==
                                   RUNSTATE_runnable) {
            p->wait_since = fake_now;
            p->wait_from_wake = false;
        }
    }
    if (next) {
        struct sim_vcpu *n = sim_of(next);

        for (unsigned int c = 0; c < nr_cpus; c++)
            if (cur[c] == next)
                fail_msg("vCPU %u switched in on CPU %u while running on CPU %u",
                         next->vcpu_id, cpu, c);
        if (n->saved_by >= 0 && (unsigned int)n->saved_by != cpu)
            fail_msg("vCPU %u switched in on CPU %u while CPU %d may still be saving it",
                     next->vcpu_id, cpu, n->saved_by);
        if (!(n->aff & CPU(cpu)))
            fail_msg("vCPU %u switched in on CPU %u outside its affinity %#llx",
                     next->vcpu_id, cpu, (unsigned long long)n->aff);
        assert_int_equal(next->processor, cpu);
        if (n->wait_since) {
            s_time_t w = fake_now - n->wait_since;

            n->max_wait = max(n->max_wait, w);
            if (n->wait_from_wake)
                n->max_wake_latency = max(n->max_wake_latency, w);
            n->wait_since = 0;
        }
        if (n->last_cpu >= 0 && (unsigned int)n->last_cpu != cpu)
            n->migrations++;
        n->last_cpu = (int)cpu;
        n->cpus_seen |= CPU(cpu);
    }
    cur[cpu] = next;
    nr_switches++;
    longjmp(switch_jb, 1);
}

/* Code runs on cpu after its last switch: that switch has completed. */
static void switch_done(unsigned int cpu)
{
    for (unsigned int i = 0; i < nr_sims; i++)
        if (sims[i].saved_by == (int)cpu)
            sims[i].saved_by = -1;
}

/* Run cpu's pending softirqs, lowest first, as do_softirq() does. */
static void run_softirqs(unsigned int cpu)
{
    fake_cpu = cpu;
    switch_done(cpu);
    while (pending[cpu]) {
        /* volatile: read after a longjmp back into this frame. */
        volatile unsigned int nr = (unsigned int)__builtin_ctzl(pending[cpu]);

        pending[cpu] &= ~(1UL << nr);
        if (setjmp(switch_jb) != 0) {
            /* Switched. The idle loop looks at softirqs at once; a guest maybe not. */
            fake_cpu = cpu;
            if (lazy_resume && cur[cpu]) {
                deferred[cpu] |= pending[cpu];
                pending[cpu] = 0;
                return;
            }
            switch_done(cpu);
            continue;
        }
        if (handlers[nr])
            handlers[nr]();
        fake_cpu = cpu;
    }
}

/* Until no CPU has softirqs pending. A livelock fails the test. */
static void settle(void)
{
    for (unsigned int round = 0;; round++) {
        bool any = false;

        assert_true(round < 1000);
        for (unsigned int c = 0; c < nr_cpus; c++) {
            if (pending[c]) {
                run_softirqs(c);
                any = true;
            }
        }
        if (!any)
            break;
    }
    fake_cpu = 0;
    /* A wake-up that found its vCPU still on the CPU: no wait at all. */
    for (unsigned int c = 0; c < nr_cpus; c++)
        if (cur[c] && sim_of(cur[c])->wait_since) {
            sim_of(cur[c])->wait_since = 0;
            sim_of(cur[c])->max_wait = max(sim_of(cur[c])->max_wait, (s_time_t)0);
        }
}

static int cpu_of_running(const struct vcpu *v)
{
    for (unsigned int c = 0; c < nr_cpus; c++)
        if (cur[c] == v)
            return (int)c;
    return -1;
}

/* Advance the simulation to end, event by event. */
static void run_until(s_time_t end)
{
    settle();
    while (fake_now < end) {
        s_time_t t = end;

        for (unsigned int c = 0; c < nr_cpus; c++)
            if (hw[c])
                t = min(t, max(hw[c], fake_now));
        for (unsigned int i = 0; i < nr_sims; i++) {
            struct sim_vcpu *s = &sims[i];

            if (s->kind == IO_BOUND && cpu_of_running(&s->v) >= 0 &&
                ((struct csched_vcpu *)s->v.sched_priv)->rs.state == RUNSTATE_running)
                t = min(t, fake_now + s->burst_left);
            if (s->wake_at)
                t = min(t, max(s->wake_at, fake_now));
        }
        /* Everyone on a CPU runs until t. */
        for (unsigned int c = 0; c < nr_cpus; c++) {
            struct sim_vcpu *s;

            if (!cur[c])
                continue;
            s = sim_of(cur[c]);
            if (!(s->aff & CPU(c)))
                fail_msg("vCPU %u runs on CPU %u outside its affinity", s->v.vcpu_id, c);
            s->ran += t - fake_now;
            if (s->kind == IO_BOUND)
                s->burst_left -= t - fake_now;
        }
        fake_now = t;

        for (unsigned int c = 0; c < nr_cpus; c++)
            if (hw[c] && hw[c] <= t) {
                fake_cpu = c;
                cpu_entry(c);
                timer_run_expired();
            }
        for (unsigned int i = 0; i < nr_sims; i++) {
            struct sim_vcpu *s = &sims[i];
            int c = cpu_of_running(&s->v);

            if (s->kind == IO_BOUND && c >= 0 && s->burst_left <= 0 &&
                ((struct csched_vcpu *)s->v.sched_priv)->rs.state == RUNSTATE_running) {
                fake_cpu = (unsigned int)c;
                cpu_entry((unsigned int)c);
                vcpu_block();
                s->burst_left = s->burst;
                s->wake_at = t + s->sleep;
            }
        }
        for (unsigned int i = 0; i < nr_sims; i++) {
            struct sim_vcpu *s = &sims[i];

            if (s->wake_at && s->wake_at <= t) {
                s->wake_at = 0;
                s->wakes++;
                if (cpu_of_running(&s->v) < 0) {
                    s->wait_since = t;
                    s->wait_from_wake = true;
                }
                fake_cpu = 0;
                vcpu_wake(&s->v);
            }
        }
        settle();
    }
}

/* ---- building the machine ---------------------------------------------------- */

static void machine(unsigned int cpus)
{
    nr_cpus = cpus;
    fake_now = MILLISECS(1);    /* system time does not start at 0 in life either */
    fake_cpu = 0;
    scheduler_init(cpus);
}

static struct domain *dom(unsigned int id, unsigned int weight, unsigned int cap)
{
    struct domain *d = &doms[id];

    d->domain_id = (domid_t)id;
    d->max_vcpus = MAX_VCPUS;
    d->vcpus = dom_vcpus[id];
    assert_int_equal(sched_set_domain_params(d, weight, cap), 0);
    return d;
}

/* A vCPU of d, created on cpu, brought up (and so runnable). */
static struct sim_vcpu *vcpu(struct domain *d, unsigned int cpu, enum kind kind)
{
    struct sim_vcpu *s = &sims[nr_sims];

    assert_true(nr_sims < MAX_VCPUS);
    s->v.vcpu_id = nr_sims++;
    s->v.domain = d;
    s->kind = kind;
    s->aff = ~0ULL;
    s->last_cpu = -1;
    s->saved_by = -1;
    d->vcpus[s->v.vcpu_id] = &s->v;
    assert_int_equal(sched_init_vcpu(&s->v, cpu), 0);
    s->v.may_run = true;
    s->wait_since = fake_now;
    vcpu_wake(&s->v);
    return s;
}

static struct sim_vcpu *io_vcpu(struct domain *d, unsigned int cpu, s_time_t burst,
                                s_time_t sleep)
{
    struct sim_vcpu *s = vcpu(d, cpu, IO_BOUND);

    s->burst = s->burst_left = burst;
    s->sleep = sleep;
    return s;
}

static void pin(struct sim_vcpu *s, uint64_t mask)
{
    s->aff = mask;
    assert_int_equal(sched_set_affinity(&s->v, mask), 0);
    settle();
}

/* Forget the measurements (after a warm-up), keeping the state. */
static void reset_stats(void)
{
    for (unsigned int i = 0; i < nr_sims; i++) {
        sims[i].ran = 0;
        sims[i].max_wait = sims[i].max_wake_latency = 0;
        sims[i].wakes = sims[i].migrations = 0;
        sims[i].cpus_seen = 0;
    }
}

static bool verbose(void)
{
    return getenv("SCHED_VERBOSE") != NULL;
}

static double pct(s_time_t part, s_time_t whole)
{
    return 100.0 * (double)part / (double)whole;
}

static int setup(void **state)
{
    (void)state;
    memset(cur, 0, sizeof(cur));
    memset(hw, 0, sizeof(hw));
    memset(pending, 0, sizeof(pending));
    memset(deferred, 0, sizeof(deferred));
    lazy_resume = false;
    memset(sims, 0, sizeof(sims));
    memset(doms, 0, sizeof(doms));
    memset(dom_vcpus, 0, sizeof(dom_vcpus));
    nr_sims = 0;
    nr_switches = 0;
    fail_alloc_at = 0;
    shim_log_clear();
    return 0;
}

/* Take every vCPU down and detach it: nothing may be left allocated. */
static int teardown(void **state)
{
    (void)state;
    lazy_resume = false;
    for (unsigned int c = 0; c < nr_cpus; c++)
        cpu_entry(c);
    for (unsigned int i = 0; i < nr_sims; i++) {
        sims[i].v.may_run = false;
        sims[i].wake_at = 0;
        fake_cpu = 0;
        vcpu_sleep(&sims[i].v);
    }
    settle();
    for (unsigned int i = 0; i < nr_sims; i++) {
        fake_cpu = 0;
        sched_destroy_vcpu(&sims[i].v);
        assert_null(sims[i].v.sched_priv);
    }
    for (unsigned int i = 0; i < MAX_DOMS; i++) {
        if (doms[i].sched_priv) {
            free_xenheap_pages(doms[i].sched_priv, 0); /* params set, no vCPU */
            doms[i].sched_priv = NULL;
        }
    }
    for (unsigned int c = 0; c < nr_cpus; c++)
        assert_null(cur[c]);
    return 0;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_idle_when_nothing_runnable(void **state)
{
    struct domain *d;
    struct sim_vcpu *a;

    (void)state;
    machine(2);
    d = dom(0, 256, 0);
    /* Created but never brought up: offline, never scheduled. */
    sims[0].v.domain = d;
    assert_int_equal(sched_init_vcpu(&sims[0].v, 0), 0);
    nr_sims = 1;
    sims[0].aff = ~0ULL;
    sims[0].last_cpu = -1;
    sims[0].saved_by = -1;
    vcpu_wake(&sims[0].v); /* may_run is false: stays offline */
    run_until(MILLISECS(200));
    assert_null(cur[0]);
    assert_null(cur[1]);
    assert_int_equal(nr_switches, 0);
    assert_int_equal(hw[1], 0); /* no slice timer while idle */

    /* One CPU-bound vCPU runs; taken down, its CPU is idle again. */
    a = vcpu(d, 1, CPU_BOUND);
    run_until(MILLISECS(300));
    assert_ptr_equal(cur[1], &a->v);
    a->v.may_run = false;
    vcpu_sleep(&a->v);
    run_until(MILLISECS(400));
    assert_null(cur[0]);
    assert_null(cur[1]);
    assert_int_equal(timer_pending(1), 0);
    /* Only the accounting timer (CPU 0) is left. */
    assert_int_equal(timer_pending(0), 1);
}

/* One CPU, two CPU-bound vCPUs of weights w0:w1. */
static void check_weights_one_cpu(unsigned int w0, unsigned int w1)
{
    struct sim_vcpu *a, *b;
    s_time_t t0, wall;
    double share, expect;

    machine(1);
    a = vcpu(dom(0, w0, 0), 0, CPU_BOUND);
    b = vcpu(dom(1, w1, 0), 0, CPU_BOUND);
    run_until(MILLISECS(300));
    reset_stats();
    t0 = fake_now;
    run_until(t0 + 5000 * MILLISECS(1));
    wall = fake_now - t0;
    share = pct(a->ran, a->ran + b->ran);
    expect = 100.0 * w0 / (w0 + w1);
    if (verbose())
        print_message("weights %u:%u on 1 CPU: %.2f%% / %.2f%% (expected %.2f%%), busy %.2f%%\n",
                      w0, w1, share, 100 - share, expect, pct(a->ran + b->ran, wall));
    assert_true(a->ran + b->ran == wall); /* work-conserving */
    assert_true(share > expect - 2.0 && share < expect + 2.0);
}

static void test_weights_2_to_1_one_cpu(void **state)
{
    (void)state;
    check_weights_one_cpu(512, 256);
}

static void test_weights_1_to_3_one_cpu(void **state)
{
    (void)state;
    check_weights_one_cpu(100, 300);
}

static void test_equal_weights_one_cpu(void **state)
{
    (void)state;
    check_weights_one_cpu(256, 256);
}

/*
 * Two CPUs, two domains of two CPU-bound vCPUs each, weights 2:1: the
 * shares hold across CPUs (the scheduler has to keep migrating vCPUs for
 * that, as 4 vCPUs do not split 2:1 over 2 CPUs statically).
 */
static void test_weights_2_to_1_two_cpus(void **state)
{
    struct domain *da, *db;
    struct sim_vcpu *s[4];
    s_time_t t0, wall, ra, rb;
    double share;

    (void)state;
    machine(2);
    da = dom(0, 512, 0);
    db = dom(1, 256, 0);
    s[0] = vcpu(da, 0, CPU_BOUND);
    s[1] = vcpu(da, 0, CPU_BOUND);
    s[2] = vcpu(db, 0, CPU_BOUND);
    s[3] = vcpu(db, 1, CPU_BOUND);
    run_until(MILLISECS(500));
    reset_stats();
    t0 = fake_now;
    run_until(t0 + 5000 * MILLISECS(1));
    wall = fake_now - t0;
    ra = s[0]->ran + s[1]->ran;
    rb = s[2]->ran + s[3]->ran;
    share = pct(ra, ra + rb);
    if (verbose())
        print_message("weights 2:1, 2+2 vCPUs on 2 CPUs: A %.2f%% B %.2f%% of the machine "
                      "(vCPUs %.1f %.1f %.1f %.1f %% of a CPU), busy %.2f%%\n",
                      share, 100 - share, pct(s[0]->ran, wall), pct(s[1]->ran, wall),
                      pct(s[2]->ran, wall), pct(s[3]->ran, wall), pct(ra + rb, 2 * wall));
    assert_true(ra + rb == 2 * wall);
    assert_true(share > 66.67 - 3.0 && share < 66.67 + 3.0);
    /* Within a domain, its vCPUs share equally. */
    assert_true(labs((long)(s[0]->ran - s[1]->ran)) < (long)(wall / 20));
    assert_true(labs((long)(s[2]->ran - s[3]->ran)) < (long)(wall / 20));
}

/* A domain capped at cap% runs at most that, alone on the machine or not. */
static void check_cap(unsigned int cpus, unsigned int nr_capped, unsigned int cap,
                      bool competitor)
{
    struct domain *dc = dom(0, 256, cap), *dn = NULL;
    struct sim_vcpu *c[4], *other = NULL;
    s_time_t t0, wall, used = 0;

    (void)dn;
    for (unsigned int i = 0; i < nr_capped; i++)
        c[i] = vcpu(dc, i % cpus, CPU_BOUND);
    if (competitor)
        other = vcpu(dom(1, 256, 0), 0, CPU_BOUND);
    run_until(MILLISECS(200));
    reset_stats();
    t0 = fake_now;
    run_until(t0 + 3000 * MILLISECS(1));
    wall = fake_now - t0;
    for (unsigned int i = 0; i < nr_capped; i++)
        used += c[i]->ran;
    if (verbose())
        print_message("cap %u%%, %u vCPU(s) on %u CPU(s)%s: %.3f%% of one CPU%s%.2f%%\n", cap,
                      nr_capped, cpus, competitor ? " + competitor" : " alone",
                      pct(used, wall), competitor ? ", competitor " : "",
                      competitor ? pct(other->ran, wall) : 0.0);
    /* At most the cap over whole periods (overruns are paid back). */
    assert_true(pct(used, wall) <= cap + 0.1);
    /* And close to it: the cap limits, it does not starve. */
    assert_true(pct(used, wall) >= cap - 2.0);
    if (competitor) /* the rest goes to the uncapped domain */
        assert_true(other->ran + used >= wall - wall / 100);
}

static void test_cap_50_alone(void **state)
{
    (void)state;
    machine(1);
    check_cap(1, 1, 50, false);
}

static void test_cap_50_two_vcpus_two_cpus(void **state)
{
    (void)state;
    machine(2);
    check_cap(2, 2, 50, false);
}

static void test_cap_30_with_competitor(void **state)
{
    (void)state;
    machine(1);
    check_cap(1, 1, 30, true);
}

static void test_cap_150_on_four_cpus(void **state)
{
    (void)state;
    machine(4);
    check_cap(4, 3, 150, false);
}

/* Pinned vCPUs never run elsewhere; the free ones fill the other CPUs. */
static void test_affinity_pinned(void **state)
{
    struct domain *d;
    struct sim_vcpu *p1, *p2, *f[4];

    (void)state;
    machine(4);
    d = dom(0, 256, 0);
    p1 = vcpu(d, 0, CPU_BOUND);
    p2 = vcpu(d, 0, CPU_BOUND);
    for (unsigned int i = 0; i < 4; i++)
        f[i] = vcpu(d, 0, CPU_BOUND);
    pin(p1, CPU(1));
    pin(p2, CPU(2) | CPU(3));
    reset_stats();
    run_until(2000 * MILLISECS(1));
    assert_int_equal(p1->cpus_seen & ~CPU(1), 0);
    assert_int_equal(p2->cpus_seen & ~(CPU(2) | CPU(3)), 0);
    /* 6 on 4 CPUs: two thirds of a CPU each, give or take. */
    assert_true(pct(p1->ran, 2000 * MILLISECS(1)) > 50.0);
    assert_true(pct(p2->ran, 2000 * MILLISECS(1)) > 50.0);
    for (unsigned int i = 0; i < 4; i++)
        assert_true(pct(f[i]->ran, 2000 * MILLISECS(1)) > 50.0);

    /* Re-pinning a running vCPU moves it off at once. */
    pin(p1, CPU(0));
    reset_stats();
    run_until(fake_now + 1000 * MILLISECS(1));
    assert_int_equal(p1->cpus_seen, CPU(0));
    if (verbose())
        print_message("pinned: p1 %.1f%% p2 %.1f%% free %.1f %.1f %.1f %.1f %% of a CPU\n",
                      pct(p1->ran, MILLISECS(1000)), pct(p2->ran, MILLISECS(1000)),
                      pct(f[0]->ran, MILLISECS(1000)), pct(f[1]->ran, MILLISECS(1000)),
                      pct(f[2]->ran, MILLISECS(1000)), pct(f[3]->ran, MILLISECS(1000)));

    /* Masks without any existing CPU are refused, bits past the last CPU ignored. */
    assert_int_equal(sched_set_affinity(&p1->v, 0), -EINVAL);
    assert_int_equal(sched_set_affinity(&p1->v, CPU(4) | CPU(63)), -EINVAL);
    assert_int_equal(sched_set_affinity(&p1->v, CPU(2) | CPU(40)), 0);
    p1->aff = CPU(2);
    settle();
    reset_stats();
    run_until(fake_now + 500 * MILLISECS(1));
    assert_int_equal(p1->cpus_seen, CPU(2));
}

/* A pinned vCPU that blocks while its affinity changes wakes on an allowed CPU. */
static void test_affinity_change_while_blocked(void **state)
{
    struct sim_vcpu *io;

    (void)state;
    machine(3);
    io = io_vcpu(dom(0, 256, 0), 0, MICROSECS(100), MILLISECS(5));
    pin(io, CPU(0));
    run_until(MILLISECS(50));
    pin(io, CPU(2));
    reset_stats();
    run_until(MILLISECS(300));
    assert_true(io->wakes > 10);
    assert_int_equal(io->cpus_seen, CPU(2));
}

/*
 * No runnable vCPU waits unboundedly: CPU-bound vCPUs of weights 1..8 on
 * two CPUs (some pinned), plus I/O-bound ones. The bound for weight ratios
 * this size is a few periods (see sched_credit.c: invariants).
 */
static void test_no_starvation(void **state)
{
    static const unsigned int weights[] = { 32, 64, 128, 256 };
    struct sim_vcpu *s[8];
    s_time_t worst = 0;

    (void)state;
    machine(2);
    for (unsigned int i = 0; i < 4; i++) {
        struct domain *d = dom(i, weights[i], 0);

        s[2 * i] = vcpu(d, 0, CPU_BOUND);
        s[2 * i + 1] = i % 2 ? io_vcpu(d, 1, MILLISECS(2), MILLISECS(3))
                             : vcpu(d, 1, CPU_BOUND);
    }
    pin(s[0], CPU(0));
    pin(s[5], CPU(1));
    run_until(MILLISECS(200));
    reset_stats();
    run_until(fake_now + 10000 * MILLISECS(1));
    for (unsigned int i = 0; i < 8; i++) {
        if (verbose())
            print_message("  vCPU %u (weight %u, %s): %.2f%% of a CPU, longest wait %.1f ms\n",
                          i, weights[i / 2], s[i]->kind == CPU_BOUND ? "CPU-bound" : "I/O",
                          pct(s[i]->ran, 10000 * MILLISECS(1)),
                          (double)s[i]->max_wait / 1e6);
        assert_true(s[i]->ran > 0);
        worst = max(worst, s[i]->max_wait);
    }
    if (verbose())
        print_message("no starvation: longest runnable wait %.1f ms\n", (double)worst / 1e6);
    assert_true(worst <= 20 * CSCHED_PERIOD);
}

/* N CPU-bound vCPUs created on CPU 0 end up one per CPU. */
static void test_load_balance_spreads(void **state)
{
    struct domain *d;
    struct sim_vcpu *s[8];
    s_time_t t0, wall;

    (void)state;
    machine(4);
    d = dom(0, 256, 0);
    for (unsigned int i = 0; i < 4; i++)
        s[i] = vcpu(d, 0, CPU_BOUND);
    run_until(MILLISECS(100));
    reset_stats();
    t0 = fake_now;
    run_until(t0 + 1000 * MILLISECS(1));
    wall = fake_now - t0;
    for (unsigned int i = 0; i < 4; i++) {
        assert_true(s[i]->ran == wall); /* one each, all the time */
        assert_int_equal(s[i]->migrations, 0);
    }
    for (unsigned int c = 0; c < 4; c++)
        assert_non_null(cur[c]);

    /* Twice as many vCPUs as CPUs: each gets about half a CPU. */
    for (unsigned int i = 4; i < 8; i++)
        s[i] = vcpu(d, 0, CPU_BOUND);
    run_until(fake_now + MILLISECS(200));
    reset_stats();
    t0 = fake_now;
    run_until(t0 + 3000 * MILLISECS(1));
    wall = fake_now - t0;
    for (unsigned int i = 0; i < 8; i++) {
        if (verbose())
            print_message("8 on 4: vCPU %u %.2f%% of a CPU, %u migrations\n", i,
                          pct(s[i]->ran, wall), s[i]->migrations);
        assert_true(pct(s[i]->ran, wall) > 45.0 && pct(s[i]->ran, wall) < 55.0);
    }
}

/* One vCPU more than CPUs: migrations share the CPUs out evenly. */
static void test_load_balance_five_on_four(void **state)
{
    struct domain *d;
    struct sim_vcpu *s[5];
    s_time_t t0, wall;

    (void)state;
    machine(4);
    d = dom(0, 256, 0);
    for (unsigned int i = 0; i < 5; i++)
        s[i] = vcpu(d, 0, CPU_BOUND);
    run_until(MILLISECS(300));
    reset_stats();
    t0 = fake_now;
    run_until(t0 + 5000 * MILLISECS(1));
    wall = fake_now - t0;
    for (unsigned int i = 0; i < 5; i++) {
        if (verbose())
            print_message("5 on 4: vCPU %u %.2f%% of a CPU, %u migrations, longest wait %.1f ms\n",
                          i, pct(s[i]->ran, wall), s[i]->migrations,
                          (double)s[i]->max_wait / 1e6);
        assert_true(pct(s[i]->ran, wall) > 75.0 && pct(s[i]->ran, wall) < 85.0);
    }
    for (unsigned int c = 0; c < 4; c++)
        assert_non_null(cur[c]);
}

/*
 * An I/O-bound vCPU (0.2 ms of CPU, then 5 ms blocked) beside CPU-bound
 * ones gets the CPU as soon as its event arrives: the wake-up boost
 * preempts them.
 */
static void check_latency(unsigned int cpus, unsigned int hogs)
{
    struct domain *d;
    struct sim_vcpu *io;
    s_time_t t0, wall;

    machine(cpus);
    d = dom(0, 256, 0);
    for (unsigned int i = 0; i < hogs; i++)
        vcpu(dom(1 + i % 3, 256, 0), i % cpus, CPU_BOUND);
    io = io_vcpu(d, 0, MICROSECS(200), MILLISECS(5));
    run_until(MILLISECS(300));
    reset_stats();
    t0 = fake_now;
    run_until(t0 + 3000 * MILLISECS(1));
    wall = fake_now - t0;
    if (verbose())
        print_message("latency, %u CPU(s), %u CPU-bound: %u wake-ups, worst %.3f ms, "
                      "I/O vCPU %.2f%% of a CPU (asks %.2f%%)\n",
                      cpus, hogs, io->wakes, (double)io->max_wake_latency / 1e6,
                      pct(io->ran, wall), 100.0 * 200 / 5200);
    assert_true(io->wakes > 500);
    assert_true(io->max_wake_latency <= MICROSECS(100));
    /* It gets (nearly) all the CPU it asks for. */
    assert_true(pct(io->ran, wall) > 100.0 * 200 / 5200 - 0.5);
}

static void test_wake_latency_one_cpu(void **state)
{
    (void)state;
    check_latency(1, 2);
}

static void test_wake_latency_four_cpus(void **state)
{
    (void)state;
    check_latency(4, 6);
}

/*
 * Mixed load on three CPUs, then the bookkeeping: the runstate's running
 * time equals the CPU time the simulation saw; each vCPU's four states
 * add up to its lifetime; the running times add up to at most wall time
 * per CPU; credits stay within their bounds.
 */
static void test_accounting_invariants(void **state)
{
    struct sim_vcpu *s[7];
    s_time_t born[7], sum_running = 0, t_end;

    (void)state;
    machine(3);
    for (unsigned int i = 0; i < 7; i++) {
        struct domain *d = dom(i % 3, 128 << (i % 3), i % 3 == 2 ? 80 : 0);

        born[i] = fake_now;
        s[i] = i < 4 ? vcpu(d, i % 3, CPU_BOUND)
                     : io_vcpu(d, 0, MICROSECS(300 * i), MILLISECS(i));
    }
    pin(s[1], CPU(1));
    for (unsigned int step = 0; step < 40; step++) {
        run_until(fake_now + MILLISECS(37));
        for (unsigned int c = 0; c < 3; c++) {
            struct csched_vcpu *sv = csched_curr(c);

            if (sv)
                assert_ptr_equal(sv->owner, cur[c]);
        }
        for (unsigned int i = 0; i < 7; i++) {
            struct csched_vcpu *sv = s[i]->v.sched_priv;

            assert_true(sv->credit >= CSCHED_CREDIT_MIN && sv->credit <= CSCHED_CREDIT_MAX);
        }
        if (step == 20) /* a yield now and then changes nothing below */
            for (unsigned int c = 0; c < 3; c++)
                if (cur[c]) {
                    fake_cpu = c;
                    vcpu_yield();
                }
    }
    t_end = fake_now;
    for (unsigned int i = 0; i < 7; i++) {
        uint64_t times[4], total = 0;
        int st;
        s_time_t entry;

        vcpu_runstate_times(&s[i]->v, times, &st, &entry);
        for (unsigned int k = 0; k < 4; k++)
            total += times[k];
        assert_true(entry <= t_end);
        assert_int_equal(total, t_end - born[i]);
        assert_int_equal(times[RUNSTATE_running], s[i]->ran);
        if (cpu_of_running(&s[i]->v) >= 0)
            assert_true(st == RUNSTATE_running || st == RUNSTATE_blocked);
        sum_running += (s_time_t)times[RUNSTATE_running];
    }
    assert_true(sum_running <= 3 * (t_end - born[0]));
    if (verbose())
        print_message("accounting: %.2f%% of 3 CPUs running over %.0f ms, %lu switches\n",
                      pct(sum_running, 3 * (t_end - born[0])), (double)(t_end - born[0]) / 1e6,
                      nr_switches);
}

/* Blocking, and a wake-up that races in before the switch. */
static void test_block_wake_race(void **state)
{
    struct sim_vcpu *a, *b;
    uint64_t times[4];
    int st;
    s_time_t entry;
    unsigned long switches;

    (void)state;
    machine(1);
    a = vcpu(dom(0, 256, 0), 0, CPU_BOUND);
    b = vcpu(dom(1, 256, 0), 0, CPU_BOUND);
    run_until(MILLISECS(5));
    assert_ptr_equal(cur[0], &a->v);

    /* Block, then wake before the softirq runs: it keeps the CPU. */
    switches = nr_switches;
    fake_cpu = 0;
    vcpu_block();
    vcpu_runstate_times(&a->v, times, &st, &entry);
    assert_int_equal(st, RUNSTATE_blocked);
    vcpu_wake(&a->v);
    vcpu_runstate_times(&a->v, times, &st, &entry);
    assert_int_equal(st, RUNSTATE_running);
    settle();
    assert_ptr_equal(cur[0], &a->v);
    assert_int_equal(nr_switches, switches);

    /* Block for real: b runs, a is blocked. */
    vcpu_block();
    settle();
    assert_ptr_equal(cur[0], &b->v);
    vcpu_runstate_times(&a->v, times, &st, &entry);
    assert_int_equal(st, RUNSTATE_blocked);
    assert_int_equal(entry, fake_now);

    /* Woken with credit: boosted, it preempts b at once. */
    fake_now += MILLISECS(1);
    vcpu_wake(&a->v);
    settle();
    assert_ptr_equal(cur[0], &a->v);
    vcpu_runstate_times(&b->v, times, &st, &entry);
    assert_int_equal(st, RUNSTATE_runnable);

    /* Yield with an equal waiter hands over the CPU. */
    run_until(fake_now + MILLISECS(1));
    fake_cpu = 0;
    vcpu_yield();
    settle();
    assert_ptr_equal(cur[0], &b->v);
}

/* A vCPU taken down on another CPU leaves it; wake-ups do not bring it back. */
static void test_sleep_remote(void **state)
{
    struct sim_vcpu *a;
    uint64_t times[4];
    int st;
    s_time_t entry;

    (void)state;
    machine(2);
    a = vcpu(dom(0, 256, 0), 1, CPU_BOUND);
    run_until(MILLISECS(10));
    assert_ptr_equal(cur[1], &a->v);
    a->v.may_run = false;
    fake_cpu = 0;
    vcpu_sleep(&a->v);
    vcpu_wake(&a->v); /* an event racing with VCPUOP_down */
    settle();
    assert_null(cur[1]);
    vcpu_runstate_times(&a->v, times, &st, &entry);
    assert_int_equal(st, RUNSTATE_offline);
    /* VCPUOP_up: runs again. */
    a->v.may_run = true;
    vcpu_wake(&a->v);
    settle();
    assert_true(cur[0] == &a->v || cur[1] == &a->v);
}

/*
 * Clocks differ slightly between CPUs: a reader may count a vCPU's running
 * time up to its own now, and the CPU that then takes the vCPU down may
 * stamp the change with an earlier time. The running time a reader saw
 * must never shrink (the smp guest once saw it do so, on -smp 4).
 */
static void test_runstate_never_goes_back(void **state)
{
    static struct csched_dom sd;
    static struct csched_vcpu sv;
    static struct vcpu owner;
    static bool up = true;
    uint64_t before[4], after[4];
    s_time_t entry;
    int st;

    (void)state;
    csched_init(1, 0);
    csched_dom_init(&sd);
    csched_vcpu_insert(&sv, &sd, &owner, &up, 0, 0);
    (void)csched_wake(&sv, 10);
    assert_ptr_equal(csched_pick_next(0, 20).next, &sv);
    csched_runstate(&sv, 1000, before, &st, &entry);
    assert_int_equal(st, RUNSTATE_running);
    assert_int_equal(before[RUNSTATE_running], 980);
    /* Another CPU, its clock 100 ns behind the reader's, takes it down. */
    (void)csched_sleep(&sv, RUNSTATE_offline, 900);
    csched_runstate(&sv, 950, after, &st, &entry);
    assert_int_equal(st, RUNSTATE_offline);
    assert_true(after[RUNSTATE_running] >= before[RUNSTATE_running]);
    assert_int_equal(after[RUNSTATE_offline], before[RUNSTATE_offline]);
}

static void test_params_errors(void **state)
{
    struct domain *d;
    struct sim_vcpu *a;

    (void)state;
    machine(2);
    d = dom(0, 256, 0);
    assert_int_equal(sched_set_domain_params(d, 0, 0), -EINVAL);
    assert_int_equal(sched_set_domain_params(d, 65536, 0), -EINVAL);
    assert_int_equal(sched_set_domain_params(d, 1, 201), -EINVAL);
    assert_int_equal(sched_set_domain_params(d, 65535, 200), 0);
    assert_int_equal(sched_set_domain_params(d, 1, 0), 0);
    /* Refused on a domain the scheduler has not seen: nothing kept. */
    assert_int_equal(sched_set_domain_params(&doms[1], 0, 0), -EINVAL);
    assert_null(doms[1].sched_priv);

    a = vcpu(d, 0, CPU_BOUND);
    (void)a;

    /* Out of memory: for the domain's record, then for the vCPU's. */
    sims[1].v.domain = &doms[2];
    sims[1].last_cpu = -1;
    sims[1].saved_by = -1;
    fail_alloc_at = 1;
    assert_int_equal(sched_init_vcpu(&sims[1].v, 0), -ENOMEM);
    assert_null(doms[2].sched_priv);
    fail_alloc_at = 2;
    assert_int_equal(sched_init_vcpu(&sims[1].v, 0), -ENOMEM);
    assert_null(doms[2].sched_priv);
    assert_null(sims[1].v.sched_priv);
    fail_alloc_at = 1;
    assert_int_equal(sched_set_domain_params(&doms[2], 256, 0), -ENOMEM);
    fail_alloc_at = 0;

    /* Not attached: outside the scheduler, every call a no-op. */
    settle();
    sims[1].v.may_run = true;
    vcpu_wake(&sims[1].v);
    vcpu_sleep(&sims[1].v);
    assert_int_equal(sched_set_affinity(&sims[1].v, 1), -EINVAL);
    cur[1] = &sims[1].v; /* run directly by the boot path */
    fake_cpu = 1;
    vcpu_block();
    vcpu_yield();
    fake_cpu = 0;
    cur[1] = NULL;
    assert_int_equal(pending[0] | pending[1], 0);

    /* Never initialised: offline since forever. */
    {
        uint64_t times[4] = { 1, 1, 1, 1 };
        int st = -1;
        s_time_t entry = 1;

        vcpu_runstate_times(&sims[1].v, times, &st, &entry);
        assert_int_equal(st, RUNSTATE_offline);
        assert_int_equal(times[0] + times[1] + times[2] + times[3], 0);
    }
}

/*
 * The same workloads when a CPU entering a guest leaves the softirqs
 * raised during the switch for its next entry: stealing must wait for
 * the save, and balance and shares must hold all the same.
 */
#define LAZY(test)                                                                            \
    static void test##_lazy(void **state)                                                     \
    {                                                                                         \
        lazy_resume = true;                                                                   \
        test(state);                                                                          \
    }
LAZY(test_weights_2_to_1_two_cpus)
LAZY(test_affinity_pinned)
LAZY(test_no_starvation)
LAZY(test_load_balance_spreads)
LAZY(test_load_balance_five_on_four)
LAZY(test_wake_latency_four_cpus)
LAZY(test_accounting_invariants)

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_idle_when_nothing_runnable),
        T(test_weights_2_to_1_one_cpu),
        T(test_weights_1_to_3_one_cpu),
        T(test_equal_weights_one_cpu),
        T(test_weights_2_to_1_two_cpus),
        T(test_cap_50_alone),
        T(test_cap_50_two_vcpus_two_cpus),
        T(test_cap_30_with_competitor),
        T(test_cap_150_on_four_cpus),
        T(test_affinity_pinned),
        T(test_affinity_change_while_blocked),
        T(test_no_starvation),
        T(test_load_balance_spreads),
        T(test_load_balance_five_on_four),
        T(test_wake_latency_one_cpu),
        T(test_wake_latency_four_cpus),
        T(test_accounting_invariants),
        T(test_block_wake_race),
        T(test_sleep_remote),
        T(test_runstate_never_goes_back),
        T(test_params_errors),
        T(test_weights_2_to_1_two_cpus_lazy),
        T(test_affinity_pinned_lazy),
        T(test_no_starvation_lazy),
        T(test_load_balance_spreads_lazy),
        T(test_load_balance_five_on_four_lazy),
        T(test_wake_latency_four_cpus_lazy),
        T(test_accounting_invariants_lazy),
    };
#undef T

    return cmocka_run_group_tests_name("sched_credit", tests, NULL, NULL);
}
