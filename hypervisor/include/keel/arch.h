/* SPDX-License-Identifier: MIT */
/*
 * The hooks common code calls into the architecture. Each is implemented
 * once under arch/<arch>/.
 */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <stddef.h>

/* Write raw bytes to every console device. Callable from any context. */
void arch_console_write(const char *s, size_t n);

/* Reasons to stop the machine, reported in the final log line. */
enum power_off_status {
    POWER_OFF_CLEAN = 0,   /* the run ended normally */
    POWER_OFF_FATAL = 1,   /* a panic or a fatal hypervisor exception */
};

/* Stop all CPUs and power the machine off (ACPI S5); halts if that fails. */
void arch_power_off(enum power_off_status status) __attribute__((noreturn));

/* Print a backtrace of the calling context. */
void arch_dump_stack(void);

/* This CPU's number (0 = boot CPU). */
unsigned int arch_cpu_id(void);

#endif
