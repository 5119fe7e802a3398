/* SPDX-License-Identifier: MIT */
/*
 * Event channels (hypervisor/common/event_channel.c, event_2l.c,
 * event_wait.c and the real timer.c) on the fake machine of
 * tests/support/evtchn_fake.h: two domains, D0 (id 0, privileged, the
 * hardware domain) and D1 (id 5), three vCPUs each plus an absent slot.
 * Every operation goes through do_event_channel_op() with its argument in
 * host memory, as a guest's would be. Each test starts from fresh
 * domains; teardown checks the invariants (tests/support/evtchn_check.c),
 * destroys the domains and checks every heap page came back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <keel/errno.h>
#include <keel/event.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/timer.h>
#include <public/event_channel.h>
#include <public/sched.h>
#include <public/xen.h>

#include "evtchn_check.h"
#include "evtchn_fake.h"
#include "host_shim.h"

#define D0 FAKE_D0
#define D1 FAKE_D1
#define SELF DOMID_SELF
#define BAD_VA 0x1000UL

/* ---- Calling the hypercall as a vCPU ---- */

static struct vcpu *as(unsigned int dom, unsigned int vcpu)
{
    struct vcpu *v = fake_vcpu(dom, vcpu);

    fake_set_current(v);
    return v;
}

static long evtchn_op(unsigned int dom, unsigned long cmd, void *arg)
{
    as(dom, 0);
    return do_event_channel_op(cmd, (unsigned long)arg, 0, 0, 0);
}

static long alloc_unbound(unsigned int dom, domid_t target, domid_t remote, uint32_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = target, .remote_dom = remote, .port = 0xdead };
    long rc = evtchn_op(dom, EVTCHNOP_alloc_unbound, &a);

    if (port)
        *port = a.port;
    return rc;
}

static long bind_interdomain(unsigned int dom, domid_t rdom, uint32_t rport, uint32_t *lport)
{
    struct evtchn_bind_interdomain b = { .remote_dom = rdom, .remote_port = rport };
    long rc = evtchn_op(dom, EVTCHNOP_bind_interdomain, &b);

    if (lport)
        *lport = b.local_port;
    return rc;
}

static long bind_virq(unsigned int dom, uint32_t virq, uint32_t vcpu, uint32_t *port)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
    long rc = evtchn_op(dom, EVTCHNOP_bind_virq, &b);

    if (port)
        *port = b.port;
    return rc;
}

static long bind_ipi(unsigned int dom, uint32_t vcpu, uint32_t *port)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu };
    long rc = evtchn_op(dom, EVTCHNOP_bind_ipi, &b);

    if (port)
        *port = b.port;
    return rc;
}

static long evtchn_close_p(unsigned int dom, uint32_t port)
{
    struct evtchn_close c = { .port = port };

    return evtchn_op(dom, EVTCHNOP_close, &c);
}

static long evtchn_send_p(unsigned int dom, uint32_t port)
{
    struct evtchn_send s = { .port = port };

    return evtchn_op(dom, EVTCHNOP_send, &s);
}

static long evtchn_unmask_p(unsigned int dom, uint32_t port)
{
    struct evtchn_unmask u = { .port = port };

    return evtchn_op(dom, EVTCHNOP_unmask, &u);
}

static long bind_vcpu(unsigned int dom, uint32_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

    return evtchn_op(dom, EVTCHNOP_bind_vcpu, &b);
}

static long status(unsigned int dom, domid_t target, uint32_t port, struct evtchn_status *s)
{
    memset(s, 0xa5, sizeof(*s));
    s->dom = target;
    s->port = port;
    return evtchn_op(dom, EVTCHNOP_status, s);
}

static uint32_t status_of(unsigned int dom, uint32_t port)
{
    struct evtchn_status s;

    assert_int_equal(status(dom, SELF, port, &s), 0);
    return s.status;
}

/* ---- The 2-level bits ---- */

static bool pending(unsigned int dom, unsigned int port)
{
    return fake.shared[dom].evtchn_pending[port / 64] & (1UL << (port % 64));
}

static void set_mask(unsigned int dom, unsigned int port, bool on)
{
    if (on)
        fake.shared[dom].evtchn_mask[port / 64] |= 1UL << (port % 64);
    else
        fake.shared[dom].evtchn_mask[port / 64] &= ~(1UL << (port % 64));
}

static bool masked(unsigned int dom, unsigned int port)
{
    return fake.shared[dom].evtchn_mask[port / 64] & (1UL << (port % 64));
}

static bool sel(unsigned int dom, unsigned int vcpu, unsigned int port)
{
    return fake_vcpu_info(dom, vcpu)->evtchn_pending_sel & (1UL << (port / 64));
}

static unsigned int upcall(unsigned int dom, unsigned int vcpu)
{
    return fake_vcpu_info(dom, vcpu)->evtchn_upcall_pending;
}

/* What Linux's upcall handler does: take everything. */
static void guest_consume(unsigned int dom, unsigned int vcpu)
{
    fake_vcpu_info(dom, vcpu)->evtchn_upcall_pending = 0;
    fake_vcpu_info(dom, vcpu)->evtchn_pending_sel = 0;
    memset(fake.shared[dom].evtchn_pending, 0, sizeof(fake.shared[dom].evtchn_pending));
}

static unsigned int total_kicks(void)
{
    unsigned int n = 0;

    for (unsigned int d = 0; d < FAKE_NR_DOMS; d++)
        for (unsigned int v = 0; v < FAKE_MAX_VCPUS; v++)
            n += fake.kicks[d][v];
    return n;
}

/* ---- Fixture ---- */

static int setup(void **state)
{
    (void)state;
    fake_machine_init();
    return 0;
}

static int teardown(void **state)
{
    const char *err = evtchn_check_invariants();

    (void)state;
    if (err)
        fail_msg("invariant: %s", err);
    fake_machine_fini();
    assert_int_equal(timer_pending(0), 0);
    assert_int_equal(fake_heap_pages, 0);
    return 0;
}

/* ---- Port table ---- */

static void test_port0_reserved_and_validity(void **state)
{
    struct evtchn_status s;

    (void)state;
    assert_int_equal(status(D0, SELF, 0, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_closed);
    assert_int_equal(s.vcpu, 0);
    assert_int_equal(evtchn_close_p(D0, 0), -EINVAL);
    assert_int_equal(evtchn_send_p(D0, 0), -EINVAL);
    assert_int_equal(evtchn_unmask_p(D0, 0), 0);        /* reserved: nothing to do */
    /* A free port in the first bucket is closed; beyond it, not valid. */
    assert_int_equal(status_of(D0, 127), EVTCHNSTAT_closed);
    assert_int_equal(status(D0, SELF, 128, &s), -EINVAL);
    assert_int_equal(status(D0, SELF, 4096, &s), -EINVAL);
    assert_int_equal(status(D0, SELF, UINT32_MAX, &s), -EINVAL);
    assert_int_equal(evtchn_close_p(D0, 5000), -EINVAL);
    assert_int_equal(evtchn_unmask_p(D0, 4096), -EINVAL);
}

static void test_lowest_free_port_and_reuse(void **state)
{
    uint32_t a, b, c;

    (void)state;
    assert_int_equal(bind_ipi(D0, 0, &a), 0);
    assert_int_equal(bind_ipi(D0, 0, &b), 0);
    assert_int_equal(bind_ipi(D0, 0, &c), 0);
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_int_equal(c, 3);
    assert_int_equal(evtchn_close_p(D0, b), 0);
    assert_int_equal(evtchn_close_p(D0, b), -EINVAL);   /* twice */
    assert_int_equal(status_of(D0, b), EVTCHNSTAT_closed);
    assert_int_equal(bind_ipi(D0, 1, &b), 0);
    assert_int_equal(b, 2);
}

static void test_enospc_and_enomem(void **state)
{
    uint32_t port, last = 0;

    (void)state;
    for (unsigned int i = 1; i < 4096; i++) {
        assert_int_equal(alloc_unbound(D1, SELF, 0, &port), 0);
        assert_int_equal(port, i);
        last = port;
    }
    assert_int_equal(last, 4095);
    assert_int_equal(alloc_unbound(D1, SELF, 0, &port), -ENOSPC);
    assert_int_equal(bind_ipi(D1, 0, &port), -ENOSPC);
    assert_int_equal(bind_virq(D1, VIRQ_TIMER, 0, &port), -ENOSPC);
    assert_int_equal(bind_interdomain(D1, 0, 1, &port), -ENOSPC);
    assert_int_equal(evtchn_close_p(D1, 1000), 0);
    assert_int_equal(bind_ipi(D1, 0, &port), 0);
    assert_int_equal(port, 1000);
    /* Growing the table needs a page: without one, -ENOMEM and no change. */
    for (unsigned int i = 1; i < 128; i++)
        assert_int_equal(bind_ipi(D0, 0, &port), 0);
    fake_heap_fail_after = 1;
    assert_int_equal(bind_ipi(D0, 0, &port), -ENOMEM);
    assert_int_equal(bind_ipi(D0, 0, &port), 0);
    assert_int_equal(port, 128);
}

/* ---- alloc_unbound / bind_interdomain / close ---- */

static void test_alloc_unbound(void **state)
{
    struct evtchn_status s;
    uint32_t port;

    (void)state;
    /* What Linux dom0 does in XS_LOCAL mode. */
    assert_int_equal(alloc_unbound(D0, SELF, SELF, &port), 0);
    assert_int_equal(status(D0, SELF, port, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 0);
    assert_int_equal(s.vcpu, 0);
    /* Own id as dom; remote DOMID_SELF means the caller. */
    assert_int_equal(alloc_unbound(D1, FAKE_D1_ID, SELF, &port), 0);
    assert_int_equal(status(D1, SELF, port, &s), 0);
    assert_int_equal(s.u.unbound.dom, FAKE_D1_ID);
    /* The privileged domain may allocate in another; the port offered to the caller. */
    assert_int_equal(alloc_unbound(D0, FAKE_D1_ID, SELF, &port), 0);
    assert_int_equal(status(D0, FAKE_D1_ID, port, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 0);
    /* Errors. */
    assert_int_equal(alloc_unbound(D1, 0, SELF, &port), -EPERM);
    assert_int_equal(alloc_unbound(D0, 9, SELF, &port), -ESRCH);
    assert_int_equal(alloc_unbound(D0, DOMID_IO, SELF, &port), -ESRCH);
}

static void test_interdomain_bind_send_close(void **state)
{
    struct evtchn_status s;
    uint32_t p1, p0;

    (void)state;
    assert_int_equal(alloc_unbound(D1, SELF, 0, &p1), 0);
    assert_int_equal(bind_interdomain(D0, FAKE_D1_ID, p1, &p0), 0);
    /* Both ends interdomain, pointing at each other. */
    assert_int_equal(status(D0, SELF, p0, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_interdomain);
    assert_int_equal(s.u.interdomain.dom, FAKE_D1_ID);
    assert_int_equal(s.u.interdomain.port, p1);
    assert_int_equal(status(D1, SELF, p1, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_interdomain);
    assert_int_equal(s.u.interdomain.dom, 0);
    assert_int_equal(s.u.interdomain.port, p0);
    /* Binding raises the local port once, in case a send was dropped. */
    assert_true(pending(D0, p0));
    assert_false(pending(D1, p1));
    guest_consume(D0, 0);

    /* A send from D1 lands on D0's port, vCPU 0, and nowhere else. */
    set_mask(D0, p0, false);
    fake_clear_counts();
    assert_int_equal(evtchn_send_p(D1, p1), 0);
    assert_true(pending(D0, p0));
    assert_true(sel(D0, 0, p0));
    assert_int_equal(upcall(D0, 0), 1);
    assert_int_equal(fake.kicks[D0][0], 1);
    assert_int_equal(total_kicks(), 1);
    assert_false(pending(D1, p1));
    /* And back, to D1's port, moved to vCPU 2 first. */
    assert_int_equal(bind_vcpu(D1, p1, 2), 0);
    set_mask(D1, p1, false);
    fake_clear_counts();
    assert_int_equal(evtchn_send_p(D0, p0), 0);
    assert_true(pending(D1, p1));
    assert_true(sel(D1, 2, p1));
    assert_false(sel(D1, 0, p1));
    assert_int_equal(fake.kicks[D1][2], 1);
    assert_int_equal(total_kicks(), 1);

    /* Close from D1 (the higher id: the retry path): D0's end is unbound, offered to D1. */
    assert_int_equal(evtchn_close_p(D1, p1), 0);
    assert_false(pending(D1, p1));              /* a freed port is not pending */
    assert_int_equal(status_of(D1, p1), EVTCHNSTAT_closed);
    assert_int_equal(status(D0, SELF, p0, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, FAKE_D1_ID);
    /* A send on the unbound end is dropped without error. */
    guest_consume(D1, 2);
    assert_int_equal(evtchn_send_p(D0, p0), 0);
    /* D1 can connect again; then close from D0's side. */
    assert_int_equal(bind_interdomain(D1, 0, p0, &p1), 0);
    assert_int_equal(evtchn_close_p(D0, p0), 0);
    assert_int_equal(status(D1, SELF, p1, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 0);
    assert_int_equal(status(D1, SELF, p1, &s), 0);
    assert_int_equal(s.vcpu, 0);
}

static void test_interdomain_errors(void **state)
{
    uint32_t p1, pipi, lp;

    (void)state;
    assert_int_equal(alloc_unbound(D1, SELF, FAKE_D1_ID, &p1), 0);    /* offered to itself */
    assert_int_equal(bind_interdomain(D0, FAKE_D1_ID, p1, &lp), -EINVAL);
    assert_int_equal(bind_ipi(D1, 0, &pipi), 0);
    assert_int_equal(bind_interdomain(D0, FAKE_D1_ID, pipi, &lp), -EINVAL);   /* not unbound */
    assert_int_equal(bind_interdomain(D0, FAKE_D1_ID, 100, &lp), -EINVAL);    /* free */
    assert_int_equal(bind_interdomain(D0, FAKE_D1_ID, 4096, &lp), -EINVAL);   /* not valid */
    assert_int_equal(bind_interdomain(D0, 9, p1, &lp), -ESRCH);
    /* A failed bind took no port: the next one is still the lowest. */
    assert_int_equal(bind_ipi(D0, 0, &lp), 0);
    assert_int_equal(lp, 1);
}

static void test_loopback(void **state)
{
    uint32_t a, b;

    (void)state;
    assert_int_equal(alloc_unbound(D0, SELF, SELF, &a), 0);
    assert_int_equal(bind_interdomain(D0, SELF, a, &b), 0);
    assert_int_not_equal(a, b);
    guest_consume(D0, 0);
    assert_int_equal(evtchn_send_p(D0, a), 0);
    assert_true(pending(D0, b));
    assert_false(pending(D0, a));
    assert_int_equal(evtchn_send_p(D0, b), 0);
    assert_true(pending(D0, a));
    assert_int_equal(evtchn_close_p(D0, a), 0);
    assert_int_equal(status_of(D0, b), EVTCHNSTAT_unbound);
}

/* ---- VIRQs ---- */

static void test_bind_virq_rules(void **state)
{
    struct evtchn_status s;
    uint32_t t1, t2, con, p;

    (void)state;
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, 1, &t1), 0);
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, 1, &p), -EEXIST);
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, 2, &t2), 0);     /* per vCPU */
    assert_int_equal(status(D0, SELF, t2, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_virq);
    assert_int_equal(s.u.virq, VIRQ_TIMER);
    assert_int_equal(s.vcpu, 2);
    /* Global VIRQs: vCPU 0 only, once. */
    assert_int_equal(bind_virq(D0, VIRQ_CONSOLE, 1, &p), -EINVAL);
    assert_int_equal(bind_virq(D0, VIRQ_CONSOLE, 0, &con), 0);
    assert_int_equal(bind_virq(D0, VIRQ_CONSOLE, 0, &p), -EEXIST);
    assert_int_equal(bind_virq(D0, VIRQ_ARCH_0, 2, &p), -EINVAL);
    /* Only the hardware domain takes global VIRQs; per-domain ones anywhere. */
    assert_int_equal(bind_virq(D1, VIRQ_CONSOLE, 0, &p), -EBUSY);
    assert_int_equal(bind_virq(D1, VIRQ_ARGO, 0, &p), 0);
    assert_int_equal(bind_virq(D1, VIRQ_ARGO, 1, &p), -EINVAL);
    /* Range and vCPU checks. */
    assert_int_equal(bind_virq(D0, NR_VIRQS, 0, &p), -EINVAL);
    assert_int_equal(bind_virq(D0, UINT32_MAX, 0, &p), -EINVAL);
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, FAKE_MAX_VCPUS, &p), -ENOENT);
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, FAKE_ABSENT_VCPU, &p), -ENOENT);
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, UINT32_MAX, &p), -ENOENT);
    assert_int_equal(bind_virq(D0, VIRQ_CONSOLE, UINT32_MAX, &p), -EINVAL);
    /* A VIRQ port cannot be sent on; closing frees the slot. */
    assert_int_equal(evtchn_send_p(D0, t1), -EINVAL);
    assert_int_equal(evtchn_close_p(D0, t1), 0);
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, 1, &p), 0);
    assert_int_equal(p, t1);
    assert_int_equal(evtchn_close_p(D0, con), 0);
    assert_int_equal(bind_virq(D0, VIRQ_CONSOLE, 0, &p), 0);
}

static void test_virq_delivery(void **state)
{
    uint32_t t0, t1, con, dbg;

    (void)state;
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, 0, &t0), 0);
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, 1, &t1), 0);
    assert_int_equal(bind_virq(D0, VIRQ_CONSOLE, 0, &con), 0);
    set_mask(D0, t0, false);
    set_mask(D0, t1, false);
    set_mask(D0, con, false);

    send_guest_vcpu_virq(fake_vcpu(D0, 1), VIRQ_TIMER);
    assert_true(pending(D0, t1));
    assert_false(pending(D0, t0));
    assert_int_equal(fake.kicks[D0][1], 1);
    assert_int_equal(total_kicks(), 1);
    /* Unbound VIRQs go nowhere. */
    send_guest_vcpu_virq(fake_vcpu(D0, 2), VIRQ_TIMER);
    send_guest_vcpu_virq(fake_vcpu(D1, 0), VIRQ_TIMER);
    send_guest_global_virq(fake_dom(D1), VIRQ_CONSOLE);
    assert_int_equal(total_kicks(), 1);
    /* A global VIRQ follows bind_vcpu; a per-vCPU one cannot move. */
    assert_int_equal(bind_vcpu(D0, con, 2), 0);
    send_guest_global_virq(fake_dom(D0), VIRQ_CONSOLE);
    assert_true(pending(D0, con));
    assert_true(sel(D0, 2, con));
    assert_int_equal(fake.kicks[D0][2], 1);
    assert_int_equal(bind_vcpu(D0, t1, 0), -EINVAL);
    /* After close, nothing is raised and the port is clean. */
    assert_int_equal(evtchn_close_p(D0, t0), 0);
    send_guest_vcpu_virq(fake_vcpu(D0, 0), VIRQ_TIMER);
    assert_false(pending(D0, t0));
    /* DEBUG is per-vCPU too. */
    assert_int_equal(bind_virq(D0, VIRQ_DEBUG, 2, &dbg), 0);
    set_mask(D0, dbg, false);
    send_guest_vcpu_virq(fake_vcpu(D0, 2), VIRQ_DEBUG);
    assert_true(pending(D0, dbg));
}

/* ---- IPIs, bind_vcpu, send ---- */

static void test_ipi(void **state)
{
    struct evtchn_status s;
    uint32_t p;

    (void)state;
    assert_int_equal(bind_ipi(D0, 2, &p), 0);
    assert_int_equal(status(D0, SELF, p, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_ipi);
    assert_int_equal(s.vcpu, 2);
    set_mask(D0, p, false);
    assert_int_equal(evtchn_send_p(D0, p), 0);
    assert_true(pending(D0, p));
    assert_true(sel(D0, 2, p));
    assert_int_equal(upcall(D0, 2), 1);
    assert_int_equal(upcall(D0, 0), 0);
    assert_int_equal(fake.kicks[D0][2], 1);
    assert_int_equal(total_kicks(), 1);
    assert_int_equal(bind_vcpu(D0, p, 1), -EINVAL);     /* an IPI stays on its vCPU */
    assert_int_equal(bind_ipi(D0, FAKE_ABSENT_VCPU, &p), -ENOENT);
    assert_int_equal(bind_ipi(D0, FAKE_MAX_VCPUS, &p), -ENOENT);
}

static void test_bind_vcpu(void **state)
{
    struct evtchn_status s;
    uint32_t u;

    (void)state;
    assert_int_equal(alloc_unbound(D0, SELF, SELF, &u), 0);
    assert_int_equal(bind_vcpu(D0, u, 2), 0);
    assert_int_equal(status(D0, SELF, u, &s), 0);
    assert_int_equal(s.vcpu, 2);
    assert_int_equal(bind_vcpu(D0, u, FAKE_ABSENT_VCPU), -ENOENT);
    assert_int_equal(bind_vcpu(D0, u, 99), -ENOENT);
    assert_int_equal(bind_vcpu(D0, 50, 1), -EINVAL);    /* free */
    assert_int_equal(bind_vcpu(D0, 0, 1), -EINVAL);     /* reserved */
    assert_int_equal(bind_vcpu(D0, 4096, 1), -EINVAL);
    /* Closing resets the vCPU to 0. */
    assert_int_equal(evtchn_close_p(D0, u), 0);
    assert_int_equal(status(D0, SELF, u, &s), 0);
    assert_int_equal(s.vcpu, 0);
}

static void test_send_errors(void **state)
{
    uint32_t u;

    (void)state;
    assert_int_equal(evtchn_send_p(D0, 7), -EINVAL);    /* free */
    assert_int_equal(evtchn_send_p(D0, 4096), -EINVAL);
    assert_int_equal(evtchn_send_p(D0, UINT32_MAX), -EINVAL);
    assert_int_equal(alloc_unbound(D0, SELF, SELF, &u), 0);
    assert_int_equal(evtchn_send_p(D0, u), 0);          /* unbound: dropped */
    assert_false(pending(D0, u));
    assert_int_equal(total_kicks(), 0);
}

/* ---- 2-level semantics as Linux's events_2l.c expects ---- */

static void test_2l_mask_unmask(void **state)
{
    uint32_t p;

    (void)state;
    assert_int_equal(bind_ipi(D0, 1, &p), 0);
    /* Masked (as Linux masks every port at start): pending only. */
    set_mask(D0, p, true);
    assert_int_equal(evtchn_send_p(D0, p), 0);
    assert_true(pending(D0, p));
    assert_false(sel(D0, 1, p));
    assert_int_equal(upcall(D0, 1), 0);
    assert_int_equal(total_kicks(), 0);
    /* Unmask delivers what arrived while masked. */
    assert_int_equal(evtchn_unmask_p(D0, p), 0);
    assert_false(masked(D0, p));
    assert_true(sel(D0, 1, p));
    assert_int_equal(upcall(D0, 1), 1);
    assert_int_equal(fake.kicks[D0][1], 1);
    /* Unmasking again (not masked) does nothing more. */
    assert_int_equal(evtchn_unmask_p(D0, p), 0);
    assert_int_equal(fake.kicks[D0][1], 1);
    /* Already pending: a second send changes nothing. */
    assert_int_equal(evtchn_send_p(D0, p), 0);
    assert_int_equal(fake.kicks[D0][1], 1);
    /* Guest took the upcall but left the port pending: still no new edge. */
    fake_vcpu_info(D0, 1)->evtchn_upcall_pending = 0;
    fake_vcpu_info(D0, 1)->evtchn_pending_sel = 0;
    assert_int_equal(evtchn_send_p(D0, p), 0);
    assert_int_equal(upcall(D0, 1), 0);
    /* Cleared pending: the next send is a new event. */
    guest_consume(D0, 1);
    assert_int_equal(evtchn_send_p(D0, p), 0);
    assert_true(sel(D0, 1, p));
    assert_int_equal(fake.kicks[D0][1], 2);
    /* Selector already set (another port of the word): no new upcall edge. */
    guest_consume(D0, 1);
    fake_vcpu_info(D0, 1)->evtchn_pending_sel = 1UL << (p / 64);
    assert_int_equal(evtchn_send_p(D0, p), 0);
    assert_int_equal(upcall(D0, 1), 0);
    assert_int_equal(fake.kicks[D0][1], 2);
    /* Upcall already pending: selector set, no second kick. */
    guest_consume(D0, 1);
    fake_vcpu_info(D0, 1)->evtchn_upcall_pending = 1;
    assert_int_equal(evtchn_send_p(D0, p), 0);
    assert_true(sel(D0, 1, p));
    assert_int_equal(fake.kicks[D0][1], 2);
    /* Unmask of a port that is not pending: the mask clears, nothing raised. */
    guest_consume(D0, 1);
    set_mask(D0, p, true);
    assert_int_equal(evtchn_unmask_p(D0, p), 0);
    assert_false(masked(D0, p));
    assert_int_equal(upcall(D0, 1), 0);
    /* Unmask of a free port leaves its mask bit alone (Xen: not usable). */
    set_mask(D0, 60, true);
    assert_int_equal(evtchn_unmask_p(D0, 60), 0);
    assert_true(masked(D0, 60));
}

static void test_2l_high_port_selector(void **state)
{
    uint32_t p = 0;

    (void)state;
    for (unsigned int i = 1; i <= 200; i++)
        assert_int_equal(bind_ipi(D1, 0, &p), 0);
    assert_int_equal(p, 200);
    assert_int_equal(evtchn_send_p(D1, p), 0);
    assert_int_equal(fake_vcpu_info(D1, 0)->evtchn_pending_sel, 1UL << 3);
    assert_int_equal(fake.shared[D1].evtchn_pending[3], 1UL << (200 % 64));
}

/* ---- status, reset, FIFO, pirq, dispatcher ---- */

static void test_status_errors(void **state)
{
    struct evtchn_status s;

    (void)state;
    assert_int_equal(status(D0, FAKE_D1_ID, 0, &s), 0);        /* privileged over D1 */
    assert_int_equal(status(D1, 0, 0, &s), -EPERM);
    assert_int_equal(status(D1, 0, 4096, &s), -EINVAL);         /* port first, as Xen */
    assert_int_equal(status(D0, 9, 0, &s), -ESRCH);
    /* Output union zeroed. */
    assert_int_equal(status(D0, SELF, 1, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_closed);
    assert_int_equal(s.u.interdomain.dom, 0);
    assert_int_equal(s.u.interdomain.port, 0);
}

static void test_reset(void **state)
{
    struct evtchn_reset r;
    uint32_t p1, p0, v, i;

    (void)state;
    assert_int_equal(alloc_unbound(D1, SELF, 0, &p1), 0);
    assert_int_equal(bind_interdomain(D0, FAKE_D1_ID, p1, &p0), 0);
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, 0, &v), 0);
    assert_int_equal(bind_ipi(D0, 1, &i), 0);
    r.dom = FAKE_D1_ID;
    assert_int_equal(evtchn_op(D0, EVTCHNOP_reset, &r), -EINVAL);   /* not paused */
    r.dom = 0;
    assert_int_equal(evtchn_op(D1, EVTCHNOP_reset, &r), -EPERM);
    r.dom = 9;
    assert_int_equal(evtchn_op(D0, EVTCHNOP_reset, &r), -ESRCH);
    r.dom = SELF;
    assert_int_equal(evtchn_op(D0, EVTCHNOP_reset, &r), 0);
    assert_int_equal(status_of(D0, p0), EVTCHNSTAT_closed);
    assert_int_equal(status_of(D0, v), EVTCHNSTAT_closed);
    assert_int_equal(status_of(D0, i), EVTCHNSTAT_closed);
    assert_int_equal(status_of(D1, p1), EVTCHNSTAT_unbound);
    assert_int_equal(bind_virq(D0, VIRQ_TIMER, 0, &v), 0);
}

static void test_fifo_pirq_unknown(void **state)
{
    struct evtchn_init_control ic = { .control_gfn = 1 };
    struct evtchn_expand_array ea = { .array_gfn = 1 };
    struct evtchn_set_priority sp = { .port = 1, .priority = 3 };
    struct evtchn_bind_pirq bp = { .pirq = 1 };
    struct evtchn_send s = { .port = 1 };
    uint32_t p;

    (void)state;
    assert_int_equal(evtchn_op(D0, EVTCHNOP_init_control, &ic), -ENOSYS);
    assert_int_equal(evtchn_op(D0, EVTCHNOP_expand_array, &ea), -ENOSYS);
    assert_int_equal(evtchn_op(D0, EVTCHNOP_set_priority, &sp), -ENOSYS);
    sp.port = 4096;
    assert_int_equal(evtchn_op(D0, EVTCHNOP_set_priority, &sp), -EINVAL);
    assert_int_equal(evtchn_op(D0, EVTCHNOP_bind_pirq, &bp), -EPERM);
    bp.pirq = UINT32_MAX;
    assert_int_equal(evtchn_op(D1, EVTCHNOP_bind_pirq, &bp), -EPERM);
    assert_int_equal(evtchn_op(D0, 14, &s), -ENOSYS);
    assert_int_equal(evtchn_op(D0, 1000, &s), -ENOSYS);
    assert_int_equal(evtchn_op(D0, (unsigned long)-1, &s), -ENOSYS);
    /* The command is an int: upper bits of the register are ignored. */
    assert_int_equal(bind_ipi(D0, 0, &p), 0);
    s.port = p;
    assert_int_equal(evtchn_op(D0, (1UL << 32) | EVTCHNOP_send, &s), 0);
    assert_true(pending(D0, p));
}

static void test_efault(void **state)
{
    static const unsigned int cmds[] = {
        EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq, EVTCHNOP_bind_pirq, EVTCHNOP_close,
        EVTCHNOP_send, EVTCHNOP_status, EVTCHNOP_alloc_unbound, EVTCHNOP_bind_ipi,
        EVTCHNOP_bind_vcpu, EVTCHNOP_unmask, EVTCHNOP_reset, EVTCHNOP_init_control,
        EVTCHNOP_expand_array, EVTCHNOP_set_priority,
    };
    struct evtchn_bind_ipi *ro = (struct evtchn_bind_ipi *)fake_ro_page;

    (void)state;
    for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++) {
        assert_int_equal(evtchn_op(D0, cmds[i], NULL), -EFAULT);
        assert_int_equal(evtchn_op(D0, cmds[i], (void *)BAD_VA), -EFAULT);
        assert_int_equal(evtchn_op(D0, cmds[i], (void *)(FAKE_BAD_VA_END - 2)), -EFAULT);
    }
    /* Readable but not writable: the bind happens, the result is -EFAULT. */
    memset(ro, 0, sizeof(*ro));
    assert_int_equal(evtchn_op(D0, EVTCHNOP_bind_ipi, ro), -EFAULT);
    assert_int_equal(status_of(D0, 1), EVTCHNSTAT_ipi);
    /* Ops without results do not write back. */
    ((struct evtchn_send *)fake_ro_page)->port = 1;
    assert_int_equal(evtchn_op(D0, EVTCHNOP_send, fake_ro_page), 0);
}

/* ---- Domain teardown ---- */

static void test_domain_destroy(void **state)
{
    struct evtchn_status s;
    uint32_t p1, p0, v;

    (void)state;
    assert_int_equal(alloc_unbound(D1, SELF, 0, &p1), 0);
    assert_int_equal(bind_interdomain(D0, FAKE_D1_ID, p1, &p0), 0);
    assert_int_equal(bind_virq(D1, VIRQ_TIMER, 1, &v), 0);
    for (unsigned int i = 0; i < 300; i++)
        assert_int_equal(bind_ipi(D1, 2, &v), 0);      /* grow to three buckets */
    fake_domain_destroy(D1);
    assert_null(fake_dom(D1)->evtchn);
    assert_int_equal(status(D0, SELF, p0, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, FAKE_D1_ID);
    assert_int_equal(bind_interdomain(D0, FAKE_D1_ID, p1, &p0), -ESRCH);
    /* Raising VIRQs of a destroyed domain is harmless. */
    send_guest_vcpu_virq(fake_vcpu(D1, 1), VIRQ_TIMER);
    send_guest_global_virq(fake_dom(D1), VIRQ_CONSOLE);
    send_guest_global_virq(NULL, VIRQ_CONSOLE);
}

static void test_init_enomem(void **state)
{
    struct vcpu *none[2] = { NULL, NULL };
    struct domain d = { .domain_id = 3, .max_vcpus = 2, .vcpus = none };

    (void)state;
    for (unsigned int n = 1; n <= 3; n++) {
        fake_heap_fail_after = n;
        assert_int_equal(evtchn_domain_init(&d), -ENOMEM);
        assert_null(d.evtchn);
    }
    fake_heap_fail_after = 0;
    assert_int_equal(evtchn_domain_init(&d), 0);
    evtchn_domain_destroy(&d);
    assert_null(d.evtchn);
}

/* ---- SCHEDOP_block ---- */

static void test_block(void **state)
{
    struct vcpu *v;
    uint32_t p;

    (void)state;
    /* Nothing pending: the mask is cleared and the vCPU stays blocked. */
    v = as(D0, 1);
    assert_int_equal(evtchn_sched_block(v), 0);
    assert_int_equal(fake_vcpu_info(D0, 1)->evtchn_upcall_mask, 0);
    assert_true(fake.blocked[D0][1]);
    assert_false(vcpu_event_pending(v));
    /* An event for it kicks it awake. */
    assert_int_equal(bind_ipi(D0, 1, &p), 0);
    set_mask(D0, p, false);
    assert_int_equal(evtchn_send_p(D0, p), 0);
    assert_false(fake.blocked[D0][1]);
    assert_int_equal(fake.kicks[D0][1], 1);
    assert_true(vcpu_event_pending(v));
    /* Already pending: block returns awake (woken at once). */
    fake_vcpu_info(D0, 1)->evtchn_upcall_mask = 1;
    assert_false(vcpu_event_pending(v));
    v = as(D0, 1);
    assert_int_equal(evtchn_sched_block(v), 0);
    assert_false(fake.blocked[D0][1]);
    assert_int_equal(fake.wakes[D0][1], 1);
}

/* ---- SCHEDOP_poll ---- */

static long poll(unsigned int dom, unsigned int vcpu, const uint32_t *ports, uint32_t n,
                 uint64_t timeout)
{
    struct sched_poll p = { .nr_ports = n, .timeout = timeout };

    p.ports.p = (evtchn_port_t *)(uintptr_t)ports;
    return evtchn_sched_poll(as(dom, vcpu), &p);
}

static void test_poll_errors(void **state)
{
    static uint32_t ports[129];
    uint32_t p;

    (void)state;
    assert_int_equal(bind_ipi(D0, 0, &p), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(ports); i++)
        ports[i] = p;
    assert_int_equal(poll(D0, 0, ports, 129, 0), -EINVAL);
    assert_int_equal(poll(D0, 0, (uint32_t *)BAD_VA, 1, 0), -EFAULT);
    assert_int_equal(poll(D0, 0, (uint32_t *)(FAKE_BAD_VA_END - 4), 2, 0), -EFAULT);
    ports[0] = 4096;
    assert_int_equal(poll(D0, 0, ports, 1, 0), -EINVAL);
    ports[0] = 200;     /* beyond the first bucket: not valid */
    assert_int_equal(poll(D0, 0, ports, 1, 0), -EINVAL);
    /* A failed poll leaves the vCPU awake and not polling. */
    assert_false(fake.blocked[D0][0]);
    assert_false(fake_vcpu(D0, 0)->polling);
    ports[0] = p;
    ports[1] = 9999;
    /* 128 is allowed; the bad port is found only after a good one. */
    assert_int_equal(poll(D0, 0, ports, 2, 0), -EINVAL);
    assert_false(fake.blocked[D0][0]);
}

static void test_poll_returns_at_once(void **state)
{
    uint32_t ports[2], p, q;

    (void)state;
    assert_int_equal(bind_ipi(D0, 0, &p), 0);
    assert_int_equal(bind_ipi(D0, 0, &q), 0);
    /* A polled port already pending (even masked). */
    assert_int_equal(evtchn_send_p(D0, q), 0);
    ports[0] = p;
    ports[1] = q;
    assert_int_equal(poll(D0, 0, ports, 2, 0), 0);
    assert_false(fake.blocked[D0][0]);
    assert_false(fake_vcpu(D0, 0)->polling);
    /* A timeout already past. */
    assert_int_equal(poll(D0, 0, ports, 1, fake_now - 1), 0);
    assert_false(fake.blocked[D0][0]);
    assert_int_equal(timer_pending(0), 0);
    /* An upcall that could be delivered now. */
    fake_vcpu_info(D0, 0)->evtchn_upcall_pending = 1;
    fake_vcpu_info(D0, 0)->evtchn_upcall_mask = 0;
    assert_int_equal(poll(D0, 0, ports, 1, 0), 0);
    assert_false(fake.blocked[D0][0]);
}

static void test_poll_wakes_on_its_port(void **state)
{
    uint32_t p, q, one;

    (void)state;
    assert_int_equal(bind_ipi(D0, 1, &p), 0);
    assert_int_equal(bind_ipi(D0, 1, &q), 0);
    /* As Linux polls (spinlock kicker): port masked. An unmasked event
     * would kick the vCPU awake (test_block). */
    set_mask(D0, p, true);
    set_mask(D0, q, true);
    one = p;
    assert_int_equal(poll(D0, 1, &one, 1, 0), 0);
    assert_true(fake.blocked[D0][1]);
    assert_true(fake_vcpu(D0, 1)->polling);
    assert_null(evtchn_check_invariants());
    /* Another port (masked): not what it waits for. */
    assert_int_equal(evtchn_send_p(D0, q), 0);
    assert_true(fake.blocked[D0][1]);
    /* Its port, masked: woken all the same (poll looks at pending bits). */
    assert_int_equal(evtchn_send_p(D0, p), 0);
    assert_false(fake.blocked[D0][1]);
    assert_false(fake_vcpu(D0, 1)->polling);
    assert_int_equal(fake.wakes[D0][1], 1);
    assert_int_equal(total_kicks(), 0);
}

static uint32_t race_port;

static void raise_race_port(void)
{
    struct vcpu *me = current_vcpu();

    /* "Another CPU": D1's vCPU 0 sends on the interdomain channel. */
    assert_int_equal(evtchn_send_p(D1, race_port), 0);
    fake_set_current(me);
}

/*
 * The event arrives while the poller is blocking (between its block and
 * its look at the ports): it must end up awake, whichever side ends the
 * poll. Keel once made the poll visible before blocking, so a raiser's
 * wake could come before the block and be lost (a vCPU asleep forever
 * with its port pending).
 */
static void test_poll_event_racing_the_block(void **state)
{
    uint32_t local, remote;

    (void)state;
    assert_int_equal(alloc_unbound(D1, DOMID_SELF, 0, &remote), 0);
    assert_int_equal(bind_interdomain(D0, FAKE_D1_ID, remote, &local), 0);
    /* Binding raises the new port (a send may have been lost): start clean. */
    fake.shared[D0].evtchn_pending[local / 64] &= ~(1UL << (local % 64));
    set_mask(D0, local, true);
    race_port = remote;
    fake_during_block = raise_race_port;
    assert_int_equal(poll(D0, 0, &local, 1, 0), 0);
    assert_null(fake_during_block);     /* the hook ran */
    assert_true(pending(D0, local));
    assert_false(fake.blocked[D0][0]);
    assert_false(fake_vcpu(D0, 0)->polling);
    assert_null(evtchn_check_invariants());
}

static void test_poll_any_port(void **state)
{
    uint32_t ports[2], p, q, r;

    (void)state;
    assert_int_equal(bind_ipi(D0, 2, &p), 0);
    assert_int_equal(bind_ipi(D0, 2, &q), 0);
    assert_int_equal(bind_ipi(D0, 0, &r), 0);
    ports[0] = p;
    ports[1] = q;
    assert_int_equal(poll(D0, 2, ports, 2, 0), 0);
    assert_true(fake.blocked[D0][2]);
    /* With more than one port, any event of the domain ends the poll (as Xen). */
    assert_int_equal(evtchn_send_p(D0, r), 0);
    assert_false(fake.blocked[D0][2]);
    assert_false(fake_vcpu(D0, 2)->polling);
    /* An event of the other domain does not. */
    guest_consume(D0, 0);
    assert_int_equal(poll(D0, 2, ports, 2, 0), 0);
    assert_int_equal(bind_ipi(D1, 0, &r), 0);
    assert_int_equal(evtchn_send_p(D1, r), 0);
    assert_true(fake.blocked[D0][2]);
    assert_int_equal(evtchn_send_p(D0, q), 0);
    assert_false(fake.blocked[D0][2]);
}

static void test_poll_timeout(void **state)
{
    uint32_t p, one;

    (void)state;
    assert_int_equal(bind_ipi(D0, 0, &p), 0);
    one = p;
    assert_int_equal(poll(D0, 0, &one, 1, fake_now + 500), 0);
    assert_true(fake.blocked[D0][0]);
    assert_int_equal(timer_pending(0), 1);
    fake_now += 499;
    timer_run_expired();
    assert_true(fake.blocked[D0][0]);
    fake_now += 1;
    timer_run_expired();
    assert_false(fake.blocked[D0][0]);
    assert_false(fake_vcpu(D0, 0)->polling);
    assert_int_equal(timer_pending(0), 0);
    /* Ended early by its port: the stale timer, when it fires, does nothing. */
    assert_int_equal(poll(D0, 0, &one, 1, fake_now + 500), 0);
    assert_int_equal(evtchn_send_p(D0, p), 0);
    assert_false(fake.blocked[D0][0]);
    assert_int_equal(fake.wakes[D0][0], 2);
    guest_consume(D0, 0);
    /* A new poll stops the stale timer before arming its own. */
    assert_int_equal(poll(D0, 0, &one, 1, fake_now + 1000), 0);
    assert_int_equal(timer_pending(0), 1);
    fake_now += 600;
    timer_run_expired();
    assert_true(fake.blocked[D0][0]);
    fake_now += 400;
    timer_run_expired();
    assert_false(fake.blocked[D0][0]);
    assert_int_equal(fake.wakes[D0][0], 3);
}

static void test_poll_destroy_stops_timer(void **state)
{
    uint32_t p, one;

    (void)state;
    assert_int_equal(bind_ipi(D1, 0, &p), 0);
    one = p;
    assert_int_equal(poll(D1, 0, &one, 1, fake_now + 500), 0);
    assert_int_equal(timer_pending(0), 1);
    /* The domain dies with a poll in progress (its vCPU no longer runs). */
    fake_domain_destroy(D1);
    assert_int_equal(timer_pending(0), 0);
    assert_false(fake.vcpu[D1][0].polling);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_port0_reserved_and_validity),
        T(test_lowest_free_port_and_reuse),
        T(test_enospc_and_enomem),
        T(test_alloc_unbound),
        T(test_interdomain_bind_send_close),
        T(test_interdomain_errors),
        T(test_loopback),
        T(test_bind_virq_rules),
        T(test_virq_delivery),
        T(test_ipi),
        T(test_bind_vcpu),
        T(test_send_errors),
        T(test_2l_mask_unmask),
        T(test_2l_high_port_selector),
        T(test_status_errors),
        T(test_reset),
        T(test_fifo_pirq_unknown),
        T(test_efault),
        T(test_domain_destroy),
        T(test_init_enomem),
        T(test_block),
        T(test_poll_errors),
        T(test_poll_returns_at_once),
        T(test_poll_wakes_on_its_port),
        T(test_poll_any_port),
        T(test_poll_event_racing_the_block),
        T(test_poll_timeout),
        T(test_poll_destroy_stops_timer),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
