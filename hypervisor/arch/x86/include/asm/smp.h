/* SPDX-License-Identifier: MIT */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <asm/percpu.h>

/* Each started CPU's cpu_info, by CPU number; NULL where none was started. */
extern struct cpu_info *cpu_infos[NR_CPUS];

/* CPUs that finished bring-up, the boot CPU included. */
extern unsigned int nr_cpus_online;

/*
 * Start every enabled processor ACPI listed, up to max_cpus in total, one
 * at a time. Boot CPU, after mm_init(), acpi_init() and time_init().
 * A CPU that does not answer is reported and skipped.
 */
void smp_boot_cpus(unsigned int max_cpus);

/* Per-CPU setup shared by the boot CPU and the APs: tables, MSRs, APIC. */
void cpu_init(struct cpu_info *ci, uint64_t *gdt_page, struct tss64 *tss, unsigned long stack);

#endif
