/* SPDX-License-Identifier: MIT */
/*
 * Lookup in the exception-fixup table (.ex_table, pairs of addresses
 * emitted by the 'extable' assembler macro). The table is small and
 * read-only; a linear scan keeps it simple.
 */
#include <asm/extable.h>
#include <asm/regs.h>

struct extable_entry {
    unsigned long insn;
    unsigned long fixup;
};

extern const struct extable_entry __ex_table_start[], __ex_table_end[];

bool extable_fixup(struct cpu_regs *regs)
{
    for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++) {
        if (e->insn == regs->rip) {
            regs->rip = e->fixup;
            return true;
        }
    }
    return false;
}
