/* SPDX-License-Identifier: MIT */
/* x86-64 4-level page-table entries: flags, masks and accessors. */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <asm/config.h>

#define _PAGE_PRESENT   _UL(0x001)
#define _PAGE_RW        _UL(0x002)
#define _PAGE_USER      _UL(0x004)
#define _PAGE_PWT       _UL(0x008)
#define _PAGE_PCD       _UL(0x010)
#define _PAGE_ACCESSED  _UL(0x020)
#define _PAGE_DIRTY     _UL(0x040)
#define _PAGE_PSE       _UL(0x080)  /* large page at L2/L3 */
#define _PAGE_PAT       _UL(0x080)  /* PAT index bit at L1 */
#define _PAGE_GLOBAL    _UL(0x100)
#define _PAGE_NX        (_UL(1) << 63)

#define PADDR_BITS      52
#define PADDR_MASK      ((_UL(1) << PADDR_BITS) - 1)
#define PTE_ADDR_MASK   (PADDR_MASK & ~(PAGE_SIZE - 1))

#define L1_SHIFT        12
#define L2_SHIFT        21
#define L3_SHIFT        30
#define L4_SHIFT        39
#define PT_ENTRIES      512
#define L2_PAGE_SIZE    (_UL(1) << L2_SHIFT)
#define L3_PAGE_SIZE    (_UL(1) << L3_SHIFT)

/* Mapping types Keel uses for its own memory. */
#define PAGE_HYPERVISOR_RW  (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX)
#define PAGE_HYPERVISOR_RO  (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_HYPERVISOR_RX  (_PAGE_PRESENT | _PAGE_ACCESSED)
/* Uncached (PAT index 3 = UC with Keel's PAT). */
#define PAGE_HYPERVISOR_UC  (PAGE_HYPERVISOR_RW | _PAGE_PCD | _PAGE_PWT)
/* Guest-readable, read-only (the M2P view). */
#define PAGE_GUEST_RO       (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
/* Intermediate table entries: permissions are decided at the leaf. */
#define PAGE_TABLE_HYPERVISOR (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PAGE_TABLE_GUEST      (PAGE_TABLE_HYPERVISOR | _PAGE_USER)

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

typedef uint64_t pte_t;

static inline unsigned int pt_index(unsigned long va, unsigned int shift)
{
    return (va >> shift) & (PT_ENTRIES - 1);
}

/* A 48-bit canonical address: bits 63-47 all equal. */
static inline bool is_canonical_address(unsigned long va)
{
    return ((long)va >> 47) == 0 || ((long)va >> 47) == -1;
}

static inline unsigned long pte_paddr(pte_t pte)
{
    return pte & PTE_ADDR_MASK;
}

/* The direct map: every RAM frame at a fixed offset. */
static inline void *__va(unsigned long pa)
{
    return (void *)(DIRECTMAP_VIRT_START + pa);
}

static inline unsigned long __pa(const void *va)
{
    unsigned long v = (unsigned long)va;

    if (v >= KEEL_VIRT_START && v < KEEL_VIRT_END)
        return v - KEEL_VIRT_START + KEEL_PHYS_START;
    return v - DIRECTMAP_VIRT_START;
}
#endif

#endif
