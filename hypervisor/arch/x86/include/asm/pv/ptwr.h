/* SPDX-License-Identifier: MIT */
/* Writable page tables: emulation of a PV kernel's stores to its own L1 tables. */
#ifndef ASM_PV_PTWR_H
#define ASM_PV_PTWR_H

#include <stdbool.h>
#include <stdint.h>

#include <asm/regs.h>

/* #PF error-code bits. */
#define PFEC_PRESENT    (1u << 0)
#define PFEC_WRITE      (1u << 1)
#define PFEC_RSVD       (1u << 3)
#define PFEC_INSN       (1u << 4)

/* Whether a #PF with @error_code is a write to a present page (no reserved
 * bit, no instruction fetch): the only kind pv_ptwr_emulate() looks at. */
static inline bool pv_ptwr_candidate(uint32_t error_code)
{
    return (error_code & (PFEC_PRESENT | PFEC_WRITE | PFEC_RSVD | PFEC_INSN)) ==
           (PFEC_PRESENT | PFEC_WRITE);
}

/*
 * Called for a #PF from guest kernel mode that pv_ptwr_candidate() accepts,
 * at linear address @cr2. If the
 * page is a read-only mapping of a validated L1 table of the current
 * domain and the instruction at RIP is one of the subset (asm/ptwr_decode.h),
 * store the entry through the page-table engine as mmu_update would, update
 * @regs as the instruction would and return true. Also true, with @regs
 * untouched, when the store kept losing races with concurrent changes of
 * the entry: the guest then executes the instruction again. False (the
 * caller bounces the #PF) for anything else, including an entry the engine
 * refuses or a store not within one entry of that page.
 */
bool pv_ptwr_emulate(struct cpu_regs *regs, unsigned long cr2);

#endif
