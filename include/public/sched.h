/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: HYPERVISOR_sched_op(int cmd, void *arg).
 *
 * SCHEDOP_yield: give up the CPU; arg unused; returns 0.
 * SCHEDOP_block: clear the caller's evtchn_upcall_mask and sleep until an
 *   unmasked event is pending (at once if one already is); returns 0.
 * SCHEDOP_shutdown: stop the calling domain with a SHUTDOWN_* reason; does
 *   not return on success (SHUTDOWN_suspend returns when resumed, the
 *   start_info MFN in the third argument register).
 *   Errors: -XEN_EINVAL unknown reason.
 * SCHEDOP_poll: block until one of ports is pending (with nr_ports != 1:
 *   any port of the domain), an event can be delivered, or timeout
 *   (absolute system time, 0 = none) passes; returns 0 in every case,
 *   at once if a port is already pending or the timeout already past.
 *   Errors: -XEN_EINVAL nr_ports > 128 or a port not valid; -XEN_EFAULT
 *   ports unreadable.
 * SCHEDOP_remote_shutdown: shut another domain down (privileged).
 *   Errors: -XEN_ESRCH unknown domain; -XEN_EPERM not privileged.
 * SCHEDOP_shutdown_code: record the reason a later shutdown reports.
 * SCHEDOP_watchdog: create (id 0), kick or destroy (timeout 0) a domain
 *   watchdog; returns the id.  Errors: -XEN_EINVAL bad id; -XEN_ENOSPC.
 * SCHEDOP_pin_override: temporarily pin to a physical CPU (hardware
 *   domain).  Errors: -XEN_EPERM; -XEN_EINVAL bad pcpu.
 * Any command: -XEN_EFAULT arg unreadable; -XEN_ENOSYS unknown cmd.
 */
#ifndef __XEN_PUBLIC_SCHED_H__
#define __XEN_PUBLIC_SCHED_H__

#include <stdint.h>
#include "event_channel.h"

#define SCHEDOP_yield           0
#define SCHEDOP_block           1
#define SCHEDOP_shutdown        2
#define SCHEDOP_poll            3
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code   5
#define SCHEDOP_watchdog        6
#define SCHEDOP_pin_override    7

struct sched_shutdown {
    uint32_t reason; /* IN: SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_shutdown_t);

struct sched_poll {
    XEN_GUEST_HANDLE(evtchn_port_t) ports; /* IN */
    uint32_t nr_ports;                     /* IN */
    /* 4-byte hole */
    uint64_t timeout;                      /* IN: absolute ns, 0 = none */
};
typedef struct sched_poll sched_poll_t;
DEFINE_XEN_GUEST_HANDLE(sched_poll_t);
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll size");

struct sched_remote_shutdown {
    domid_t domain_id; /* IN */
    /* 2-byte hole */
    uint32_t reason;   /* IN: SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_remote_shutdown_t);

struct sched_watchdog {
    uint32_t id;      /* IN: 0 creates a new watchdog */
    uint32_t timeout; /* IN: seconds; 0 destroys */
};
typedef struct sched_watchdog sched_watchdog_t;
DEFINE_XEN_GUEST_HANDLE(sched_watchdog_t);

struct sched_pin_override {
    int32_t pcpu; /* IN: physical CPU, or -1 to end the override */
};
typedef struct sched_pin_override sched_pin_override_t;
DEFINE_XEN_GUEST_HANDLE(sched_pin_override_t);

#define SHUTDOWN_poweroff   0 /* stop and destroy */
#define SHUTDOWN_reboot     1 /* destroy and restart */
#define SHUTDOWN_suspend    2 /* save state, then destroy */
#define SHUTDOWN_crash      3 /* the guest crashed */
#define SHUTDOWN_watchdog   4 /* a watchdog expired */
#define SHUTDOWN_soft_reset 5 /* reset while keeping memory */
#define SHUTDOWN_MAX        5

#endif /* __XEN_PUBLIC_SCHED_H__ */
