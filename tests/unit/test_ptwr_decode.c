/* SPDX-License-Identifier: MIT */
/*
 * The writable-page-table instruction subset (arch/x86/pv/ptwr_decode.c)
 * against the CPU running the test.
 *
 * A small encoder builds each form of the subset over operand sizes, all
 * sixteen registers (REX.R/X/B, AH..BH without REX, SPL..DIL with an empty
 * REX), immediate and register sources, every ModRM/SIB addressing shape
 * (base, disp8, disp32, base+index*scale, index*scale+disp32 with no base,
 * RIP-relative) and every offset within an entry. Each instruction runs
 * natively, copied between a prologue that loads all registers and RFLAGS
 * from a state block and an epilogue that stores them back, on a buffer of
 * entries; the decoder then executes it on the entry value and the two
 * must agree on the entry, every register, RIP and the flags the
 * architecture defines for the form. Fixed cases pin down the instructions
 * Linux emits, the documented refusals and truncation.
 */
#include <keel/errno.h>
#include <errno.h>  /* after keel's: libc redefines each name identically */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <asm/ptwr_decode.h>

#include "host_shim.h"

/*
 * The native runner. The state block is laid out in pop order: RAX, RCX,
 * RDX, RBX, (RSP: skipped), RBP, RSI, RDI, R8..R15, RFLAGS, then the host
 * RSP. The prologue points RSP at the block and pops it; the instruction
 * runs with RSP just past RFLAGS, so nothing live lies below it (a signal
 * frame would land in the already-consumed block or the slack before it);
 * the epilogue pushes everything back and reloads the host RSP.
 */
struct native_state {
    uint64_t gpr[PTWR_NR_GPRS];
    uint64_t rflags;
    uint64_t host_rsp;
};
_Static_assert(offsetof(struct native_state, host_rsp) == 136, "runner offsets");

extern const uint8_t ptwr_test_pro[], ptwr_test_pro_end[], ptwr_test_epi[], ptwr_test_epi_end[];
__asm__(".pushsection .text.ptwr_test_runner,\"ax\",@progbits\n"
        "ptwr_test_pro:\n"
        "  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
        "  mov %rsp, 136(%rdi)\n"
        "  mov %rdi, %rsp\n"
        "  pop %rax; pop %rcx; pop %rdx; pop %rbx; lea 8(%rsp), %rsp\n"
        "  pop %rbp; pop %rsi; pop %rdi\n"
        "  pop %r8; pop %r9; pop %r10; pop %r11; pop %r12; pop %r13; pop %r14; pop %r15\n"
        "  popfq\n"
        "ptwr_test_pro_end:\n"
        "ptwr_test_epi:\n"
        "  pushfq\n"
        "  push %r15; push %r14; push %r13; push %r12; push %r11; push %r10; push %r9; push %r8\n"
        "  push %rdi; push %rsi; push %rbp\n"
        "  lea -8(%rsp), %rsp; push %rbx; push %rdx; push %rcx; push %rax\n"
        "  mov 136(%rsp), %rsp\n"
        "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
        "  ret\n"
        "ptwr_test_epi_end:\n"
        ".popsection");

#define SLACK_BYTES 16384
#define DATA_OFFSET 0x800   /* entry 0 of the operand buffer within the data page */
#define NR_ENTRIES  9       /* entries -4..4 around entry 0 */
#define FLAGS_BASE  0x202UL /* bit 1, IF */

static uint8_t *code_page;  /* runner code; the data page follows it */
static uint8_t *data_page;
static struct {
    uint8_t slack[SLACK_BYTES];
    struct native_state st;
} native __attribute__((aligned(64)));

static int setup_runner(void **state)
{
    (void)state;
    code_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(code_page != MAP_FAILED);
    data_page = code_page + 4096;
    return 0;
}

static int teardown_runner(void **state)
{
    (void)state;
    munmap(code_page, 8192);
    return 0;
}

/* Where the instruction will sit in the code page (its RIP). */
static uint64_t insn_rip(void)
{
    return (uint64_t)(code_page + (ptwr_test_pro_end - ptwr_test_pro));
}

/* RSP while the instruction runs. */
static uint64_t native_rsp(void)
{
    return (uint64_t)&native.st.host_rsp;
}

static void run_native(const uint8_t *insn, unsigned int len, struct ptwr_cpu *cpu)
{
    size_t pro = (size_t)(ptwr_test_pro_end - ptwr_test_pro);
    size_t epi = (size_t)(ptwr_test_epi_end - ptwr_test_epi);

    memcpy(code_page, ptwr_test_pro, pro);
    memcpy(code_page + pro, insn, len);
    memcpy(code_page + pro + len, ptwr_test_epi, epi);
    __builtin___clear_cache((char *)code_page, (char *)code_page + pro + len + epi);

    memcpy(native.st.gpr, cpu->gpr, sizeof(native.st.gpr));
    native.st.rflags = cpu->rflags;
    ((void (*)(struct native_state *))(void *)code_page)(&native.st);
    memcpy(cpu->gpr, native.st.gpr, sizeof(cpu->gpr));
    cpu->gpr[PTWR_RSP] = native_rsp();
    cpu->rflags = native.st.rflags;
    cpu->rip += len;
}

/* ---- the encoder ------------------------------------------------------- */

enum src_kind { SRC_REG, SRC_IB, SRC_IZ, SRC_IBS };

struct form {
    const char *name;
    enum ptwr_op op;
    uint8_t opc[2];
    unsigned int opc_len;
    int digit;          /* ModRM.reg of a group opcode; -1: register operand */
    bool byte_op;
    enum src_kind src;
    uint64_t flags;     /* the arithmetic flags the CPU defines for the form */
};

#define ALL PTWR_ARITH_FLAGS
#define LOGIC (PTWR_FLAG_CF | PTWR_FLAG_PF | PTWR_FLAG_ZF | PTWR_FLAG_SF | PTWR_FLAG_OF)
static const struct form forms[] = {
    { "mov r8", PTWR_MOV, { 0x88 }, 1, -1, true, SRC_REG, ALL },
    { "mov r", PTWR_MOV, { 0x89 }, 1, -1, false, SRC_REG, ALL },
    { "mov ib", PTWR_MOV, { 0xc6 }, 1, 0, true, SRC_IB, ALL },
    { "mov iz", PTWR_MOV, { 0xc7 }, 1, 0, false, SRC_IZ, ALL },
    { "xchg r8", PTWR_XCHG, { 0x86 }, 1, -1, true, SRC_REG, ALL },
    { "xchg r", PTWR_XCHG, { 0x87 }, 1, -1, false, SRC_REG, ALL },
    { "and r8", PTWR_AND, { 0x20 }, 1, -1, true, SRC_REG, LOGIC },
    { "and r", PTWR_AND, { 0x21 }, 1, -1, false, SRC_REG, LOGIC },
    { "and ib", PTWR_AND, { 0x80 }, 1, 4, true, SRC_IB, LOGIC },
    { "and iz", PTWR_AND, { 0x81 }, 1, 4, false, SRC_IZ, LOGIC },
    { "and ibs", PTWR_AND, { 0x83 }, 1, 4, false, SRC_IBS, LOGIC },
    { "or r8", PTWR_OR, { 0x08 }, 1, -1, true, SRC_REG, LOGIC },
    { "or r", PTWR_OR, { 0x09 }, 1, -1, false, SRC_REG, LOGIC },
    { "or ib", PTWR_OR, { 0x80 }, 1, 1, true, SRC_IB, LOGIC },
    { "or iz", PTWR_OR, { 0x81 }, 1, 1, false, SRC_IZ, LOGIC },
    { "or ibs", PTWR_OR, { 0x83 }, 1, 1, false, SRC_IBS, LOGIC },
    { "bts r", PTWR_BTS, { 0x0f, 0xab }, 2, -1, false, SRC_REG, PTWR_FLAG_CF },
    { "bts ib", PTWR_BTS, { 0x0f, 0xba }, 2, 5, false, SRC_IB, PTWR_FLAG_CF },
    { "btr r", PTWR_BTR, { 0x0f, 0xb3 }, 2, -1, false, SRC_REG, PTWR_FLAG_CF },
    { "btr ib", PTWR_BTR, { 0x0f, 0xba }, 2, 6, false, SRC_IB, PTWR_FLAG_CF },
    { "cmpxchg r8", PTWR_CMPXCHG, { 0x0f, 0xb0 }, 2, -1, true, SRC_REG, ALL },
    { "cmpxchg r", PTWR_CMPXCHG, { 0x0f, 0xb1 }, 2, -1, false, SRC_REG, ALL },
};

static bool is_bt(const struct form *f)
{
    return f->op == PTWR_BTS || f->op == PTWR_BTR;
}

enum amode { AM_BASE, AM_DISP8, AM_DISP32, AM_SIB, AM_SIB_NOBASE, AM_RIP, NR_AMODES };
static const char *const amode_names[NR_AMODES] = {
    "base", "base+disp8", "base+disp32", "base+index*s+disp8", "index*s+disp32", "rip+disp32",
};

/* One generated case. */
struct gen {
    const struct form *f;
    unsigned int size;
    bool lock, ds, empty_rex;
    unsigned int reg;       /* register operand (SRC_REG) */
    enum amode am;
    unsigned int base, index, scale;
    int32_t disp;
    uint64_t imm;           /* raw immediate bytes (little-endian) */
    unsigned int imm_len;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Mostly random 64-bit values, with some small and all-ones ones. */
static uint64_t rnd_value(void)
{
    switch (rnd() % 8) {
    case 0: return 0;
    case 1: return ~0ULL;
    case 2: return rnd() & 0xff;
    default: return rnd();
    }
}

/*
 * Emit the instruction of @g with its memory operand at @target (the ModRM
 * address), filling @cpu's registers so that the CPU computes exactly that.
 * Returns the length.
 */
static unsigned int encode(const struct gen *g, uint64_t target, struct ptwr_cpu *cpu,
                           uint8_t *out)
{
    unsigned int n = 0, mod, rm, regf;
    uint8_t rex = 0;
    bool sib = false;
    int32_t disp = g->disp;

    if (g->lock)
        out[n++] = 0xf0;
    if (g->size == 2)
        out[n++] = 0x66;
    if (g->ds)
        out[n++] = 0x3e;

    regf = g->f->digit >= 0 ? (unsigned int)g->f->digit : g->reg;
    if (g->size == 8)
        rex |= 0x48;
    if (regf & 8)
        rex |= 0x44;

    switch (g->am) {
    case AM_RIP:
        mod = 0;
        rm = 5;
        break;
    case AM_SIB_NOBASE:
        mod = 0;
        rm = 4;
        sib = true;
        break;
    case AM_SIB:
        mod = 1;
        rm = 4;
        sib = true;
        break;
    default:
        mod = g->am == AM_BASE ? 0 : g->am == AM_DISP8 ? 1 : 2;
        if (mod == 0)
            disp = 0;
        rm = g->base & 7;
        /* r12/rsp need a SIB; rbp/r13 with mod 0 mean RIP or no base. */
        if (rm == 4)
            sib = true;
        if (rm == 5 && mod == 0)
            mod = 1, disp = 0;
        break;
    }
    if (sib && g->am != AM_SIB && g->am != AM_SIB_NOBASE) {
        /* A plain base through SIB: index none. */
        if (g->base & 8)
            rex |= 0x41;
    } else if (sib) {
        if (g->index & 8)
            rex |= 0x42;
        if (g->am == AM_SIB && (g->base & 8))
            rex |= 0x41;
    } else if (g->am != AM_RIP && (g->base & 8)) {
        rex |= 0x41;
    }
    if (g->empty_rex)
        rex |= 0x40;
    if (rex)
        out[n++] = rex;
    for (unsigned int i = 0; i < g->f->opc_len; i++)
        out[n++] = g->f->opc[i];
    out[n++] = (uint8_t)(mod << 6 | (regf & 7) << 3 | rm);
    if (sib) {
        unsigned int idx = (g->am == AM_SIB || g->am == AM_SIB_NOBASE) ? g->index & 7 : 4;
        unsigned int base = g->am == AM_SIB_NOBASE ? 5 : g->base & 7;
        unsigned int scale = (g->am == AM_SIB || g->am == AM_SIB_NOBASE) ? g->scale : 0;

        out[n++] = (uint8_t)(scale << 6 | idx << 3 | base);
    }

    /* Registers: the addressing registers last, so they win any overlap. */
    switch (g->am) {
    case AM_BASE:
    case AM_DISP8:
    case AM_DISP32:
        cpu->gpr[g->base] = target - (uint64_t)(int64_t)disp;
        break;
    case AM_SIB:
        cpu->gpr[g->index] = rnd() & 0xff;
        cpu->gpr[g->base] = target - (uint64_t)(int64_t)disp - (cpu->gpr[g->index] << g->scale);
        break;
    case AM_SIB_NOBASE: {
        /* disp32 is sign-extended: keep it small and make the rest divisible. */
        disp = (int32_t)((target & ((1U << g->scale) - 1)) + ((rnd() % 64) << g->scale)) -
               (int32_t)(32U << g->scale);
        cpu->gpr[g->index] = (target - (uint64_t)(int64_t)disp) >> g->scale;
        break;
    }
    default:
        break;
    }

    if (mod == 1) {
        out[n++] = (uint8_t)disp;
    } else if (mod == 2 || rm == 5 || (sib && g->am == AM_SIB_NOBASE)) {
        unsigned int at = n;

        n += 4;
        if (g->am == AM_RIP)
            disp = (int32_t)(int64_t)(target - (insn_rip() + n + g->imm_len));
        memcpy(out + at, &disp, 4);
    }
    for (unsigned int i = 0; i < g->imm_len; i++)
        out[n++] = (uint8_t)(g->imm >> (8 * i));
    return n;
}

/* Whether the encoding of @g carries a REX prefix (AH..BH become SPL..DIL). */
static bool has_rex(const struct gen *g, uint64_t target)
{
    struct ptwr_cpu scratch = { .rip = insn_rip() };
    uint8_t code[PTWR_INSN_MAX];
    unsigned int i = 0;

    encode(g, target, &scratch, code);
    while (code[i] == 0xf0 || code[i] == 0x66 || code[i] == 0x3e)
        i++;
    return (code[i] & 0xf0) == 0x40;
}

/* ---- the comparison ----------------------------------------------------- */

static unsigned long cases_run, cases_failed;

/* Report a mismatch and carry on (at most 20 are printed); the test fails at its end. */
static void fail_case(const char *what, const uint8_t *insn, unsigned int len,
                      const struct gen *g, uint64_t got, uint64_t want)
{
    char hex[3 * PTWR_INSN_MAX + 1] = "";

    for (unsigned int i = 0; i < len; i++)
        snprintf(hex + 3 * i, 4, "%02x ", insn[i]);
    if (cases_failed++ < 20)
        print_error("%s (%u bytes, %s): %s: decoder %#llx, CPU %#llx [%s]\n", g->f->name,
                    g->size, amode_names[g->am], what, (unsigned long long)got,
                    (unsigned long long)want, hex);
}

/* Run @g natively and through the decoder with the operand at entry 0 + @off. */
static void check_case(const struct gen *g, unsigned int off)
{
    uint64_t before[NR_ENTRIES], after[NR_ENTRIES];
    uint8_t *buf = data_page + DATA_OFFSET - 4 * PTWR_ENTRY_BYTES;
    uint64_t target = (uint64_t)(data_page + DATA_OFFSET + off), entry, newval;
    struct ptwr_cpu cpu, hw, emu;
    struct ptwr_insn insn;
    uint8_t code[PTWR_INSN_MAX];
    uint8_t *exact;
    unsigned int len, idx;
    int rc;

    for (unsigned int i = 0; i < NR_ENTRIES; i++)
        before[i] = rnd_value();
    for (unsigned int r = 0; r < PTWR_NR_GPRS; r++)
        cpu.gpr[r] = rnd_value();
    cpu.gpr[PTWR_RSP] = native_rsp();
    cpu.rflags = FLAGS_BASE | (rnd() & PTWR_ARITH_FLAGS);
    cpu.rip = insn_rip();

    /* The register source; a BT* offset small enough to stay in the buffer. */
    if (g->f->src == SRC_REG) {
        uint64_t v = rnd_value();

        if (is_bt(g->f))
            v = (uint64_t)((int64_t)(rnd() % 320) - 128);
        if (g->size == 1 && g->reg >= 4 && g->reg < 8 && !has_rex(g, target))
            cpu.gpr[g->reg - 4] = (cpu.gpr[g->reg - 4] & ~0xff00ULL) | (v & 0xff) << 8;
        else if (g->reg != PTWR_RSP)
            cpu.gpr[g->reg] = v;
    }

    len = encode(g, target, &cpu, code);
    /* Half the CMPXCHGs compare equal (unless RAX doubles as the address). */
    if (g->f->op == PTWR_CMPXCHG && (rnd() & 1))
        memcpy((uint8_t *)before + 4 * PTWR_ENTRY_BYTES + off, &cpu.gpr[PTWR_RAX], g->size);

    /* Decode from a buffer of exactly the instruction's length (ASan). */
    exact = malloc(len);
    assert_non_null(exact);
    memcpy(exact, code, len);
    rc = ptwr_decode(exact, len, &cpu, &insn);
    free(exact);
    if (rc) {
        fail_case("decode", code, len, g, (uint64_t)rc, 0);
        return;
    }
    if (insn.len != len || insn.size != g->size || insn.op != g->f->op) {
        fail_case("length/size/op", code, len, g, insn.len, len);
        return;
    }

    /* Natively. */
    memcpy(buf, before, sizeof(before));
    hw = cpu;
    run_native(code, len, &hw);
    memcpy(after, buf, sizeof(after));

    /* The decoder, on the entry its address falls in. */
    if (insn.addr < (uint64_t)buf || insn.addr + insn.size > (uint64_t)buf + sizeof(before)) {
        fail_case("address outside the buffer", code, len, g, insn.addr, target);
        return;
    }
    idx = (unsigned int)((insn.addr - (uint64_t)buf) / PTWR_ENTRY_BYTES);
    emu = cpu;
    entry = before[idx];
    rc = ptwr_execute(&insn, entry, &emu, &newval);
    if (!ptwr_within_entry(&insn)) {
        if (rc != -EINVAL)
            fail_case("execute across entries", code, len, g, (uint64_t)rc, (uint64_t)-EINVAL);
        return;
    }
    if (rc < 0) {
        fail_case("execute", code, len, g, (uint64_t)rc, 0);
        return;
    }
    if (rc == 0 && newval != entry)
        fail_case("no store but a new value", code, len, g, newval, entry);

    for (unsigned int i = 0; i < NR_ENTRIES; i++) {
        uint64_t want = i == idx ? after[i] : before[i];

        if (i == idx && newval != after[i])
            fail_case("entry", code, len, g, newval, after[i]);
        if (i != idx && after[i] != want)
            fail_case("CPU wrote another entry", code, len, g, after[i], before[i]);
    }
    for (unsigned int r = 0; r < PTWR_NR_GPRS; r++) {
        if (r == PTWR_RSP)
            continue;
        if (emu.gpr[r] != hw.gpr[r]) {
            char what[32];

            snprintf(what, sizeof(what), "register %u", r);
            fail_case(what, code, len, g, emu.gpr[r], hw.gpr[r]);
        }
    }
    if (emu.rip != hw.rip)
        fail_case("RIP", code, len, g, emu.rip, hw.rip);
    if ((emu.rflags ^ hw.rflags) & g->f->flags)
        fail_case("flags", code, len, g, emu.rflags, hw.rflags);
    /* Flags the CPU leaves undefined: the decoder leaves them alone (AF of
     * AND/OR excepted, which it clears). */
    if (is_bt(g->f) && ((emu.rflags ^ cpu.rflags) & (PTWR_ARITH_FLAGS & ~PTWR_FLAG_CF)))
        fail_case("BT* changed flags besides CF", code, len, g, emu.rflags, cpu.rflags);
    cases_run++;
}

static unsigned int form_sizes(const struct form *f, unsigned int *sizes)
{
    unsigned int n = 0;

    if (f->byte_op) {
        sizes[n++] = 1;
        return n;
    }
    sizes[n++] = 2;
    sizes[n++] = 4;
    sizes[n++] = 8;
    return n;
}

static void set_imm(struct gen *g)
{
    uint64_t v = rnd_value();

    switch (g->f->src) {
    case SRC_REG:
        g->imm_len = 0;
        break;
    case SRC_IB:
    case SRC_IBS:
        g->imm_len = 1;
        break;
    case SRC_IZ:
        g->imm_len = g->size == 2 ? 2 : 4;
        break;
    }
    if (is_bt(g->f))
        v = rnd() % 256; /* the CPU masks the bit number */
    g->imm = v;
}

/* Every form x size x operand register x addressing shape, random values. */
static void test_against_cpu(void **state)
{
    (void)state;
    for (size_t fi = 0; fi < sizeof(forms) / sizeof(forms[0]); fi++) {
        const struct form *f = &forms[fi];
        unsigned int sizes[3], nsizes = form_sizes(f, sizes);

        for (unsigned int si = 0; si < nsizes; si++) {
            for (unsigned int reg = 0; reg < PTWR_NR_GPRS; reg++) {
                for (unsigned int am = 0; am < NR_AMODES; am++) {
                    for (unsigned int rep = 0; rep < 8; rep++) {
                        struct gen g = { .f = f, .size = sizes[si], .am = (enum amode)am };
                        unsigned int off;

                        g.reg = reg;
                        g.lock = f->op != PTWR_MOV && (rnd() & 1);
                        g.ds = rnd() % 4 == 0;
                        g.empty_rex = g.size == 1 && (rep & 1);
                        /* Immediate forms loop over the base register instead. */
                        g.base = f->src == SRC_REG ? (unsigned int)(rnd() % 16) : reg;
                        g.index = (unsigned int)(rnd() % 16);
                        g.scale = (unsigned int)(rnd() % 4);
                        if (am == AM_DISP8 || am == AM_SIB)
                            g.disp = (int32_t)(rnd() % 256) - 128;
                        else
                            g.disp = (int32_t)(rnd() % 0x20000) - 0x10000;
                        if (g.base == PTWR_RSP)
                            g.base = f->src == SRC_REG ? PTWR_RBX : 12;
                        if (g.index == PTWR_RSP || g.index == g.base)
                            g.index = g.base == 12 ? 13 : 12;
                        if (f->src == SRC_REG && reg == PTWR_RSP) {
                            /* RSP may be read, never written or used as a bit offset. */
                            bool high8 = g.size == 1 && !has_rex(&g, 0);

                            if ((f->op == PTWR_XCHG && !high8) || is_bt(f))
                                continue;
                        }
                        /* A BT* offset register must not double as the address. */
                        if (f->src == SRC_REG && is_bt(f) && (reg == g.base || reg == g.index))
                            continue;
                        set_imm(&g);
                        if (is_bt(f) && f->src == SRC_REG)
                            off = (unsigned int)(rnd() % (PTWR_ENTRY_BYTES / g.size)) * g.size;
                        else
                            off = (unsigned int)(rnd() % (PTWR_ENTRY_BYTES - g.size + 1));
                        check_case(&g, off);
                    }
                }
            }
        }
    }
    print_message("ptwr: %lu instructions checked against the CPU, %lu mismatches\n",
                  cases_run, cases_failed);
    assert_int_equal(cases_failed, 0);
    assert_true(cases_run > 5000);
}

/* ---- fixed cases ---------------------------------------------------------- */

static struct ptwr_cpu base_cpu(void)
{
    struct ptwr_cpu cpu = { .rip = 0xffffffff81000000ULL, .rflags = FLAGS_BASE };

    for (unsigned int r = 0; r < PTWR_NR_GPRS; r++)
        cpu.gpr[r] = 0x1111111111111111ULL * r;
    cpu.gpr[PTWR_RDI] = 0xffff888000123450ULL; /* the PTE's address */
    return cpu;
}

struct linux_case {
    const char *name;
    uint8_t bytes[PTWR_INSN_MAX];
    unsigned int len;
    enum ptwr_op op;
    unsigned int size;
    bool lock;
    bool blind;
    uint64_t rsi;       /* RSI before */
    uint64_t rax;       /* RAX before */
    uint64_t old;       /* the entry before */
    int stores;         /* ptwr_execute()'s result */
    uint64_t new;       /* the entry after */
    uint64_t rax_after;
    uint64_t rsi_after;
    uint64_t flags_set, flags_clear;
};

#define PTE 0x800000012345f067ULL   /* NX | frame | D A U RW P */

static const struct linux_case linux_cases[] = {
    /* native_set_pte: mov %rsi,(%rdi) */
    { "mov %rsi,(%rdi)", { 0x48, 0x89, 0x37 }, 3, PTWR_MOV, 8, false, true,
      PTE, 0, 0, 1, PTE, 0, PTE, 0, 0 },
    /* pte_clear with a constant: movq $0,(%rdi) */
    { "movq $0,(%rdi)", { 0x48, 0xc7, 0x07, 0, 0, 0, 0 }, 7, PTWR_MOV, 8, false, true,
      0x66, 0, PTE, 1, 0, 0, 0x66, 0, 0 },
    /* native_ptep_get_and_clear: xchg %rax,(%rdi) with RAX 0 */
    { "xchg %rax,(%rdi)", { 0x48, 0x87, 0x07 }, 3, PTWR_XCHG, 8, true, true,
      0x66, 0, PTE, 1, 0, PTE, 0x66, 0, 0 },
    /* ptep_set_wrprotect: clear_bit(1) -> lock andb $0xfd,(%rdi) */
    { "lock andb $0xfd,(%rdi)", { 0xf0, 0x80, 0x27, 0xfd }, 4, PTWR_AND, 1, true, false,
      0x66, 0, PTE, 1, PTE & ~2ULL, 0, 0x66, 0, PTWR_FLAG_CF | PTWR_FLAG_OF | PTWR_FLAG_ZF },
    /* The same on a single-CPU guest: LOCK patched to DS. */
    { "ds andb $0xfd,(%rdi)", { 0x3e, 0x80, 0x27, 0xfd }, 4, PTWR_AND, 1, false, false,
      0x66, 0, PTE, 1, PTE & ~2ULL, 0, 0x66, 0, PTWR_FLAG_CF | PTWR_FLAG_OF | PTWR_FLAG_ZF },
    /* ptep_test_and_clear_young: lock btrq $5,(%rdi) */
    { "lock btrq $5,(%rdi)", { 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05 }, 6, PTWR_BTR, 8, true,
      false, 0x66, 0, PTE, 1, PTE & ~0x20ULL, 0, 0x66, PTWR_FLAG_CF, 0 },
    /* test_and_clear_bit with a variable bit: lock btr %rsi,(%rdi) */
    { "lock btr %rsi,(%rdi)", { 0xf0, 0x48, 0x0f, 0xb3, 0x37 }, 5, PTWR_BTR, 8, true, false,
      1, 0, PTE, 1, PTE & ~2ULL, 0, 1, PTWR_FLAG_CF, 0 },
    /* set_bit: lock orb $0x40,(%rdi) */
    { "lock orb $0x40,(%rdi)", { 0xf0, 0x80, 0x0f, 0x40 }, 4, PTWR_OR, 1, true, false,
      0x66, 0, PTE & ~0x40ULL, 1, PTE, 0, 0x66, 0, PTWR_FLAG_ZF | PTWR_FLAG_CF },
    /* lock bts $1,(%rdi) (32-bit form) */
    { "lock btsl $1,(%rdi)", { 0xf0, 0x0f, 0xba, 0x2f, 0x01 }, 5, PTWR_BTS, 4, true, false,
      0x66, 0, PTE & ~2ULL, 1, PTE, 0, 0x66, 0, PTWR_FLAG_CF },
    /* try_cmpxchg success: lock cmpxchg %rsi,(%rdi) */
    { "lock cmpxchg %rsi,(%rdi) ok", { 0xf0, 0x48, 0x0f, 0xb1, 0x37 }, 5, PTWR_CMPXCHG, 8,
      true, false, PTE & ~2ULL, PTE, PTE, 1, PTE & ~2ULL, PTE, PTE & ~2ULL, PTWR_FLAG_ZF, 0 },
    /* ... and failure: RAX gets the entry, ZF clear, nothing stored. */
    { "lock cmpxchg %rsi,(%rdi) fail", { 0xf0, 0x48, 0x0f, 0xb1, 0x37 }, 5, PTWR_CMPXCHG, 8,
      true, false, 0, PTE & ~0x40ULL, PTE, 0, PTE, PTE, 0, 0, PTWR_FLAG_ZF },
};

static void test_linux_forms(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(linux_cases) / sizeof(linux_cases[0]); i++) {
        const struct linux_case *c = &linux_cases[i];
        struct ptwr_cpu cpu = base_cpu();
        struct ptwr_insn insn;
        uint64_t new;

        cpu.gpr[PTWR_RSI] = c->rsi;
        cpu.gpr[PTWR_RAX] = c->rax;
        cpu.rflags = FLAGS_BASE | (c->flags_clear & ~c->flags_set);
        assert_int_equal(ptwr_decode(c->bytes, c->len, &cpu, &insn), 0);
        print_message("  %s\n", c->name);
        assert_int_equal(insn.op, c->op);
        assert_int_equal(insn.size, c->size);
        assert_int_equal(insn.len, c->len);
        assert_int_equal(insn.lock, c->lock);
        assert_int_equal(insn.blind, c->blind);
        assert_int_equal(insn.addr, cpu.gpr[PTWR_RDI]);
        assert_int_equal(ptwr_execute(&insn, c->old, &cpu, &new), c->stores);
        assert_int_equal(new, c->new);
        assert_int_equal(cpu.gpr[PTWR_RAX], c->rax_after);
        assert_int_equal(cpu.gpr[PTWR_RSI], c->rsi_after);
        assert_int_equal(cpu.rip, 0xffffffff81000000ULL + c->len);
        assert_int_equal(cpu.rflags & c->flags_set, c->flags_set);
        assert_int_equal(cpu.rflags & c->flags_clear, 0);
    }
}

/* Instructions outside the subset or invalid: -EOPNOTSUPP. */
static void test_refused(void **state)
{
    static const struct {
        const char *name;
        uint8_t bytes[PTWR_INSN_MAX];
        unsigned int len;
    } refused[] = {
        { "lock mov (#UD)", { 0xf0, 0x48, 0x89, 0x37 }, 4 },
        { "mov register destination", { 0x48, 0x89, 0xf7 }, 3 },
        { "lock and register destination", { 0xf0, 0x48, 0x21, 0xf7 }, 4 },
        { "add", { 0x48, 0x01, 0x37 }, 3 },
        { "xor imm", { 0x48, 0x83, 0x37, 0x01 }, 4 },
        { "sub imm", { 0x48, 0x81, 0x2f, 0x01, 0, 0, 0 }, 7 },
        { "c7 /1", { 0x48, 0xc7, 0x0f, 0, 0, 0, 0 }, 7 },
        { "bt (no store)", { 0x48, 0x0f, 0xba, 0x27, 0x01 }, 5 },
        { "btc", { 0xf0, 0x48, 0x0f, 0xba, 0x3f, 0x01 }, 6 },
        { "btc r", { 0xf0, 0x48, 0x0f, 0xbb, 0x37 }, 5 },
        { "cmpxchg16b", { 0xf0, 0x48, 0x0f, 0xc7, 0x0f }, 5 },
        { "xadd", { 0xf0, 0x48, 0x0f, 0xc1, 0x37 }, 5 },
        { "fs override", { 0x64, 0x48, 0x89, 0x37 }, 4 },
        { "gs override", { 0x65, 0x48, 0x89, 0x37 }, 4 },
        { "address size", { 0x67, 0x48, 0x89, 0x37 }, 4 },
        { "rep", { 0xf3, 0x48, 0x89, 0x37 }, 4 },
        { "repne", { 0xf2, 0xf0, 0x48, 0x0f, 0xb1, 0x37 }, 6 },
        { "vex", { 0xc5, 0xf9, 0xd6, 0x07 }, 4 },
        { "movs", { 0x48, 0xa5 }, 2 },
        { "stos", { 0x48, 0xab }, 2 },
        { "16 bytes (too long)",
          { 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x48, 0x89, 0x84,
            0x24, 0x00 }, 15 },
    };
    struct ptwr_cpu cpu = base_cpu();
    struct ptwr_insn insn;

    (void)state;
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        print_message("  %s\n", refused[i].name);
        assert_int_equal(ptwr_decode(refused[i].bytes, refused[i].len, &cpu, &insn),
                         -EOPNOTSUPP);
    }
}

/* Every proper prefix of a valid instruction: -ENODATA, reading no further. */
static void test_truncated(void **state)
{
    static const uint8_t full[] = { 0xf0, 0x66, 0x3e, 0x44, 0x81, 0xa4, 0x9f,
                                    0x78, 0x56, 0x34, 0x12, 0xcd, 0xab };
    struct ptwr_cpu cpu = base_cpu();
    struct ptwr_insn insn;

    (void)state;
    assert_int_equal(ptwr_decode(full, sizeof(full), &cpu, &insn), 0);
    assert_int_equal(insn.len, sizeof(full));
    assert_int_equal(insn.size, 2);
    assert_int_equal(insn.imm, 0xabcd);
    assert_int_equal(insn.addr, cpu.gpr[PTWR_RDI] + (cpu.gpr[PTWR_RBX] << 2) + 0x12345678);
    for (unsigned int n = 0; n < sizeof(full); n++) {
        uint8_t *p = malloc(n ? n : 1);

        assert_non_null(p);
        memcpy(p, full, n);
        assert_int_equal(ptwr_decode(p, n, &cpu, &insn), -ENODATA);
        free(p);
    }
}

/* Prefix rules the random cases avoid: ignored REX, REX.W over 66, high bytes. */
static void test_prefix_rules(void **state)
{
    struct ptwr_cpu cpu = base_cpu();
    struct ptwr_insn insn;
    uint64_t new;

    (void)state;
    /* REX before 66 is ignored: a 16-bit store through (%rdi), not (%r15). */
    static const uint8_t rex_ignored[] = { 0x49, 0x66, 0x89, 0x37 };
    assert_int_equal(ptwr_decode(rex_ignored, sizeof(rex_ignored), &cpu, &insn), 0);
    assert_int_equal(insn.size, 2);
    assert_int_equal(insn.addr, cpu.gpr[PTWR_RDI]);
    assert_int_equal(insn.reg, PTWR_RSI);

    /* 66 then REX.W: 64-bit, imm32 sign-extended. */
    static const uint8_t w_wins[] = { 0x66, 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(ptwr_decode(w_wins, sizeof(w_wins), &cpu, &insn), 0);
    assert_int_equal(insn.size, 8);
    assert_int_equal(insn.imm, ~0ULL);

    /* mov %ah,(%rdi) vs mov %spl,(%rdi). */
    static const uint8_t ah[] = { 0x88, 0x27 };
    static const uint8_t spl[] = { 0x40, 0x88, 0x27 };
    cpu.gpr[PTWR_RAX] = 0x1234;
    assert_int_equal(ptwr_decode(ah, sizeof(ah), &cpu, &insn), 0);
    assert_true(insn.reg_high8);
    assert_int_equal(ptwr_execute(&insn, 0, &cpu, &new), 1);
    assert_int_equal(new, 0x12);
    assert_int_equal(ptwr_decode(spl, sizeof(spl), &cpu, &insn), 0);
    assert_false(insn.reg_high8);
    assert_int_equal(insn.reg, PTWR_RSP);

    /* XCHG is locked with no prefix; two REX prefixes: the last counts. */
    static const uint8_t two_rex[] = { 0x4c, 0x48, 0x87, 0x07 };
    assert_int_equal(ptwr_decode(two_rex, sizeof(two_rex), &cpu, &insn), 0);
    assert_true(insn.lock);
    assert_int_equal(insn.reg, PTWR_RAX);
}

/* A store that does not fit in one entry is refused by execute(). */
static void test_straddle(void **state)
{
    static const uint8_t movl_6[] = { 0x89, 0x47, 0x06 };     /* mov %eax,6(%rdi) */
    static const uint8_t movq_1[] = { 0x48, 0x89, 0x47, 0x01 }; /* mov %rax,1(%rdi) */
    static const uint8_t movw_7[] = { 0x66, 0x89, 0x47, 0x07 }; /* mov %ax,7(%rdi) */
    static const uint8_t movw_6[] = { 0x66, 0x89, 0x47, 0x06 }; /* mov %ax,6(%rdi): fits */
    const uint8_t *bad[] = { movl_6, movq_1, movw_7 };
    const unsigned int bad_len[] = { sizeof(movl_6), sizeof(movq_1), sizeof(movw_7) };
    struct ptwr_cpu cpu = base_cpu(), saved;
    struct ptwr_insn insn;
    uint64_t new = 0x5a5a;

    (void)state;
    for (unsigned int i = 0; i < 3; i++) {
        assert_int_equal(ptwr_decode(bad[i], bad_len[i], &cpu, &insn), 0);
        assert_false(ptwr_within_entry(&insn));
        saved = cpu;
        assert_int_equal(ptwr_execute(&insn, 1, &cpu, &new), -EINVAL);
        assert_memory_equal(&cpu, &saved, sizeof(cpu));
        assert_int_equal(new, 0x5a5a);
    }
    cpu.gpr[PTWR_RAX] = 0xbeef;
    assert_int_equal(ptwr_decode(movw_6, sizeof(movw_6), &cpu, &insn), 0);
    assert_true(ptwr_within_entry(&insn));
    assert_int_equal(ptwr_execute(&insn, 0x1111222233334444ULL, &cpu, &new), 1);
    assert_int_equal(new, 0xbeef222233334444ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_cpu),
        cmocka_unit_test(test_linux_forms),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_prefix_rules),
        cmocka_unit_test(test_straddle),
    };

    return cmocka_run_group_tests_name("ptwr_decode", tests, setup_runner, teardown_runner);
}
