/* SPDX-License-Identifier: MIT */
/*
 * Event channels: each domain's port table, the event_channel_op hypercall
 * and the VIRQ sources other subsystems raise (Xen 4.17's
 * common/event_channel.c is the behavioural reference, errno for errno).
 *
 * Model. A domain has up to 4096 ports (the 2-level ABI's limit on a
 * 64-bit guest). Port 0 is reserved and never handed out. The table grows
 * lazily, one page-sized bucket of 128 ports at a time, when every port
 * already present is in use; buckets are never freed before the domain
 * is. As in Xen, a port beyond the buckets present is "not valid" and
 * every operation naming it fails with -EINVAL, while a free port inside
 * them is valid but closed (status reports EVTCHNSTAT_closed, close and
 * send fail with -EINVAL, unmask does nothing).
 *
 * A port is free, reserved, unbound (offered to one remote domain),
 * interdomain (connected to a port of another domain, or of the same
 * one), VIRQ, or IPI. Physical IRQs are never bound: Keel routes no
 * physical interrupt to a guest (PHYSDEVOP_map_pirq grants none), so
 * bind_pirq is -EPERM for every pirq, as Xen answers a PV domain for a
 * pirq it has no access to. Each bound port names the vCPU that takes its
 * upcalls (notify_vcpu), 0 unless bind_virq/bind_ipi/bind_vcpu chose
 * another.
 *
 * Invariants (checked by tests/fuzz/fuzz_event_channel.c after every step):
 *   - an interdomain port (d1, p1) -> (d2, p2) has (d2, p2) -> (d1, p1);
 *   - a VIRQ port is in exactly one VIRQ table slot, the slot names it;
 *   - a free port has notify_vcpu 0 and its pending bit clear;
 *   - once evtchn_domain_destroy(d) ran, no port of another domain
 *     refers to d (its peers are unbound, offered to d's id).
 *
 * Locking: see event_internal.h. Every operation takes its domain's lock
 * with interrupts off; interdomain bind and close hold both domains'
 * locks, lower domain id first (evtchn_lock_pair(), and the retry in
 * evtchn_close_port()). Raising a port needs its domain's lock, or for an
 * interdomain port its peer's (evtchn_raise() asserts it).
 *
 * Domain lifetime: an operation naming another domain holds a reference
 * on it (get_domain_by_id()) for its duration, so the domain and its port
 * table stay allocated. A dying domain's ports are closed by
 * evtchn_domain_kill(), which cuts the interdomain links under both locks
 * and marks the table dead (no port is allocated in it again); the table
 * itself is freed with the domain (evtchn_domain_destroy()). An
 * interdomain port's pointer to its peer is therefore valid while the
 * port is bound.
 *
 * Guest input: Linux leaves the holes in bind_interdomain and status
 * uninitialised, so holes are ignored on input, as Xen does; results are
 * written back as the whole structure, as Xen does.
 */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/nospec.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>
#include <public/event_channel.h>
#include <public/xen.h>

#include "event_internal.h"

/* ---- VIRQ kinds --------------------------------------------------------- */

enum virq_kind {
    VIRQ_KIND_VCPU,     /* one binding per vCPU, on any vCPU */
    VIRQ_KIND_DOMAIN,   /* one per domain, on vCPU 0 */
    VIRQ_KIND_GLOBAL,   /* one per domain, on vCPU 0, only the handler domain */
};

static enum virq_kind virq_kind(unsigned int virq)
{
    switch (virq) {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return VIRQ_KIND_VCPU;
    case VIRQ_ARGO:
        return VIRQ_KIND_DOMAIN;
    default:
        /* Including VIRQ_ARCH_*: all global on x86. */
        return VIRQ_KIND_GLOBAL;
    }
}

/* The domain that may bind global VIRQs: the hardware domain. */
static struct domain *global_virq_handler(void)
{
    return dom0;
}

/* The vCPU table that holds virq's binding for a port notifying vcpu_id. */
static struct evtchn_vcpu *virq_table(struct evtchn_domain *ed, unsigned int virq,
                                      unsigned int vcpu_id)
{
    return &ed->vcpu[virq_kind(virq) == VIRQ_KIND_VCPU ? vcpu_id : 0];
}

/* ---- Locks ---------------------------------------------------------------- */

static inline spinlock_t *evtchn_lock_of(struct domain *d)
{
    return &d->evtchn->lock;
}

static inline bool evtchn_locked(struct domain *d)
{
    return spin_is_locked(evtchn_lock_of(d));
}

static unsigned long evtchn_lock(struct domain *d)
{
    return spin_lock_irqsave(evtchn_lock_of(d));
}

static void evtchn_unlock(struct domain *d, unsigned long flags)
{
    spin_unlock_irqrestore(evtchn_lock_of(d), flags);
}

/*
 * Take second's lock while first's is held: only in increasing domain-id
 * order, the one rule that keeps two-domain operations deadlock-free.
 */
static void evtchn_lock_nested(struct domain *first, struct domain *second)
{
    ASSERT(evtchn_locked(first));
    BUG_ON(first->domain_id >= second->domain_id);
    spin_lock(evtchn_lock_of(second));
}

/* Both domains' locks (one if a == b), lower id first; interrupts off. */
static unsigned long evtchn_lock_pair(struct domain *a, struct domain *b)
{
    unsigned long flags = local_irq_save();

    if (a == b) {
        spin_lock(evtchn_lock_of(a));
    } else if (a->domain_id < b->domain_id) {
        spin_lock(evtchn_lock_of(a));
        evtchn_lock_nested(a, b);
    } else {
        spin_lock(evtchn_lock_of(b));
        evtchn_lock_nested(b, a);
    }
    return flags;
}

static void evtchn_unlock_pair(struct domain *a, struct domain *b, unsigned long flags)
{
    if (a != b)
        spin_unlock(evtchn_lock_of(b));
    spin_unlock(evtchn_lock_of(a));
    local_irq_restore(flags);
}

/* ---- Ports ---------------------------------------------------------------- */

/* The domain id names (DOMID_SELF: cur), with a reference; NULL if none. */
static struct domain *evtchn_get_domain(struct domain *cur, domid_t id)
{
    if (id == DOMID_SELF || id == cur->domain_id) {
        get_domain(cur);
        return cur;
    }
    return get_domain_by_id(id);
}

/* Whether cur may act on d's ports (Xen's XSM_TARGET under the dummy policy). */
static bool evtchn_may_control(const struct domain *cur, const struct domain *d)
{
    return cur == d || cur->is_privileged;
}

static struct vcpu *evtchn_domain_vcpu(const struct domain *d, uint32_t id)
{
    if (id >= d->max_vcpus)
        return NULL;
    return d->vcpus[array_index_nospec(id, d->max_vcpus)];
}

/* The port, or NULL if it is not valid. d's lock held. */
static struct evtchn *evtchn_port(struct domain *d, uint32_t port)
{
    struct evtchn_domain *ed = d->evtchn;

    ASSERT(evtchn_locked(d));
    if (port >= ed->valid_ports)
        return NULL;
    return evtchn_from_port(ed, array_index_nospec(port, ed->valid_ports));
}

static unsigned int evtchn_notify_vcpu(const struct evtchn *chn)
{
    return __atomic_load_n(&chn->notify_vcpu, __ATOMIC_RELAXED);
}

static void evtchn_set_notify_vcpu(struct evtchn *chn, unsigned int vcpu_id)
{
    __atomic_store_n(&chn->notify_vcpu, vcpu_id, __ATOMIC_RELAXED);
}

/*
 * The lowest free port of d, growing the table by a bucket if none is
 * free. d's lock held. Returns the port, -ENOSPC (all 4096 in use),
 * -ENOMEM, or -EINVAL if d is being destroyed.
 */
static int evtchn_get_free_port(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;
    struct evtchn *bucket;
    unsigned int port;

    ASSERT(evtchn_locked(d));
    if (ed->dead || d->is_dying)
        return -EINVAL;
    for (port = 1; port < ed->valid_ports; port++)
        if (evtchn_from_port(ed, port)->state == ECS_FREE)
            return (int)port;
    if (ed->valid_ports == EVTCHN_NR_PORTS)
        return -ENOSPC;
    bucket = alloc_xenheap_pages(0);
    if (!bucket)
        return -ENOMEM;
    ed->bucket[ed->valid_ports / EVTCHN_BUCKET_PORTS] = bucket;
    ed->valid_ports += EVTCHN_BUCKET_PORTS;
    return (int)port;
}

/* Return a port to free: unbound, not pending, notifying vCPU 0. */
static void evtchn_free(struct domain *d, unsigned int port, struct evtchn *chn)
{
    evtchn_2l_clear_pending(d, port);
    chn->state = ECS_FREE;
    evtchn_set_notify_vcpu(chn, 0);
    memset(&chn->u, 0, sizeof(chn->u));
}

/* Raise port of d (chn is its structure) on its notify vCPU. */
static void evtchn_raise(struct domain *d, unsigned int port, struct evtchn *chn)
{
    struct vcpu *v;

    ASSERT(evtchn_locked(d) ||
           (chn->state == ECS_INTERDOMAIN && evtchn_locked(chn->u.interdomain.dom)));
    if (!evtchn_usable(chn))
        return;
    v = d->vcpus[evtchn_notify_vcpu(chn)];
    BUG_ON(!v);
    if (evtchn_2l_set_pending(d, v, port))
        evtchn_check_pollers(d, port);
}

int evtchn_port_poll(struct domain *d, unsigned int port)
{
    unsigned long flags = evtchn_lock(d);
    struct evtchn *chn = evtchn_port(d, port);
    int rc = -EINVAL;

    if (chn)
        rc = evtchn_usable(chn) && evtchn_2l_is_pending(d, port);
    evtchn_unlock(d, flags);
    return rc;
}

/*
 * Close port1 of d1. An interdomain peer becomes unbound, offered to d1
 * again. Returns 0 or -EINVAL (port not valid, free or reserved).
 *
 * An interdomain port needs the peer's lock too. If the peer's id is lower
 * than d1's, d1's lock is dropped to take both in order, and the port is
 * looked at afresh: it may have changed meanwhile.
 */
static long evtchn_close_port(struct domain *d1, uint32_t port1)
{
    struct domain *d2 = NULL;
    struct evtchn *chn1, *chn2;
    struct evtchn_vcpu *table;
    unsigned long flags = local_irq_save();
    long rc = 0;

    spin_lock(evtchn_lock_of(d1));
again:
    chn1 = evtchn_port(d1, port1);
    if (!chn1) {
        rc = -EINVAL;
        goto out;
    }
    switch (chn1->state) {
    case ECS_FREE:
    case ECS_RESERVED:
    case ECS_PIRQ:
        rc = -EINVAL;
        goto out;
    case ECS_UNBOUND:
    case ECS_IPI:
        break;
    case ECS_VIRQ:
        table = virq_table(d1->evtchn, chn1->u.virq, evtchn_notify_vcpu(chn1));
        BUG_ON(table->virq_to_port[chn1->u.virq] != port1);
        table->virq_to_port[chn1->u.virq] = 0;
        break;
    case ECS_INTERDOMAIN:
        if (!d2) {
            d2 = chn1->u.interdomain.dom;
            if (d2 != d1 && d2->domain_id < d1->domain_id) {
                spin_unlock(evtchn_lock_of(d1));
                spin_lock(evtchn_lock_of(d2));
                evtchn_lock_nested(d2, d1);
                goto again;
            }
            if (d2 != d1)
                evtchn_lock_nested(d1, d2);
        } else if (d2 != chn1->u.interdomain.dom) {
            /* Closed and rebound to another domain while unlocked: it was closed. */
            rc = -EINVAL;
            goto out;
        }
        chn2 = evtchn_port(d2, chn1->u.interdomain.port);
        BUG_ON(!chn2 || chn2->state != ECS_INTERDOMAIN || chn2->u.interdomain.dom != d1 ||
               chn2->u.interdomain.port != port1);
        chn2->state = ECS_UNBOUND;
        memset(&chn2->u, 0, sizeof(chn2->u));
        chn2->u.unbound_remote = d1->domain_id;
        break;
    default:
        BUG();
    }
    evtchn_free(d1, port1, chn1);
out:
    if (d2 && d2 != d1)
        spin_unlock(evtchn_lock_of(d2));
    spin_unlock(evtchn_lock_of(d1));
    local_irq_restore(flags);
    return rc;
}

/* ---- Operations: validate, then commit (cur is the caller's domain) ------ */

static long evtchn_alloc_unbound(struct domain *cur, struct evtchn_alloc_unbound *a)
{
    struct domain *d = evtchn_get_domain(cur, a->dom);
    unsigned long flags;
    struct evtchn *chn;
    int port;

    if (!d)
        return -ESRCH;
    if (!evtchn_may_control(cur, d)) {
        put_domain(d);
        return -EPERM;
    }
    flags = evtchn_lock(d);
    port = evtchn_get_free_port(d);
    if (port >= 0) {
        chn = evtchn_from_port(d->evtchn, (unsigned int)port);
        chn->state = ECS_UNBOUND;
        chn->u.unbound_remote = a->remote_dom == DOMID_SELF ? cur->domain_id : a->remote_dom;
        a->port = (evtchn_port_t)port;
    }
    evtchn_unlock(d, flags);
    put_domain(d);
    return port < 0 ? port : 0;
}

static long evtchn_bind_interdomain(struct domain *ld, struct evtchn_bind_interdomain *b)
{
    struct domain *rd = evtchn_get_domain(ld, b->remote_dom);
    struct evtchn *lchn, *rchn;
    unsigned long flags;
    int lport;
    long rc = 0;

    if (!rd)
        return -ESRCH;
    flags = evtchn_lock_pair(ld, rd);
    lport = evtchn_get_free_port(ld);
    if (lport < 0) {
        rc = lport;
        goto out;
    }
    rchn = evtchn_port(rd, b->remote_port);
    if (!rchn || rchn->state != ECS_UNBOUND || rchn->u.unbound_remote != ld->domain_id) {
        rc = -EINVAL;
        goto out;
    }
    lchn = evtchn_from_port(ld->evtchn, (unsigned int)lport);
    lchn->state = ECS_INTERDOMAIN;
    lchn->u.interdomain.dom = rd;
    lchn->u.interdomain.port = b->remote_port;
    rchn->state = ECS_INTERDOMAIN;
    rchn->u.interdomain.dom = ld;
    rchn->u.interdomain.port = (uint32_t)lport;
    /* A send on the unbound remote port was dropped: assume there was one. */
    evtchn_raise(ld, (unsigned int)lport, lchn);
    b->local_port = (evtchn_port_t)lport;
out:
    evtchn_unlock_pair(ld, rd, flags);
    put_domain(rd);
    return rc;
}

static long evtchn_bind_virq(struct domain *d, struct evtchn_bind_virq *b)
{
    struct evtchn_vcpu *table;
    enum virq_kind kind;
    unsigned int virq;
    unsigned long flags;
    struct evtchn *chn;
    int port;

    if (b->virq >= NR_VIRQS)
        return -EINVAL;
    virq = (unsigned int)array_index_nospec(b->virq, NR_VIRQS);
    kind = virq_kind(virq);
    if (kind != VIRQ_KIND_VCPU && b->vcpu != 0)
        return -EINVAL;
    if (!evtchn_domain_vcpu(d, b->vcpu))
        return -ENOENT;
    flags = evtchn_lock(d);
    if (kind == VIRQ_KIND_GLOBAL && d != global_virq_handler()) {
        port = -EBUSY;
        goto out;
    }
    table = virq_table(d->evtchn, virq, b->vcpu);
    if (table->virq_to_port[virq]) {
        port = -EEXIST;
        goto out;
    }
    port = evtchn_get_free_port(d);
    if (port < 0)
        goto out;
    chn = evtchn_from_port(d->evtchn, (unsigned int)port);
    chn->state = ECS_VIRQ;
    chn->u.virq = virq;
    evtchn_set_notify_vcpu(chn, b->vcpu);
    table->virq_to_port[virq] = (uint16_t)port;
    b->port = (evtchn_port_t)port;
out:
    evtchn_unlock(d, flags);
    return port < 0 ? port : 0;
}

static long evtchn_bind_ipi(struct domain *d, struct evtchn_bind_ipi *b)
{
    unsigned long flags;
    struct evtchn *chn;
    int port;

    if (!evtchn_domain_vcpu(d, b->vcpu))
        return -ENOENT;
    flags = evtchn_lock(d);
    port = evtchn_get_free_port(d);
    if (port >= 0) {
        chn = evtchn_from_port(d->evtchn, (unsigned int)port);
        chn->state = ECS_IPI;
        evtchn_set_notify_vcpu(chn, b->vcpu);
        b->port = (evtchn_port_t)port;
    }
    evtchn_unlock(d, flags);
    return port < 0 ? port : 0;
}

static long evtchn_bind_pirq(struct domain *d, struct evtchn_bind_pirq *b)
{
    (void)d, (void)b;
    return -EPERM;      /* no pirq is granted to any domain (header comment) */
}

static long evtchn_close(struct domain *d, struct evtchn_close *c)
{
    return evtchn_close_port(d, c->port);
}

static long evtchn_send(struct domain *ld, struct evtchn_send *s)
{
    unsigned long flags = evtchn_lock(ld);
    struct evtchn *lchn = evtchn_port(ld, s->port);
    struct domain *rd;
    unsigned int rport;
    long rc = 0;

    if (!lchn) {
        rc = -EINVAL;
        goto out;
    }
    switch (lchn->state) {
    case ECS_INTERDOMAIN:
        rd = lchn->u.interdomain.dom;
        rport = lchn->u.interdomain.port;
        /* rd's port cannot change while we hold ld's lock (event_internal.h). */
        evtchn_raise(rd, rport, evtchn_from_port(rd->evtchn, rport));
        break;
    case ECS_IPI:
        evtchn_raise(ld, s->port, lchn);
        break;
    case ECS_UNBOUND:
        break;          /* nobody to tell yet: dropped, as in Xen */
    default:
        rc = -EINVAL;
        break;
    }
out:
    evtchn_unlock(ld, flags);
    return rc;
}

static long evtchn_status(struct domain *cur, struct evtchn_status *s)
{
    struct domain *d = evtchn_get_domain(cur, s->dom);
    unsigned long flags;
    struct evtchn *chn;
    long rc = 0;

    if (!d)
        return -ESRCH;
    flags = evtchn_lock(d);
    chn = evtchn_port(d, s->port);
    if (!chn) {
        rc = -EINVAL;
        goto out;
    }
    if (!evtchn_may_control(cur, d)) {
        rc = -EPERM;
        goto out;
    }
    memset(&s->u, 0, sizeof(s->u));
    switch (chn->state) {
    case ECS_FREE:
    case ECS_RESERVED:
        s->status = EVTCHNSTAT_closed;
        break;
    case ECS_UNBOUND:
        s->status = EVTCHNSTAT_unbound;
        s->u.unbound.dom = chn->u.unbound_remote;
        break;
    case ECS_INTERDOMAIN:
        s->status = EVTCHNSTAT_interdomain;
        s->u.interdomain.dom = chn->u.interdomain.dom->domain_id;
        s->u.interdomain.port = chn->u.interdomain.port;
        break;
    case ECS_VIRQ:
        s->status = EVTCHNSTAT_virq;
        s->u.virq = chn->u.virq;
        break;
    case ECS_IPI:
        s->status = EVTCHNSTAT_ipi;
        break;
    default:
        BUG();
    }
    s->vcpu = evtchn_notify_vcpu(chn);
out:
    evtchn_unlock(d, flags);
    put_domain(d);
    return rc;
}

static long evtchn_bind_vcpu(struct domain *d, struct evtchn_bind_vcpu *b)
{
    unsigned long flags;
    struct evtchn *chn;
    long rc = 0;

    if (!evtchn_domain_vcpu(d, b->vcpu))
        return -ENOENT;
    flags = evtchn_lock(d);
    chn = evtchn_port(d, b->port);
    if (!chn) {
        rc = -EINVAL;
        goto out;
    }
    switch (chn->state) {
    case ECS_VIRQ:
        /* A per-vCPU VIRQ is that vCPU's; only the others may move. */
        if (virq_kind(chn->u.virq) == VIRQ_KIND_VCPU)
            rc = -EINVAL;
        else
            evtchn_set_notify_vcpu(chn, b->vcpu);
        break;
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
        evtchn_set_notify_vcpu(chn, b->vcpu);
        break;
    default:
        rc = -EINVAL;   /* free, reserved, IPI (bound to its vCPU for good) */
        break;
    }
out:
    evtchn_unlock(d, flags);
    return rc;
}

static long evtchn_unmask(struct domain *d, struct evtchn_unmask *u)
{
    unsigned long flags = evtchn_lock(d);
    struct evtchn *chn = evtchn_port(d, u->port);
    long rc = 0;

    if (!chn)
        rc = -EINVAL;
    else if (evtchn_usable(chn))
        evtchn_2l_unmask(d, d->vcpus[evtchn_notify_vcpu(chn)], u->port);
    evtchn_unlock(d, flags);
    return rc;
}

/* Close every port of d (not port 0). Callers check who may do this. */
static void evtchn_close_all(struct domain *d)
{
    unsigned long flags = evtchn_lock(d);
    unsigned int valid = d->evtchn->valid_ports;

    evtchn_unlock(d, flags);
    /* Buckets are never freed before the domain, so valid stays valid. */
    for (unsigned int port = 1; port < valid; port++)
        (void)evtchn_close_port(d, port);
}

static long evtchn_reset(struct domain *cur, struct evtchn_reset *r)
{
    struct domain *d = evtchn_get_domain(cur, r->dom);
    long rc = 0;

    if (!d)
        return -ESRCH;
    if (!evtchn_may_control(cur, d))
        rc = -EPERM;
    else if (d != cur)
        /* Xen resets another domain only while its controller has it paused. */
        rc = -EINVAL;
    else
        evtchn_close_all(d);
    put_domain(d);
    return rc;
}

static long evtchn_init_control(struct domain *d, struct evtchn_init_control *c)
{
    (void)d, (void)c;
    return -ENOSYS;     /* no FIFO ABI: Linux falls back to 2-level */
}

static long evtchn_expand_array(struct domain *d, struct evtchn_expand_array *e)
{
    (void)d, (void)e;
    return -ENOSYS;
}

static long evtchn_set_priority(struct domain *d, struct evtchn_set_priority *p)
{
    unsigned long flags = evtchn_lock(d);
    long rc = evtchn_port(d, p->port) ? -ENOSYS : -EINVAL;

    evtchn_unlock(d, flags);
    return rc;
}

/* ---- The hypercall ---------------------------------------------------- */

union evtchn_op_arg {
    struct evtchn_bind_interdomain bind_interdomain;
    struct evtchn_bind_virq bind_virq;
    struct evtchn_bind_pirq bind_pirq;
    struct evtchn_close close;
    struct evtchn_send send;
    struct evtchn_status status;
    struct evtchn_alloc_unbound alloc_unbound;
    struct evtchn_bind_ipi bind_ipi;
    struct evtchn_bind_vcpu bind_vcpu;
    struct evtchn_unmask unmask;
    struct evtchn_reset reset;
    struct evtchn_init_control init_control;
    struct evtchn_expand_array expand_array;
    struct evtchn_set_priority set_priority;
};

typedef long evtchn_op_fn(struct domain *cur, union evtchn_op_arg *a);

struct evtchn_op_desc {
    evtchn_op_fn *fn;
    unsigned short size;    /* bytes of guest argument */
    bool copy_back;         /* the argument carries results */
};

/* Adapters from the union to each worker's own type. */
#define EVTCHN_OP(name)                                                           \
    static long evtchn_op_##name(struct domain *cur, union evtchn_op_arg *a)      \
    {                                                                             \
        return evtchn_##name(cur, &a->name);                                      \
    }
EVTCHN_OP(bind_interdomain)
EVTCHN_OP(bind_virq)
EVTCHN_OP(bind_pirq)
EVTCHN_OP(close)
EVTCHN_OP(send)
EVTCHN_OP(status)
EVTCHN_OP(alloc_unbound)
EVTCHN_OP(bind_ipi)
EVTCHN_OP(bind_vcpu)
EVTCHN_OP(unmask)
EVTCHN_OP(reset)
EVTCHN_OP(init_control)
EVTCHN_OP(expand_array)
EVTCHN_OP(set_priority)
#undef EVTCHN_OP

#define OP(cmd, name, out) \
    [cmd] = { .fn = evtchn_op_##name, .size = sizeof(struct evtchn_##name), .copy_back = (out) }

static const struct evtchn_op_desc evtchn_ops[] = {
    OP(EVTCHNOP_bind_interdomain, bind_interdomain, true),
    OP(EVTCHNOP_bind_virq, bind_virq, true),
    OP(EVTCHNOP_bind_pirq, bind_pirq, true),
    OP(EVTCHNOP_close, close, false),
    OP(EVTCHNOP_send, send, false),
    OP(EVTCHNOP_status, status, true),
    OP(EVTCHNOP_alloc_unbound, alloc_unbound, true),
    OP(EVTCHNOP_bind_ipi, bind_ipi, true),
    OP(EVTCHNOP_bind_vcpu, bind_vcpu, false),
    OP(EVTCHNOP_unmask, unmask, false),
    OP(EVTCHNOP_reset, reset, false),
    OP(EVTCHNOP_init_control, init_control, true),
    OP(EVTCHNOP_expand_array, expand_array, false),
    OP(EVTCHNOP_set_priority, set_priority, false),
};
#undef OP
_Static_assert(ARRAY_SIZE(evtchn_ops) == EVTCHNOP_set_priority + 1, "one row per EVTCHNOP_*");

/*
 * event_channel_op(cmd, arg). The command is Xen's int: the register's
 * upper half is ignored. Unknown commands (EVTCHNOP_reset_cont included:
 * Keel's reset never needs a continuation) are -ENOSYS; an unreadable
 * argument -EFAULT; a result that cannot be written back -EFAULT, with
 * the operation done (as in Xen: undoing it would be worse).
 */
long do_event_channel_op(unsigned long cmd, unsigned long arg, unsigned long unused3,
                         unsigned long unused4, unsigned long unused5)
{
    const struct evtchn_op_desc *op;
    union evtchn_op_arg a;
    unsigned int c = (unsigned int)cmd;
    long rc;

    (void)unused3, (void)unused4, (void)unused5;
    if (c >= ARRAY_SIZE(evtchn_ops))
        return -ENOSYS;
    op = &evtchn_ops[array_index_nospec(c, ARRAY_SIZE(evtchn_ops))];
    if (copy_from_guest(&a, arg, op->size))
        return -EFAULT;
    rc = op->fn(current_vcpu()->domain, &a);
    if (!rc && op->copy_back && copy_to_guest(arg, &a, op->size))
        rc = -EFAULT;
    return rc;
}

/* ---- Domains and VIRQ sources ------------------------------------------- */

int evtchn_domain_init(struct domain *d)
{
    struct evtchn_domain *ed = alloc_xenheap_pages(order_for_bytes(sizeof(*ed)));

    if (!ed)
        goto fail;
    ed->vcpu = alloc_xenheap_pages(order_for_bytes(d->max_vcpus * sizeof(*ed->vcpu)));
    if (!ed->vcpu)
        goto free_ed;
    ed->bucket[0] = alloc_xenheap_pages(0);
    if (!ed->bucket[0])
        goto free_vcpus;
    ed->lock = (spinlock_t)SPINLOCK_INIT;
    ed->max_vcpus = d->max_vcpus;
    ed->valid_ports = EVTCHN_BUCKET_PORTS;
    evtchn_from_port(ed, 0)->state = ECS_RESERVED;
    d->evtchn = ed;
    return 0;

free_vcpus:
    free_xenheap_pages(ed->vcpu, order_for_bytes(d->max_vcpus * sizeof(*ed->vcpu)));
free_ed:
    free_xenheap_pages(ed, order_for_bytes(sizeof(*ed)));
fail:
    return -ENOMEM;
}

void evtchn_domain_kill(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long flags;

    if (!ed)
        return;
    flags = evtchn_lock(d);
    if (ed->dead) {
        evtchn_unlock(d, flags);
        return;
    }
    ed->dead = true;            /* no port is allocated from here on */
    evtchn_unlock(d, flags);
    evtchn_close_all(d);
    evtchn_end_polls(d);
}

void evtchn_domain_destroy(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;

    if (!ed)
        return;
    evtchn_domain_kill(d);
    for (unsigned int b = 0; b < ed->valid_ports / EVTCHN_BUCKET_PORTS; b++)
        free_xenheap_pages(ed->bucket[b], 0);
    free_xenheap_pages(ed->vcpu, order_for_bytes(ed->max_vcpus * sizeof(*ed->vcpu)));
    d->evtchn = NULL;
    free_xenheap_pages(ed, order_for_bytes(sizeof(*ed)));
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    struct domain *d = v->domain;
    unsigned long flags;
    unsigned int port;

    BUG_ON(virq >= NR_VIRQS || virq_kind(virq) != VIRQ_KIND_VCPU);
    if (!d->evtchn)
        return;
    flags = evtchn_lock(d);
    port = d->evtchn->vcpu[v->vcpu_id].virq_to_port[virq];
    if (port)
        evtchn_raise(d, port, evtchn_from_port(d->evtchn, port));
    evtchn_unlock(d, flags);
}

void send_guest_global_virq(struct domain *d, unsigned int virq)
{
    unsigned long flags;
    unsigned int port;

    BUG_ON(virq >= NR_VIRQS || virq_kind(virq) == VIRQ_KIND_VCPU);
    if (!d || !d->evtchn)
        return;
    flags = evtchn_lock(d);
    port = d->evtchn->vcpu[0].virq_to_port[virq];
    if (port)
        evtchn_raise(d, port, evtchn_from_port(d->evtchn, port));
    evtchn_unlock(d, flags);
}
