/* SPDX-License-Identifier: MIT */
/*
 * Keel's x86-64 virtual address layout.
 *
 * Every hypervisor mapping lives in PML4 slots 256-271
 * (0xffff800000000000-0xffff87ffffffffff), the range a Xen-ABI PV guest
 * leaves to the hypervisor. Those sixteen slots are copied into every guest
 * root page table, so the hypervisor stays mapped while a guest runs and no
 * CR3 switch is needed on entry.
 *
 *  slot  start               size     use
 *  256   0xffff800000000000  256 GiB  M2P, read-only and user-readable (guests)
 *  257   0xffff808000000000  512 GiB  reserved
 *  258   0xffff810000000000  512 GiB  linear map of the current guest L4 (PV MMU)
 *  259   0xffff818000000000  512 GiB  reserved
 *  260   0xffff820000000000  512 GiB  per-CPU GDT windows (64 KiB each), then
 *                                     per-domain mappings
 *  261   0xffff828000000000    1 GiB  M2P, read-write (hypervisor)
 *        0xffff82c000000000    4 GiB  fixmap: MMIO (local APIC, HPET), early maps
 *        0xffff82d000000000    1 MiB  per-CPU entry stubs (SYSCALL), one page per CPU
 *        0xffff82d040000000    1 GiB  hypervisor image (text, rodata, data, bss)
 *        0xffff82e000000000  128 GiB  frame table (struct page_info per frame)
 *  262+  0xffff830000000000    5 TiB  direct map of RAM, write-back, no-execute
 *
 * Invariant: nothing outside slots 256-271 is ever mapped by the hypervisor.
 * The image is loaded by the boot loader at KEEL_PHYS_START and linked at
 * KEEL_VIRT_START + (physical address - KEEL_PHYS_START).
 */
#ifndef ASM_CONFIG_H
#define ASM_CONFIG_H

#ifdef __ASSEMBLER__
#define _UL(x)                  x
#else
#define _UL(x)                  x##UL
#endif

#define PML4_SLOT_SHIFT         39
#define PML4_SLOT_VA(slot)      (_UL(0xffff000000000000) | (_UL(slot) << PML4_SLOT_SHIFT))

#define HYPERVISOR_SLOT_FIRST   256
#define HYPERVISOR_SLOT_LAST    271
/* The public headers define these too (guarded); Keel's own spelling wins. */
#undef HYPERVISOR_VIRT_START
#undef HYPERVISOR_VIRT_END
#define HYPERVISOR_VIRT_START   PML4_SLOT_VA(256)
#define HYPERVISOR_VIRT_END     PML4_SLOT_VA(272)

#define RO_MPT_VIRT_START       PML4_SLOT_VA(256)
#define RO_MPT_VIRT_END         (RO_MPT_VIRT_START + (_UL(256) << 30))
#define LINEAR_PT_VIRT_START    PML4_SLOT_VA(258)
#define GDT_WINDOWS_VIRT_START  PML4_SLOT_VA(260)
#define GDT_WINDOW_SIZE         (_UL(16) << PAGE_SHIFT)
#define PERDOMAIN_VIRT_START    (PML4_SLOT_VA(260) + (_UL(1) << 30))

#define RDWR_MPT_VIRT_START     PML4_SLOT_VA(261)
#define RDWR_MPT_VIRT_END       (RDWR_MPT_VIRT_START + (_UL(1) << 30))
#define FIXMAP_VIRT_START       _UL(0xffff82c000000000)
#define FIXMAP_VIRT_END         (FIXMAP_VIRT_START + (_UL(4) << 30))
#define STUBS_VIRT_START        _UL(0xffff82d000000000)
#define KEEL_VIRT_START         _UL(0xffff82d040000000)
#define KEEL_VIRT_END           (KEEL_VIRT_START + (_UL(1) << 30))
#define FRAMETABLE_VIRT_START   _UL(0xffff82e000000000)
#define FRAMETABLE_VIRT_END     (FRAMETABLE_VIRT_START + (_UL(128) << 30))

#define DIRECTMAP_VIRT_START    PML4_SLOT_VA(262)
#define DIRECTMAP_VIRT_END      HYPERVISOR_VIRT_END

/* Physical load address of the image: 2 MiB, above the BIOS area. */
#define KEEL_PHYS_START         _UL(0x200000)

#define PAGE_SHIFT              12
#define PAGE_SIZE               (_UL(1) << PAGE_SHIFT)

#define STACK_ORDER             3   /* per-CPU stacks are 2^3 pages */
#define STACK_SIZE              (PAGE_SIZE << STACK_ORDER)

#define NR_CPUS                 64

#endif
