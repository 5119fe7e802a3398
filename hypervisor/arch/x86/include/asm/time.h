/* SPDX-License-Identifier: MIT */
#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <stdint.h>

/* TSC frequency in kHz, measured by time_init(). */
extern uint64_t tsc_khz;

/*
 * Calibrate the TSC and the local APIC timer against the PIT, start system
 * time at zero, and route the timer interrupt. Boot CPU, interrupts off,
 * after apic_cpu_init().
 */
void time_init(void);

/* The pvclock scale: ns = (((tsc - tsc0) << shift) * mul) >> 32 (shift >= 0 here). */
void time_pvclock_params(uint32_t *mul, int8_t *shift);
/* System time (ns since boot) at TSC value tsc. */
uint64_t tsc_to_system_time(uint64_t tsc);
/* Wall-clock time (ns since 1970, UTC) at system time 0; 0 if unknown. */
uint64_t wallclock_at_boot_ns(void);

/* Check that a one-shot software timer fires; prints how long it took. */
void time_selftest(void);

#endif
