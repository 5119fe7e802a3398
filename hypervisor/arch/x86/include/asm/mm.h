/* SPDX-License-Identifier: MIT */
#ifndef ASM_MM_H
#define ASM_MM_H

#include <asm/page.h>
#include <stdint.h>

/* The idle page tables: the hypervisor's own address space, every CPU. */
extern pte_t *idle_l4;

/*
 * Set up memory from boot_info: the boot-time allocator, the idle page
 * tables (image with W^X, direct map, M2P, frame table), then hand every
 * free frame to the buddy allocator. Panics if memory is too small.
 */
void mm_init(void);

/*
 * Map nr frames from pa at va in the idle page tables with the given leaf
 * flags, allocating intermediate tables as needed. va and pa are page
 * aligned. Creating tables is for the boot CPU before other CPUs run;
 * later callers only rewrite leaves of ranges they own (a CPU's GDT window).
 */
void map_pages(unsigned long va, unsigned long pa, unsigned long nr, uint64_t flags);

/* Map an MMIO range uncached in the fixmap area; returns its address. */
void *ioremap(unsigned long pa, unsigned long size);

/*
 * Map firmware memory (ACPI tables, BIOS data) for reading: the direct map
 * where it covers the range, else an uncached fixmap mapping.
 */
void *map_firmware(unsigned long pa, unsigned long size);

/* Total RAM in bytes the memory map reports. */
extern uint64_t total_ram_bytes;
/* Machine frames covered by the frame table (max RAM frame + 1). */
extern unsigned long max_page;
/* Physical address of a page below 1 MiB reserved for the AP trampoline. */
extern unsigned long trampoline_phys;

#endif
