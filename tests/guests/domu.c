/* SPDX-License-Identifier: MIT */
/*
 * An unprivileged domain, built by another test guest (domains.c) with
 * lib/builder.c, never booted as dom0. Its command line picks what it
 * does (mode=N):
 *
 *   0 (hello)    its start of day as the builder promised it, and every
 *                control-domain power refused: domctl and sysctl -EPERM,
 *                mmu_update and mmuext_op for another domain -EPERM,
 *                reservation ops on dom0 refused, event channels of dom0
 *                -EPERM, console input -EPERM;
 *   1 (pingpong) rounds=N round trips with dom0 over its console event
 *                channel: send, wait for the answer, N times;
 *   2 (spin)     yields forever, until its builder destroys it.
 *
 * It reports by shutting down (test.h): power-off for PASS, crash for FAIL.
 */
#define __XEN_TOOLS__ 1

#include <public/domctl.h>
#include <public/sysctl.h>

#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "test.h"

enum { MODE_HELLO, MODE_PINGPONG, MODE_SPIN };

static void expect_errno(const char *what, long rc, long want)
{
    check(rc == want, "%s: got %ld%s, expected %ld%s", what, rc, errno_name(rc), want,
          errno_name(want));
}

static void hello(void)
{
    struct xen_domctl domctl = { .cmd = XEN_DOMCTL_getdomaininfo,
                                 .interface_version = XEN_DOMCTL_INTERFACE_VERSION };
    struct xen_sysctl sysctl = { .cmd = XEN_SYSCTL_physinfo,
                                 .interface_version = XEN_SYSCTL_INTERFACE_VERSION };
    unsigned long mine = mmu_mfn_of(_text);
    struct mmu_update u = { .ptr = ((uint64_t)mine << PAGE_SHIFT) | MMU_NORMAL_PT_UPDATE };
    struct mmuext_op pin = { .cmd = MMUEXT_PIN_L1_TABLE };
    xen_pfn_t frame = 0;
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = 0 };
    struct evtchn_alloc_unbound a = { .dom = 0, .remote_dom = DOMID_SELF };
    char c;

    check(!(start_info->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN)), "start_info flags %#x",
          (unsigned int)start_info->flags);
    check(start_info->store_mfn && mmu_owned(start_info->store_mfn), "store page %#lx not ours",
          (unsigned long)start_info->store_mfn);
    check(start_info->console.domU.mfn && mmu_owned(start_info->console.domU.mfn),
          "console page %#lx not ours", (unsigned long)start_info->console.domU.mfn);
    check(start_info->store_evtchn && start_info->console.domU.evtchn &&
          start_info->store_evtchn != start_info->console.domU.evtchn,
          "store/console ports %u/%u", start_info->store_evtchn,
          start_info->console.domU.evtchn);
    check(shared_info != NULL, "shared_info not mapped");

    expect_errno("domctl from a domU", HYPERVISOR_domctl(&domctl), -XEN_EPERM);
    expect_errno("sysctl from a domU", HYPERVISOR_sysctl(&sysctl), -XEN_EPERM);
    expect_errno("mmu_update for dom0's frames", HYPERVISOR_mmu_update(&u, 1, NULL, 0),
                 -XEN_EPERM);
    /* pt owner dom0 (foreigndom = (0 + 1) << 16): another domain's page tables. */
    expect_errno("mmu_update of dom0's tables",
                 HYPERVISOR_mmu_update(&u, 1, NULL, (1U << 16) | DOMID_SELF), -XEN_EPERM);
    pin.arg1.mfn = mine;
    expect_errno("mmuext_op pin for dom0", HYPERVISOR_mmuext_op(&pin, 1, NULL, 0), -XEN_EPERM);
    expect_errno("mmu_update with DOMID_IO", HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_IO),
                 -XEN_EPERM);
    set_xen_guest_handle(r.extent_start, &frame);
    expect_errno("populate_physmap for dom0", HYPERVISOR_memory_op(XENMEM_populate_physmap, &r),
                 0);
    expect_errno("alloc_unbound in dom0", HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a),
                 -XEN_EPERM);
    expect_errno("console read", HYPERVISOR_console_io(CONSOLEIO_read, 1, &c), -XEN_EPERM);
}

static bool port_pending(evtchn_port_t p)
{
    return __atomic_load_n(&shared_info->evtchn_pending[p / 64], __ATOMIC_SEQ_CST) &
           (1UL << (p % 64));
}

static void port_clear(evtchn_port_t p)
{
    __atomic_fetch_and(&shared_info->evtchn_pending[p / 64], ~(1UL << (p % 64)),
                       __ATOMIC_SEQ_CST);
}

static void pingpong(unsigned int rounds)
{
    evtchn_port_t port = start_info->console.domU.evtchn;
    struct evtchn_send send = { .port = port };
    struct sched_poll poll = { .nr_ports = 1 };
    unsigned int done;

    set_xen_guest_handle(poll.ports, &port);
    for (done = 0; done < rounds; done++) {
        long rc = HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);

        if (rc) {
            check(false, "send on port %u, round %u: %ld%s", port, done, rc, errno_name(rc));
            break;
        }
        while (!port_pending(port))
            (void)HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
        port_clear(port);
    }
    printf("domu: %u round trips on port %u\n", done, port);
}

void guest_main(void)
{
    long rc = map_shared_info();

    check(rc == 0, "map shared_info: %ld%s", rc, errno_name(rc));
    if (rc || !mmu_init())
        return;
    switch (guest_arg_uint("mode", MODE_HELLO)) {
    case MODE_HELLO:
        hello();
        break;
    case MODE_PINGPONG:
        pingpong(guest_arg_uint("rounds", 1));
        break;
    case MODE_SPIN:
        for (;;)
            (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    default:
        check(false, "unknown mode");
    }
}
