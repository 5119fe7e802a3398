/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: HYPERVISOR_vcpu_op(int cmd, unsigned vcpuid, void *arg).
 *
 * Common errors: -XEN_ENOENT vcpuid names no vCPU of the caller;
 * -XEN_EFAULT arg unreadable or unwritable; -XEN_ENOSYS unknown cmd.
 *
 * VCPUOP_initialise: load a down vCPU's state from a vcpu_guest_context.
 *   -XEN_EEXIST already initialised; -XEN_EINVAL invalid context.
 * VCPUOP_up / VCPUOP_down: start / stop a vCPU.  up: -XEN_EINVAL not
 *   initialised.
 * VCPUOP_is_up: returns 1 if running, 0 if down.
 * VCPUOP_get_runstate_info: OUT vcpu_runstate_info.
 * VCPUOP_register_runstate_memory_area: keep a vcpu_runstate_info at a
 *   guest VA up to date.  -XEN_EINVAL the caller is not that vCPU's domain.
 * VCPUOP_set_periodic_timer / stop_periodic_timer: periodic VIRQ_TIMER.
 *   -XEN_EINVAL period below the minimum.
 * VCPUOP_set_singleshot_timer / stop_singleshot_timer: one-shot
 *   VIRQ_TIMER at an absolute system time; a past deadline fires at once
 *   unless VCPU_SSHOTTMR_future is set (then -XEN_ETIME).  Only on the
 *   calling vCPU: -XEN_EINVAL otherwise.
 * VCPUOP_register_vcpu_info: move the vCPU's vcpu_info to (mfn, offset).
 *   -XEN_ENXIO offset crosses the page or is not 8-byte aligned; -XEN_EINVAL
 *   a vcpu_info is already registered, or the frame is not the caller's or
 *   cannot be mapped writable. rsvd is ignored (Linux leaves it unset).
 * VCPUOP_send_nmi: raise an NMI on the vCPU.
 * VCPUOP_get_physid: physical CPU id (hardware domain only); -XEN_EPERM.
 * VCPUOP_register_vcpu_time_memory_area: keep a vcpu_time_info copy at a
 *   guest VA (for user-space pvclock).
 */
#ifndef __XEN_PUBLIC_VCPU_H__
#define __XEN_PUBLIC_VCPU_H__

#include <stdint.h>
#include "xen.h"

#define VCPUOP_initialise        0 /* arg: vcpu_guest_context_t */
#define VCPUOP_up                1 /* arg: NULL */
#define VCPUOP_down              2 /* arg: NULL */
#define VCPUOP_is_up             3 /* arg: NULL */
#define VCPUOP_get_runstate_info 4 /* arg: vcpu_runstate_info_t */

/* Time a vCPU spent in each RUNSTATE_*, in ns of system time. */
struct vcpu_runstate_info {
    int32_t state;             /* OUT: RUNSTATE_* */
    /* 4-byte hole */
    uint64_t state_entry_time; /* OUT: when state was entered; bit 63 is
                                * XEN_RUNSTATE_UPDATE while being rewritten */
#define XEN_RUNSTATE_UPDATE (xen_mk_ullong(1) << 63)
    uint64_t time[4];          /* OUT: total per RUNSTATE_* */
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_runstate_info_t);
_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "vcpu_runstate_info size");

#define RUNSTATE_running  0 /* on a physical CPU */
#define RUNSTATE_runnable 1 /* ready, waiting for a CPU */
#define RUNSTATE_blocked  2 /* waiting for an event */
#define RUNSTATE_offline  3 /* down or paused */

#define VCPUOP_register_runstate_memory_area 5
struct vcpu_register_runstate_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_runstate_info_t) h;
        struct vcpu_runstate_info *v;
        uint64_t p;
    } addr; /* IN: guest VA of the area */
};
typedef struct vcpu_register_runstate_memory_area vcpu_register_runstate_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_runstate_memory_area_t);

#define VCPUOP_set_periodic_timer  6 /* arg: vcpu_set_periodic_timer_t */
#define VCPUOP_stop_periodic_timer 7 /* arg: NULL */
struct vcpu_set_periodic_timer {
    uint64_t period_ns; /* IN */
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_periodic_timer_t);

#define VCPUOP_set_singleshot_timer  8 /* arg: vcpu_set_singleshot_timer_t */
#define VCPUOP_stop_singleshot_timer 9 /* arg: NULL */
struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns; /* IN: absolute system time */
    uint32_t flags;          /* IN: VCPU_SSHOTTMR_* */
    /* 4 bytes of tail padding */
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_singleshot_timer_t);
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "singleshot size");

/* Fail with -XEN_ETIME instead of firing when the deadline has passed. */
#define _VCPU_SSHOTTMR_future (0)
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

#define VCPUOP_register_vcpu_info 10 /* arg: vcpu_register_vcpu_info_t */
struct vcpu_register_vcpu_info {
    uint64_t mfn;    /* IN: frame to hold the vcpu_info */
    uint32_t offset; /* IN: byte offset in that frame */
    uint32_t rsvd;   /* IN: must be zero */
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_vcpu_info_t);
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "register_vcpu_info size");

#define VCPUOP_send_nmi 11 /* arg: NULL */

#define VCPUOP_get_physid 12 /* arg: vcpu_get_physid_t */
struct vcpu_get_physid {
    uint64_t phys_id; /* OUT: APIC id (low 32 bits), ACPI id (high 32) */
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_get_physid_t);
#define xen_vcpu_physid_to_x86_apicid(physid) ((uint32_t)(physid))
#define xen_vcpu_physid_to_x86_acpiid(physid) ((uint32_t)((physid) >> 32))

#define VCPUOP_register_vcpu_time_memory_area 13
DEFINE_XEN_GUEST_HANDLE(vcpu_time_info_t);
struct vcpu_register_time_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_time_info_t) h;
        struct vcpu_time_info *v;
        uint64_t p;
    } addr; /* IN: guest VA of the copy */
};
typedef struct vcpu_register_time_memory_area vcpu_register_time_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_time_memory_area_t);

#endif /* __XEN_PUBLIC_VCPU_H__ */
