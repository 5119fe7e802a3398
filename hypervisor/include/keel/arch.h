/* SPDX-License-Identifier: MIT */
/*
 * The hooks common code calls into the architecture. Each is implemented
 * once under arch/<arch>/.
 */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <stdbool.h>
#include <stddef.h>

/* Write raw bytes to every console device. Callable from any context. */
void arch_console_write(const char *s, size_t n);

/* Take one byte of console input if one is waiting; never blocks. */
bool arch_console_read(char *c);

/* Reasons to stop the machine, reported in the final log line. */
enum power_off_status {
    POWER_OFF_CLEAN = 0,   /* the run ended normally */
    POWER_OFF_FATAL = 1,   /* a panic or a fatal hypervisor exception */
    POWER_OFF_DOM0_CRASHED = 2, /* the control domain crashed */
};

/* Stop all CPUs and power the machine off (ACPI S5); halts if that fails. */
void arch_power_off(enum power_off_status status) __attribute__((noreturn));

/* Reset the machine. */
void arch_reboot(void) __attribute__((noreturn));

struct vcpu;
/* Set up v's architectural state (v->arch). Returns 0 or -ENOMEM. */
int arch_vcpu_create(struct vcpu *v);
/* Free what arch_vcpu_create() set up (the vCPU never ran). */
void arch_vcpu_destroy(struct vcpu *v);

struct domain;
/* Set up d's architectural state (d->arch, shared_info). 0 or -ENOMEM. */
int arch_domain_create(struct domain *d);
/*
 * Take back everything a dying domain d holds in architectural state and
 * memory: its vCPUs' roots, descriptor pages and registered areas, its
 * page tables and frames. Returns -ERESTART when it stopped part way (call
 * again), else 0.
 */
int arch_domain_relinquish(struct domain *d);
/* Free what arch_domain_create() set up. d is unreachable. */
void arch_domain_destroy(struct domain *d);

struct vcpu_info;
struct shared_info;
/* Where the guest reads v's vcpu_info (shared_info or a registered area). */
struct vcpu_info *arch_vcpu_info(struct vcpu *v);
/* The hypervisor's view of d's shared_info page. */
struct shared_info *arch_shared_info(struct domain *d);

/*
 * Something v waits for happened (an event became pending): if v is
 * blocked, wake it; if it runs on another CPU, make that CPU notice
 * before its next return to the guest. Any context.
 */
void vcpu_kick(struct vcpu *v);

/*
 * Rewrite v's pvclock fields (vcpu_info.time) from the current TSC. v is
 * the vCPU running on this CPU, interrupted (the guest's version check
 * copes with an update between its reads).
 */
void arch_update_vcpu_time(struct vcpu *v);

/*
 * VCPUOP_initialise: give the down vCPU v the context at guest address arg
 * (struct vcpu_guest_context). Returns 0, -EFAULT, -EINVAL (a bad field),
 * -ENOMEM, or a page-table/GDT validation error; on error v is unchanged.
 */
int arch_vcpu_initialise(struct vcpu *v, unsigned long arg);

/* ---- Hypercall hooks ---- */

struct multicall_entry;

/* What the multicall does after an entry ran (Xen's enum mc_disposition). */
enum mc_disposition {
    MC_CONTINUE,        /* go on with the next entry */
    MC_PREEMPTED,       /* the entry continued itself: call->op and call->args
                         * now describe the rest of its work */
    MC_EXIT,            /* stop here and return call->result (iret) */
    MC_STOP,            /* the guest left kernel mode: stop, continue later */
};

/*
 * Run one multicall entry as hypercall call->op with call->args[0..4] on
 * the current vCPU and store its return value in call->result. If the
 * sub-call asked to be continued (hypercall_continue()), the guest's
 * registers are left as they were before the entry, the continuation is
 * folded into *call (op and args) and MC_PREEMPTED returned. The iret
 * hypercall runs (as in Xen) and ends the multicall (MC_EXIT).
 */
enum mc_disposition arch_multicall_call(struct multicall_entry *call);

/*
 * memory_op sub-ops implemented by the architecture (x86:
 * XENMEM_memory_map, XENMEM_machine_memory_map, XENMEM_machphys_mapping),
 * with @cmd as the guest passed it. Returns the hypercall's value; -ENOSYS
 * for a sub-op the architecture does not know.
 */
long arch_memory_op(unsigned long cmd, unsigned long arg);

/*
 * VCPUOP_register_vcpu_info, the architecture's part: take a general and
 * a writable type reference on frame @mfn of v's domain (kept for the
 * domain's life, so the frame can never become a page table or descriptor
 * page), copy v's current vcpu_info to @offset in it, point v at the copy
 * and mark every event pending there (evtchn_pending_sel = ~0,
 * evtchn_upcall_pending = 1) so nothing raised meanwhile is lost. @offset
 * is checked by the caller (8-aligned, a whole vcpu_info in the page).
 * Returns 0, or -EINVAL if the frame is not v's domain's or cannot be
 * typed writable (it is a page table or a descriptor page).
 */
int arch_vcpu_map_info(struct vcpu *v, unsigned long mfn, unsigned int offset);

/* Print a backtrace of the calling context. */
void arch_dump_stack(void);

/* This CPU's number (0 = boot CPU). */
unsigned int arch_cpu_id(void);

/* Physical CPUs online (they are numbered 0 .. n-1). */
unsigned int arch_nr_cpus(void);

#endif
