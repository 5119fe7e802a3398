/* SPDX-License-Identifier: MIT */
#ifndef ASM_DESC_SETUP_H
#define ASM_DESC_SETUP_H

#include <asm/percpu.h>
#include <stdint.h>

/* Fill the shared IDT. Once, on the boot CPU, before any cpu_desc_init(). */
void idt_init(void);

/*
 * Build and load this CPU's reserved GDT page and TSS (IST stacks carved
 * from the bottom of the stack block at stack_base), reload all segment
 * registers, load TR and the IDT.
 */
void cpu_desc_init(struct cpu_info *ci, uint64_t *gdt_page, struct tss64 *tss,
                   unsigned long stack_base);

/* Program STAR/LSTAR/CSTAR/SFMASK for guest SYSCALL. */
void syscall_msrs_init(void);

#endif
