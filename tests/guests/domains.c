/* SPDX-License-Identifier: MIT */
/*
 * The control domain's view of domain lifecycles: dom0 builds the
 * unprivileged test kernel it was given as its second module (domu.c)
 * with lib/builder.c, the way a toolstack would, runs it and destroys it.
 *
 *  - hello: the domU checks its start of day and that every control power
 *    is refused to it, writes a line into its console ring, and powers
 *    itself off; dom0 sees the shutdown in getdomaininfo, reads the line
 *    from the console page, destroys it, and the domain id is gone;
 *  - pingpong: rounds=N round trips over an interdomain event channel
 *    (dom0 bound to the domU's console port);
 *  - a running (spinning) domU and a never-started one destroyed;
 *  - cycles=N create/run/destroy cycles;
 *  - after all of it, sysctl physinfo's free memory is exactly what it was
 *    before the first domain (nothing leaked: frames, page tables, vCPUs,
 *    event channels, Keel's own allocations);
 *  - domctl's refusals: bad interface version, unknown domain, acting on
 *    oneself, bad createdomain fields, a taken domain id, contexts for
 *    absent or never-initialised vCPUs; the other domctls checked by their
 *    effect (handle, page-frame types, hypercall page, address size, vCPU
 *    info, the wall clock in the domU's shared_info after settimeoffset);
 *  - a destroyed domain held by dom0's mapping of one of its frames goes
 *    when the mapping goes, whatever dom0 tried on it meanwhile (a foreign
 *    pin of that frame, a vCPU context naming it as the root);
 *  - sysctl: the console ring, the scheduler, the host, the domain list.
 *
 * Module arguments: rounds=N (default 10000), cycles=N (default 100).
 */
#define __XEN_TOOLS__ 1

#include "builder.h"
#include "event.h"
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "pvclock.h"
#include "test.h"

#include <public/io/console.h>

#define DOMU_MEM_KB     (8 * 1024)
#define WAIT_MS         20000

enum { MODE_HELLO, MODE_PINGPONG, MODE_SPIN };

static struct builder_domain domu;
static const void *domu_elf;
static size_t domu_len;
/*
 * The hello domU's command line: mode 0, a dom0 port not offered to it,
 * and the I/O frame it is given (above RAM on the test machine: a hole).
 */
static char hello_cmdline[64];
#define DOMU_IOMEM_MFN  0xfd000UL
#define IOAPIC_MFN      0xfec00UL

static void expect_errno(const char *what, long rc, long want)
{
    check(rc == want, "%s: got %ld%s, expected %ld%s", what, rc, errno_name(rc), want,
          errno_name(want));
}

static long io_permission(unsigned int cmd, domid_t domid, unsigned long first,
                          unsigned long nr, bool allow)
{
    struct xen_domctl op = { .cmd = cmd, .domain = domid };

    if (cmd == XEN_DOMCTL_iomem_permission) {
        op.u.iomem_permission.first_mfn = first;
        op.u.iomem_permission.nr_mfns = nr;
        op.u.iomem_permission.allow_access = allow;
    } else {
        op.u.ioport_permission.first_port = (uint32_t)first;
        op.u.ioport_permission.nr_ports = (uint32_t)nr;
        op.u.ioport_permission.allow_access = allow;
    }
    return builder_domctl(&op);
}

static bool build(const char *cmdline)
{
    long rc = builder_build(&domu, domu_elf, domu_len, DOMU_MEM_KB, cmdline);

    check(rc == 0, "build a domU (%s): %ld%s", cmdline, rc, errno_name(rc));
    if (rc == 0 && cmdline == hello_cmdline) {
        /* The I/O frames the hello domU checks: one to map, and Keel's IOAPIC. */
        rc = io_permission(XEN_DOMCTL_iomem_permission, domu.domid, DOMU_IOMEM_MFN, 1, true);
        check(rc == 0, "iomem_permission: %ld%s", rc, errno_name(rc));
        rc = io_permission(XEN_DOMCTL_iomem_permission, domu.domid, IOAPIC_MFN, 1, true);
        check(rc == 0, "iomem_permission (IOAPIC): %ld%s", rc, errno_name(rc));
    }
    return rc == 0;
}

/* The domain is gone: getdomaininfo finds another one, or none. */
static void expect_gone(domid_t id)
{
    struct xen_domctl_getdomaininfo info;
    long rc = builder_domain_info(id, &info);

    check(rc == -XEN_ESRCH || (rc == 0 && info.domain != id),
          "d%u still listed after destroy (rc %ld, flags %#x)", id, rc,
          rc ? 0 : (unsigned int)info.flags);
}

/* Run a built domU to its shutdown; returns the reason (-1: none). */
static int run_to_shutdown(void)
{
    long rc = builder_unpause(&domu);

    check(rc == 0, "unpause d%u: %ld%s", domu.domid, rc, errno_name(rc));
    return rc ? -1 : builder_wait_shutdown(domu.domid, WAIT_MS);
}

static void destroy(void)
{
    long rc = builder_destroy(domu.domid);

    check(rc == 0, "destroy d%u: %ld%s", domu.domid, rc, errno_name(rc));
    expect_gone(domu.domid);
}

/*
 * The console backend's side: the bytes the hello domU put into the
 * console page the builder gave it (start_info) are there for dom0.
 */
static void read_console_ring(void)
{
    static const char want[] = "domU console ring: hello\r\n";
    const volatile struct xencons_interface *ring;
    char got[sizeof(want)];
    long rc = builder_map_foreign(domu.domid, 0, domu.console_mfn, false);

    check(rc == 0, "map d%u's console page: %ld%s", domu.domid, rc, errno_name(rc));
    if (rc)
        return;
    ring = mmu_win(0);
    expect_eq(ring->out_prod - ring->out_cons, sizeof(want) - 1);
    for (unsigned int i = 0; i < sizeof(want) - 1; i++)
        got[i] = ring->out[(ring->out_cons + i) & (sizeof(ring->out) - 1)];
    got[sizeof(want) - 1] = 0;
    check(!strcmp(got, want), "d%u's console ring holds '%s'", domu.domid, got);
    (void)mmu_win_unmap(0);
}

static void test_hello(void)
{
    struct xen_domctl_getdomaininfo info;
    int reason;

    if (!build(hello_cmdline))
        return;
    check(builder_domain_info(domu.domid, &info) == 0 && info.domain == domu.domid,
          "getdomaininfo of the new d%u", domu.domid);
    check(info.flags & XEN_DOMINF_paused, "a new domain is paused (flags %#x)",
          (unsigned int)info.flags);
    expect_eq(info.tot_pages, domu.nr_pages);
    expect_eq(info.max_pages, domu.nr_pages);
    expect_eq(info.max_vcpu_id, 0);
    reason = run_to_shutdown();
    check(reason == SHUTDOWN_poweroff, "hello domU shut down with reason %d (crash = 3: "
          "its checks failed, see its '(d%u)' lines)", reason, domu.domid);
    read_console_ring();
    check(builder_domain_info(domu.domid, &info) == 0 && (info.flags & XEN_DOMINF_shutdown),
          "shut-down domU still listed, with XEN_DOMINF_shutdown");
    destroy();
}

/*
 * Wait for the domU's answer on port (consumed). It comes within
 * microseconds; one that takes 5 s is a lost wake-up, reported with the
 * domU's state, and ends the wait (false).
 */
static bool wait_port(evtchn_port_t port, unsigned int round)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_getvcpuinfo, .domain = domu.domid };

    if (event_wait(port, 5000))
        return true;
    (void)builder_domctl(&op);
    check(false, "round %u: no answer for 5 s (domU blocked %u, running %u)", round,
          op.u.getvcpuinfo.blocked, op.u.getvcpuinfo.running);
    return false;
}

static void test_pingpong(unsigned int rounds)
{
    struct evtchn_close close;
    evtchn_port_t port;
    unsigned int done = 0;
    long rc;
    int reason;
    char cmdline[64];

    snprintf(cmdline, sizeof(cmdline), "mode=1 rounds=%u", rounds);
    if (!build(cmdline))
        return;
    if (builder_bind_console(&domu, &port)) {
        destroy();
        return;
    }
    rc = builder_unpause(&domu);
    check(rc == 0, "unpause: %ld%s", rc, errno_name(rc));
    while (!rc && done < rounds && wait_port(port, done)) {
        rc = event_send(port);
        check(rc == 0, "send, round %u: %ld%s", done, rc, errno_name(rc));
        done++;
    }
    expect_eq(done, rounds);
    reason = builder_wait_shutdown(domu.domid, WAIT_MS);
    check(reason == SHUTDOWN_poweroff, "pingpong domU shut down with reason %d", reason);
    printf("domains: %u event-channel round trips with d%u\n", done, domu.domid);
    destroy();
    /* Our end was closed by the peer's death: it reads unbound, and closes. */
    close.port = port;
    expect_errno("close our port after the peer died",
                 HYPERVISOR_event_channel_op(EVTCHNOP_close, &close), 0);
}

static void test_destroy_running_and_paused(void)
{
    struct xen_domctl_getdomaininfo info;

    if (build("mode=2")) {
        check(builder_unpause(&domu) == 0, "unpause the spinning domU");
        /* Let it run: it must be seen running or runnable, not shut down. */
        for (unsigned int i = 0; i < 100; i++)
            (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        check(builder_domain_info(domu.domid, &info) == 0 &&
              !(info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_paused)),
              "spinning domU is running (flags %#x)", (unsigned int)info.flags);
        destroy();
    }
    if (build(hello_cmdline))
        destroy();      /* never ran */
}

static void test_cycles(unsigned int cycles)
{
    unsigned int ok = 0;

    for (unsigned int i = 0; i < cycles; i++) {
        if (!build(hello_cmdline))
            break;
        if (run_to_shutdown() == SHUTDOWN_poweroff)
            ok++;
        destroy();
    }
    expect_eq(ok, cycles);
}

static void test_refusals(void)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = 0 };
    struct xen_domctl_getdomaininfo info;

    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION - 1;
    expect_errno("domctl with an old interface version", HYPERVISOR_domctl(&op), -XEN_EACCES);

    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_pausedomain, .domain = 0x7000 };
    expect_errno("pausedomain of an unknown domain", builder_domctl(&op), -XEN_ESRCH);
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_pausedomain, .domain = 0 };
    expect_errno("pausedomain of oneself", builder_domctl(&op), -XEN_EINVAL);
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_destroydomain, .domain = 0 };
    expect_errno("destroydomain of oneself", builder_domctl(&op), -XEN_EINVAL);
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_getdomaininfo, .domain = DOMID_SELF };
    expect_errno("getdomaininfo of a pseudo-id", builder_domctl(&op), -XEN_EINVAL);
    expect_errno("getdomaininfo of dom0", builder_domain_info(0, &info), 0);
    check(info.domain == 0 && (info.flags & XEN_DOMINF_running), "dom0's info: d%u flags %#x",
          info.domain, (unsigned int)info.flags);
    op = (struct xen_domctl){ .cmd = 9999, .domain = 0 };
    expect_errno("unknown domctl", builder_domctl(&op), -XEN_ENOSYS);

    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_createdomain };
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    op.u.createdomain.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
    expect_errno("createdomain HVM", builder_domctl(&op), -XEN_EINVAL);
    op.u.createdomain.flags = 0;
    op.u.createdomain.max_vcpus = 0;
    expect_errno("createdomain with no vCPU", builder_domctl(&op), -XEN_EINVAL);
    op.u.createdomain.max_vcpus = 1000;
    expect_errno("createdomain with 1000 vCPUs", builder_domctl(&op), -XEN_EINVAL);
    op.u.createdomain.max_vcpus = 1;
    op.domain = 0;
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(2);
    expect_errno("createdomain with grant v2", builder_domctl(&op), -XEN_EINVAL);

    /* A real domain for the per-domain refusals. */
    if (!build(hello_cmdline))
        return;
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_createdomain, .domain = domu.domid };
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    expect_errno("createdomain with a taken id", builder_domctl(&op), -XEN_EEXIST);
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_max_vcpus, .domain = domu.domid };
    op.u.max_vcpus.max = 2;
    expect_errno("max_vcpus other than createdomain's", builder_domctl(&op), -XEN_EINVAL);
    op.u.max_vcpus.max = 1;
    expect_errno("max_vcpus confirming createdomain's", builder_domctl(&op), 0);
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_getvcpucontext, .domain = domu.domid };
    op.u.vcpucontext.vcpu = 1;
    expect_errno("getvcpucontext of an absent vCPU", builder_domctl(&op), -XEN_EINVAL);
    expect_errno("iomem_permission of 0 frames",
                 io_permission(XEN_DOMCTL_iomem_permission, domu.domid, 5, 0, true), -XEN_EINVAL);
    expect_errno("iomem_permission wrapping",
                 io_permission(XEN_DOMCTL_iomem_permission, domu.domid, ~0UL - 1, 4, true),
                 -XEN_EINVAL);
    expect_errno("iomem_permission deny", io_permission(XEN_DOMCTL_iomem_permission,
                                                        domu.domid, 0xfd000, 16, false), 0);
    expect_errno("ioport_permission past 0xffff",
                 io_permission(XEN_DOMCTL_ioport_permission, domu.domid, 0xfff0, 0x20, true),
                 -XEN_EINVAL);
    expect_errno("ioport_permission of 0 ports",
                 io_permission(XEN_DOMCTL_ioport_permission, domu.domid, 0x80, 0, true),
                 -XEN_EINVAL);
    expect_errno("ioport_permission", io_permission(XEN_DOMCTL_ioport_permission, domu.domid,
                                                    0x80, 1, true), 0);
    {
        /* 33 separate single frames: more ranges than a set holds. */
        long rc = 0;

        for (unsigned long i = 0; i < 40 && !rc; i++)
            rc = io_permission(XEN_DOMCTL_iomem_permission, domu.domid, 0xe0000 + 2 * i, 1, true);
        expect_errno("iomem_permission beyond the set's ranges", rc, -XEN_ENOMEM);
    }
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_shadow_op, .domain = domu.domid };
    expect_errno("shadow_op", builder_domctl(&op), -XEN_EOPNOTSUPP);
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_scheduler_op, .domain = domu.domid };
    op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
    op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_putinfo;
    op.u.scheduler_op.u.credit.weight = 512;
    op.u.scheduler_op.u.credit.cap = 25;
    expect_errno("credit putinfo", builder_domctl(&op), 0);
    op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_getinfo;
    op.u.scheduler_op.u.credit.weight = 0;
    expect_errno("credit getinfo", builder_domctl(&op), 0);
    check(op.u.scheduler_op.u.credit.weight == 512 && op.u.scheduler_op.u.credit.cap == 25,
          "credit getinfo reads back weight %u cap %u", op.u.scheduler_op.u.credit.weight,
          op.u.scheduler_op.u.credit.cap);
    op.u.scheduler_op.sched_id = XEN_SCHEDULER_RTDS;
    expect_errno("scheduler_op for another scheduler", builder_domctl(&op), -XEN_EINVAL);
    {
        static struct vcpu_guest_context ctx;

        /* A context whose kernel root is no L4 of the domain. */
        memset(&ctx, 0, sizeof(ctx));
        ctx.ctrlreg[3] = (uint64_t)mmu_mfn_of(_text) << PAGE_SHIFT;
        op = (struct xen_domctl){ .cmd = XEN_DOMCTL_setvcpucontext, .domain = domu.domid };
        set_xen_guest_handle(op.u.vcpucontext.ctxt, &ctx);
        expect_errno("setvcpucontext with dom0's frame as root", builder_domctl(&op),
                     -XEN_EINVAL);
        op.cmd = XEN_DOMCTL_getvcpucontext;
        expect_errno("getvcpucontext", builder_domctl(&op), 0);
        check(ctx.ctrlreg[3] == (uint64_t)domu.l4_mfn << PAGE_SHIFT,
              "getvcpucontext: cr3 %#lx, built with L4 %#lx", (unsigned long)ctx.ctrlreg[3],
              domu.l4_mfn);
    }
    destroy();
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_unpausedomain, .domain = domu.domid };
    expect_errno("unpause a destroyed domain", builder_domctl(&op), -XEN_ESRCH);
}

/* A built (never started) domU under the other domctls, each checked by its effect. */
static void test_domain_ops(void)
{
    static uint64_t frames[PAGE_SIZE / 8];
    struct xen_domctl op;
    struct xen_domctl_getdomaininfo info;
    const volatile struct shared_info *si;
    uint32_t wc_before;
    uint64_t pfinfo[3];

    if (!build(hello_cmdline))
        return;
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_setdomainhandle, .domain = domu.domid };
    for (unsigned int i = 0; i < sizeof(op.u.setdomainhandle.handle); i++)
        op.u.setdomainhandle.handle[i] = (uint8_t)(0xa0 + i);
    expect_errno("setdomainhandle", builder_domctl(&op), 0);
    check(builder_domain_info(domu.domid, &info) == 0 &&
          !memcmp(info.handle, op.u.setdomainhandle.handle, sizeof(info.handle)),
          "getdomaininfo does not report the handle set");

    /* getpageframeinfo3: its pinned L4, an ordinary frame of it, and one of ours. */
    pfinfo[0] = domu.l4_mfn;
    pfinfo[1] = domu.p2m[domu.nr_pages - 1];
    pfinfo[2] = mmu_mfn_of(_text);
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_getpageframeinfo3, .domain = domu.domid };
    op.u.getpageframeinfo3.num = 3;
    set_xen_guest_handle(op.u.getpageframeinfo3.array, pfinfo);
    expect_errno("getpageframeinfo3", builder_domctl(&op), 0);
    check(pfinfo[0] == (XEN_DOMCTL_PFINFO_L4TAB | XEN_DOMCTL_PFINFO_LPINTAB) &&
          pfinfo[1] == XEN_DOMCTL_PFINFO_NOTAB && pfinfo[2] == XEN_DOMCTL_PFINFO_XTAB,
          "getpageframeinfo3: %#lx %#lx %#lx", (unsigned long)pfinfo[0],
          (unsigned long)pfinfo[1], (unsigned long)pfinfo[2]);
    op.u.getpageframeinfo3.num = 1025;
    set_xen_guest_handle(op.u.getpageframeinfo3.array, frames);
    expect_errno("getpageframeinfo3 of 1025 frames", builder_domctl(&op), -XEN_E2BIG);

    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_hypercall_init, .domain = domu.domid };
    op.u.hypercall_init.gmfn = domu.p2m[domu.nr_pages - 1];
    expect_errno("hypercall_init on a frame of the domain", builder_domctl(&op), 0);
    op.u.hypercall_init.gmfn = domu.l4_mfn;
    expect_errno("hypercall_init on its L4", builder_domctl(&op), -XEN_EPERM);
    op.u.hypercall_init.gmfn = mmu_mfn_of(_text);
    expect_errno("hypercall_init on a frame of ours", builder_domctl(&op), -XEN_EINVAL);

    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_set_address_size, .domain = domu.domid };
    op.u.address_size.size = 32;
    expect_errno("set_address_size 32", builder_domctl(&op), -XEN_EINVAL);
    op.u.address_size.size = 64;
    expect_errno("set_address_size 64", builder_domctl(&op), 0);
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_get_address_size, .domain = domu.domid };
    expect_errno("get_address_size", builder_domctl(&op), 0);
    expect_eq(op.u.address_size.size, 64);

    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_getvcpuinfo, .domain = domu.domid };
    expect_errno("getvcpuinfo", builder_domctl(&op), 0);
    check(op.u.getvcpuinfo.online && !op.u.getvcpuinfo.running,
          "a paused domain's vCPU 0: online %u running %u", op.u.getvcpuinfo.online,
          op.u.getvcpuinfo.running);
    op.u.getvcpuinfo.vcpu = 1;
    expect_errno("getvcpuinfo of vCPU 1 of 1", builder_domctl(&op), -XEN_EINVAL);

    /* settimeoffset moves the wall clock in the domain's shared_info. */
    check(builder_domain_info(domu.domid, &info) == 0, "getdomaininfo");
    si = builder_map_foreign(domu.domid, 0, info.shared_info_frame, false) == 0
         ? (const volatile struct shared_info *)mmu_win(0) : NULL;
    check(si != NULL, "map the domU's shared_info");
    if (si) {
        wc_before = si->wc_sec;
        op = (struct xen_domctl){ .cmd = XEN_DOMCTL_settimeoffset, .domain = domu.domid };
        op.u.settimeoffset.time_offset_seconds = 3600;
        expect_errno("settimeoffset", builder_domctl(&op), 0);
        check(si->wc_sec - wc_before == 3600, "wall clock moved by %u s, not 3600",
              (unsigned int)(si->wc_sec - wc_before));
        (void)mmu_win_unmap(0);
    }
    destroy();
}

/*
 * Build a never-run domU, keep a read-only mapping of one of its frames
 * (zeroed and unused, so it would validate as any empty table) and destroy
 * it: the domain stays, dying, until the mapping goes. Returns the frame,
 * or 0 with the failure recorded.
 */
static unsigned long build_and_destroy_held(void)
{
    struct xen_domctl_getdomaininfo info;
    unsigned long mfn;
    long rc;

    if (!build(hello_cmdline))
        return 0;
    mfn = domu.p2m[domu.nr_pages - 1];
    rc = builder_map_foreign(domu.domid, 0, mfn, false);
    check(rc == 0, "map a frame of d%u: %ld%s", domu.domid, rc, errno_name(rc));
    rc = builder_destroy(domu.domid);
    check(rc == 0, "destroy d%u: %ld%s", domu.domid, rc, errno_name(rc));
    check(builder_domain_info(domu.domid, &info) == 0 && info.domain == domu.domid &&
              (info.flags & XEN_DOMINF_dying),
          "d%u, destroyed while its frame is mapped, is not listed dying", domu.domid);
    return mfn;
}

/* Drop the mapping build_and_destroy_held() kept: the domain must go with it. */
static void release_held(void)
{
    long rc = mmu_win_unmap(0);

    check(rc == 0, "unmap the held frame: %ld%s", rc, errno_name(rc));
    expect_gone(domu.domid);
}

/*
 * A foreign pin of a destroyed domain's frame (the teardown's unpin pass
 * is over): as Xen, it succeeds but is dropped at once, or it would hold
 * the frame and the domain forever.
 */
static void test_pin_dying(void)
{
    unsigned long mfn = build_and_destroy_held();
    struct mmuext_op pin = { .cmd = MMUEXT_PIN_L1_TABLE };

    if (!mfn)
        return;
    pin.arg1.mfn = mfn;
    expect_errno("pin an L1 of a dying domain", HYPERVISOR_mmuext_op(&pin, 1, NULL, domu.domid),
                 0);
    pin.cmd = MMUEXT_PIN_L4_TABLE;
    expect_errno("pin an L4 of a dying domain", HYPERVISOR_mmuext_op(&pin, 1, NULL, domu.domid),
                 0);
    release_held();
}

/*
 * A new vCPU context for a destroyed domain (its teardown released the
 * vCPUs' roots once, at its start): refused, or the root it names (a
 * zeroed frame of the domain: a valid L4) would be held forever.
 */
static void test_context_dying(void)
{
    static struct vcpu_guest_context ctx;
    unsigned long mfn = build_and_destroy_held();
    struct xen_domctl op = { .cmd = XEN_DOMCTL_setvcpucontext };

    if (!mfn)
        return;
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel | VGCF_online;
    ctx.user_regs.rip = VIRT_BASE + 0x100000;
    ctx.user_regs.rsp = VIRT_BASE + 0x200000;
    ctx.user_regs.cs = FLAT_KERNEL_CS;
    ctx.user_regs.ss = FLAT_KERNEL_SS;
    ctx.user_regs.rflags = 1UL << 9;
    ctx.kernel_ss = FLAT_KERNEL_SS;
    ctx.kernel_sp = VIRT_BASE + 0x200000;
    ctx.ctrlreg[3] = (uint64_t)mfn << PAGE_SHIFT;
    op.domain = domu.domid;
    set_xen_guest_handle(op.u.vcpucontext.ctxt, &ctx);
    expect_errno("setvcpucontext of a dying domain", builder_domctl(&op), -XEN_EINVAL);
    release_held();
}

static bool contains(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);

    for (; *haystack; haystack++)
        if (!strncmp(haystack, needle, n))
            return true;
    return false;
}

static void test_sysctl(void)
{
    static char ring[16384];
    static struct xen_domctl_getdomaininfo list[8];
    struct xen_sysctl op;

    op = (struct xen_sysctl){ .cmd = XEN_SYSCTL_sched_id };
    expect_errno("sched_id", builder_sysctl(&op), 0);
    expect_eq(op.u.sched_id.sched_id, XEN_SCHEDULER_CREDIT);

    op = (struct xen_sysctl){ .cmd = XEN_SYSCTL_physinfo };
    expect_errno("physinfo", builder_sysctl(&op), 0);
    check(op.u.physinfo.nr_cpus >= 1 && op.u.physinfo.free_pages < op.u.physinfo.total_pages &&
          (op.u.physinfo.capabilities & XEN_SYSCTL_PHYSCAP_pv),
          "physinfo: %u CPUs, %lu of %lu pages free, capabilities %#x", op.u.physinfo.nr_cpus,
          (unsigned long)op.u.physinfo.free_pages, (unsigned long)op.u.physinfo.total_pages,
          op.u.physinfo.capabilities);

    if (build(hello_cmdline)) {
        char created[32];

        /* The console ring ends with Keel's line about the domain just built. */
        snprintf(created, sizeof(created), "Domain %u created", domu.domid);
        op = (struct xen_sysctl){ .cmd = XEN_SYSCTL_readconsole };
        op.u.readconsole.count = sizeof(ring) - 1;
        set_xen_guest_handle(op.u.readconsole.buffer, ring);
        expect_errno("readconsole", builder_sysctl(&op), 0);
        ring[op.u.readconsole.count] = 0;
        check(op.u.readconsole.count > 0 && contains(ring, created),
              "readconsole (%u bytes) lacks '%s'", op.u.readconsole.count, created);

        op = (struct xen_sysctl){ .cmd = XEN_SYSCTL_getdomaininfolist };
        op.u.getdomaininfolist.max_domains = ARRAY_SIZE(list);
        set_xen_guest_handle(op.u.getdomaininfolist.buffer, list);
        expect_errno("getdomaininfolist", builder_sysctl(&op), 0);
        check(op.u.getdomaininfolist.num_domains == 2 && list[0].domain == 0 &&
              list[1].domain == domu.domid, "getdomaininfolist: %u domains (d%u, d%u)",
              op.u.getdomaininfolist.num_domains, list[0].domain, list[1].domain);
        destroy();
    }
    op = (struct xen_sysctl){ .cmd = 9999 };
    expect_errno("unknown sysctl", builder_sysctl(&op), -XEN_ENOSYS);
    op = (struct xen_sysctl){ .cmd = XEN_SYSCTL_physinfo,
                              .interface_version = XEN_SYSCTL_INTERFACE_VERSION + 1 };
    expect_errno("sysctl with another interface version", HYPERVISOR_sysctl(&op), -XEN_EACCES);
}

void guest_main(void)
{
    unsigned long free_before, free_after;
    long rc;

    if (!builder_guest_init(&domu_elf, &domu_len))
        return;
    {
        /* A dom0 port offered to dom0 itself: no domU may bind it. */
        struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 0 };

        rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
        check(rc == 0, "alloc_unbound: %ld%s", rc, errno_name(rc));
        snprintf(hello_cmdline, sizeof(hello_cmdline), "mode=0 dom0_port=%u iomem=%lu", a.port,
                 DOMU_IOMEM_MFN);
    }
    free_before = builder_free_pages();
    printf("domains: %lu free pages before any domain\n", free_before);

    test_hello();
    test_pingpong(guest_arg_uint("rounds", 10000));
    test_destroy_running_and_paused();
    test_refusals();
    test_domain_ops();
    test_pin_dying();
    test_context_dying();
    test_sysctl();
    test_cycles(guest_arg_uint("cycles", 100));

    free_after = builder_free_pages();
    check(free_after == free_before, "free pages %lu after, %lu before: %ld leaked",
          free_after, free_before, (long)(free_before - free_after));
}
