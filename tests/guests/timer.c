/* SPDX-License-Identifier: MIT */
/*
 * timer: guest time and timers as Linux's xen_time_init() and its
 * clockevent use them (arch/x86/xen/time.c), with Xen 4.17's results.
 *
 * pvclock: many reads in a row never go backwards, nor across hypercalls
 * (which may refresh the fields), and the version is even when read.
 *
 * Timers: an event callback (CALLBACKTYPE_event) and VIRQ_TIMER bound on
 * vCPU 0, handled like Linux's 2-level upcall, recording the pvclock time
 * of each timer event. Then: the default 10 ms periodic timer ticks once
 * VIRQ_TIMER is bound; VCPUOP_stop_periodic_timer silences it;
 * singleshots at +1, +10 and +50 ms arrive once each, never before their
 * deadline and not absurdly late (QEMU TCG is slow: a second's slack); a
 * deadline already passed fires at once; VCPU_SSHOTTMR_future with a past
 * deadline is -ETIME and fires nothing; stop cancels; a second set
 * replaces the first; singleshot ops on another vCPU are -EINVAL; the
 * periodic timer at 10 ms gives about 20 ticks in 200 ms; periods under
 * 1 ms are -EINVAL; set_timer_op arms, cancels with 0 and fires at once
 * for the past; SCHEDOP_block with only a timer pending sleeps until the
 * timer's upcall wakes it.
 */
#include "event.h"
#include "guest.h"
#include "mm.h"
#include "pvclock.h"
#include "test.h"

#define EINVAL (-XEN_EINVAL)
#define ETIME  (-XEN_ETIME)
#define ENOENT (-XEN_ENOENT)

#define MS(n)     ((uint64_t)(n) * 1000000ULL)
#define LATE_OK   MS(1000)      /* how late an event may be under TCG */

/* ---- The upcall ---- */

void timer_upcall_entry(void);
void timer_upcall(void);

/*
 * Entered with Xen's bounce frame RCX, R11, RIP, CS, RFLAGS, RSP, SS on the
 * stack; leaves through iret_to_guest (lib/traps.S), which wants RSP at
 * RIP and the guest's RCX and R11 in their registers.
 */
asm(".pushsection .text\n"
    ".globl timer_upcall_entry\n"
    "timer_upcall_entry:\n\t"
    "pop %rcx\n\tpop %r11\n\t"
    "push %rdi\n\tpush %rsi\n\tpush %rdx\n\tpush %rcx\n\tpush %rax\n\t"
    "push %r8\n\tpush %r9\n\tpush %r10\n\tpush %r11\n\tpush %rbx\n\t"
    "mov %rsp, %rbx\n\tand $-16, %rsp\n\tcld\n\t"
    "call timer_upcall\n\t"
    "mov %rbx, %rsp\n\t"
    "pop %rbx\n\tpop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"
    "pop %rax\n\tpop %rcx\n\tpop %rdx\n\tpop %rsi\n\tpop %rdi\n\t"
    "jmp iret_to_guest\n"
    ".popsection");

static struct vcpu_info *vi;
static uint32_t timer_port;
static volatile unsigned int timer_events;  /* VIRQ_TIMER events handled */
static volatile uint64_t last_event_ns;     /* pvclock time of the last one */
static volatile unsigned int other_events;

/* System time in ns from vCPU 0's pvclock (Linux's pvclock_clocksource_read). */
static uint64_t system_ns(void)
{
    return pvclock_ns(&vi->time);
}

static void count_port(evtchn_port_t port)
{
    if (port == timer_port) {
        last_event_ns = system_ns();
        timer_events++;
    } else {
        other_events++;
    }
}

void timer_upcall(void)
{
    event_scan(vi, count_port);
}

/* ---- Helpers ---- */

static long set_singleshot(uint64_t deadline, uint32_t flags)
{
    struct vcpu_set_singleshot_timer s = { .timeout_abs_ns = deadline, .flags = flags };

    return HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
}

static long stop_singleshot(void)
{
    return HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
}

static long set_periodic(uint64_t period)
{
    struct vcpu_set_periodic_timer p = { .period_ns = period };

    return HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &p);
}

static long stop_periodic(void)
{
    return HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
}

static long set_timer_op(uint64_t deadline)
{
    return _hypercall1(__HYPERVISOR_set_timer_op, deadline);
}

/* Spin (events on) until a new timer event or system time `until`. Returns events seen. */
static unsigned int wait_events(unsigned int before, uint64_t until)
{
    while (timer_events == before && system_ns() < until)
        asm volatile("pause");
    return timer_events - before;
}

/* Spin (events on) for ns nanoseconds. */
static void spin_ns(uint64_t ns)
{
    uint64_t until = system_ns() + ns;

    while (system_ns() < until)
        asm volatile("pause");
}

/* ---- Tests ---- */

static void test_pvclock(void)
{
    volatile struct vcpu_time_info *t = &vi->time;
    uint64_t prev = system_ns(), first = prev, cur;
    unsigned int backwards = 0;

    check(t->tsc_to_system_mul != 0, "pvclock tsc_to_system_mul is 0");
    check(!(t->version & 1), "pvclock version %u is odd", t->version);
    for (unsigned int i = 0; i < 200000; i++) {
        cur = system_ns();
        if (cur < prev && backwards++ < 5)
            check(false, "pvclock went back %lu ns at read %u", (unsigned long)(prev - cur), i);
        prev = cur;
    }
    /* Across hypercalls, which may rewrite the fields. */
    for (unsigned int i = 0; i < 2000; i++) {
        uint64_t before = system_ns();

        (void)HYPERVISOR_xen_version(XENVER_version, NULL);
        if (i % 2)
            (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        cur = system_ns();
        if (cur < before && backwards++ < 10)
            check(false, "pvclock went back %lu ns across hypercall %u",
                  (unsigned long)(before - cur), i);
    }
    check(prev > first, "pvclock did not advance (%lu)", (unsigned long)first);
    /* It advances at a plausible rate: 20 ms of spinning is 20 ms or more. */
    first = system_ns();
    spin_ns(MS(20));
    cur = system_ns();
    check(cur - first >= MS(20) && cur - first < MS(20) + LATE_OK,
          "20 ms spin took %lu ns", (unsigned long)(cur - first));
}

static void test_setup(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)timer_upcall_entry,
    };
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct evtchn_unmask u;

    event_upcalls_off(vi);
    expect_eq(HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0);
    for (unsigned int w = 0; w < 64; w++)
        shared_info->evtchn_mask[w] = ~0UL;
    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b), 0);
    timer_port = b.port;
    check(timer_port > 0 && timer_port < 4096, "bind_virq(TIMER) gave port %u", timer_port);
    u.port = timer_port;
    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u), 0);
}

/* A PV vCPU starts with a 10 ms periodic timer; Linux stops it first thing. */
static void test_default_periodic(void)
{
    unsigned int before;
    uint64_t t0;

    event_upcalls_on(vi);
    before = timer_events;
    t0 = system_ns();
    spin_ns(MS(100));
    check(timer_events - before >= 3 && timer_events - before <= 15,
          "default periodic timer: %u ticks in %lu ns", timer_events - before,
          (unsigned long)(system_ns() - t0));
    expect_eq(stop_periodic(), 0);
    /* One may have been on its way; after that, silence. */
    spin_ns(MS(2));
    before = timer_events;
    spin_ns(MS(60));
    expect_eq(timer_events - before, 0);
}

static void test_singleshot_deadlines(void)
{
    static const uint64_t delays[] = { MS(1), MS(10), MS(50) };

    for (unsigned int i = 0; i < ARRAY_SIZE(delays); i++) {
        unsigned int before = timer_events;
        uint64_t deadline = system_ns() + delays[i];

        expect_eq(set_singleshot(deadline, 0), 0);
        check(wait_events(before, deadline + LATE_OK) == 1,
              "+%lu ms singleshot: no event within %lu ms of its deadline",
              (unsigned long)(delays[i] / MS(1)), (unsigned long)(LATE_OK / MS(1)));
        check(last_event_ns >= deadline, "+%lu ms singleshot arrived %lu ns early",
              (unsigned long)(delays[i] / MS(1)), (unsigned long)(deadline - last_event_ns));
        check(last_event_ns < deadline + LATE_OK, "+%lu ms singleshot arrived %lu ns late",
              (unsigned long)(delays[i] / MS(1)), (unsigned long)(last_event_ns - deadline));
        /* Once only. */
        spin_ns(MS(20));
        expect_eq(timer_events - before, 1);
    }
}

static void test_singleshot_past(void)
{
    unsigned int before = timer_events;
    uint64_t t0 = system_ns();

    /* Linux's flags = 0: a deadline already passed fires at once. */
    expect_eq(set_singleshot(t0 - MS(1), 0), 0);
    check(wait_events(before, t0 + LATE_OK) == 1, "past deadline: no event");
    check(last_event_ns - t0 < MS(100), "past deadline fired after %lu ns",
          (unsigned long)(last_event_ns - t0));

    /* VCPU_SSHOTTMR_future with a past deadline: -ETIME, nothing fires. */
    before = timer_events;
    expect_eq(set_singleshot(system_ns() - MS(1), VCPU_SSHOTTMR_future), ETIME);
    expect_eq(set_singleshot(1, VCPU_SSHOTTMR_future), ETIME);
    spin_ns(MS(30));
    expect_eq(timer_events - before, 0);

    /* ... and with a future one it is an ordinary singleshot (far enough
     * ahead that a host-delayed hypercall still finds it in the future). */
    t0 = system_ns() + MS(500);
    expect_eq(set_singleshot(t0, VCPU_SSHOTTMR_future), 0);
    check(wait_events(before, t0 + LATE_OK) == 1, "future-flag singleshot: no event");
    check(last_event_ns >= t0, "future-flag singleshot early by %lu ns",
          (unsigned long)(t0 - last_event_ns));
}

static void test_singleshot_stop_and_replace(void)
{
    unsigned int before = timer_events;
    uint64_t t0 = system_ns(), d;
    long up;

    /* Stop cancels. */
    expect_eq(set_singleshot(t0 + MS(20), 0), 0);
    expect_eq(stop_singleshot(), 0);
    spin_ns(MS(60));
    expect_eq(timer_events - before, 0);
    expect_eq(stop_singleshot(), 0);        /* nothing armed: still 0 */

    /* A second set replaces the first, later or earlier. */
    t0 = system_ns();
    expect_eq(set_singleshot(t0 + MS(100), 0), 0);
    d = t0 + MS(10);
    expect_eq(set_singleshot(d, 0), 0);
    check(wait_events(before, d + LATE_OK) == 1, "replaced singleshot: no event");
    check(last_event_ns >= d && last_event_ns < t0 + MS(100),
          "replaced singleshot fired at +%lu ns, expected +10 ms",
          (unsigned long)(last_event_ns - t0));
    while (system_ns() < t0 + MS(150))
        asm volatile("pause");
    expect_eq(timer_events - before, 1);

    /* Only on the calling vCPU: another (existing) one is -EINVAL. */
    up = HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL);
    if (up >= 0) {
        struct vcpu_set_singleshot_timer s = { .timeout_abs_ns = system_ns() + MS(1) };

        expect_eq(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 1, &s), EINVAL);
        expect_eq(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 1, NULL), EINVAL);
    } else {
        expect_eq(up, ENOENT);
        printf("timer: one vCPU, the other-vCPU checks are -ENOENT only\n");
        expect_eq(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 1, NULL), ENOENT);
    }
}

static void test_periodic(void)
{
    unsigned int before = timer_events, n;
    uint64_t t0;

    expect_eq(set_periodic(0), EINVAL);
    expect_eq(set_periodic(MS(1) - 1), EINVAL);
    expect_eq(set_periodic(~0ULL), EINVAL);
    expect_eq(timer_events - before, 0);

    t0 = system_ns();
    expect_eq(set_periodic(MS(10)), 0);
    while (system_ns() < t0 + MS(200))
        asm volatile("pause");
    n = timer_events - before;
    /* 20, plus one at once (the last tick is long past); TCG may lose a few. */
    check(n >= 10 && n <= 25, "10 ms periodic timer: %u ticks in 200 ms", n);
    expect_eq(stop_periodic(), 0);
    spin_ns(MS(2));
    before = timer_events;
    spin_ns(MS(50));
    expect_eq(timer_events - before, 0);
}

static void test_set_timer_op(void)
{
    unsigned int before = timer_events;
    uint64_t d = system_ns() + MS(10), t0;

    expect_eq(set_timer_op(d), 0);
    check(wait_events(before, d + LATE_OK) == 1, "set_timer_op: no event");
    check(last_event_ns >= d, "set_timer_op event early by %lu ns",
          (unsigned long)(d - last_event_ns));

    /* 0 cancels. */
    before = timer_events;
    expect_eq(set_timer_op(system_ns() + MS(20)), 0);
    expect_eq(set_timer_op(0), 0);
    spin_ns(MS(60));
    expect_eq(timer_events - before, 0);

    /* The past: at once. */
    t0 = system_ns();
    expect_eq(set_timer_op(t0 - MS(1)), 0);
    check(wait_events(before, t0 + LATE_OK) == 1, "set_timer_op in the past: no event");
    check(last_event_ns - t0 < MS(100), "set_timer_op in the past fired after %lu ns",
          (unsigned long)(last_event_ns - t0));
}

/* Linux's idle: SCHEDOP_block until the timer's upcall. */
static void test_block_until_timer(void)
{
    unsigned int before = timer_events, blocks = 0;
    uint64_t d, t1;

    event_upcalls_off(vi);
    d = system_ns() + MS(20);
    expect_eq(set_singleshot(d, 0), 0);
    while (timer_events == before && system_ns() < d + LATE_OK) {
        /* Block clears the upcall mask; the wake-up delivers on the way back. */
        expect_eq(HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0);
        blocks++;
        event_upcalls_off(vi);
    }
    t1 = system_ns();
    expect_eq(timer_events - before, 1);
    check(last_event_ns >= d, "block: timer event early by %lu ns",
          (unsigned long)(d - last_event_ns));
    check(t1 >= d, "block returned %lu ns before the timer", (unsigned long)(d - t1));
    check(blocks <= 3, "SCHEDOP_block returned %u times before the 20 ms timer woke it",
          blocks);
    event_upcalls_on(vi);
}

void guest_main(void)
{
    long rc = map_shared_info();

    if (rc)
        test_fail(guest_name, "map_shared_info: %ld", rc);
    vi = vcpu0_info();
    test_pvclock();
    test_setup();
    test_default_periodic();
    test_singleshot_deadlines();
    test_singleshot_past();
    test_singleshot_stop_and_replace();
    test_periodic();
    test_set_timer_op();
    test_block_until_timer();
    event_upcalls_off(vi);
    expect_eq(other_events, 0);
}
