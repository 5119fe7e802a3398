/* SPDX-License-Identifier: MIT */
/*
 * Guest timers (Xen 4.17's VCPUOP_*_timer in common/domain.c and
 * set_timer_op, periodic and singleshot handling in common/sched/core.c,
 * errno for errno). Both raise VIRQ_TIMER on their vCPU; a blocked vCPU is
 * woken by the event (send_guest_vcpu_virq() kicks it).
 *
 * Singleshot: one absolute deadline in system time, set and stopped by the
 * vCPU itself. A deadline already passed fires at once (the hardware timer
 * is programmed for the past), unless VCPU_SSHOTTMR_future asks for -ETIME
 * instead. A deadline with bit 63 set is negative to Xen's signed s_time_t
 * and so fires at once too, and is not "in the past" for the -ETIME test
 * (Xen compares it unsigned). set_timer_op(t) is a singleshot at t, 0
 * stops it, and a deadline that is negative or 2^50 ns (13 days) or more
 * ahead becomes now + 100 ms (Xen's workaround for old Linux jiffies).
 *
 * Periodic: a tick every period (1 ms .. INT64_MAX ns, else -EINVAL; Xen
 * does not clamp) while the vCPU runs. As in Xen, it does not tick while
 * the vCPU is descheduled (blocked included): when the vCPU is switched in
 * again it gets one tick if one fell due meanwhile, and the next a period
 * after that; ticks are counted from when they were sent, so they drift by
 * the delivery latency, as Xen's do. A PV vCPU starts with a 10 ms period,
 * counted from system time 0 (so its first switch-in ticks at once; the
 * event is dropped unless VIRQ_TIMER is bound); Linux stops it.
 *
 * Where the timers live: timer_set() arms only the calling CPU's queue,
 * and both timers belong on the CPU their vCPU runs on, so
 * vcpu_timers_follow(), called on every switch-in, pulls them there. The
 * singleshot stays armed when the vCPU is switched out (it must wake a
 * blocked vCPU); it fires on the old CPU and the event finds the vCPU
 * wherever it is. The periodic timer is not stopped at switch-out (there
 * is no hook for it); instead its handler does nothing unless its vCPU is
 * the one running on that CPU, and the next switch-in re-arms it.
 *
 * Known difference: VCPUOP_set_periodic_timer on another vCPU that is
 * running on another CPU at that moment records the period and stops the
 * old timer, but the new one starts only when that vCPU is next switched
 * in (Xen arms it at once on the vCPU's CPU). Linux sets and stops only
 * its own vCPU's periodic timer.
 *
 * pvclock: every CPU that runs vCPUs refreshes the running vCPU's
 * vcpu_time_info once a second (Xen's calibration tick does the same), on
 * top of the refresh at every switch-in (arch code).
 *
 * Locks: struct vcpu_timers.lock guards a vCPU's timer state and is the
 * outer lock to the timer queues' locks; it is taken with interrupts off
 * (timer handlers take it from the timer interrupt). VIRQ_TIMER is raised
 * after dropping it, so event-channel and scheduler locks never nest
 * inside it. The per-CPU refresh state is touched only by its own CPU,
 * with interrupts off.
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/vcpu.h>
#include <keel/vcpu_timer.h>
#include <public/vcpu.h>
#include <public/xen.h>

#define MIN_PERIOD          MILLISECS(1)
#define MAX_PERIOD          ((s_time_t)INT64_MAX)   /* Xen's STIME_DELTA_MAX */
#define HUGE_TIMEOUT_SHIFT  50                      /* 2^50 ns, about 13 days */
#define HUGE_TIMEOUT_DELAY  MILLISECS(100)
#define REFRESH_PERIOD      MILLISECS(1000)
#define REFRESH_CPUS        64                      /* timer.c's queues */

static struct timer refresh_timer[REFRESH_CPUS];
static bool refresh_ready[REFRESH_CPUS];    /* timer initialised; own CPU only */
static bool refresh_armed[REFRESH_CPUS];    /* timer armed; own CPU only */

/* A deadline Xen's signed system time reads as negative: long past. */
static bool deadline_negative(uint64_t t)
{
    return (int64_t)t < 0;
}

static void singleshot_fn(void *data)
{
    send_guest_vcpu_virq(data, VIRQ_TIMER);
}

/*
 * The periodic timer's work for v, running on this CPU: tick if one is
 * due, and arm the next one here. Lock held, period != 0. Returns whether
 * to raise VIRQ_TIMER (after unlocking).
 */
static bool periodic_work(struct vcpu *v)
{
    struct vcpu_timers *vt = &v->timers;
    s_time_t t = now(), next = vt->last_tick + vt->period;
    bool tick = false;

    if (t >= next) {
        tick = true;
        vt->last_tick = t;
        next = t + vt->period;
    }
    timer_migrate(&vt->periodic, arch_cpu_id());
    timer_set(&vt->periodic, next);
    return tick;
}

static void periodic_fn(void *data)
{
    struct vcpu *v = data;
    struct vcpu_timers *vt = &v->timers;
    unsigned long flags = spin_lock_irqsave(&vt->lock);
    bool tick = false;

    /* Not running here: it is switched out, and its switch-in re-arms. */
    if (!vt->dead && vt->period && current_vcpu() == v)
        tick = periodic_work(v);
    spin_unlock_irqrestore(&vt->lock, flags);
    if (tick)
        send_guest_vcpu_virq(v, VIRQ_TIMER);
}

/* Set up v's timers on first use. Lock held. */
static void timers_ready(struct vcpu *v)
{
    struct vcpu_timers *vt = &v->timers;

    if (vt->ready || vt->dead)
        return;
    timer_init(&vt->singleshot, singleshot_fn, v, v->processor);
    timer_init(&vt->periodic, periodic_fn, v, v->processor);
    vt->period = VCPU_DEFAULT_PERIOD;
    vt->last_tick = 0;
    vt->ready = true;
}

/* Arm v's singleshot for deadline on this CPU; v is the caller. */
static void singleshot_arm(struct vcpu *v, s_time_t deadline)
{
    struct vcpu_timers *vt = &v->timers;
    unsigned long flags = spin_lock_irqsave(&vt->lock);

    timers_ready(v);
    timer_migrate(&vt->singleshot, arch_cpu_id());
    timer_set(&vt->singleshot, deadline);
    spin_unlock_irqrestore(&vt->lock, flags);
}

static void singleshot_stop(struct vcpu *v)
{
    struct vcpu_timers *vt = &v->timers;
    unsigned long flags = spin_lock_irqsave(&vt->lock);

    if (vt->ready)
        timer_stop(&vt->singleshot);
    spin_unlock_irqrestore(&vt->lock, flags);
}

static long set_singleshot(struct vcpu *v, unsigned long arg)
{
    struct vcpu_set_singleshot_timer set;

    /* Xen's order: the vCPU check comes before reading the argument. */
    if (v != current_vcpu())
        return -EINVAL;
    if (copy_from_guest(&set, arg, sizeof(set)))
        return -EFAULT;
    if ((set.flags & VCPU_SSHOTTMR_future) && set.timeout_abs_ns < now())
        return -ETIME;
    singleshot_arm(v, deadline_negative(set.timeout_abs_ns) ? 0 : set.timeout_abs_ns);
    return 0;
}

/* Set (period != 0) or stop v's periodic timer. */
static void set_periodic(struct vcpu *v, s_time_t period)
{
    struct vcpu_timers *vt = &v->timers;
    unsigned long flags = spin_lock_irqsave(&vt->lock);
    bool tick = false;

    timers_ready(v);
    if (vt->ready && !vt->dead) {
        timer_stop(&vt->periodic);
        vt->period = period;
        /* As Xen: last_tick stays, so a tick overdue by the new period comes now. */
        if (period && v == current_vcpu())
            tick = periodic_work(v);
    }
    spin_unlock_irqrestore(&vt->lock, flags);
    if (tick)
        send_guest_vcpu_virq(v, VIRQ_TIMER);
}

long vcpu_timer_op(int cmd, struct vcpu *v, unsigned long arg)
{
    struct vcpu_set_periodic_timer per;

    switch (cmd) {
    case VCPUOP_set_periodic_timer:
        if (copy_from_guest(&per, arg, sizeof(per)))
            return -EFAULT;
        if (per.period_ns < MIN_PERIOD || per.period_ns > MAX_PERIOD)
            return -EINVAL;
        set_periodic(v, per.period_ns);
        return 0;
    case VCPUOP_stop_periodic_timer:
        set_periodic(v, 0);
        return 0;
    case VCPUOP_set_singleshot_timer:
        return set_singleshot(v, arg);
    case VCPUOP_stop_singleshot_timer:
        if (v != current_vcpu())
            return -EINVAL;
        singleshot_stop(v);
        return 0;
    default:
        return -ENOSYS;
    }
}

/* set_timer_op(timeout): Xen passes the 64-bit deadline in one register. */
long do_set_timer_op(unsigned long timeout, unsigned long unused2, unsigned long unused3,
                     unsigned long unused4, unsigned long unused5)
{
    struct vcpu *v = current_vcpu();
    s_time_t t = now();

    (void)unused2, (void)unused3, (void)unused4, (void)unused5;
    if (!timeout) {
        singleshot_stop(v);
    } else if (deadline_negative(timeout) ||
               (timeout > t && ((timeout - t) >> HUGE_TIMEOUT_SHIFT) != 0)) {
        singleshot_arm(v, t + HUGE_TIMEOUT_DELAY);
    } else {
        singleshot_arm(v, timeout);
    }
    return 0;
}

/* Once a second on each CPU running a vCPU: fresh pvclock fields for it. */
static void refresh_fn(void *unused)
{
    unsigned int cpu = arch_cpu_id();
    struct vcpu *v = current_vcpu();

    (void)unused;
    if (!v) {
        /* Idle: the next switch-in refreshes and re-arms. */
        refresh_armed[cpu] = false;
        return;
    }
    arch_update_vcpu_time(v);
    timer_set(&refresh_timer[cpu], now() + REFRESH_PERIOD);
}

static void refresh_start(void)
{
    unsigned int cpu = arch_cpu_id();

    if (cpu >= REFRESH_CPUS || refresh_armed[cpu])
        return;
    if (!refresh_ready[cpu]) {
        timer_init(&refresh_timer[cpu], refresh_fn, NULL, cpu);
        refresh_ready[cpu] = true;
    }
    refresh_armed[cpu] = true;
    timer_set(&refresh_timer[cpu], now() + REFRESH_PERIOD);
}

void vcpu_timers_follow(struct vcpu *v)
{
    struct vcpu_timers *vt = &v->timers;
    unsigned long flags = spin_lock_irqsave(&vt->lock);
    bool tick = false;

    ASSERT(v->processor == arch_cpu_id());
    timers_ready(v);
    if (vt->ready && !vt->dead) {
        timer_migrate(&vt->singleshot, v->processor);
        if (vt->period)
            tick = periodic_work(v);
        else
            timer_migrate(&vt->periodic, v->processor);
    }
    spin_unlock_irqrestore(&vt->lock, flags);
    if (tick)
        send_guest_vcpu_virq(v, VIRQ_TIMER);
    refresh_start();
}

void vcpu_timers_destroy(struct vcpu *v)
{
    struct vcpu_timers *vt = &v->timers;
    unsigned long flags = spin_lock_irqsave(&vt->lock);
    bool ready = vt->ready;

    vt->dead = true;
    vt->period = 0;
    spin_unlock_irqrestore(&vt->lock, flags);
    /* Dead: neither handler re-arms, nothing else arms them any more. */
    if (ready) {
        timer_kill(&vt->singleshot);
        timer_kill(&vt->periodic);
    }
}
