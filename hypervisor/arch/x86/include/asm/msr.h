/* SPDX-License-Identifier: MIT */
/* Model-specific registers Keel programs, and their accessors. */
#ifndef ASM_MSR_H
#define ASM_MSR_H

#include <asm/config.h>

#define MSR_EFER                0xc0000080
#define  EFER_SCE               (_UL(1) << 0)
#define  EFER_LME               (_UL(1) << 8)
#define  EFER_LMA               (_UL(1) << 10)
#define  EFER_NXE               (_UL(1) << 11)
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_SFMASK              0xc0000084
#define MSR_FS_BASE             0xc0000100
#define MSR_GS_BASE             0xc0000101
#define MSR_KERNEL_GS_BASE      0xc0000102
#define MSR_APIC_BASE           0x0000001b
#define  APIC_BASE_BSP          (_UL(1) << 8)
#define  APIC_BASE_X2APIC       (_UL(1) << 10)
#define  APIC_BASE_ENABLE       (_UL(1) << 11)
#define  APIC_BASE_ADDR_MASK    _UL(0x000ffffffffff000)
#define MSR_PAT                 0x00000277
#define MSR_TSC_DEADLINE        0x000006e0

/*
 * The PAT Keel runs with, the value Xen programs and PV guests read back:
 * PA0 WB, PA1 WT, PA2 UC-, PA3 UC, PA4 WC, PA5 WP, PA6 UC-, PA7 UC.
 */
#define KEEL_PAT                _UL(0x0000050100070406)

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
}
#endif

#endif
