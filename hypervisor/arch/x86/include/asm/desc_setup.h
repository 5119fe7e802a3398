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
 * registers, load TR and the IDT. gdt_window is the CPU's GDT window from
 * gdt_window_create(), or 0 before memory is set up (boot CPU only).
 */
void cpu_desc_init(struct cpu_info *ci, uint64_t *gdt_page, struct tss64 *tss,
                   unsigned long stack_base, unsigned long gdt_window);

/* Map cpu's 64 KiB GDT window around gdt_page; returns its address. Boot CPU. */
unsigned long gdt_window_create(unsigned int cpu, uint64_t *gdt_page);

/* Physical address of the zero page shown in unused guest GDT pages. */
unsigned long gdt_zero_page_pa(void);

/* Switch this CPU's GDTR to its window (same descriptors, new base). */
void gdt_window_load(unsigned long window);

/* Program STAR and SFMASK for guest SYSCALL. */
void syscall_msrs_init(void);

#endif
