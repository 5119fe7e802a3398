/* SPDX-License-Identifier: MIT */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include <asm/regs.h>

#define TRAP_DIVIDE_ERROR   0
#define TRAP_DEBUG          1
#define TRAP_NMI            2
#define TRAP_INT3           3
#define TRAP_OVERFLOW       4
#define TRAP_BOUNDS         5
#define TRAP_INVALID_OP     6
#define TRAP_NO_DEVICE      7
#define TRAP_DOUBLE_FAULT   8
#define TRAP_INVALID_TSS    10
#define TRAP_NO_SEGMENT     11
#define TRAP_STACK_ERROR    12
#define TRAP_GP_FAULT       13
#define TRAP_PAGE_FAULT     14
#define TRAP_X87_ERROR      16
#define TRAP_ALIGNMENT      17
#define TRAP_MACHINE_CHECK  18
#define TRAP_SIMD_ERROR     19
#define FIRST_IRQ_VECTOR    32

typedef void (*irq_handler_t)(struct cpu_regs *regs);

/* Route vector (>= FIRST_IRQ_VECTOR) to handler; NULL removes it. */
void set_irq_handler(unsigned int vector, irq_handler_t handler);

/* Stop every other CPU (NMI) before a fatal report. */
void stop_other_cpus(void);

/* Entry from entry.S for every vector. */
void do_trap(struct cpu_regs *regs);

#endif
