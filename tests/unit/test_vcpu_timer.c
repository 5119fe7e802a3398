/* SPDX-License-Identifier: MIT */
/*
 * Guest timers: the real hypervisor/common/vcpu_timer.c and timer.c on a
 * fake machine — a clock the test sets, a settable CPU id, which vCPU
 * each fake CPU runs (current_vcpu()), guest memory that is host memory
 * (address BAD_VA faults), and a record of every VIRQ raised and every
 * pvclock refresh. "Switching in" a vCPU is what arch_context_switch()
 * does for timers: set v->processor and the CPU's current vCPU, then
 * vcpu_timers_follow(). Every test ends with every timer queue empty
 * (teardown destroys the vCPUs' timers and lets idle CPUs drop their
 * pvclock refresh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <keel/vcpu_timer.h>
#include <public/vcpu.h>
#include <public/xen.h>

#include "host_shim.h"

#define CPUS     8
#define VCPUS    3
#define BAD_VA   0xdead0000UL
#define MS(n)    MILLISECS(n)

static s_time_t fake_now;
static unsigned int fake_cpu;
static struct vcpu *fake_current[CPUS];
static struct vcpu vcpus[VCPUS];
static unsigned int virqs[VCPUS];       /* VIRQ_TIMERs raised per vCPU */
static unsigned int refreshes[VCPUS];   /* arch_update_vcpu_time() per vCPU */

s_time_t now(void)
{
    return fake_now;
}

void arch_timer_program(s_time_t deadline)
{
    (void)deadline;
}

unsigned int arch_cpu_id(void)
{
    return fake_cpu;
}

struct vcpu *current_vcpu(void)
{
    return fake_current[fake_cpu];
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    assert_int_equal(virq, VIRQ_TIMER);
    virqs[v->vcpu_id]++;
}

void arch_update_vcpu_time(struct vcpu *v)
{
    assert_ptr_equal(v, current_vcpu());
    refreshes[v->vcpu_id]++;
}

int copy_from_guest(void *dst, unsigned long va, size_t len)
{
    if (va == BAD_VA)
        return -EFAULT;
    memcpy(dst, (const void *)va, len);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    fake_now = 0;
    fake_cpu = 0;
    memset(fake_current, 0, sizeof(fake_current));
    memset(vcpus, 0, sizeof(vcpus));
    for (unsigned int i = 0; i < VCPUS; i++)
        vcpus[i].vcpu_id = i;
    memset(virqs, 0, sizeof(virqs));
    memset(refreshes, 0, sizeof(refreshes));
    return 0;
}

static int teardown(void **state)
{
    unsigned int leaked = 0;

    (void)state;
    for (unsigned int i = 0; i < VCPUS; i++)
        vcpu_timers_destroy(&vcpus[i]);
    /* Idle CPUs let their pvclock refresh lapse. */
    memset(fake_current, 0, sizeof(fake_current));
    fake_now = (s_time_t)INT64_MAX;
    for (fake_cpu = 0; fake_cpu < CPUS; fake_cpu++)
        timer_run_expired();
    for (unsigned int cpu = 0; cpu < CPUS; cpu++)
        leaked += timer_pending(cpu);
    if (leaked) {
        print_error("%u timers left queued\n", leaked);
        return -1;
    }
    return 0;
}

/* What arch_context_switch() does for timers. */
static void switch_in(struct vcpu *v, unsigned int cpu)
{
    fake_cpu = cpu;
    v->processor = cpu;
    fake_current[cpu] = v;
    vcpu_timers_follow(v);
}

/* v's CPU switches to its idle loop (v blocked or preempted). */
static void switch_out(struct vcpu *v)
{
    fake_current[v->processor] = NULL;
}

/* Advance the clock to t and take the timer interrupt on cpu. */
static void tick_at(unsigned int cpu, s_time_t t)
{
    fake_cpu = cpu;
    fake_now = t;
    timer_run_expired();
}

static long singleshot(struct vcpu *v, uint64_t deadline, uint32_t flags)
{
    struct vcpu_set_singleshot_timer s = { .timeout_abs_ns = deadline, .flags = flags };

    return vcpu_timer_op(VCPUOP_set_singleshot_timer, v, (unsigned long)&s);
}

static long periodic(struct vcpu *v, uint64_t period)
{
    struct vcpu_set_periodic_timer p = { .period_ns = period };

    return vcpu_timer_op(VCPUOP_set_periodic_timer, v, (unsigned long)&p);
}

/* Switch v in on CPU 0 at time 0 and turn its default periodic timer off. */
static struct vcpu *running_quiet(unsigned int id)
{
    struct vcpu *v = &vcpus[id];

    switch_in(v, 0);
    assert_int_equal(vcpu_timer_op(VCPUOP_stop_periodic_timer, v, 0), 0);
    return v;
}

/* ---- singleshot -------------------------------------------------------- */

static void test_singleshot_fires_at_deadline(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    assert_int_equal(singleshot(v, MS(5), 0), 0);
    tick_at(0, MS(5) - 1);
    assert_int_equal(virqs[0], 0);
    tick_at(0, MS(5));
    assert_int_equal(virqs[0], 1);
    /* Once only. */
    tick_at(0, MS(50));
    assert_int_equal(virqs[0], 1);
}

static void test_singleshot_set_replaces(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    assert_int_equal(singleshot(v, MS(10), 0), 0);
    assert_int_equal(singleshot(v, MS(20), 0), 0);
    tick_at(0, MS(10));
    assert_int_equal(virqs[0], 0);
    tick_at(0, MS(20));
    assert_int_equal(virqs[0], 1);
    assert_int_equal(singleshot(v, MS(40), 0), 0);
    assert_int_equal(singleshot(v, MS(30), 0), 0);
    tick_at(0, MS(30));
    assert_int_equal(virqs[0], 2);
    tick_at(0, MS(40));
    assert_int_equal(virqs[0], 2);
}

static void test_singleshot_stop(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    assert_int_equal(vcpu_timer_op(VCPUOP_stop_singleshot_timer, v, 0), 0);   /* none armed */
    assert_int_equal(singleshot(v, MS(10), 0), 0);
    assert_int_equal(vcpu_timer_op(VCPUOP_stop_singleshot_timer, v, BAD_VA), 0);
    tick_at(0, MS(100));
    assert_int_equal(virqs[0], 0);
}

/* Past deadlines, with and without VCPU_SSHOTTMR_future, as Xen 4.17. */
static const struct {
    const char *name;
    uint64_t deadline;          /* the clock reads 1000 ms */
    uint32_t flags;
    long rc;
    bool fires_at_once;
} past_cases[] = {
    { "past", MS(10), 0, 0, true },
    { "zero", 0, 0, 0, true },
    { "one ns ago", MS(1000) - 1, 0, 0, true },
    { "now", MS(1000), 0, 0, true },
    { "past, future flag", MS(10), VCPU_SSHOTTMR_future, -ETIME, false },
    { "one ns ago, future flag", MS(1000) - 1, VCPU_SSHOTTMR_future, -ETIME, false },
    { "now, future flag", MS(1000), VCPU_SSHOTTMR_future, 0, true },
    { "ahead, future flag", MS(1001), VCPU_SSHOTTMR_future, 0, false },
    { "unknown flags ignored", MS(10), 0xfffffffe, 0, true },
    /* Negative to Xen's signed time: fires at once, yet not "past" (unsigned compare). */
    { "bit 63", 1ULL << 63, 0, 0, true },
    { "bit 63, future flag", ~0ULL, VCPU_SSHOTTMR_future, 0, true },
};

static void test_singleshot_past_deadlines(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(past_cases); i++) {
        struct vcpu *v = &vcpus[0];
        long rc;

        fake_now = MS(1000);
        switch_in(v, 0);
        assert_int_equal(vcpu_timer_op(VCPUOP_stop_periodic_timer, v, 0), 0);
        virqs[0] = 0;
        rc = singleshot(v, past_cases[i].deadline, past_cases[i].flags);
        if (rc != past_cases[i].rc)
            fail_msg("%s: rc %ld, expected %ld", past_cases[i].name, rc, past_cases[i].rc);
        /* The interrupt comes right away (the hardware was set for the past). */
        timer_run_expired();
        if (virqs[0] != (past_cases[i].fires_at_once ? 1u : 0u))
            fail_msg("%s: %u VIRQs at once", past_cases[i].name, virqs[0]);
        assert_int_equal(vcpu_timer_op(VCPUOP_stop_singleshot_timer, v, 0), 0);
    }
}

/* Only on oneself, and that is checked before the argument is read. */
static void test_singleshot_other_vcpu(void **state)
{
    struct vcpu *v = running_quiet(0);
    struct vcpu *w = &vcpus[1];

    (void)state;
    assert_int_equal(singleshot(w, MS(10), 0), -EINVAL);
    assert_int_equal(vcpu_timer_op(VCPUOP_set_singleshot_timer, w, BAD_VA), -EINVAL);
    assert_int_equal(vcpu_timer_op(VCPUOP_stop_singleshot_timer, w, 0), -EINVAL);
    /* Not even on a vCPU that runs elsewhere. */
    switch_in(w, 1);
    fake_cpu = 0;
    assert_int_equal(singleshot(w, MS(10), 0), -EINVAL);
    assert_int_equal(vcpu_timer_op(VCPUOP_set_singleshot_timer, v, BAD_VA), -EFAULT);
    tick_at(1, MS(100));
    tick_at(0, MS(100));
    assert_int_equal(virqs[0], 0);
}

/* Armed, then blocked: the singleshot still fires (and would wake it). */
static void test_singleshot_fires_while_switched_out(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    assert_int_equal(singleshot(v, MS(7), 0), 0);
    switch_out(v);
    tick_at(0, MS(7));
    assert_int_equal(virqs[0], 1);
}

/* Switched in elsewhere: the armed singleshot moves to the new CPU. */
static void test_singleshot_follows_vcpu(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    assert_int_equal(singleshot(v, MS(30), 0), 0);
    switch_out(v);
    switch_in(v, 3);
    assert_int_equal(timer_pending(0), 1);      /* CPU 0's pvclock refresh only */
    assert_true(v->timers.singleshot.active);
    assert_int_equal(v->timers.singleshot.cpu, 3);
    tick_at(0, MS(30));
    assert_int_equal(virqs[0], 0);
    tick_at(3, MS(30));
    assert_int_equal(virqs[0], 1);
    /* A new singleshot is armed on the CPU it runs on now. */
    assert_int_equal(singleshot(v, MS(40), 0), 0);
    assert_int_equal(v->timers.singleshot.cpu, 3);
    tick_at(3, MS(40));
    assert_int_equal(virqs[0], 2);
}

/* ---- periodic ---------------------------------------------------------- */

/* A PV vCPU starts with 10 ms ticks, counted from time 0. */
static void test_default_periodic(void **state)
{
    struct vcpu *v = &vcpus[0];

    (void)state;
    fake_now = MS(3);
    switch_in(v, 0);
    assert_int_equal(v->timers.period, VCPU_DEFAULT_PERIOD);
    assert_int_equal(virqs[0], 0);
    tick_at(0, MS(10));
    assert_int_equal(virqs[0], 1);
    tick_at(0, MS(20));
    assert_int_equal(virqs[0], 2);
}

/* First run after 10 ms of system time: a tick at once (Xen's last tick is time 0). */
static void test_default_periodic_late_start(void **state)
{
    struct vcpu *v = &vcpus[0];

    (void)state;
    fake_now = MS(500);
    switch_in(v, 0);
    assert_int_equal(virqs[0], 1);
    tick_at(0, MS(509));
    assert_int_equal(virqs[0], 1);
    tick_at(0, MS(510));
    assert_int_equal(virqs[0], 2);
}

static void test_periodic_count(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    fake_now = MS(1000);
    assert_int_equal(periodic(v, MS(10)), 0);
    /* Overdue by the new period since the last tick (never): one now. */
    assert_int_equal(virqs[0], 1);
    for (s_time_t t = MS(1000); t <= MS(1200); t += MICROSECS(250))
        tick_at(0, t);
    assert_int_equal(virqs[0], 21);
    assert_int_equal(vcpu_timer_op(VCPUOP_stop_periodic_timer, v, 0), 0);
    tick_at(0, MS(2000));
    assert_int_equal(virqs[0], 21);
}

/* Ticks are counted from when they were sent: a late interrupt delays the rest. */
static void test_periodic_drifts_like_xen(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    fake_now = MS(100);
    assert_int_equal(periodic(v, MS(10)), 0);
    assert_int_equal(virqs[0], 1);
    tick_at(0, MS(113));                     /* 3 ms late */
    assert_int_equal(virqs[0], 2);
    tick_at(0, MS(120));
    assert_int_equal(virqs[0], 2);
    tick_at(0, MS(123));
    assert_int_equal(virqs[0], 3);
}

/* No ticks while switched out; one catch-up tick on the way back in. */
static void test_periodic_stops_while_switched_out(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    fake_now = MS(100);
    assert_int_equal(periodic(v, MS(10)), 0);
    assert_int_equal(virqs[0], 1);
    switch_out(v);
    tick_at(0, MS(110));
    tick_at(0, MS(200));
    assert_int_equal(virqs[0], 1);
    assert_false(v->timers.periodic.active);
    fake_now = MS(250);
    switch_in(v, 2);
    assert_int_equal(virqs[0], 2);
    assert_int_equal(v->timers.periodic.cpu, 2);
    tick_at(2, MS(260));
    assert_int_equal(virqs[0], 3);
    /* Back in before the next tick was due: none extra. */
    switch_out(v);
    fake_now = MS(265);
    switch_in(v, 2);
    assert_int_equal(virqs[0], 3);
    tick_at(2, MS(270));
    assert_int_equal(virqs[0], 4);
}

static const struct {
    const char *name;
    uint64_t period;
    long rc;
} period_cases[] = {
    { "zero", 0, -EINVAL },
    { "1 ns", 1, -EINVAL },
    { "just under 1 ms", MS(1) - 1, -EINVAL },
    { "1 ms", MS(1), 0 },
    { "10 ms", MS(10), 0 },
    { "INT64_MAX", (uint64_t)INT64_MAX, 0 },
    { "INT64_MAX + 1", (uint64_t)INT64_MAX + 1, -EINVAL },
    { "all ones", ~0ULL, -EINVAL },
};

static void test_periodic_period_limits(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(period_cases); i++) {
        long rc = periodic(v, period_cases[i].period);

        if (rc != period_cases[i].rc)
            fail_msg("%s: rc %ld, expected %ld", period_cases[i].name, rc,
                     period_cases[i].rc);
        if (rc)
            continue;
        assert_int_equal(v->timers.period, period_cases[i].period);
        assert_int_equal(vcpu_timer_op(VCPUOP_stop_periodic_timer, v, 0), 0);
    }
    assert_int_equal(vcpu_timer_op(VCPUOP_set_periodic_timer, v, BAD_VA), -EFAULT);
    assert_int_equal(v->timers.period, 0);
}

/* Another vCPU's periodic timer: stopped at once, a new one starts when it is next switched in. */
static void test_periodic_other_vcpu(void **state)
{
    struct vcpu *v = running_quiet(0);
    struct vcpu *w = &vcpus[1];

    (void)state;
    fake_now = MS(5);
    switch_in(w, 1);                         /* default 10 ms timer on CPU 1 */
    fake_cpu = 0;
    assert_int_equal(vcpu_timer_op(VCPUOP_stop_periodic_timer, w, 0), 0);
    assert_false(w->timers.periodic.active);
    tick_at(1, MS(100));
    assert_int_equal(virqs[1], 0);
    /* Set from vCPU 0 while w runs on CPU 1: takes effect at w's next switch-in. */
    fake_cpu = 0;
    assert_int_equal(periodic(w, MS(2)), 0);
    assert_int_equal(virqs[1], 0);
    switch_out(w);
    fake_now = MS(101);
    switch_in(w, 1);
    assert_int_equal(virqs[1], 1);
    tick_at(1, MS(103));
    assert_int_equal(virqs[1], 2);
    /* A vCPU that never ran yet: stopping it before its first run keeps it off. */
    fake_cpu = 0;
    assert_int_equal(vcpu_timer_op(VCPUOP_stop_periodic_timer, &vcpus[2], 0), 0);
    switch_in(&vcpus[2], 4);
    tick_at(4, MS(1000));
    assert_int_equal(virqs[2], 0);
    (void)v;
}

/* ---- set_timer_op ------------------------------------------------------ */

static void test_set_timer_op(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    fake_now = MS(100);
    assert_int_equal(do_set_timer_op(MS(105), 0, 0, 0, 0), 0);
    tick_at(0, MS(104));
    assert_int_equal(virqs[0], 0);
    tick_at(0, MS(105));
    assert_int_equal(virqs[0], 1);
    /* 0 cancels. */
    assert_int_equal(do_set_timer_op(MS(110), 0, 0, 0, 0), 0);
    assert_int_equal(do_set_timer_op(0, 0, 0, 0, 0), 0);
    tick_at(0, MS(200));
    assert_int_equal(virqs[0], 1);
    /* Past: at once. */
    assert_int_equal(do_set_timer_op(MS(1), 0, 0, 0, 0), 0);
    timer_run_expired();
    assert_int_equal(virqs[0], 2);
    /* It is the singleshot: VCPUOP_stop_singleshot_timer cancels it too. */
    assert_int_equal(do_set_timer_op(MS(300), 0, 0, 0, 0), 0);
    assert_int_equal(vcpu_timer_op(VCPUOP_stop_singleshot_timer, v, 0), 0);
    tick_at(0, MS(300));
    assert_int_equal(virqs[0], 2);
}

/* Xen's workaround: negative, or 2^50 ns or more ahead, means now + 100 ms. */
static const struct {
    const char *name;
    uint64_t offset;            /* added to the clock (1 s) */
    s_time_t fires_after;       /* from the call */
} huge_cases[] = {
    { "just under 2^50 ahead", (1ULL << 50) - 1, (s_time_t)(1ULL << 50) - 1 },
    { "2^50 ahead", 1ULL << 50, MS(100) },
    { "2^62 ahead", 1ULL << 62, MS(100) },
    { "negative", (1ULL << 63) - MS(1000), MS(100) },
    { "all ones", ~0ULL - MS(1000), MS(100) },
};

static void test_set_timer_op_huge(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(huge_cases); i++) {
        s_time_t start = MS(1000);

        fake_now = start;
        switch_in(&vcpus[0], 0);
        assert_int_equal(vcpu_timer_op(VCPUOP_stop_periodic_timer, &vcpus[0], 0), 0);
        virqs[0] = 0;
        assert_int_equal(do_set_timer_op(start + huge_cases[i].offset, 0, 0, 0, 0), 0);
        tick_at(0, start + huge_cases[i].fires_after - 1);
        if (virqs[0])
            fail_msg("%s: fired early", huge_cases[i].name);
        tick_at(0, start + huge_cases[i].fires_after);
        if (virqs[0] != 1)
            fail_msg("%s: %u VIRQs at the expected time", huge_cases[i].name, virqs[0]);
    }
}

/* ---- lifetime, pvclock refresh, dispatch ---------------------------------- */

static void test_destroy_stops_everything(void **state)
{
    struct vcpu *v = &vcpus[0];

    (void)state;
    switch_in(v, 0);
    assert_int_equal(singleshot(v, MS(50), 0), 0);
    vcpu_timers_destroy(v);
    assert_false(v->timers.singleshot.active);
    assert_false(v->timers.periodic.active);
    tick_at(0, MS(100));
    assert_int_equal(virqs[0], 0);
    /* Never set up: nothing to do. */
    vcpu_timers_destroy(&vcpus[1]);
    assert_false(vcpus[1].timers.ready);
}

static void test_pvclock_refresh(void **state)
{
    struct vcpu *v = running_quiet(0);

    (void)state;
    tick_at(0, MS(999));
    assert_int_equal(refreshes[0], 0);
    tick_at(0, MS(1000));
    assert_int_equal(refreshes[0], 1);
    tick_at(0, MS(2000));
    assert_int_equal(refreshes[0], 2);
    /* Idle: it lapses, and the next switch-in restarts it. */
    switch_out(v);
    tick_at(0, MS(3000));
    assert_int_equal(refreshes[0], 2);
    assert_int_equal(timer_pending(0), 0);
    switch_in(v, 0);
    tick_at(0, MS(4000));
    assert_int_equal(refreshes[0], 3);
}

static void test_unknown_cmd(void **state)
{
    (void)state;
    assert_int_equal(vcpu_timer_op(VCPUOP_is_up, &vcpus[0], 0), -ENOSYS);
    assert_int_equal(vcpu_timer_op(-1, &vcpus[0], 0), -ENOSYS);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_singleshot_fires_at_deadline),
        T(test_singleshot_set_replaces),
        T(test_singleshot_stop),
        T(test_singleshot_past_deadlines),
        T(test_singleshot_other_vcpu),
        T(test_singleshot_fires_while_switched_out),
        T(test_singleshot_follows_vcpu),
        T(test_default_periodic),
        T(test_default_periodic_late_start),
        T(test_periodic_count),
        T(test_periodic_drifts_like_xen),
        T(test_periodic_stops_while_switched_out),
        T(test_periodic_period_limits),
        T(test_periodic_other_vcpu),
        T(test_set_timer_op),
        T(test_set_timer_op_huge),
        T(test_destroy_stops_everything),
        T(test_pvclock_refresh),
        T(test_unknown_cmd),
    };
#undef T

    return cmocka_run_group_tests_name("vcpu_timer", tests, NULL, NULL);
}
