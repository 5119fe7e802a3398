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

/* Print a backtrace of the calling context. */
void arch_dump_stack(void);

/* This CPU's number (0 = boot CPU). */
unsigned int arch_cpu_id(void);

/* Physical CPUs online (they are numbered 0 .. n-1). */
unsigned int arch_nr_cpus(void);

#endif
