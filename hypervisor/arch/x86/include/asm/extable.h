/* SPDX-License-Identifier: MIT */
/*
 * Exception fixups: an instruction in the hypervisor that may fault on a
 * guest-supplied address is listed with a fixup address; a fault there
 * resumes at the fixup instead of being fatal.
 */
#ifndef ASM_EXTABLE_H
#define ASM_EXTABLE_H

#ifdef __ASSEMBLER__
/* List the instruction at label 'insn' as recoverable at 'fixup'. */
        .macro  extable insn, fixup
        .pushsection .ex_table, "a"
        .balign 8
        .quad   \insn, \fixup
        .popsection
        .endm
#else
#include <stdbool.h>

struct cpu_regs;

/* If regs->rip has a fixup, point regs->rip at it and return true. */
bool extable_fixup(struct cpu_regs *regs);
#endif

#endif
