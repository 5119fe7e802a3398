/* SPDX-License-Identifier: MIT */
/*
 * An unprivileged domain, built by another test guest (domains.c) with
 * lib/builder.c, never booted as dom0. Its command line picks what it
 * does (mode=N):
 *
 *   0 (hello)    its start of day as the builder promised it, and every
 *                control-domain power refused: domctl and sysctl -EPERM,
 *                mmu_update and mmuext_op for another domain -EPERM,
 *                reservation ops on dom0 refused, console input -EPERM;
 *                and dom0's event channels out of reach: allocate or
 *                query in dom0 -EPERM, bind a dom0 port not offered to
 *                it (dom0_port=P) or its own port offered to dom0
 *                -EINVAL, bind to a domain that does not exist -ESRCH,
 *                VIRQs out of range, or global ones (dom0's: -EBUSY);
 *                I/O memory: the frame iomem=M (granted by domctl
 *                iomem_permission) maps, M + 1 (not granted) and the
 *                IOAPIC's frame (granted, but Keel's own) do not (-EPERM);
 *                last, it writes CONSOLE_GREETING into its console ring
 *                (io/console.h) and notifies the console port, as a PV
 *                console frontend does, for dom0 to read;
 *   1 (pingpong) rounds=N round trips with dom0 over its console event
 *                channel: send, wait for the answer, N times;
 *   2 (spin)     yields forever, until its builder destroys it;
 *   3 (burn)     spins on the CPU without yielding, until destroyed (for
 *                the scheduler's shares between domains);
 *   4 (ring)     the frontend of lib/test_ring.h: grants dom0 its ring
 *                page (ref 8), tells dom0 on its console port, and sends
 *                rounds=N requests, checking every answer;
 *   5 (grants)   the granter in grants.c's script: grants pages (see
 *                grants_script()), and checks it cannot end a grant dom0
 *                has mapped, then can once it is unmapped;
 *   6 (serve)    grants dom0 16 writable pages (refs 8..23), tells dom0,
 *                and waits until destroyed (the grant benchmarks).
 *
 * It reports by shutting down (test.h): power-off for PASS, crash for FAIL.
 */
#define __XEN_TOOLS__ 1

#include <public/domctl.h>
#include <public/sysctl.h>

#include "event.h"
#include "grant.h"
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "test.h"
#include "test_ring.h"

#include <public/io/console.h>

/* What the hello domU writes into its console ring (domains.c reads it). */
#define CONSOLE_GREETING "domU console ring: hello\r\n"

enum { MODE_HELLO, MODE_PINGPONG, MODE_SPIN, MODE_BURN, MODE_RING, MODE_GRANTS, MODE_SERVE };

#define SERVE_PAGES 16

static void expect_errno(const char *what, long rc, long want)
{
    check(rc == want, "%s: got %ld%s, expected %ld%s", what, rc, errno_name(rc), want,
          errno_name(want));
}

static long evtchn(int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static void hostile_event_channels(void)
{
    evtchn_port_t dom0_port = guest_arg_uint("dom0_port", 0);
    evtchn_port_t own = start_info->console.domU.evtchn;
    struct evtchn_bind_interdomain b;
    struct evtchn_status st = { .dom = 0, .port = dom0_port };
    struct evtchn_send send = { .port = 4095 };
    struct evtchn_bind_virq v = { .virq = NR_VIRQS, .vcpu = 0 };
    struct evtchn_close close = { .port = 4096 };

    check(dom0_port != 0, "no dom0_port= argument");
    b = (struct evtchn_bind_interdomain){ .remote_dom = 0, .remote_port = dom0_port };
    expect_errno("bind a dom0 port offered to another domain",
                 evtchn(EVTCHNOP_bind_interdomain, &b), -XEN_EINVAL);
    b = (struct evtchn_bind_interdomain){ .remote_dom = 0, .remote_port = 100000 };
    expect_errno("bind an out-of-range dom0 port", evtchn(EVTCHNOP_bind_interdomain, &b),
                 -XEN_EINVAL);
    b = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = own };
    expect_errno("bind our own port offered to dom0", evtchn(EVTCHNOP_bind_interdomain, &b),
                 -XEN_EINVAL);
    b = (struct evtchn_bind_interdomain){ .remote_dom = 0x7000, .remote_port = 1 };
    expect_errno("bind to a domain that does not exist", evtchn(EVTCHNOP_bind_interdomain, &b),
                 -XEN_ESRCH);
    expect_errno("status of a dom0 port", evtchn(EVTCHNOP_status, &st), -XEN_EPERM);
    expect_errno("send on a port never allocated", evtchn(EVTCHNOP_send, &send), -XEN_EINVAL);
    expect_errno("close a port beyond the table", evtchn(EVTCHNOP_close, &close), -XEN_EINVAL);
    expect_errno("bind VIRQ NR_VIRQS", evtchn(EVTCHNOP_bind_virq, &v), -XEN_EINVAL);
    v = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    expect_errno("bind VIRQ_DOM_EXC (dom0's)", evtchn(EVTCHNOP_bind_virq, &v), -XEN_EBUSY);
}

static void io_memory(unsigned long granted)
{
    const unsigned long ioapic = 0xfec00;

    check(granted != 0, "no iomem= argument");
    expect_errno("map the granted I/O frame", mmu_win_map(0, granted, L1_RW | PTE_PCD | PTE_NX), 0);
    expect_errno("unmap it", mmu_win_unmap(0), 0);
    expect_errno("map an I/O frame not granted",
                 mmu_win_map(0, granted + 1, L1_RW | PTE_PCD | PTE_NX), -XEN_EPERM);
    expect_errno("map the IOAPIC (granted, Keel's own)",
                 mmu_win_map(0, ioapic, L1_RW | PTE_PCD | PTE_NX), -XEN_EPERM);
}

/* A PV console frontend's write: bytes into out[], out_prod after them, a kick. */
static void console_ring_write(const char *text)
{
    volatile struct xencons_interface *ring;
    unsigned long mfn = start_info->console.domU.mfn;
    XENCONS_RING_IDX prod;
    long rc = mmu_win_map(1, mfn, L1_RW | PTE_NX);

    check(rc == 0, "map the console page %#lx: %ld%s", mfn, rc, errno_name(rc));
    if (rc)
        return;
    ring = mmu_win(1);
    prod = ring->out_prod;
    for (size_t i = 0; text[i]; i++)
        ring->out[(prod++) & (sizeof(ring->out) - 1)] = text[i];
    __atomic_thread_fence(__ATOMIC_RELEASE);
    ring->out_prod = prod;
    check(event_send(start_info->console.domU.evtchn) == 0, "kick the console port");
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
    hostile_event_channels();
    io_memory(guest_arg_uint("iomem", 0));
    console_ring_write(CONSOLE_GREETING);
}

static void notify(void)
{
    long rc = event_send(start_info->console.domU.evtchn);

    check(rc == 0, "send on port %u: %ld%s", start_info->console.domU.evtchn, rc,
          errno_name(rc));
}

/* Wait for an event on our console port from dom0, and consume it. */
static void wait_notify(void)
{
    (void)event_wait(start_info->console.domU.evtchn, 0);
}

/* A fresh frame of ours, mapped writable at window slot slot. */
static void *own_page(unsigned int slot, unsigned long *mfn)
{
    long rc;

    *mfn = mmu_spare();
    rc = *mfn ? mmu_win_map(slot, *mfn, L1_RW | PTE_NX) : -XEN_ENOMEM;
    check(rc == 0, "map a spare frame at slot %u: %ld%s", slot, rc, errno_name(rc));
    return rc ? NULL : mmu_win(slot);
}

static void ring_frontend(unsigned int rounds)
{
    test_front_ring_t front;
    test_sring_t *sring;
    unsigned long mfn;
    uint32_t sent = 0, answered = 0, bad = 0;
    long rc = grant_setup(1);

    check(rc == 0, "grant_setup: %ld", rc);
    sring = own_page(0, &mfn);
    if (rc || !sring)
        return;
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&front, sring, PAGE_SIZE);
    grant_access(TEST_RING_REF, 0, mfn, false);
    notify();
    while (answered < rounds) {
        int more, notify_needed;

        while (sent < rounds && !RING_FULL(&front)) {
            struct test_req *req = RING_GET_REQUEST(&front, front.req_prod_pvt);

            req->id = sent;
            req->value = test_req_value(sent);
            front.req_prod_pvt++;
            sent++;
        }
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify_needed);
        if (notify_needed)
            notify();
        do {
            while (RING_HAS_UNCONSUMED_RESPONSES(&front)) {
                const struct test_rsp *rsp = RING_GET_RESPONSE(&front, front.rsp_cons);

                if (rsp->id != answered || rsp->status != 0 ||
                    rsp->value != test_rsp_value(test_req_value(answered)))
                    bad++;
                front.rsp_cons++;
                answered++;
            }
            RING_FINAL_CHECK_FOR_RESPONSES(&front, more);
        } while (more);
        /* Nothing more to send: sleep until dom0 answers (rsp_event is armed). */
        if (answered < rounds && (sent == rounds || RING_FULL(&front)))
            wait_notify();
    }
    expect_eq(bad, 0);
    printf("domu: %u requests answered over the ring\n", answered);
    check(grant_end(TEST_RING_REF) == false, "the ring page is still mapped by dom0");
}

/*
 * The granter's side of grants.c: refs 8..12 (see there), then two
 * rounds: dom0 maps ref 12 writable and tells us; we must fail to end it
 * and see GTF_writing; dom0 unmaps and tells us; now it ends.
 */
static void grants_script(void)
{
    unsigned long mfn[5];
    uint8_t *page[5];
    volatile grant_entry_v1_t *e12;
    long rc = grant_setup(1);

    check(rc == 0, "grant_setup: %ld", rc);
    if (rc)
        return;
    for (unsigned int i = 0; i < 5; i++) {
        page[i] = own_page(i, &mfn[i]);
        if (!page[i])
            return;
        for (unsigned int b = 0; b < PAGE_SIZE; b++)
            page[i][b] = (uint8_t)(b * (i + 3) + i);
    }
    grant_access(8, 0, mfn[0], false);          /* writable to dom0 */
    grant_access(9, 0, mfn[1], true);           /* read-only to dom0 */
    grant_access(10, 0, mfn[2], false);         /* dom0 copies into it */
    grant_access(11, 0x1234, mfn[3], false);    /* someone else's */
    grant_access(12, 0, mfn[4], false);         /* mapped, then ended */
    notify();

    wait_notify();      /* dom0 has ref 12 mapped writable */
    e12 = grant_entry(12);
    check(e12->flags & GTF_writing, "mapped writable: flags %#x", e12->flags);
    check(!grant_end(12), "ended ref 12 while dom0 maps it");
    notify();

    wait_notify();      /* dom0 unmapped it, and copied into ref 10 */
    check(!(e12->flags & (GTF_reading | GTF_writing)), "unmapped: flags %#x", e12->flags);
    check(grant_end(12), "could not end ref 12 once unmapped");
    for (unsigned int b = 0; b < PAGE_SIZE; b++)
        if (page[2][b] != (uint8_t)(b ^ 0xa5)) {
            check(false, "ref 10 byte %u is %#x after dom0's copies", b, page[2][b]);
            break;
        }
    notify();
}

static void serve(void)
{
    long rc = grant_setup(1);

    check(rc == 0, "grant_setup: %ld", rc);
    for (unsigned int i = 0; i < SERVE_PAGES && !rc; i++) {
        unsigned long mfn;

        if (!own_page(i, &mfn))
            return;
        grant_access(GRANT_FIRST_REF + i, 0, mfn, false);
    }
    notify();
    for (;;)
        wait_notify();
}

static void pingpong(unsigned int rounds)
{
    evtchn_port_t port = start_info->console.domU.evtchn;
    unsigned int done;

    for (done = 0; done < rounds; done++) {
        long rc = event_send(port);

        if (rc) {
            check(false, "send on port %u, round %u: %ld%s", port, done, rc, errno_name(rc));
            break;
        }
        (void)event_wait(port, 0);
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
    case MODE_BURN:
        for (;;)
            asm volatile("pause");
    case MODE_RING:
        ring_frontend(guest_arg_uint("rounds", 1000));
        break;
    case MODE_GRANTS:
        grants_script();
        break;
    case MODE_SERVE:
        serve();
        break;
    default:
        check(false, "unknown mode");
    }
}
