/* SPDX-License-Identifier: MIT */
/*
 * The register frame entry.S saves on every exception and interrupt. Its
 * order matches Xen's struct cpu_user_regs from r15 to ss, so guest
 * contexts can later be copied to and from the public ABI field by field.
 */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#ifndef __ASSEMBLER__
#include <stdint.h>

struct cpu_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx;
    uint64_t r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;
    uint32_t entry_vector;
    /* Pushed by the CPU. */
    uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(__builtin_offsetof(struct cpu_regs, error_code) == 15 * 8, "entry.S frame");
_Static_assert(__builtin_offsetof(struct cpu_regs, rip) == 16 * 8, "entry.S frame");
_Static_assert(sizeof(struct cpu_regs) == 21 * 8, "entry.S frame (and GUEST_FRAME_SIZE)");

static inline int regs_from_guest(const struct cpu_regs *regs)
{
    return (regs->cs & 3) != 0;
}
#endif

#define TRAP_STUB_SIZE 16
/* entry_vector values for SYSCALL entries (not hardware vectors). */
#define TRAP_SYSCALL    0x100
#define TRAP_SYSCALL32  0x101

#endif
