/* SPDX-License-Identifier: MIT */
/*
 * Waiting for events: the workers of SCHEDOP_block and SCHEDOP_poll
 * (Xen's vcpu_block() / do_poll() in common/sched/core.c), built on the
 * scheduler's vcpu_block() and vcpu_wake() only.
 *
 * vcpu_block() marks the current vCPU blocked; the switch away happens on
 * the way back to the guest, and a vcpu_wake() that comes in between
 * leaves it runnable. So both workers block first and then look for a
 * reason to stay awake, undoing the block with vcpu_wake() if they find
 * one; an event raised after the look wakes the vCPU itself.
 *
 * Block: clear the upcall mask, block unless an event is deliverable.
 * The wake-up is vcpu_kick() in event_2l.c, on the upcall flag's 0 -> 1
 * edge; the flag is written before the kick, and read here after the
 * block, both sequentially consistent, so one of the two sees the other.
 *
 * Poll: v->polling says the vCPU sleeps in SCHEDOP_poll (set only after
 * the block, or an early poll_end()'s wake would come before the block and
 * be lost);
 * evtchn_vcpu.poll_port which ports end it (-1 any, else one). The party
 * that clears v->polling (an event on a polled port, the poll timer, or
 * the poller itself on the way out) owns the wake-up and the decrement of
 * the domain's nr_polling, so each poll ends exactly once. A raiser sets
 * the pending bit, then reads nr_polling and v->polling; the poller sets
 * those, then reads the pending bits: again one side sees the other.
 *
 * A poll's timer is armed on the CPU the poll runs on (timer_set() arms
 * only the caller's CPU) and left armed when an event ends the poll early;
 * firing then finds v->polling clear and does nothing. The next poll kills
 * it (timer_kill(): disarmed, and no handler still running anywhere)
 * before re-arming, so a stale timer never ends a later poll; teardown
 * kills it too before the per-vCPU state is freed.
 */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/sched.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <public/sched.h>
#include <public/xen.h>

#include "event_internal.h"

bool vcpu_event_pending(struct vcpu *v)
{
    struct vcpu_info *vi = arch_vcpu_info(v);

    return __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST) &&
           !__atomic_load_n(&vi->evtchn_upcall_mask, __ATOMIC_SEQ_CST);
}

long evtchn_sched_block(struct vcpu *v)
{
    struct vcpu_info *vi = arch_vcpu_info(v);

    ASSERT(v == current_vcpu());
    __atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
    vcpu_block();
    /* Pairs with the upcall flag's exchange before vcpu_kick() (event_2l.c). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (vcpu_event_pending(v))
        vcpu_wake(v);
    return 0;
}

static void poll_begin(struct domain *d, struct vcpu *v, int32_t port)
{
    struct evtchn_domain *ed = d->evtchn;

    __atomic_store_n(&ed->vcpu[v->vcpu_id].poll_port, port, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&ed->nr_polling, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&v->polling, true, __ATOMIC_SEQ_CST);
}

/* End v's poll if it is still on. True for the one caller that ended it. */
static bool poll_end(struct domain *d, struct vcpu *v)
{
    if (!__atomic_exchange_n(&v->polling, false, __ATOMIC_SEQ_CST))
        return false;
    __atomic_sub_fetch(&d->evtchn->nr_polling, 1, __ATOMIC_SEQ_CST);
    return true;
}

static void poll_timer_fn(void *data)
{
    struct vcpu *v = data;

    if (poll_end(v->domain, v))
        vcpu_wake(v);
}

void evtchn_check_pollers(struct domain *d, unsigned int port)
{
    struct evtchn_domain *ed = d->evtchn;

    if (!__atomic_load_n(&ed->nr_polling, __ATOMIC_SEQ_CST))
        return;
    for (unsigned int i = 0; i < ed->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        int32_t want;

        if (!v || !__atomic_load_n(&v->polling, __ATOMIC_SEQ_CST))
            continue;
        want = __atomic_load_n(&ed->vcpu[i].poll_port, __ATOMIC_SEQ_CST);
        if (want >= 0 && (unsigned int)want != port)
            continue;
        if (poll_end(d, v))
            vcpu_wake(v);
    }
}

void evtchn_end_polls(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;

    for (unsigned int i = 0; i < ed->max_vcpus; i++) {
        if (ed->vcpu[i].poll_timer_ready)
            timer_kill(&ed->vcpu[i].poll_timer);
        if (d->vcpus[i])
            (void)poll_end(d, d->vcpus[i]);
    }
}

long evtchn_sched_poll(struct vcpu *v, const struct sched_poll *p)
{
    struct domain *d = v->domain;
    struct evtchn_vcpu *ev = &d->evtchn->vcpu[v->vcpu_id];
    unsigned long ports = (unsigned long)p->ports.p;
    evtchn_port_t port = 0;
    long rc = 0;

    ASSERT(v == current_vcpu());
    if (p->nr_ports > EVTCHN_POLL_MAX_PORTS)
        return -EINVAL;
    if (!guest_range_ok(ports, p->nr_ports * sizeof(evtchn_port_t)))
        return -EFAULT;

    if (ev->poll_timer_ready)
        timer_kill(&ev->poll_timer);
    /*
     * Block before the poll is visible: a raiser that ends the poll wakes
     * the vCPU, and that wake must come after the block to undo it.
     */
    vcpu_block();
    poll_begin(d, v, -1);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    if (vcpu_event_pending(v))
        goto out;
    for (uint32_t i = 0; i < p->nr_ports; i++) {
        if (copy_from_guest(&port, ports + i * sizeof(port), sizeof(port))) {
            rc = -EFAULT;
            goto out;
        }
        rc = evtchn_port_poll(d, port);
        if (rc) {
            if (rc > 0)
                rc = 0;
            goto out;
        }
    }
    if (p->nr_ports == 1)
        __atomic_store_n(&ev->poll_port, (int32_t)port, __ATOMIC_SEQ_CST);
    if (p->timeout) {
        if (p->timeout <= now())
            goto out;
        timer_init(&ev->poll_timer, poll_timer_fn, v, arch_cpu_id());
        ev->poll_timer_ready = true;
        timer_set(&ev->poll_timer, p->timeout);
    }
    return 0;

out:
    if (poll_end(d, v))
        vcpu_wake(v);
    return rc;
}
