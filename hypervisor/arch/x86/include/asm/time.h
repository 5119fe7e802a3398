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

/* Check that a one-shot software timer fires; prints how long it took. */
void time_selftest(void);

#endif
