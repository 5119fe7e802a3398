/* SPDX-License-Identifier: MIT */
/* Event channels by their pending bits (see event.h). */
#include "event.h"
#include "guest.h"
#include "mm.h"
#include "pvclock.h"

#define NS_PER_MS 1000000ULL

bool event_pending(evtchn_port_t port)
{
    return __atomic_load_n(&shared_info->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) &
           (1UL << (port % 64));
}

void event_clear(evtchn_port_t port)
{
    __atomic_fetch_and(&shared_info->evtchn_pending[port / 64], ~(1UL << (port % 64)),
                       __ATOMIC_SEQ_CST);
}

bool event_wait(evtchn_port_t port, unsigned int timeout_ms)
{
    struct sched_poll poll = { .nr_ports = 1 };
    uint64_t end = timeout_ms ? pvclock_ns(&vcpu0_info()->time) + timeout_ms * NS_PER_MS : 0;

    set_xen_guest_handle(poll.ports, &port);
    while (!event_pending(port)) {
        if (end && pvclock_ns(&vcpu0_info()->time) >= end)
            return false;
        poll.timeout = end;
        (void)HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    }
    event_clear(port);
    return true;
}

long event_send(evtchn_port_t port)
{
    struct evtchn_send send = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

long event_unmask(evtchn_port_t port)
{
    struct evtchn_unmask u = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

long event_close(evtchn_port_t port)
{
    struct evtchn_close c = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
}

void event_mask(evtchn_port_t port)
{
    __atomic_fetch_or(&shared_info->evtchn_mask[port / 64], 1UL << (port % 64),
                      __ATOMIC_SEQ_CST);
}

void event_upcalls_on(struct vcpu_info *vi)
{
    barrier();
    vi->evtchn_upcall_mask = 0;
    barrier();
    (void)HYPERVISOR_xen_version(XENVER_version, NULL);
}

void event_upcalls_off(struct vcpu_info *vi)
{
    vi->evtchn_upcall_mask = 1;
    barrier();
}

void event_scan(struct vcpu_info *vi, void (*handle)(evtchn_port_t port))
{
    xen_ulong_t sel;

    __atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel) {
        unsigned int w = (unsigned int)__builtin_ctzl(sel);
        xen_ulong_t bits;

        sel &= sel - 1;
        bits = __atomic_load_n(&shared_info->evtchn_pending[w], __ATOMIC_SEQ_CST) &
               ~__atomic_load_n(&shared_info->evtchn_mask[w], __ATOMIC_SEQ_CST);
        while (bits) {
            unsigned int b = (unsigned int)__builtin_ctzl(bits);

            bits &= bits - 1;
            __atomic_fetch_and(&shared_info->evtchn_pending[w], ~(1UL << b), __ATOMIC_SEQ_CST);
            handle(w * 64 + b);
        }
    }
}
