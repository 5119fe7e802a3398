/* SPDX-License-Identifier: MIT */
/*
 * Segment selectors and descriptor-table layout.
 *
 * The hypervisor's descriptors live in the reserved GDT page, the fifteenth
 * page of a Xen-ABI GDT (entries 7168-7679, selectors 0xe000-0xeff8). PV
 * guests own pages 0-13 and rely on the fixed flat ring-3 selectors here.
 */
#ifndef ASM_DESC_H
#define ASM_DESC_H

/*
 * Spelled exactly as in the public headers (include/public/arch-x86/), so
 * both may be included: this header must stay usable from assembly.
 */
#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_BYTE  (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_BYTE / 8)

#define __HYPERVISOR_CS64   0xe008
#define __HYPERVISOR_DS     0xe010
#define FLAT_RING3_CS32 0xe023
#define FLAT_RING3_CS64 0xe033
#define FLAT_RING3_DS32 0xe02b
#define FLAT_RING3_SS64 0xe02b
#define TSS_SELECTOR        0xe040  /* 16-byte system descriptor */
#define LDT_SELECTOR        0xe050  /* 16-byte system descriptor */
#define PER_CPU_SELECTOR    0xe060

/* Index of a reserved selector within the reserved GDT page. */
#define GDT_SLOT(sel)       (((sel) - FIRST_RESERVED_GDT_BYTE) >> 3)

/* Interrupt stack table slots (1-based in the IDT, 0 = none). */
#define IST_DF   1
#define IST_NMI  2
#define IST_MCE  3
#define IST_MAX  3

#endif
