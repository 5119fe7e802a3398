/* SPDX-License-Identifier: MIT */
/* Control registers, flags and small privileged-instruction wrappers. */
#ifndef ASM_PROCESSOR_H
#define ASM_PROCESSOR_H

#include <asm/config.h>

#define X86_CR0_PE      (_UL(1) << 0)
#define X86_CR0_MP      (_UL(1) << 1)
#define X86_CR0_EM      (_UL(1) << 2)
#define X86_CR0_TS      (_UL(1) << 3)
#define X86_CR0_ET      (_UL(1) << 4)
#define X86_CR0_NE      (_UL(1) << 5)
#define X86_CR0_WP      (_UL(1) << 16)
#define X86_CR0_AM      (_UL(1) << 18)
#define X86_CR0_PG      (_UL(1) << 31)

#define X86_CR4_PSE     (_UL(1) << 4)
#define X86_CR4_PAE     (_UL(1) << 5)
#define X86_CR4_PGE     (_UL(1) << 7)
#define X86_CR4_OSFXSR  (_UL(1) << 9)
#define X86_CR4_OSXMMEXCPT (_UL(1) << 10)

#define X86_EFLAGS_IF   (_UL(1) << 9)
#define X86_EFLAGS_DF   (_UL(1) << 10)
#define X86_EFLAGS_TF   (_UL(1) << 8)
#define X86_EFLAGS_NT   (_UL(1) << 14)
#define X86_EFLAGS_AC   (_UL(1) << 18)
#define X86_EFLAGS_IOPL (_UL(3) << 12)

#ifndef __ASSEMBLER__
#include <stdint.h>

#define DEFINE_CR_ACCESSORS(n)                                             \
    static inline unsigned long read_cr##n(void)                           \
    {                                                                      \
        unsigned long v;                                                   \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                  \
        return v;                                                          \
    }                                                                      \
    static inline void write_cr##n(unsigned long v)                        \
    {                                                                      \
        __asm__ volatile("mov %0, %%cr" #n :: "r"(v) : "memory");          \
    }
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
                               uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    cpuid_count(leaf, 0, a, b, c, d);
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void local_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void local_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void halt(void) { __asm__ volatile("hlt" ::: "memory"); }

static inline unsigned long save_flags(void)
{
    unsigned long f;
    __asm__ volatile("pushf; pop %0" : "=r"(f) :: "memory");
    return f;
}

static inline void invlpg(unsigned long va)
{
    __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

static inline void flush_tlb_local(void) { write_cr3(read_cr3()); }

#endif
#endif
