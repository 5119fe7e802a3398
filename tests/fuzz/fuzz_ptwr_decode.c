/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the writable-page-table decoder/executor
 * (arch/x86/pv/ptwr_decode.c): arbitrary instruction bytes and register
 * state. The decoder must decode or refuse with a documented error, never
 * read past the bytes it is given (they are copied to a heap block of
 * exactly their length, so ASan sees any overread), decode the same way
 * whatever follows the instruction, and return fields within their ranges.
 * The executor must change only what the decoded instruction may change:
 * the operand's bytes of the entry, RIP by the length, the arithmetic flags,
 * and the one register the form writes (XCHG's source, CMPXCHG's
 * accumulator). Any violation aborts.
 *
 * Input: byte 0 picks the register pattern, bytes 1-8 the entry's old value,
 * the rest is the instruction. Inputs shorter than 9 bytes are all
 * instruction.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/errno.h>

#include <asm/ptwr_decode.h>

#define HEADER 9

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_ptwr_decode: %s\n", what);
        abort();
    }
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* Registers: small values (bit offsets near 0), pointers, or noise. */
static void fill_cpu(struct ptwr_cpu *cpu, uint8_t pattern)
{
    for (unsigned int r = 0; r < PTWR_NR_GPRS; r++) {
        uint64_t v = mix(pattern * 31u + r + 1);

        switch ((pattern >> 6) & 3) {
        case 0: cpu->gpr[r] = v & 0xff; break;
        case 1: cpu->gpr[r] = (uint64_t)(int64_t)(int8_t)v; break;
        case 2: cpu->gpr[r] = 0xffff888000000000ULL + (v & 0xffff8); break;
        default: cpu->gpr[r] = v; break;
        }
    }
    cpu->rip = 0xffffffff81000000ULL + (pattern & 0x3f) * 0x111;
    cpu->rflags = 0x202 | (mix(pattern) & PTWR_ARITH_FLAGS);
}

static uint64_t mask_of(unsigned int size)
{
    return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static void check_execute(const struct ptwr_insn *insn, const struct ptwr_cpu *before,
                          uint64_t old)
{
    struct ptwr_cpu cpu = *before;
    uint64_t new = 0x5555aaaa5555aaaaULL, keep;
    int rc = ptwr_execute(insn, old, &cpu, &new);

    if (!ptwr_within_entry(insn)) {
        check(rc == -EINVAL, "execute of a straddling store did not fail");
        check(!memcmp(&cpu, before, sizeof(cpu)), "failed execute changed the CPU");
        check(new == 0x5555aaaa5555aaaaULL, "failed execute wrote *new");
        return;
    }
    check(rc == 0 || rc == 1, "execute result");
    check(rc == 1 || insn->op == PTWR_CMPXCHG, "only CMPXCHG may decline to store");
    check(rc == 1 || new == old, "no store, yet a new value");
    keep = ~(mask_of(insn->size) << (8 * (insn->addr & 7)));
    check((new & keep) == (old & keep), "bytes outside the operand changed");
    check(cpu.rip == before->rip + insn->len, "RIP not advanced by the length");
    check(!((cpu.rflags ^ before->rflags) & ~PTWR_ARITH_FLAGS), "non-arithmetic flag changed");
    if (insn->op == PTWR_MOV || insn->op == PTWR_XCHG)
        check(cpu.rflags == before->rflags, "MOV/XCHG changed flags");
    for (unsigned int r = 0; r < PTWR_NR_GPRS; r++) {
        bool may = false;

        if (insn->op == PTWR_XCHG)
            may = r == (insn->reg_high8 ? insn->reg - 4u : insn->reg);
        if (insn->op == PTWR_CMPXCHG && rc == 0)
            may = r == PTWR_RAX;
        check(may || cpu.gpr[r] == before->gpr[r], "a register the form does not write changed");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ptwr_cpu cpu;
    struct ptwr_insn insn, again;
    uint64_t old = 0;
    const uint8_t *bytes = data;
    size_t len = size;
    uint8_t *exact, *padded;
    int rc;

    fill_cpu(&cpu, size ? data[0] : 0);
    if (size >= HEADER) {
        memcpy(&old, data + 1, sizeof(old));
        bytes = data + HEADER;
        len = size - HEADER;
    }
    if (len > 64)
        return 0;

    exact = malloc(len ? len : 1);
    check(exact != NULL, "malloc");
    memcpy(exact, bytes, len);
    rc = ptwr_decode(exact, (unsigned int)len, &cpu, &insn);
    check(rc == 0 || rc == -EOPNOTSUPP || rc == -ENODATA, "undocumented decode result");
    check(rc != -ENODATA || len < PTWR_INSN_MAX, "ENODATA with a full 15 bytes");

    if (rc == 0) {
        check(insn.len >= 1 && insn.len <= len && insn.len <= PTWR_INSN_MAX, "length");
        check(insn.size == 1 || insn.size == 2 || insn.size == 4 || insn.size == 8, "size");
        check(insn.op <= PTWR_CMPXCHG, "op");
        check(insn.reg < PTWR_NR_GPRS, "register");
        check(!insn.reg_high8 || (insn.size == 1 && insn.reg >= 4 && insn.reg < 8), "AH..BH");
        check(insn.bit < 8 * insn.size, "bit number");
        check(!(insn.imm & ~mask_of(insn.size)), "immediate wider than the operand");
        check(insn.blind == (insn.size == 8 && (insn.op == PTWR_MOV || insn.op == PTWR_XCHG)),
              "blind");
        check(insn.op != PTWR_MOV || !insn.lock, "LOCK MOV accepted");

        /* The same decode from exactly the instruction, and with junk after it. */
        rc = ptwr_decode(exact, insn.len, &cpu, &again);
        check(rc == 0 && !memcmp(&insn, &again, sizeof(insn)), "decode depends on later bytes");
        padded = malloc(PTWR_INSN_MAX + 1);
        check(padded != NULL, "malloc");
        memset(padded, 0xf0, PTWR_INSN_MAX + 1);
        memcpy(padded, exact, insn.len);
        rc = ptwr_decode(padded, PTWR_INSN_MAX + 1, &cpu, &again);
        check(rc == 0 && !memcmp(&insn, &again, sizeof(insn)), "decode depends on padding");
        free(padded);

        check_execute(&insn, &cpu, old);
    }
    free(exact);
    return 0;
}
