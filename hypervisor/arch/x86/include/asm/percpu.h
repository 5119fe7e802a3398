/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU state. Each CPU's stack is STACK_SIZE bytes aligned to STACK_SIZE
 * with struct cpu_info at its top, so any code can find its CPU's data from
 * %rsp without a segment base (guests own the GS base in PV).
 */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <asm/config.h>

/* Bytes reserved for struct cpu_info at the top of every CPU stack. */
#define CPU_INFO_SIZE 128
/*
 * Bytes reserved below cpu_info for the guest register frame (struct
 * cpu_regs); hypervisor code always runs below it.
 */
#define GUEST_FRAME_SIZE (21 * 8)
/* Where a CPU's hypervisor stack starts: below cpu_info and the guest frame, 16-aligned. */
#define STACK_START_OFFSET ((STACK_SIZE - CPU_INFO_SIZE - GUEST_FRAME_SIZE) & ~15)
/* Offset of cpu_info.scratch: the SYSCALL stub parks the guest's RAX there. */
#define CPU_INFO_SCRATCH 0

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

struct vcpu;

/*
 * Below cpu_info, at the very top of the stack, sits the guest register
 * frame (struct cpu_regs) of the vCPU running here: the CPU pushes it on a
 * ring-3 exception (TSS.rsp0 = cpu_info) and the SYSCALL stub builds it.
 */
struct cpu_info {
    uint64_t scratch;           /* SYSCALL entry only; see CPU_INFO_SCRATCH */
    struct vcpu *current;       /* vCPU running here, NULL when idle */
    unsigned int cpu_id;        /* Keel's CPU number, 0 = boot CPU */
    uint32_t apic_id;
    bool online;
    struct tss64 *tss;
    uint64_t *gdt;              /* the reserved GDT page of this CPU */
    uint64_t tsc_khz;
    unsigned long syscall_stubs;    /* VA of this CPU's SYSCALL entry stubs */
    unsigned long gdt_window;       /* VA of this CPU's 64 KiB GDT window */
};
_Static_assert(sizeof(struct cpu_info) <= CPU_INFO_SIZE, "cpu_info outgrew its slot");
_Static_assert(__builtin_offsetof(struct cpu_info, scratch) == CPU_INFO_SCRATCH, "entry.S");

static inline struct cpu_info *get_cpu_info(void)
{
    unsigned long sp;

    __asm__("mov %%rsp, %0" : "=r"(sp));
    return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1 - CPU_INFO_SIZE);
}

static inline struct cpu_info *stack_cpu_info(void *stack_base)
{
    return (struct cpu_info *)((unsigned long)stack_base + STACK_SIZE - CPU_INFO_SIZE);
}

/* Stack bottom (lowest address) of the current CPU. */
static inline unsigned long current_stack_base(void)
{
    unsigned long sp;

    __asm__("mov %%rsp, %0" : "=r"(sp));
    return sp & ~(STACK_SIZE - 1);
}

#endif /* !__ASSEMBLER__ */

#endif
