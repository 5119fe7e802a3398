/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: HYPERVISOR_callback_op(int cmd, void *arg).
 *
 * Registers the guest entry points the hypervisor bounces to: event
 * upcalls, the failsafe path (a bad segment on return to the guest), and
 * SYSCALL from guest user space.  Callbacks are per-vCPU state.
 *
 * CALLBACKOP_register errors: -XEN_EINVAL unknown type, a type this guest
 * cannot use, or a non-canonical address; -XEN_EFAULT arg unreadable.
 * CALLBACKOP_unregister errors: -XEN_EINVAL unknown type or one that cannot
 * be unregistered (event, failsafe); -XEN_EFAULT arg unreadable.
 */
#ifndef __XEN_PUBLIC_CALLBACK_H__
#define __XEN_PUBLIC_CALLBACK_H__

#include <stdint.h>
#include "xen.h"

#define CALLBACKTYPE_event               0 /* event-channel upcall */
#define CALLBACKTYPE_failsafe            1 /* fault while returning to guest */
#define CALLBACKTYPE_syscall             2 /* 64-bit SYSCALL from user space */
#define CALLBACKTYPE_sysenter_deprecated 3
#define CALLBACKTYPE_nmi                 4 /* NMI (control domain) */
#define CALLBACKTYPE_sysenter            5 /* compat SYSENTER */
#define CALLBACKTYPE_syscall32           7 /* compat 32-bit SYSCALL */

/* Entering the callback masks events (sets evtchn_upcall_mask). */
#define _CALLBACKF_mask_events 0
#define CALLBACKF_mask_events  (1U << _CALLBACKF_mask_events)

#define CALLBACKOP_register 0
struct callback_register {
    uint16_t type;          /* IN: CALLBACKTYPE_* */
    uint16_t flags;         /* IN: CALLBACKF_* */
    /* 4-byte hole */
    xen_callback_t address; /* IN: entry point */
};
typedef struct callback_register callback_register_t;
DEFINE_XEN_GUEST_HANDLE(callback_register_t);
_Static_assert(sizeof(struct callback_register) == 16, "callback_register size");

#define CALLBACKOP_unregister 1
struct callback_unregister {
    uint16_t type;    /* IN: CALLBACKTYPE_* */
    uint16_t _unused; /* IN: must be zero */
};
typedef struct callback_unregister callback_unregister_t;
DEFINE_XEN_GUEST_HANDLE(callback_unregister_t);

#endif /* __XEN_PUBLIC_CALLBACK_H__ */
