/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for event channels (hypervisor/common/event_channel.c,
 * event_2l.c, event_wait.c and the real timer.c), on the fake machine of
 * tests/support/evtchn_fake.h: two domains (D0 id 0 privileged, D1 id 5),
 * three vCPUs each and an absent slot. The input is a program; each
 * operation is a hypercall by some vCPU of either domain, a guest write to
 * its shared_info, a VIRQ raised by the hypervisor, time passing, or D1's
 * destruction. After every operation:
 *   - the invariant checker (tests/support/evtchn_check.c) passes: no port
 *     bound twice, interdomain pairs symmetric, free ports truly free,
 *     nothing refers to a destroyed domain;
 *   - the return code is one the operation documents;
 *   - no event went to the wrong place: every pending bit that went 0 -> 1,
 *     every selector bit newly set, every kick, every wake-up of a poller,
 *     is accounted for by the ports the operation should have raised,
 *     worked out from the state before it (send: the peer or the IPI port;
 *     bind_interdomain: the new local port; a VIRQ: its bound port; unmask:
 *     that port), on the notify vCPU of that port.
 * At the end both domains are destroyed: the heap must be empty again and
 * no timer armed. Any violation aborts. FUZZ_TRACE=1 prints each step.
 *
 * Encoding: one operation is an opcode byte and up to four argument bytes
 * (missing bytes read as 0). opcode % 16 selects the operation; bit 4 the
 * acting domain; bits 5-6 the acting vCPU (3 = the absent slot, which acts
 * as vCPU 0 but is still named as an argument).
 * Ports: argument byte < 240 is the port; 240.. pick 0, 127, 128, 255,
 * 256, 4095, 4096, 0xffffffff and so on (see port_of()).
 * Domains: byte % 4 = DOMID_SELF, 0, 5, or an unknown id.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/errno.h>
#include <keel/event.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/timer.h>
#include <public/event_channel.h>
#include <public/sched.h>
#include <public/xen.h>

#include "event_internal.h"
#include "evtchn_check.h"
#include "evtchn_fake.h"

#define MAX_OPS 512
#define MAX_EXPECT 4

static bool trace;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_event_channel: %s\n", what);
    abort();
}

/* ---- Input ---- */

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t next(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint32_t port_of(uint8_t b)
{
    static const uint32_t special[] = { 0, 127, 128, 129, 255, 256, 383, 384, 4095, 4096,
                                        4097, 65535, 0x7fffffff, 0x80000000, 0xffffffff, 1 };

    return b < 240 ? b : special[b - 240];
}

static domid_t dom_of(uint8_t b)
{
    static const domid_t ids[] = { DOMID_SELF, 0, FAKE_D1_ID, 9 };

    return ids[b % 4];
}

/* ---- Snapshots for the delivery check ---- */

struct snap {
    xen_ulong_t pending[FAKE_NR_DOMS][64];
    xen_ulong_t sel[FAKE_NR_DOMS][FAKE_MAX_VCPUS];
    unsigned int kicks[FAKE_NR_DOMS][FAKE_MAX_VCPUS];
    unsigned int wakes[FAKE_NR_DOMS][FAKE_MAX_VCPUS];
};

static void take(struct snap *s)
{
    for (unsigned int d = 0; d < FAKE_NR_DOMS; d++) {
        memcpy(s->pending[d], fake.shared[d].evtchn_pending, sizeof(s->pending[d]));
        for (unsigned int v = 0; v < FAKE_MAX_VCPUS; v++)
            s->sel[d][v] = fake.shared[d].vcpu_info[v].evtchn_pending_sel;
    }
    memcpy(s->kicks, fake.kicks, sizeof(s->kicks));
    memcpy(s->wakes, fake.wakes, sizeof(s->wakes));
}

/* Ports the current operation may raise. */
struct expect {
    unsigned int n;
    unsigned int dom[MAX_EXPECT];
    uint32_t port[MAX_EXPECT];
    bool may_wake[FAKE_NR_DOMS][FAKE_MAX_VCPUS];   /* besides pollers of raised ports */
    bool any_wake;                                 /* timers ran */
};

static int dom_index(const struct domain *d)
{
    for (int i = 0; i < FAKE_NR_DOMS; i++)
        if (d == &fake.dom[i])
            return i;
    die("port refers to an unknown domain");
    return -1;
}

static struct evtchn *chn_of(unsigned int dom, uint32_t port)
{
    struct evtchn_domain *ed = fake.dom[dom].evtchn;

    if (!fake.alive[dom] || !ed || port >= ed->valid_ports)
        return NULL;
    return evtchn_from_port(ed, port);
}

static void expect_port(struct expect *e, unsigned int dom, uint32_t port)
{
    if (e->n == MAX_EXPECT)
        die("too many expected ports");
    e->dom[e->n] = dom;
    e->port[e->n] = port;
    e->n++;
}

/* What a send on (dom, port) should raise, from the state before it. */
static void expect_send(struct expect *e, unsigned int dom, uint32_t port)
{
    struct evtchn *c = chn_of(dom, port);

    if (!c)
        return;
    if (c->state == ECS_INTERDOMAIN)
        expect_port(e, (unsigned int)dom_index(c->u.interdomain.dom), c->u.interdomain.port);
    else if (c->state == ECS_IPI)
        expect_port(e, dom, port);
}

static bool expected_word(const struct expect *e, unsigned int dom, unsigned int vcpu,
                          unsigned int word)
{
    for (unsigned int i = 0; i < e->n; i++) {
        struct evtchn *c = chn_of(e->dom[i], e->port[i]);

        if (e->dom[i] == dom && e->port[i] / 64 == word && c && c->notify_vcpu == vcpu)
            return true;
    }
    return false;
}

static bool expected_dom(const struct expect *e, unsigned int dom)
{
    for (unsigned int i = 0; i < e->n; i++)
        if (e->dom[i] == dom)
            return true;
    return false;
}

static void check_delivery(const struct snap *before, const struct expect *e, bool unmask_only)
{
    struct snap after;

    take(&after);
    for (unsigned int d = 0; d < FAKE_NR_DOMS; d++) {
        for (unsigned int w = 0; w < 64; w++) {
            xen_ulong_t fresh = after.pending[d][w] & ~before->pending[d][w];

            for (unsigned int b = 0; fresh && b < 64; b++) {
                uint32_t port = w * 64 + b;
                bool ok = false;

                if (!(fresh & (1UL << b)))
                    continue;
                for (unsigned int i = 0; i < e->n && !unmask_only; i++)
                    ok |= e->dom[i] == d && e->port[i] == port;
                if (!ok) {
                    fprintf(stderr, "d%u port %u became pending unexpectedly\n", d, port);
                    die("event delivered to the wrong port");
                }
            }
        }
        for (unsigned int v = 0; v < FAKE_MAX_VCPUS; v++) {
            xen_ulong_t fresh = after.sel[d][v] & ~before->sel[d][v];

            for (unsigned int w = 0; w < 64; w++)
                if ((fresh & (1UL << w)) && !expected_word(e, d, v, w)) {
                    fprintf(stderr, "d%u vCPU %u selector bit %u set unexpectedly\n", d, v, w);
                    die("event delivered to the wrong vCPU");
                }
            /* A kick follows a selector bit's 0 -> 1 edge, checked above. */
            if (after.kicks[d][v] != before->kicks[d][v] && !fresh) {
                fprintf(stderr, "d%u vCPU %u kicked unexpectedly\n", d, v);
                die("kick to the wrong vCPU");
            }
            if (after.wakes[d][v] != before->wakes[d][v] && !e->any_wake &&
                !e->may_wake[d][v] && !expected_dom(e, d)) {
                fprintf(stderr, "d%u vCPU %u woken unexpectedly\n", d, v);
                die("wake-up of the wrong vCPU");
            }
        }
    }
}

/* ---- Return codes ---- */

static void check_rc(const char *op, long rc, const long *ok, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rc == ok[i])
            return;
    fprintf(stderr, "%s returned %ld\n", op, rc);
    die("undocumented return code");
}

#define CHECK_RC(op, rc, ...)                                                 \
    do {                                                                      \
        static const long ok_[] = { __VA_ARGS__ };                            \
        check_rc(op, rc, ok_, sizeof(ok_) / sizeof(ok_[0]));                  \
    } while (0)

/* ---- Running operations ---- */

static long hypercall(unsigned int cmd, void *arg)
{
    return do_event_channel_op(cmd, (unsigned long)arg, 0, 0, 0);
}

static void run_one(struct input *in)
{
    uint8_t op = next(in);
    unsigned int dom = (op >> 4) & 1;
    unsigned int vid = (op >> 5) & 3;
    unsigned int actor = vid == FAKE_ABSENT_VCPU ? 0 : vid;
    uint8_t a = next(in), b = next(in), c = next(in), d = next(in);
    struct vcpu *v;
    struct expect e;
    struct snap before;
    bool unmask_only = false;
    long rc = 0;

    if (!fake.alive[dom])
        dom = FAKE_D0;
    v = fake_vcpu(dom, actor);
    fake_set_current(v);
    memset(&e, 0, sizeof(e));
    take(&before);

    switch (op % 16) {
    case 0: {
        struct evtchn_alloc_unbound x = { .dom = dom_of(a), .remote_dom = dom_of(b) };

        rc = hypercall(EVTCHNOP_alloc_unbound, &x);
        CHECK_RC("alloc_unbound", rc, 0, -ESRCH, -EPERM, -ENOSPC);
        break;
    }
    case 1: {
        struct evtchn_bind_interdomain x = { .remote_dom = dom_of(a), .remote_port = port_of(b) };

        rc = hypercall(EVTCHNOP_bind_interdomain, &x);
        CHECK_RC("bind_interdomain", rc, 0, -ESRCH, -EINVAL, -ENOSPC);
        if (!rc)
            expect_port(&e, dom, x.local_port);
        break;
    }
    case 2: {
        struct evtchn_bind_virq x = { .virq = a % 26, .vcpu = b % 5 };

        rc = hypercall(EVTCHNOP_bind_virq, &x);
        CHECK_RC("bind_virq", rc, 0, -EINVAL, -ENOENT, -EEXIST, -EBUSY, -ENOSPC);
        break;
    }
    case 3: {
        struct evtchn_bind_ipi x = { .vcpu = a % 5 };

        rc = hypercall(EVTCHNOP_bind_ipi, &x);
        CHECK_RC("bind_ipi", rc, 0, -ENOENT, -ENOSPC);
        break;
    }
    case 4: {
        struct evtchn_close x = { .port = port_of(a) };

        rc = hypercall(EVTCHNOP_close, &x);
        CHECK_RC("close", rc, 0, -EINVAL);
        if (!rc && chn_of(dom, x.port)->state != ECS_FREE)
            die("closed port not free");
        break;
    }
    case 5: {
        struct evtchn_send x = { .port = port_of(a) };

        expect_send(&e, dom, x.port);
        rc = hypercall(EVTCHNOP_send, &x);
        CHECK_RC("send", rc, 0, -EINVAL);
        break;
    }
    case 6: {
        struct evtchn_status x = { .dom = dom_of(a), .port = port_of(b) };

        rc = hypercall(EVTCHNOP_status, &x);
        CHECK_RC("status", rc, 0, -ESRCH, -EPERM, -EINVAL);
        if (!rc && x.status > EVTCHNSTAT_ipi)
            die("status out of range");
        break;
    }
    case 7: {
        struct evtchn_bind_vcpu x = { .port = port_of(a), .vcpu = b % 5 };

        rc = hypercall(EVTCHNOP_bind_vcpu, &x);
        CHECK_RC("bind_vcpu", rc, 0, -ENOENT, -EINVAL);
        break;
    }
    case 8: {
        struct evtchn_unmask x = { .port = port_of(a) };
        struct evtchn *ch = chn_of(dom, x.port);

        if (ch && evtchn_usable(ch))
            expect_port(&e, dom, x.port);
        unmask_only = true;
        rc = hypercall(EVTCHNOP_unmask, &x);
        CHECK_RC("unmask", rc, 0, -EINVAL);
        break;
    }
    case 9: {
        struct evtchn_reset x = { .dom = dom_of(a) };

        rc = hypercall(EVTCHNOP_reset, &x);
        CHECK_RC("reset", rc, 0, -ESRCH, -EPERM, -EINVAL);
        break;
    }
    case 10: {
        /* The guest writes its shared_info: mask, unmask, consume. */
        struct shared_info *s = &fake.shared[dom];
        uint32_t port = port_of(b) % EVTCHN_NR_PORTS;
        xen_ulong_t bit = 1UL << (port % 64);

        switch (a % 5) {
        case 0: __atomic_fetch_or(&s->evtchn_mask[port / 64], bit, __ATOMIC_SEQ_CST); break;
        case 1: __atomic_fetch_and(&s->evtchn_mask[port / 64], ~bit, __ATOMIC_SEQ_CST); break;
        case 2: __atomic_fetch_and(&s->evtchn_pending[port / 64], ~bit, __ATOMIC_SEQ_CST); break;
        case 3: s->vcpu_info[actor].evtchn_pending_sel = 0; break;
        default:
            s->vcpu_info[actor].evtchn_upcall_pending = 0;
            s->vcpu_info[actor].evtchn_upcall_mask = c & 1;
            break;
        }
        take(&before);
        break;
    }
    case 11: {
        /* The hypervisor raises a VIRQ. */
        unsigned int virq = a % NR_VIRQS;
        bool per_vcpu = virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
                        virq == VIRQ_XENPMU;
        struct evtchn_domain *ed = fake.dom[dom].evtchn;
        unsigned int port = ed->vcpu[per_vcpu ? actor : 0].virq_to_port[virq];

        if (port)
            expect_port(&e, dom, port);
        if (per_vcpu)
            send_guest_vcpu_virq(v, virq);
        else
            send_guest_global_virq(&fake.dom[dom], virq);
        break;
    }
    case 12: {
        /* SCHEDOP_poll by the acting vCPU (only one that is not polling yet). */
        uint32_t ports[3] = { port_of(b), port_of(c), port_of(d) };
        struct sched_poll p = { .nr_ports = a % 4, .timeout = (a & 0x80) ? fake_now + c : 0 };

        if (v->polling || fake.blocked[dom][actor])
            break;
        if (a & 0x40)
            p.nr_ports = 129;
        p.ports.p = ports;
        e.may_wake[dom][actor] = true;
        rc = evtchn_sched_poll(v, &p);
        CHECK_RC("poll", rc, 0, -EINVAL, -EFAULT);
        if (rc && (v->polling || fake.blocked[dom][actor]))
            die("failed poll left the vCPU polling or blocked");
        break;
    }
    case 13:
        /* Time passes; poll timers fire. */
        fake_now += a;
        e.any_wake = true;
        timer_run_expired();
        break;
    case 14:
        if (v->polling || fake.blocked[dom][actor])
            break;
        e.may_wake[dom][actor] = true;
        rc = evtchn_sched_block(v);
        CHECK_RC("block", rc, 0);
        if (fake.shared[dom].vcpu_info[actor].evtchn_upcall_mask)
            die("block left events masked");
        fake.blocked[dom][actor] = false;   /* let it run on */
        break;
    case 15:
        switch (a % 8) {
        case 0:
            fake_domain_destroy(FAKE_D1);
            break;
        case 1: {
            struct evtchn_bind_pirq x = { .pirq = b };

            rc = hypercall(EVTCHNOP_bind_pirq, &x);
            CHECK_RC("bind_pirq", rc, -EPERM);
            break;
        }
        case 2: {
            struct evtchn_set_priority x = { .port = port_of(b), .priority = c };

            rc = hypercall(EVTCHNOP_set_priority, &x);
            CHECK_RC("set_priority", rc, -ENOSYS, -EINVAL);
            break;
        }
        case 3: {
            struct evtchn_init_control x = { .control_gfn = b };

            rc = hypercall(EVTCHNOP_init_control, &x);
            CHECK_RC("init_control", rc, -ENOSYS);
            break;
        }
        default:
            rc = hypercall(b, (void *)(uintptr_t)(c * 0x100UL));
            CHECK_RC("bad pointer or command", rc, -EFAULT, -ENOSYS);
            break;
        }
        break;
    }
    if (trace)
        fprintf(stderr, "op %u d%u v%u args %u %u %u %u -> %ld\n", op % 16, dom, vid, a, b,
                c, d, rc);
    check_delivery(&before, &e, unmask_only);
    {
        const char *err = evtchn_check_invariants();

        if (err) {
            fprintf(stderr, "invariant: %s\n", err);
            die("invariant broken");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };

    trace = getenv("FUZZ_TRACE") != NULL;
    fake_machine_init();
    for (unsigned int i = 0; i < MAX_OPS && in.n; i++)
        run_one(&in);
    fake_machine_fini();
    if (fake_heap_pages != 0)
        die("heap pages leaked at domain destruction");
    if (timer_pending(0) != 0)
        die("timer left armed at domain destruction");
    return 0;
}
