/* SPDX-License-Identifier: MIT */
/*
 * evtchn: event channels and upcalls as Linux's 2-level code uses them
 * (drivers/xen/events/events_2l.c), with Xen 4.17's results.
 *
 * The guest registers an event callback (CALLBACKTYPE_event, events
 * masked on entry), masks every port as Linux's xen_init_IRQ does, and
 * handles upcalls like Linux: clear evtchn_upcall_pending, take the
 * selector with an exchange, scan pending & ~mask, clear each pending bit
 * it handles, return with the iret hypercall (which restores the upcall
 * mask from the frame's IF).
 *
 * Covered: init_control -ENOSYS (the 2-level fallback); an IPI to itself
 * (bind_ipi + send) arriving as one upcall with that port, on the return
 * from the send, with events masked inside the callback and unmasked
 * after; a masked port: pending only, then EVTCHNOP_unmask delivers it;
 * the upcall mask: selector and upcall flag set but nothing delivered
 * until the guest clears the mask and makes a hypercall (Linux's
 * check_events); alloc_unbound(SELF, SELF) (what dom0's xenbus does) and a
 * loopback interdomain pair, each end's send raising the other; status of
 * every kind of port (closed, unbound, interdomain, virq, ipi; pirq is
 * refused); close turning the peer unbound; SCHEDOP_block with an event
 * pending returning at once with the upcall delivered; SCHEDOP_poll on a
 * pending port returning at once, with a timeout in the past at once, and
 * with a 20 ms timeout after it (pvclock); EVTCHNOP_reset closing all.
 */
#include "event.h"
#include "guest.h"
#include "mm.h"
#include "pvclock.h"
#include "test.h"

#define EINVAL (-XEN_EINVAL)
#define ENOSYS (-XEN_ENOSYS)
#define EPERM  (-XEN_EPERM)

#define NR_PORTS 4096

/* ---- The upcall: entry stub, handler, bookkeeping ---- */

void evtchn_upcall_entry(void);
void evtchn_upcall(void);

/*
 * Entered with Xen's bounce frame RCX, R11, RIP, CS, RFLAGS, RSP, SS on the
 * stack; leaves through iret_to_guest (lib/traps.S), which wants RSP at
 * RIP and the guest's RCX and R11 in their registers.
 */
asm(".pushsection .text\n"
    ".globl evtchn_upcall_entry\n"
    "evtchn_upcall_entry:\n\t"
    "pop %rcx\n\tpop %r11\n\t"
    "push %rdi\n\tpush %rsi\n\tpush %rdx\n\tpush %rcx\n\tpush %rax\n\t"
    "push %r8\n\tpush %r9\n\tpush %r10\n\tpush %r11\n\tpush %rbx\n\t"
    "mov %rsp, %rbx\n\tand $-16, %rsp\n\tcld\n\t"
    "call evtchn_upcall\n\t"
    "mov %rbx, %rsp\n\t"
    "pop %rbx\n\tpop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"
    "pop %rax\n\tpop %rcx\n\tpop %rdx\n\tpop %rsi\n\tpop %rdi\n\t"
    "jmp iret_to_guest\n"
    ".popsection");

static volatile unsigned int upcalls;           /* callbacks taken */
static volatile unsigned int seen[NR_PORTS];    /* per port: events handled */
static volatile unsigned int last_port;
static volatile unsigned int masked_inside;     /* callbacks entered with events masked */

static struct vcpu_info *vi;

static void count_port(evtchn_port_t port)
{
    seen[port]++;
    last_port = port;
}

void evtchn_upcall(void)
{
    upcalls++;
    if (vi->evtchn_upcall_mask)
        masked_inside++;
    event_scan(vi, count_port);
}

/* ---- Helpers ---- */

static long status(uint32_t port, struct evtchn_status *s)
{
    memset(s, 0, sizeof(*s));
    s->dom = DOMID_SELF;
    s->port = port;
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, s);
}

static uint32_t bind_ipi(void)
{
    struct evtchn_bind_ipi b = { .vcpu = 0 };

    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b), 0);
    return b.port;
}

/* System time in ns from vCPU 0's pvclock. */
static uint64_t system_ns(void)
{
    return pvclock_ns(&vi->time);
}

/* ---- Tests ---- */

static void test_setup(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)evtchn_upcall_entry,
    };
    struct evtchn_init_control ic = { .control_gfn = 0, .offset = 0, .vcpu = 0 };

    expect_eq(HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0);
    /* Linux probes the FIFO ABI first; -ENOSYS makes it use 2-level. */
    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic), ENOSYS);
    /* xen_init_IRQ: every port masked, by direct writes. */
    for (unsigned int w = 0; w < 64; w++)
        shared_info->evtchn_mask[w] = ~0UL;
}

static void test_ipi_upcall(void)
{
    struct evtchn_status s;
    uint32_t p = bind_ipi();
    unsigned int before, seen0 = seen[p];

    check(p > 0 && p < NR_PORTS, "bind_ipi gave port %u", p);
    expect_eq(status(p, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_ipi);
    expect_eq(s.vcpu, 0);
    expect_eq(event_unmask(p), 0);
    check(!(shared_info->evtchn_mask[p / 64] & (1UL << (p % 64))), "unmask left the bit set");
    event_upcalls_on(vi);
    before = upcalls;
    /* The send's own return to the guest delivers the upcall. */
    expect_eq(event_send(p), 0);
    expect_eq(upcalls - before, 1);
    expect_eq(seen[p] - seen0, 1);
    expect_eq(last_port, p);
    expect_eq(masked_inside, upcalls);
    expect_eq(vi->evtchn_upcall_mask, 0);       /* restored by iret */
    check(!event_pending(p), "handler left port %u pending", p);
    /* Again, and again: one upcall per send. */
    for (unsigned int i = 0; i < 100; i++)
        expect_eq(event_send(p), 0);
    expect_eq(upcalls - before, 101);
    expect_eq(seen[p] - seen0, 101);
    event_upcalls_off(vi);
    expect_eq(event_close(p), 0);
}

static void test_mask_semantics(void)
{
    uint32_t p = bind_ipi();
    unsigned int before = upcalls, seen0 = seen[p];

    /* Masked port: the pending bit only. */
    event_mask(p);
    event_upcalls_on(vi);
    expect_eq(event_send(p), 0);
    check(event_pending(p), "masked port %u not pending after send", p);
    expect_eq(upcalls, before);
    expect_eq(vi->evtchn_pending_sel & (1UL << (p / 64)), 0);
    /* EVTCHNOP_unmask delivers it. */
    expect_eq(event_unmask(p), 0);
    expect_eq(upcalls - before, 1);
    expect_eq(seen[p] - seen0, 1);

    /* Upcall mask set: flag and selector set, nothing delivered... */
    event_upcalls_off(vi);
    expect_eq(event_send(p), 0);
    expect_eq(vi->evtchn_upcall_pending, 1);
    check(vi->evtchn_pending_sel & (1UL << (p / 64)), "selector bit of port %u clear", p);
    expect_eq(upcalls - before, 1);
    /* ... until the guest unmasks and makes a hypercall. */
    event_upcalls_on(vi);
    expect_eq(upcalls - before, 2);
    expect_eq(seen[p] - seen0, 2);
    event_upcalls_off(vi);

    /*
     * Linux's local unmask (events_2l.c) without a hypercall: clear the
     * mask bit and, the port being pending, set the selector bit and the
     * upcall flag itself. The next hypercall with events on delivers it.
     */
    event_mask(p);
    expect_eq(event_send(p), 0);
    expect_eq(vi->evtchn_upcall_pending, 0);
    __atomic_fetch_and(&shared_info->evtchn_mask[p / 64], ~(1UL << (p % 64)), __ATOMIC_SEQ_CST);
    if (event_pending(p) &&
        !(__atomic_fetch_or(&vi->evtchn_pending_sel, 1UL << (p / 64), __ATOMIC_SEQ_CST) &
          (1UL << (p / 64))))
        vi->evtchn_upcall_pending = 1;
    expect_eq(upcalls - before, 2);
    event_upcalls_on(vi);
    expect_eq(upcalls - before, 3);
    expect_eq(seen[p] - seen0, 3);
    event_upcalls_off(vi);
    /* EVTCHNOP_unmask of an unmasked port is a no-op. */
    expect_eq(event_unmask(p), 0);
    expect_eq(upcalls - before, 3);
    expect_eq(event_close(p), 0);
}

static void test_interdomain_loopback(void)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_bind_interdomain b;
    struct evtchn_status s;
    unsigned int before;

    /* What Linux dom0's xenbus does in XS_LOCAL mode: must succeed. */
    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a), 0);
    expect_eq(status(a.port, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_unbound);
    expect_eq(s.u.unbound.dom, 0);
    /* A send on an unbound port is dropped. */
    expect_eq(event_send(a.port), 0);
    check(!event_pending(a.port), "unbound port pending");

    memset(&b, 0, sizeof(b));
    b.remote_dom = DOMID_SELF;
    b.remote_port = a.port;
    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b), 0);
    check(b.local_port != a.port && b.local_port > 0, "local port %u", b.local_port);
    expect_eq(status(b.local_port, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_interdomain);
    expect_eq(s.u.interdomain.dom, 0);
    expect_eq(s.u.interdomain.port, a.port);
    expect_eq(status(a.port, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_interdomain);
    expect_eq(s.u.interdomain.port, b.local_port);
    /* Xen raises the new local port once at bind: consume it. */
    expect_eq(event_unmask(a.port), 0);
    expect_eq(event_unmask(b.local_port), 0);
    event_upcalls_on(vi);
    before = seen[b.local_port];
    expect_eq(event_send(a.port), 0);
    expect_eq(seen[b.local_port] - before, 1);
    before = seen[a.port];
    expect_eq(event_send(b.local_port), 0);
    expect_eq(seen[a.port] - before, 1);
    event_upcalls_off(vi);
    /* Closing one end makes the other unbound again, offered to us. */
    expect_eq(event_close(b.local_port), 0);
    expect_eq(status(b.local_port, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_closed);
    expect_eq(status(a.port, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_unbound);
    expect_eq(s.u.unbound.dom, 0);
    expect_eq(event_close(a.port), 0);
}

static void test_status_kinds(void)
{
    struct evtchn_bind_virq v = { .virq = VIRQ_CONSOLE, .vcpu = 0 };
    struct evtchn_bind_virq d = { .virq = VIRQ_DEBUG, .vcpu = 0 };
    struct evtchn_bind_pirq pq = { .pirq = 1, .flags = 0 };
    struct evtchn_status s;

    expect_eq(status(0, &s), 0);                 /* port 0: reserved, reads closed */
    expect_eq(s.status, EVTCHNSTAT_closed);
    expect_eq(status(100, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_closed);
    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &v), 0);
    expect_eq(status(v.port, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_virq);
    expect_eq(s.u.virq, VIRQ_CONSOLE);
    expect_eq(s.vcpu, 0);
    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &d), 0);
    expect_eq(status(d.port, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_virq);
    expect_eq(s.u.virq, VIRQ_DEBUG);
    /* No physical IRQ is routed to guests. */
    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &pq), EPERM);
    /* bind_vcpu to vCPU 0: allowed for a global VIRQ, not a per-vCPU one. */
    {
        struct evtchn_bind_vcpu bv = { .port = v.port, .vcpu = 0 };

        expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv), 0);
        bv.port = d.port;
        expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv), EINVAL);
    }
    expect_eq(event_close(v.port), 0);
    expect_eq(event_close(d.port), 0);
}

static void test_block(void)
{
    uint32_t p = bind_ipi();
    unsigned int before = upcalls;

    expect_eq(event_unmask(p), 0);
    event_upcalls_off(vi);
    expect_eq(event_send(p), 0);      /* pending, upcall masked */
    expect_eq(upcalls, before);
    /* Block unmasks events; one is pending, so it returns and delivers it. */
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0);
    expect_eq(upcalls - before, 1);
    expect_eq(vi->evtchn_upcall_mask, 0);
    event_upcalls_off(vi);
    expect_eq(event_close(p), 0);
}

static void test_poll(void)
{
    uint32_t p = bind_ipi();
    struct sched_poll sp;
    uint64_t t0, t1;

    event_upcalls_off(vi);
    event_mask(p);
    /* A pending port: back at once. */
    expect_eq(event_send(p), 0);
    memset(&sp, 0, sizeof(sp));
    set_xen_guest_handle(sp.ports, &p);
    sp.nr_ports = 1;
    sp.timeout = 0;
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), 0);
    __atomic_fetch_and(&shared_info->evtchn_pending[p / 64], ~(1UL << (p % 64)),
                       __ATOMIC_SEQ_CST);
    /* A timeout already past: back at once. */
    sp.timeout = 1;
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), 0);
    /* Nothing pending: back after the timeout. */
    t0 = system_ns();
    sp.timeout = t0 + 20000000;
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), 0);
    t1 = system_ns();
    check(t1 >= t0 + 20000000, "poll returned after %lu ns, before its 20 ms timeout",
          (unsigned long)(t1 - t0));
    check(t1 < t0 + 2000000000UL, "poll took %lu ns for a 20 ms timeout",
          (unsigned long)(t1 - t0));
    check(!event_pending(p), "port %u pending after the timeout", p);
    expect_eq(event_close(p), 0);
}

static void test_reset(void)
{
    struct evtchn_reset r = { .dom = DOMID_SELF };
    struct evtchn_status s;
    uint32_t p = bind_ipi(), q = bind_ipi();

    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_reset, &r), 0);
    expect_eq(status(p, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_closed);
    expect_eq(status(q, &s), 0);
    expect_eq(s.status, EVTCHNSTAT_closed);
    expect_eq(event_close(p), EINVAL);
}

void guest_main(void)
{
    long rc = map_shared_info();

    if (rc)
        test_fail(guest_name, "map_shared_info: %ld", rc);
    vi = vcpu0_info();
    test_setup();
    test_ipi_upcall();
    test_mask_semantics();
    test_interdomain_loopback();
    test_status_kinds();
    test_block();
    test_poll();
    test_reset();
    event_upcalls_off(vi);
}
