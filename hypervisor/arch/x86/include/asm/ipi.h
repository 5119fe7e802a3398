/* SPDX-License-Identifier: MIT */
#ifndef ASM_IPI_H
#define ASM_IPI_H

/* Interrupt vectors of Keel's own IPIs (below the APIC timer's 0xf0). */
#define EVENT_CHECK_VECTOR 0xe0
#define FLUSH_VECTOR       0xe1

/* Route the IPI vectors. Boot CPU, before other CPUs start. */
void ipi_init(void);

/*
 * Flush the TLB of every online CPU and wait until they all have. Callable
 * with interrupts on or off.
 */
void flush_tlb_all_cpus(void);

#endif
