/* SPDX-License-Identifier: MIT */
/* Port-table invariants of the fake machine: see evtchn_check.h. */
#include <stdio.h>
#include <string.h>

#include <keel/spinlock.h>

#include "event_internal.h"
#include "evtchn_check.h"
#include "evtchn_fake.h"

static char why[256];

#define FAIL(...)                                       \
    do {                                                \
        snprintf(why, sizeof(why), __VA_ARGS__);        \
        return why;                                     \
    } while (0)

static bool per_vcpu_virq(unsigned int virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
           virq == VIRQ_XENPMU;
}

static bool pending(unsigned int dom, unsigned int port)
{
    return fake.shared[dom].evtchn_pending[port / 64] & (1UL << (port % 64));
}

static int dom_of(const struct domain *d)
{
    for (int i = 0; i < FAKE_NR_DOMS; i++)
        if (d == &fake.dom[i])
            return i;
    return -1;
}

static const char *check_domain(unsigned int i)
{
    struct domain *d = &fake.dom[i];
    struct evtchn_domain *ed = d->evtchn;
    unsigned int polling = 0;

    if (!ed)
        FAIL("d%u: live domain without event state", i);
    if (spin_is_locked(&ed->lock))
        FAIL("d%u: event lock held at rest", i);
    if (!ed->valid_ports || ed->valid_ports % EVTCHN_BUCKET_PORTS ||
        ed->valid_ports > EVTCHN_NR_PORTS)
        FAIL("d%u: valid_ports %u", i, ed->valid_ports);
    for (unsigned int b = 0; b < EVTCHN_NR_BUCKETS; b++)
        if (!ed->bucket[b] != (b >= ed->valid_ports / EVTCHN_BUCKET_PORTS))
            FAIL("d%u: bucket %u presence wrong", i, b);
    if (evtchn_from_port(ed, 0)->state != ECS_RESERVED)
        FAIL("d%u: port 0 not reserved", i);

    for (unsigned int p = 1; p < ed->valid_ports; p++) {
        const struct evtchn *c = evtchn_from_port(ed, p);
        unsigned int nv = c->notify_vcpu;

        if (c->state == ECS_FREE) {
            static const struct evtchn zero;

            if (nv || memcmp(&c->u, &zero.u, sizeof(c->u)))
                FAIL("d%u port %u: free but notify %u / binding left", i, p, nv);
            if (pending(i, p))
                FAIL("d%u port %u: free but pending", i, p);
            continue;
        }
        if (nv >= d->max_vcpus || !d->vcpus[nv])
            FAIL("d%u port %u: notifies absent vCPU %u", i, p, nv);
        switch (c->state) {
        case ECS_UNBOUND:
        case ECS_IPI:
            break;
        case ECS_INTERDOMAIN: {
            int j = dom_of(c->u.interdomain.dom);
            const struct evtchn *peer;

            if (j < 0 || !fake.alive[j])
                FAIL("d%u port %u: peer domain %d not live", i, p, j);
            if (c->u.interdomain.port == 0 ||
                c->u.interdomain.port >= fake.dom[j].evtchn->valid_ports)
                FAIL("d%u port %u: peer port %u not valid", i, p, c->u.interdomain.port);
            peer = evtchn_from_port(fake.dom[j].evtchn, c->u.interdomain.port);
            if (peer->state != ECS_INTERDOMAIN || peer->u.interdomain.dom != d ||
                peer->u.interdomain.port != p)
                FAIL("d%u port %u: peer d%d port %u does not point back", i, p, j,
                     c->u.interdomain.port);
            break;
        }
        case ECS_VIRQ: {
            unsigned int virq = c->u.virq;
            unsigned int t = per_vcpu_virq(virq) ? nv : 0;

            if (virq >= NR_VIRQS)
                FAIL("d%u port %u: virq %u", i, p, virq);
            if (ed->vcpu[t].virq_to_port[virq] != p)
                FAIL("d%u port %u: virq %u not in vCPU %u's table", i, p, virq, t);
            break;
        }
        default:
            FAIL("d%u port %u: state %u", i, p, c->state);
        }
    }
    for (unsigned int v = 0; v < ed->max_vcpus; v++) {
        for (unsigned int virq = 0; virq < NR_VIRQS; virq++) {
            unsigned int p = ed->vcpu[v].virq_to_port[virq];
            const struct evtchn *c;

            if (!p)
                continue;
            if (!per_vcpu_virq(virq) && v != 0)
                FAIL("d%u: global virq %u in vCPU %u's table", i, virq, v);
            if (p >= ed->valid_ports)
                FAIL("d%u vCPU %u virq %u: port %u not valid", i, v, virq, p);
            c = evtchn_from_port(ed, p);
            if (c->state != ECS_VIRQ || c->u.virq != virq ||
                (per_vcpu_virq(virq) && c->notify_vcpu != v))
                FAIL("d%u vCPU %u virq %u: port %u is not that binding", i, v, virq, p);
        }
        if (d->vcpus[v] && d->vcpus[v]->polling)
            polling++;
    }
    if (ed->nr_polling != polling)
        FAIL("d%u: nr_polling %u, %u vCPUs poll", i, ed->nr_polling, polling);
    return NULL;
}

const char *evtchn_check_invariants(void)
{
    for (unsigned int i = 0; i < FAKE_NR_DOMS; i++) {
        const char *err;

        if (!fake.alive[i]) {
            if (fake.dom[i].evtchn)
                FAIL("d%u: destroyed but event state left", i);
            continue;
        }
        /* Between hypercalls only the existence reference is held. */
        if (fake.dom[i].refcnt != 1)
            FAIL("d%u: %lu domain references held between hypercalls", i, fake.dom[i].refcnt);
        err = check_domain(i);
        if (err)
            return err;
    }
    return NULL;
}
