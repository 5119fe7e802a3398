/* SPDX-License-Identifier: MIT */
/*
 * Software timer queues: the real hypervisor/common/timer.c against fake
 * arch hooks — a clock the test sets, a settable CPU id, and a record of
 * what each fake CPU's one-shot hardware timer was last programmed for.
 * Handlers log their id, so firing order shows queue order. Every test
 * leaves every queue empty (checked in teardown).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <keel/lib.h>
#include <keel/timer.h>

#include "host_shim.h"

#define TIMER_CPUS  64      /* timer.c's default NR_TIMER_CPUS */
#define NO_PROGRAM  ((s_time_t)~0ULL)
#define MAX_FIRED   64

static s_time_t fake_now;
static unsigned int fake_cpu;
static s_time_t hw[TIMER_CPUS];        /* last deadline programmed, per CPU */
static unsigned int programs;           /* arch_timer_program() calls */
static unsigned int fired[MAX_FIRED];   /* ids of handlers run, in order */
static unsigned int nr_fired;

/*
 * The timers under test live here rather than on a test's stack, so a test
 * that fails half-way leaves nothing dangling: teardown stops them all.
 */
static struct timer tm[8];

s_time_t now(void)
{
    return fake_now;
}

void arch_timer_program(s_time_t deadline)
{
    assert_true(fake_cpu < TIMER_CPUS);
    hw[fake_cpu] = deadline;
    programs++;
}

unsigned int arch_cpu_id(void)
{
    return fake_cpu;
}

/* A handler whose data is its id, cast to a pointer. */
static void log_fired(void *data)
{
    assert_true(nr_fired < MAX_FIRED);
    fired[nr_fired++] = (unsigned int)(uintptr_t)data;
}

#define ID(n) ((void *)(uintptr_t)(n))

static int setup(void **state)
{
    (void)state;
    fake_now = 0;
    fake_cpu = 0;
    for (unsigned int i = 0; i < TIMER_CPUS; i++)
        hw[i] = NO_PROGRAM;
    programs = 0;
    nr_fired = 0;
    shim_log_clear();
    return 0;
}

static int teardown(void **state)
{
    unsigned int leaked = 0;

    (void)state;
    for (unsigned int cpu = 0; cpu < TIMER_CPUS; cpu++)
        leaked += timer_pending(cpu);
    for (size_t i = 0; i < ARRAY_SIZE(tm); i++)
        timer_stop(&tm[i]);
    memset(tm, 0, sizeof(tm));
    if (leaked) {
        print_error("%u timers left queued\n", leaked);
        return -1;
    }
    return 0;
}

static void check_fired(const unsigned int *expect, unsigned int n)
{
    assert_int_equal(nr_fired, n);
    for (unsigned int i = 0; i < n; i++)
        if (fired[i] != expect[i])
            fail_msg("fired[%u] is timer %u, expected %u", i, fired[i], expect[i]);
}

/* ---- ordering ---------------------------------------------------------- */

/*
 * Each row arms timers 0..n-1 with the deadlines given, in that order, then
 * lets them all expire; they must fire in deadline order, equal deadlines in
 * the order they were armed.
 */
static const struct {
    const char *name;
    s_time_t deadline[8];
    unsigned int n;
    unsigned int order[8];
} order_cases[] = {
    { "one", { 100 }, 1, { 0 } },
    { "ascending", { 10, 20, 30, 40 }, 4, { 0, 1, 2, 3 } },
    { "descending", { 40, 30, 20, 10 }, 4, { 3, 2, 1, 0 } },
    { "shuffled", { 30, 10, 50, 20, 40 }, 5, { 1, 3, 0, 4, 2 } },
    { "all equal", { 7, 7, 7, 7 }, 4, { 0, 1, 2, 3 } },
    { "ties among others", { 20, 10, 20, 10, 30, 20 }, 6, { 1, 3, 0, 2, 5, 4 } },
    { "tie with head", { 10, 10 }, 2, { 0, 1 } },
    { "tie behind later", { 30, 10, 30 }, 3, { 1, 0, 2 } },
};

static void test_fire_in_deadline_order(void **state)
{
    for (size_t c = 0; c < ARRAY_SIZE(order_cases); c++) {
        struct timer *t = tm;
        s_time_t earliest = NO_PROGRAM, latest = 0;

        setup(state);
        for (unsigned int i = 0; i < order_cases[c].n; i++) {
            s_time_t d = order_cases[c].deadline[i];

            timer_init(&t[i], log_fired, ID(i), 0);
            timer_set(&t[i], d);
            earliest = d < earliest ? d : earliest;
            latest = d > latest ? d : latest;
            if (hw[0] != earliest)
                fail_msg("%s: after arming %u, hardware at %llu, earliest %llu",
                         order_cases[c].name, i, (unsigned long long)hw[0],
                         (unsigned long long)earliest);
        }
        assert_int_equal(timer_pending(0), order_cases[c].n);
        fake_now = latest;
        timer_run_expired();
        check_fired(order_cases[c].order, order_cases[c].n);
        assert_int_equal(timer_pending(0), 0);
        assert_int_equal(hw[0], 0);
        for (unsigned int i = 0; i < order_cases[c].n; i++)
            assert_false(t[i].active);
    }
}

/* Arming a timer behind the head leaves the hardware alone. */
static void test_later_timer_does_not_reprogram(void **state)
{
    struct timer *a = &tm[0], *b = &tm[1];

    (void)state;
    timer_init(a, log_fired, ID(0), 0);
    timer_init(b, log_fired, ID(1), 0);
    timer_set(a, 100);
    assert_int_equal(programs, 1);
    timer_set(b, 200);
    assert_int_equal(programs, 1);
    assert_int_equal(hw[0], 100);
    timer_stop(a);
    timer_stop(b);
}

/* ---- re-arming --------------------------------------------------------- */

static void test_rearm_moves_timer(void **state)
{
    struct timer *t = tm;
    static const unsigned int expect[] = { 2, 1, 0 };

    (void)state;
    for (unsigned int i = 0; i < 3; i++) {
        timer_init(&t[i], log_fired, ID(i), 0);
        timer_set(&t[i], 10 * (i + 1));            /* 10, 20, 30 */
    }
    assert_int_equal(hw[0], 10);

    /* Move the last one to the front. */
    timer_set(&t[2], 5);
    assert_int_equal(hw[0], 5);
    /* Move the middle one later, still not last. */
    timer_set(&t[1], 25);
    assert_int_equal(hw[0], 5);
    /* Move the first one to the back. */
    timer_set(&t[0], 40);
    assert_int_equal(timer_pending(0), 3);
    assert_true(t[0].active && t[1].active && t[2].active);
    assert_int_equal(t[0].expires, 40);

    fake_now = 100;
    timer_run_expired();
    check_fired(expect, 3);
    assert_int_equal(timer_pending(0), 0);
}

/*
 * Moving the head behind another timer must reprogram the hardware for the
 * new head: it is always armed for the earliest pending deadline.
 */
static void test_rearm_head_later_reprograms(void **state)
{
    struct timer *a = &tm[0], *b = &tm[1];

    (void)state;
    timer_init(a, log_fired, ID(0), 0);
    timer_init(b, log_fired, ID(1), 0);
    timer_set(a, 10);
    timer_set(b, 20);
    assert_int_equal(hw[0], 10);
    timer_set(a, 30);
    assert_int_equal(hw[0], 20);
    /* Head moved later but stays head. */
    timer_set(b, 25);
    assert_int_equal(hw[0], 25);
    /* Re-armed to its own deadline: nothing changes. */
    timer_set(b, 25);
    assert_int_equal(hw[0], 25);
    assert_int_equal(timer_pending(0), 2);
    timer_stop(a);
    timer_stop(b);
}

/* ---- stopping ---------------------------------------------------------- */

static void test_stop(void **state)
{
    struct timer *t = tm;

    (void)state;
    for (unsigned int i = 0; i < 3; i++) {
        timer_init(&t[i], log_fired, ID(i), 0);
        timer_set(&t[i], 10 * (i + 1));
    }
    /* Middle: the hardware is left alone. */
    programs = 0;
    timer_stop(&t[1]);
    assert_false(t[1].active);
    assert_int_equal(timer_pending(0), 2);
    assert_int_equal(programs, 0);
    assert_int_equal(hw[0], 10);
    /* Head: the hardware moves to the next one. */
    timer_stop(&t[0]);
    assert_int_equal(hw[0], 30);
    assert_int_equal(timer_pending(0), 1);
    /* Last: the hardware is stopped. */
    timer_stop(&t[2]);
    assert_int_equal(hw[0], 0);
    assert_int_equal(timer_pending(0), 0);

    fake_now = 100;
    timer_run_expired();
    assert_int_equal(nr_fired, 0);
}

static void test_stop_inactive_is_harmless(void **state)
{
    struct timer *never = &tm[0], *stopped = &tm[1], *other = &tm[2];

    (void)state;
    timer_init(never, log_fired, ID(0), 0);
    timer_init(stopped, log_fired, ID(1), 0);
    timer_init(other, log_fired, ID(2), 0);
    timer_set(other, 50);
    timer_set(stopped, 60);
    timer_stop(stopped);

    programs = 0;
    timer_stop(never);
    timer_stop(stopped);
    timer_stop(stopped);
    assert_int_equal(programs, 0);
    assert_int_equal(timer_pending(0), 1);
    assert_int_equal(hw[0], 50);

    /* Stopped timers can be armed again. */
    timer_set(stopped, 40);
    assert_int_equal(hw[0], 40);
    assert_int_equal(timer_pending(0), 2);
    timer_stop(stopped);
    timer_stop(other);
}

/* ---- running ----------------------------------------------------------- */

static void test_run_only_expired(void **state)
{
    struct timer *t = tm;
    static const unsigned int first[] = { 0, 1 }, all[] = { 0, 1, 2 };

    (void)state;
    for (unsigned int i = 0; i < 3; i++) {
        timer_init(&t[i], log_fired, ID(i), 0);
        timer_set(&t[i], 10 * (i + 1));
    }
    /* Early interrupt: nothing due, the hardware is re-armed. */
    fake_now = 9;
    timer_run_expired();
    assert_int_equal(nr_fired, 0);
    assert_int_equal(hw[0], 10);
    /* A deadline equal to now is due; later ones are not. */
    fake_now = 20;
    timer_run_expired();
    check_fired(first, 2);
    assert_int_equal(timer_pending(0), 1);
    assert_true(t[2].active);
    assert_false(t[0].active || t[1].active);
    assert_int_equal(hw[0], 30);
    /* Nothing more at the same time. */
    timer_run_expired();
    assert_int_equal(nr_fired, 2);
    fake_now = 1000;
    timer_run_expired();
    check_fired(all, 3);
    assert_int_equal(hw[0], 0);
}

static void test_run_empty_queue(void **state)
{
    (void)state;
    fake_now = 1000;
    timer_run_expired();
    assert_int_equal(nr_fired, 0);
    assert_int_equal(programs, 1);
    assert_int_equal(hw[0], 0);
}

/* A deadline already past goes to the head; the next run fires it. */
static void test_past_deadline(void **state)
{
    struct timer *late = &tm[0], *future = &tm[1];
    static const unsigned int expect[] = { 0 };

    (void)state;
    fake_now = 1000;
    timer_init(future, log_fired, ID(1), 0);
    timer_init(late, log_fired, ID(0), 0);
    timer_set(future, 2000);
    timer_set(late, 500);
    assert_int_equal(hw[0], 500);
    timer_run_expired();
    check_fired(expect, 1);
    assert_int_equal(hw[0], 2000);
    timer_stop(future);
}

/* A periodic timer: its handler re-arms it one period after its deadline. */
struct periodic {
    struct timer *t;
    s_time_t period;
    unsigned int runs, limit;
};

static void periodic_fn(void *data)
{
    struct periodic *p = data;

    assert_false(p->t->active);
    p->runs++;
    if (p->runs < p->limit)
        timer_set(p->t, p->t->expires + p->period);
}

static void test_handler_rearms_itself(void **state)
{
    struct periodic p = { .t = &tm[0], .period = 10, .limit = 5 };

    (void)state;
    timer_init(p.t, periodic_fn, &p, 0);
    timer_set(p.t, 10);
    fake_now = 15;
    timer_run_expired();
    assert_int_equal(p.runs, 1);
    assert_true(p.t->active);
    assert_int_equal(hw[0], 20);
    /* Behind by three periods: it catches up in one run. */
    fake_now = 45;
    timer_run_expired();
    assert_int_equal(p.runs, 4);
    assert_int_equal(hw[0], 50);
    assert_int_equal(timer_pending(0), 1);
    /* The last run does not re-arm. */
    fake_now = 50;
    timer_run_expired();
    assert_int_equal(p.runs, 5);
    assert_false(p.t->active);
    assert_int_equal(hw[0], 0);
}

/* A handler may stop another expired timer before it runs. */
static struct timer *victim;

static void stop_victim(void *data)
{
    log_fired(data);
    timer_stop(victim);
}

static void test_handler_stops_other_timer(void **state)
{
    struct timer *killer = &tm[0], *target = &tm[1], *later = &tm[2];
    static const unsigned int expect[] = { 0 };

    (void)state;
    timer_init(killer, stop_victim, ID(0), 0);
    timer_init(target, log_fired, ID(1), 0);
    timer_init(later, log_fired, ID(2), 0);
    victim = target;
    timer_set(killer, 10);
    timer_set(target, 20);
    timer_set(later, 100);
    fake_now = 50;
    timer_run_expired();
    check_fired(expect, 1);
    assert_false(target->active);
    assert_int_equal(timer_pending(0), 1);
    assert_int_equal(hw[0], 100);
    timer_stop(later);
}

/* ---- per-CPU queues ---------------------------------------------------- */

static void test_queues_are_per_cpu(void **state)
{
    struct timer *t0 = &tm[0], *t1 = &tm[1];
    static const unsigned int expect0[] = { 0 }, expect1[] = { 0, 1 };

    (void)state;
    timer_init(t0, log_fired, ID(0), 0);
    timer_init(t1, log_fired, ID(1), 1);
    timer_set(t0, 20);
    fake_cpu = 1;
    timer_set(t1, 10);
    assert_int_equal(hw[1], 10);
    assert_int_equal(hw[0], 20);
    assert_int_equal(timer_pending(0), 1);
    assert_int_equal(timer_pending(1), 1);

    /* CPU 0 runs only its own queue, though CPU 1's timer is due too. */
    fake_cpu = 0;
    fake_now = 30;
    timer_run_expired();
    check_fired(expect0, 1);
    assert_int_equal(timer_pending(1), 1);
    fake_cpu = 1;
    timer_run_expired();
    check_fired(expect1, 2);
    assert_int_equal(hw[1], 0);
}

/* Stopping another CPU's timer dequeues it without touching our hardware. */
static void test_stop_from_other_cpu(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    fake_cpu = 3;
    timer_init(t, log_fired, ID(0), 3);
    timer_set(t, 10);
    fake_cpu = 0;
    programs = 0;
    timer_stop(t);
    assert_false(t->active);
    assert_int_equal(timer_pending(3), 0);
    assert_int_equal(programs, 0);
    assert_int_equal(hw[0], NO_PROGRAM);
}

static void test_init_last_cpu(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    fake_cpu = TIMER_CPUS - 1;
    timer_init(t, log_fired, ID(0), TIMER_CPUS - 1);
    assert_false(t->active);
    assert_int_equal(t->cpu, TIMER_CPUS - 1);
    timer_set(t, 10);
    assert_int_equal(timer_pending(TIMER_CPUS - 1), 1);
    timer_stop(t);
}

/* ---- migration and kill ------------------------------------------------ */

/* An idle timer moves to any CPU and is then armed there. */
static void test_migrate_inactive(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    timer_init(t, log_fired, ID(0), 2);
    timer_migrate(t, 5);
    assert_int_equal(t->cpu, 5);
    assert_false(t->active);
    assert_int_equal(programs, 0);
    fake_cpu = 5;
    timer_set(t, 10);
    assert_int_equal(timer_pending(5), 1);
    assert_int_equal(hw[5], 10);
    timer_stop(t);
}

/*
 * An armed timer pulled to the caller's CPU leaves the old queue and joins
 * the new one in deadline order; the caller's hardware is reprogrammed
 * only if it became the head.
 */
static void test_migrate_active_behind_head(void **state)
{
    static const unsigned int expect[] = { 1, 0 };

    (void)state;
    fake_cpu = 1;
    timer_init(&tm[0], log_fired, ID(0), 1);
    timer_set(&tm[0], 100);
    fake_cpu = 0;
    timer_init(&tm[1], log_fired, ID(1), 0);
    timer_set(&tm[1], 50);
    programs = 0;
    timer_migrate(&tm[0], 0);
    assert_int_equal(tm[0].cpu, 0);
    assert_true(tm[0].active);
    assert_int_equal(timer_pending(1), 0);
    assert_int_equal(timer_pending(0), 2);
    assert_int_equal(programs, 0);
    assert_int_equal(hw[0], 50);
    /* The old CPU's interrupt (still programmed for 100) finds nothing. */
    fake_now = 100;
    fake_cpu = 1;
    timer_run_expired();
    assert_int_equal(nr_fired, 0);
    assert_int_equal(hw[1], 0);
    fake_cpu = 0;
    timer_run_expired();
    check_fired(expect, 2);
}

static void test_migrate_active_becomes_head(void **state)
{
    (void)state;
    fake_cpu = 0;
    timer_init(&tm[1], log_fired, ID(1), 0);
    timer_set(&tm[1], 500);
    fake_cpu = 7;
    timer_init(&tm[0], log_fired, ID(0), 7);
    timer_set(&tm[0], 20);
    fake_cpu = 0;
    timer_migrate(&tm[0], 0);
    assert_int_equal(hw[0], 20);
    assert_int_equal(timer_pending(7), 0);
    fake_now = 20;
    timer_run_expired();
    assert_int_equal(nr_fired, 1);
    assert_int_equal(fired[0], 0);
    assert_int_equal(hw[0], 500);
    timer_stop(&tm[1]);
}

static void test_migrate_same_cpu_is_noop(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    timer_init(t, log_fired, ID(0), 0);
    timer_set(t, 30);
    programs = 0;
    timer_migrate(t, 0);
    assert_true(t->active);
    assert_int_equal(timer_pending(0), 1);
    assert_int_equal(programs, 0);
    timer_stop(t);
}

/* Stopping works from any CPU once the timer has moved. */
static void test_stop_after_migrate(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    fake_cpu = 4;
    timer_init(t, log_fired, ID(0), 0);
    timer_migrate(t, 4);
    timer_set(t, 40);
    fake_cpu = 9;
    timer_stop(t);
    assert_false(t->active);
    assert_int_equal(timer_pending(4), 0);
}

/* A handler may move its own (now idle) timer elsewhere. */
static void migrate_self_fn(void *data)
{
    struct timer *t = data;

    log_fired(ID(7));
    timer_migrate(t, 3);
}

static void test_handler_migrates_itself(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    timer_init(t, migrate_self_fn, t, 0);
    timer_set(t, 5);
    fake_now = 5;
    timer_run_expired();
    assert_int_equal(nr_fired, 1);
    assert_int_equal(t->cpu, 3);
    assert_false(t->active);
    fake_cpu = 3;
    timer_set(t, 50);
    assert_int_equal(timer_pending(3), 1);
    timer_stop(t);
}

static void test_migrate_active_elsewhere_is_bug(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    timer_init(t, log_fired, ID(0), 0);
    timer_set(t, 10);
    expect_bug(timer_migrate(t, 3));
    /* Nothing moved, and both queues' locks were dropped. */
    assert_int_equal(t->cpu, 0);
    assert_int_equal(timer_pending(0), 1);
    timer_stop(t);
    fake_cpu = 3;
    timer_init(&tm[1], log_fired, ID(1), 3);
    timer_set(&tm[1], 10);
    timer_stop(&tm[1]);
}

static void test_migrate_bad_cpu_is_bug(void **state)
{
    (void)state;
    timer_init(&tm[0], log_fired, ID(0), 0);
    expect_bug(timer_migrate(&tm[0], TIMER_CPUS));
    assert_int_equal(tm[0].cpu, 0);
}

static void test_kill(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    timer_init(t, log_fired, ID(0), 0);
    timer_kill(t);                  /* never armed */
    timer_set(t, 10);
    timer_kill(t);
    assert_false(t->active);
    assert_int_equal(timer_pending(0), 0);
    fake_now = 10;
    timer_run_expired();
    assert_int_equal(nr_fired, 0);
}

/* Killing a timer from its own handler would wait for itself forever. */
static void kill_self_fn(void *data)
{
    log_fired(ID(0));
    expect_bug(timer_kill(data));
}

static void test_kill_from_own_handler_is_bug(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    timer_init(t, kill_self_fn, t, 0);
    timer_set(t, 1);
    fake_now = 1;
    timer_run_expired();
    assert_int_equal(nr_fired, 1);
    /* Another timer's handler may kill it. */
    timer_init(&tm[1], log_fired, ID(1), 0);
    timer_set(&tm[1], 100);
    timer_kill(&tm[1]);
    assert_int_equal(timer_pending(0), 0);
}

/* ---- errors ------------------------------------------------------------ */

static void test_set_for_other_cpu_is_bug(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    timer_init(t, log_fired, ID(0), 1);
    expect_bug(timer_set(t, 10));
    assert_false(t->active);
    assert_int_equal(timer_pending(0), 0);
    assert_int_equal(timer_pending(1), 0);
    assert_int_equal(programs, 0);
}

static void test_init_bad_cpu_is_bug(void **state)
{
    struct timer *t = &tm[0];

    (void)state;
    expect_bug(timer_init(t, log_fired, ID(0), TIMER_CPUS));
    expect_bug(timer_init(t, log_fired, ID(0), ~0U));
}

/* Deadline 0 is in the past, yet must not read as "stop" to the hardware hook. */
static void test_zero_deadline_still_programs(void **state)
{
    (void)state;
    fake_now = 100;
    timer_init(&tm[0], log_fired, ID(0), 0);
    timer_set(&tm[0], 0);
    assert_true(hw[0] != 0 && hw[0] != NO_PROGRAM);
    assert_true(hw[0] <= fake_now);
    timer_run_expired();
    assert_int_equal(nr_fired, 1);
    assert_int_equal(timer_pending(0), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_fire_in_deadline_order),
        T(test_later_timer_does_not_reprogram),
        T(test_rearm_moves_timer),
        T(test_rearm_head_later_reprograms),
        T(test_stop),
        T(test_stop_inactive_is_harmless),
        T(test_run_only_expired),
        T(test_run_empty_queue),
        T(test_past_deadline),
        T(test_zero_deadline_still_programs),
        T(test_handler_rearms_itself),
        T(test_handler_stops_other_timer),
        T(test_queues_are_per_cpu),
        T(test_stop_from_other_cpu),
        T(test_init_last_cpu),
        T(test_set_for_other_cpu_is_bug),
        T(test_init_bad_cpu_is_bug),
        T(test_migrate_inactive),
        T(test_migrate_active_behind_head),
        T(test_migrate_active_becomes_head),
        T(test_migrate_same_cpu_is_noop),
        T(test_stop_after_migrate),
        T(test_handler_migrates_itself),
        T(test_migrate_active_elsewhere_is_bug),
        T(test_migrate_bad_cpu_is_bug),
        T(test_kill),
        T(test_kill_from_own_handler_is_bug),
    };
#undef T

    return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
