/* SPDX-License-Identifier: MIT */
/*
 * The instruction subset of writable page tables: decoding and executing
 * the stores a PV kernel makes to the entries of its own (read-only) L1
 * tables. The model is described at the top of arch/x86/pv/ptwr_decode.c.
 *
 * Portable: no hardware access, no guest memory. The caller fetches the
 * instruction bytes and the entry, and commits the result through the
 * page-table engine (arch/x86/pv/ptwr.c); host unit tests check every form
 * against the real CPU and a libFuzzer target feeds arbitrary bytes.
 */
#ifndef ASM_PTWR_DECODE_H
#define ASM_PTWR_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* The architectural limit on an x86 instruction's length. */
#define PTWR_INSN_MAX       15
/* Bytes in one page-table entry. */
#define PTWR_ENTRY_BYTES    8

/* General-purpose register numbers, as ModRM and REX encode them. */
#define PTWR_RAX 0
#define PTWR_RCX 1
#define PTWR_RDX 2
#define PTWR_RBX 3
#define PTWR_RSP 4
#define PTWR_RBP 5
#define PTWR_RSI 6
#define PTWR_RDI 7
#define PTWR_NR_GPRS 16

/* Arithmetic RFLAGS bits the executed instructions define. */
#define PTWR_FLAG_CF (1UL << 0)
#define PTWR_FLAG_PF (1UL << 2)
#define PTWR_FLAG_AF (1UL << 4)
#define PTWR_FLAG_ZF (1UL << 6)
#define PTWR_FLAG_SF (1UL << 7)
#define PTWR_FLAG_OF (1UL << 11)
#define PTWR_ARITH_FLAGS (PTWR_FLAG_CF | PTWR_FLAG_PF | PTWR_FLAG_AF | PTWR_FLAG_ZF | \
                          PTWR_FLAG_SF | PTWR_FLAG_OF)

/* The operations of the subset (the opcodes each covers are in ptwr_decode.c). */
enum ptwr_op {
    PTWR_MOV,
    PTWR_XCHG,
    PTWR_AND,
    PTWR_OR,
    PTWR_BTS,
    PTWR_BTR,
    PTWR_CMPXCHG,
};

/* The part of a vCPU's state the instructions read and write. */
struct ptwr_cpu {
    uint64_t gpr[PTWR_NR_GPRS]; /* by register number: RAX, RCX, ..., R15 */
    uint64_t rip;               /* of the instruction */
    uint64_t rflags;
};

/* A decoded instruction. */
struct ptwr_insn {
    enum ptwr_op op;
    uint8_t len;        /* instruction length in bytes */
    uint8_t size;       /* bytes the store covers: 1, 2, 4 or 8 */
    bool lock;          /* LOCK prefix (XCHG locks without one) */
    bool blind;         /* the stored value does not depend on the old one */
    uint64_t addr;      /* linear address of the access (after any BT* offset) */
    /* The source operand: an immediate, or register @reg. */
    bool src_imm;
    bool reg_high8;     /* @reg (4..7) names AH, CH, DH or BH */
    uint8_t reg;        /* ModRM.reg extended by REX.R */
    uint8_t bit;        /* BTS/BTR: the bit within the operand */
    uint64_t imm;       /* the immediate, sign-extended and truncated to @size */
};

/*
 * Decode the instruction at the start of @bytes (@len bytes readable, at
 * most PTWR_INSN_MAX are looked at) executed by @cpu, and compute the
 * address it stores to from @cpu's registers and RIP.
 * Returns 0; -EOPNOTSUPP if it is not a memory-destination form of the
 * subset (or is no valid instruction: too long, LOCK where the CPU raises
 * #UD, a register destination); -ENODATA if it continues beyond @len.
 * Never reads @bytes[@len] or beyond.
 */
int ptwr_decode(const uint8_t *bytes, unsigned int len, const struct ptwr_cpu *cpu,
                struct ptwr_insn *insn);

/* Whether @insn's store lies within one aligned page-table entry. */
static inline bool ptwr_within_entry(const struct ptwr_insn *insn)
{
    return (insn->addr & (PTWR_ENTRY_BYTES - 1)) + insn->size <= PTWR_ENTRY_BYTES;
}

/*
 * Execute @insn against the aligned entry containing its store, whose
 * value is @old: set *@new to the entry's value afterwards and update
 * @cpu's registers, arithmetic flags and RIP as the CPU would have.
 * Returns 1 if the instruction stores (*@new is to be committed: unless
 * @insn->blind, only as a compare-exchange of the entry against @old, as
 * other bytes or the operand may have changed since @old was read), 0 if
 * it does not (a CMPXCHG whose comparison fails; *@new = @old), or
 * -EINVAL, changing nothing, if the store is not within one entry.
 */
int ptwr_execute(const struct ptwr_insn *insn, uint64_t old, struct ptwr_cpu *cpu,
                 uint64_t *new);

#endif
