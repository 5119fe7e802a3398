/* SPDX-License-Identifier: MIT */
#ifndef ASM_IPI_H
#define ASM_IPI_H

/* Interrupt vectors of Keel's own IPIs (below the APIC timer's 0xf0). */
#define EVENT_CHECK_VECTOR 0xe0

/* Route the IPI vectors. Boot CPU, before other CPUs start. */
void ipi_init(void);

#endif
