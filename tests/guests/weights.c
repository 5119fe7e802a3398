/* SPDX-License-Identifier: MIT */
/*
 * The credit scheduler's shares between two domains of different weights,
 * from inside dom0: on one CPU, dom0 (weight 256) and a domU it builds
 * (domu.c in burn mode, weight=W, default 512) both spin without
 * yielding; over 3 s the domU's running time over dom0's must be W / 256
 * (within 15%), as getdomaininfo's cpu_time reports it. Then the domU's
 * weight goes back to 256 and the split must be even, and a cap of 25%
 * on the domU must hold it to a quarter of the CPU (-8/+3 points).
 *
 * Booted alone (a time-sensitive scenario) with -smp 1.
 */
#define __XEN_TOOLS__ 1

#include "builder.h"
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "pvclock.h"
#include "test.h"

#define MEASURE_NS  3000000000ULL
#define DOM0_WEIGHT 256

static struct builder_domain domu;

static long set_params(domid_t domid, unsigned int weight, unsigned int cap)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_scheduler_op, .domain = domid };

    op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
    op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_putinfo;
    op.u.scheduler_op.u.credit.weight = (uint16_t)weight;
    op.u.scheduler_op.u.credit.cap = (uint16_t)cap;
    return builder_domctl(&op);
}

static uint64_t cpu_time(domid_t domid)
{
    struct xen_domctl_getdomaininfo info;
    long rc = builder_domain_info(domid, &info);

    check(rc == 0 && info.domain == domid, "getdomaininfo d%u: %ld%s", domid, rc,
          errno_name(rc));
    return rc ? 0 : info.cpu_time;
}

/* Spin for MEASURE_NS; the domU's and dom0's running time meanwhile. */
static void measure(uint64_t *domu_ns, uint64_t *dom0_ns)
{
    uint64_t u0 = cpu_time(domu.domid), d0 = cpu_time(0);
    uint64_t end = pvclock_ns(&vcpu0_info()->time) + MEASURE_NS;

    while (pvclock_ns(&vcpu0_info()->time) < end)
        asm volatile("pause");
    *domu_ns = cpu_time(domu.domid) - u0;
    *dom0_ns = cpu_time(0) - d0;
}

/* The domU's running time over dom0's must be want_pct / 100, within 15%. */
static void expect_ratio(const char *what, uint64_t want_pct)
{
    uint64_t u, d, pct;

    measure(&u, &d);
    pct = d ? u * 100 / d : 0;
    printf("weights: %s: domU ran %lu ms, dom0 %lu ms (%lu%%)\n", what,
           (unsigned long)(u / 1000000), (unsigned long)(d / 1000000), (unsigned long)pct);
    check(d > 0 && pct * 100 > want_pct * 85 && pct * 100 < want_pct * 115,
          "%s: domU/dom0 running time %lu/%lu ms, expected a ratio of %lu%%", what,
          (unsigned long)(u / 1000000), (unsigned long)(d / 1000000), (unsigned long)want_pct);
}

void guest_main(void)
{
    unsigned int weight = guest_arg_uint("weight", 512);
    const void *elf;
    size_t len;
    uint64_t u, d;
    long rc;

    if (!builder_guest_init(&elf, &len))
        return;
    rc = builder_build(&domu, elf, len, 8 * 1024, "mode=3");
    if (rc)
        return;
    check(set_params(0, DOM0_WEIGHT, 0) == 0, "dom0 weight");
    check(set_params(domu.domid, weight, 0) == 0, "domU weight %u", weight);
    check(builder_unpause(&domu) == 0, "unpause the domU");

    expect_ratio("weights 256 vs domU's", (uint64_t)weight * 100 / DOM0_WEIGHT);
    check(set_params(domu.domid, DOM0_WEIGHT, 0) == 0, "domU weight 256");
    expect_ratio("equal weights", 100);
    check(set_params(domu.domid, DOM0_WEIGHT, 25) == 0, "domU cap 25");
    measure(&u, &d);
    printf("weights: domU capped at 25%%: ran %lu ms of %lu\n", (unsigned long)(u / 1000000),
           (unsigned long)(MEASURE_NS / 1000000));
    check(u * 100 >= MEASURE_NS * 17 && u * 100 <= MEASURE_NS * 28,
          "capped domU ran %lu ms of %lu", (unsigned long)(u / 1000000),
          (unsigned long)(MEASURE_NS / 1000000));
    rc = builder_destroy(domu.domid);
    check(rc == 0, "destroy: %ld%s", rc, errno_name(rc));
}
