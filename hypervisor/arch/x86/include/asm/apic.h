/* SPDX-License-Identifier: MIT */
/* The local APIC, in x2APIC mode where the CPU has it, else xAPIC (MMIO). */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_DEFAULT_PHYS_BASE  0xfee00000UL

#define SPURIOUS_VECTOR         0xff
#define TIMER_VECTOR            0xf0

/* Choose the mode and map the xAPIC page if needed. Boot CPU, once. */
void apic_early_init(void);
/* Enable this CPU's local APIC with every LVT masked. Each CPU. */
void apic_cpu_init(void);
/* This CPU's APIC ID. */
uint32_t apic_id(void);
bool apic_x2apic_mode(void);
void apic_eoi(void);

/* One-shot timer: fire TIMER_VECTOR after ticks APIC-timer ticks (0 stops). */
void apic_timer_oneshot(uint32_t ticks);
uint32_t apic_timer_current(void);
/* Start the timer free-running at its maximum count (for calibration). */
void apic_timer_start_calibration(void);

void apic_send_init(uint32_t apic_id);
void apic_send_startup(uint32_t apic_id, unsigned int vector);
void apic_send_nmi(uint32_t apic_id);
/* A fixed-delivery interrupt with vector on the CPU with apic_id. */
void apic_send_fixed(uint32_t apic_id, unsigned int vector);

#endif
