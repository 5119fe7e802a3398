/* SPDX-License-Identifier: MIT */
/*
 * fairness: the credit scheduler's shares, measured from inside dom0.
 *
 * Module arguments: "pcpus=P" (the physical CPUs Keel runs on) and
 * "cap=C" (dom0_cap= given to Keel; 0 or absent: no cap). Every vCPU of
 * dom0 (dom0_max_vcpus=) comes up and spins, counting loops; after a
 * warm-up, vCPU 0 takes every vCPU's runstate (VCPUOP_get_runstate_info)
 * and the system time, spins on for INTERVAL, and takes them again.
 * Printed per vCPU: running and runnable time over the interval, its
 * share of the domain's running time, and its loop count (TCG's thread
 * scheduling on the host moves that one; it is not checked).
 *
 * Checked, with bounds loose enough for QEMU TCG:
 *  - fair: each vCPU's running time is within 20% of the mean;
 *  - no time lost: each vCPU is running or runnable for the whole
 *    interval (within 5%: no blocked or offline time while it spins);
 *  - uncapped, work-conserving: the domain runs at least 80% of
 *    min(vCPUs, P) CPUs' worth of the interval, never more than P;
 *  - capped: the domain runs at most C% of one CPU (+ 5 points of
 *    slack for the period at each end) and at least C - 15 points.
 */
#include "guest.h"
#include "mm.h"
#include "smp.h"
#include "test.h"

#define MS(n)       ((uint64_t)(n) * 1000000ULL)
#define WARM_UP     MS(300)
#define INTERVAL    MS(4000)
#define FAIR_PCT    20      /* each vCPU's running time within this % of the mean */
#define LOST_PCT    5       /* running + runnable within this % of the interval */
#define BUSY_PCT    80      /* uncapped: this % of the CPUs the vCPUs can use */
#define CAP_OVER    5       /* capped: this many points over the cap at most */
#define CAP_UNDER   15      /* capped: and this many under at most */

static volatile bool stop;
static volatile unsigned long loops[SMP_MAX_VCPUS];

static void spin(void *arg)
{
    unsigned int me = smp_id();

    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        loops[me]++;
        asm volatile("pause");
    }
}

/* vCPU 0's spin: the same loop, until system time @until. */
static void spin_until(uint64_t until)
{
    while (smp_clock_ns() < until)
        loops[0]++;
}

static void snapshot(unsigned int nr, struct vcpu_runstate_info *r, unsigned long *l)
{
    for (unsigned int id = 0; id < nr; id++) {
        l[id] = loops[id];
        memset(&r[id], 0, sizeof(r[id]));
        expect_eq(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, id, &r[id]), 0);
    }
}

static unsigned long ms(uint64_t ns)
{
    return (unsigned long)(ns / 1000000ULL);
}

/* x / y in tenths of a percent, for printing. */
static unsigned long permille(uint64_t x, uint64_t y)
{
    return y ? (unsigned long)(x * 1000 / y) : 0;
}

void guest_main(void)
{
    struct vcpu_runstate_info a[SMP_MAX_VCPUS], b[SMP_MAX_VCPUS];
    unsigned long la[SMP_MAX_VCPUS], lb[SMP_MAX_VCPUS];
    unsigned int pcpus = guest_arg_uint("pcpus", 0), cap = guest_arg_uint("cap", 0);
    unsigned int nr = smp_init(), online;
    uint64_t ran[SMP_MAX_VCPUS], total = 0, mean, wall, t0, t1;

    if (!pcpus)
        test_fail(guest_name, "no pcpus=N module argument");
    online = smp_bring_up_all();
    expect_eq(online, nr);
    printf("fairness: %u vCPUs on %u physical CPU%s, cap %u%%\n", nr, pcpus,
           pcpus == 1 ? "" : "s", cap);

    stop = false;
    for (unsigned int id = 1; id < nr; id++)
        smp_call(id, spin, NULL);
    spin_until(smp_clock_ns() + WARM_UP);
    t0 = smp_clock_ns();
    snapshot(nr, a, la);
    spin_until(t0 + INTERVAL);
    snapshot(nr, b, lb);
    t1 = smp_clock_ns();
    __atomic_store_n(&stop, true, __ATOMIC_RELEASE);
    for (unsigned int id = 1; id < nr; id++)
        smp_wait(id);
    wall = t1 - t0;

    for (unsigned int id = 0; id < nr; id++) {
        ran[id] = b[id].time[RUNSTATE_running] - a[id].time[RUNSTATE_running];
        total += ran[id];
    }
    mean = total / nr;
    for (unsigned int id = 0; id < nr; id++) {
        uint64_t waited = b[id].time[RUNSTATE_runnable] - a[id].time[RUNSTATE_runnable];
        uint64_t other = (b[id].time[RUNSTATE_blocked] - a[id].time[RUNSTATE_blocked]) +
                         (b[id].time[RUNSTATE_offline] - a[id].time[RUNSTATE_offline]);
        uint64_t seen = ran[id] + waited;

        printf("fairness: vCPU %u ran %lu ms, runnable %lu ms, other %lu ms of %lu ms; "
               "share %lu.%lu%% of the domain; %lu loops\n",
               id, ms(ran[id]), ms(waited), ms(other), ms(wall), permille(ran[id], total) / 10,
               permille(ran[id], total) % 10, lb[id] - la[id]);
        check(ran[id] * 100 >= mean * (100 - FAIR_PCT) && ran[id] * 100 <= mean * (100 + FAIR_PCT),
              "vCPU %u ran %lu ms, the mean is %lu ms: outside +-%u%%", id, ms(ran[id]), ms(mean),
              FAIR_PCT);
        check(seen * 100 >= wall * (100 - LOST_PCT) && seen * 100 <= wall * (100 + LOST_PCT),
              "vCPU %u: running + runnable %lu ms over %lu ms (it never blocks)", id, ms(seen),
              ms(wall));
    }
    printf("fairness: the domain ran %lu ms in %lu ms: %lu.%lu%% of one CPU\n", ms(total),
           ms(wall), permille(total, wall) / 10, permille(total, wall) % 10);

    if (cap) {
        check(total * 100 <= wall * (cap + CAP_OVER),
              "capped at %u%%, the domain ran %lu.%lu%% of one CPU", cap,
              permille(total, wall) / 10, permille(total, wall) % 10);
        check(total * 100 + wall * CAP_UNDER >= wall * cap,
              "capped at %u%%, the domain ran only %lu.%lu%% of one CPU", cap,
              permille(total, wall) / 10, permille(total, wall) % 10);
    } else {
        unsigned int usable = nr < pcpus ? nr : pcpus;

        check(total * 100 >= wall * usable * BUSY_PCT,
              "the domain ran %lu ms of %u CPUs x %lu ms: CPUs idle while vCPUs waited",
              ms(total), usable, ms(wall));
        check(total <= wall * pcpus + MS(1) * nr,
              "the domain ran %lu ms, more than %u CPUs x %lu ms", ms(total), pcpus, ms(wall));
    }
    smp_down_all();
}
