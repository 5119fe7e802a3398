/* SPDX-License-Identifier: MIT */
/*
 * The writable-page-table instruction subset: what a PV kernel executes on
 * an entry of its own read-only L1 table, decoded and executed on values
 * rather than on memory.
 *
 * The subset is what Linux emits for PTEs (linux-pv-abi.md §3.4), every
 * operand size, register or immediate source, any 64-bit ModRM/SIB
 * addressing:
 *   MOV      88 /r, 89 /r, C6 /0 ib, C7 /0 iw/id
 *   XCHG     86 /r, 87 /r                         (locked with or without F0)
 *   AND      20 /r, 21 /r, 80 /4 ib, 81 /4 iw/id, 83 /4 ib
 *   OR       08 /r, 09 /r, 80 /1 ib, 81 /1 iw/id, 83 /1 ib
 *   BTS      0F AB /r, 0F BA /5 ib
 *   BTR      0F B3 /r, 0F BA /6 ib
 *   CMPXCHG  0F B0 /r, 0F B1 /r
 * AND, OR, BTS, BTR and CMPXCHG are accepted without LOCK as well: Linux
 * patches its LOCK prefixes into DS prefixes on a single-CPU guest. They
 * are executed atomically either way; the caller commits every form but a
 * blind one (8-byte MOV or XCHG) as a compare-exchange of the whole entry
 * and re-executes on a mismatch, so a store never loses a concurrent change
 * to the rest of the entry (the MMU's A/D bits, another vCPU).
 *
 * Prefixes: F0, 66, REX and the segment overrides that mean nothing in
 * 64-bit mode (26, 2E, 36, 3E). FS/GS overrides (a segment base), 67 (a
 * 32-bit address) and F2/F3 are refused: Linux uses none of them on a PTE,
 * and refusing is always safe (the guest gets its #PF back). As on the CPU,
 * a REX prefix followed by another prefix is ignored, REX.W beats 66, and
 * an 8-bit register operand without any REX prefix in 4..7 is AH..BH.
 *
 * BTS/BTR with a register bit offset address memory beyond the operand:
 * the signed offset selects operand-sized unit floor(offset / width) from
 * the ModRM address, and bit offset mod width within it; insn->addr is
 * that unit's address. Flags are those the CPU defines: AND/OR set SF, ZF,
 * PF from the result and clear CF, OF (and AF, which the CPU leaves
 * undefined); CMPXCHG sets all six as CMP accumulator, operand; BTS/BTR
 * set CF and leave the others alone (undefined on the CPU).
 */
#include <keel/errno.h>

#include <asm/ptwr_decode.h>

#define REX_B 0x1
#define REX_X 0x2
#define REX_R 0x4
#define REX_W 0x8

/* ModRM.reg of the group opcodes in the subset. */
#define GRP1_OR   1
#define GRP1_AND  4
#define GRP11_MOV 0
#define GRP8_BTS  5
#define GRP8_BTR  6

struct cursor {
    const uint8_t *bytes;
    unsigned int len;   /* readable bytes, capped at PTWR_INSN_MAX */
    unsigned int pos;
    bool truncated;     /* the instruction ran past @len */
};

/* Next byte, or false (with ->truncated set if @len ran out first). */
static bool next_u8(struct cursor *c, uint8_t *b)
{
    if (c->pos >= c->len) {
        c->truncated = c->len < PTWR_INSN_MAX;
        return false;
    }
    *b = c->bytes[c->pos++];
    return true;
}

/* A little-endian immediate or displacement of @n (1, 2, 4) bytes, sign-extended. */
static bool next_signed(struct cursor *c, unsigned int n, int64_t *v)
{
    uint64_t u = 0;

    for (unsigned int i = 0; i < n; i++) {
        uint8_t b;

        if (!next_u8(c, &b))
            return false;
        u |= (uint64_t)b << (8 * i);
    }
    if (n < 8 && (u & (1ULL << (8 * n - 1))))
        u |= ~0ULL << (8 * n);
    *v = (int64_t)u;
    return true;
}

static uint64_t size_mask(unsigned int size)
{
    return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* The register operand as the instruction reads it, zero-extended. */
static uint64_t read_reg(const struct ptwr_cpu *cpu, unsigned int reg, bool high8,
                         unsigned int size)
{
    if (high8)
        return (cpu->gpr[reg - 4] >> 8) & 0xff;
    return cpu->gpr[reg] & size_mask(size);
}

/* Write a register operand: 8/16-bit writes keep the rest, 32-bit zero-extends. */
static void write_reg(struct ptwr_cpu *cpu, unsigned int reg, bool high8, unsigned int size,
                      uint64_t val)
{
    uint64_t *r = high8 ? &cpu->gpr[reg - 4] : &cpu->gpr[reg];

    if (high8)
        *r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
    else if (size >= 4)
        *r = val & size_mask(size);
    else
        *r = (*r & ~size_mask(size)) | (val & size_mask(size));
}

/*
 * The memory operand of a ModRM byte with mod != 3: consume SIB and
 * displacement, and return the address without the RIP-relative part
 * (*@rip_rel set; RIP is only known once the whole length is).
 */
static bool decode_modrm_addr(struct cursor *c, const struct ptwr_cpu *cpu, uint8_t modrm,
                              uint8_t rex, uint64_t *ea, bool *rip_rel)
{
    unsigned int mod = modrm >> 6, rm = modrm & 7;
    uint64_t addr = 0;
    int64_t disp = 0;

    *rip_rel = false;
    if (rm == 4) {
        uint8_t sib;
        unsigned int base, index;

        if (!next_u8(c, &sib))
            return false;
        base = sib & 7;
        index = ((sib >> 3) & 7) | ((rex & REX_X) ? 8 : 0);
        if (index != PTWR_RSP)
            addr = cpu->gpr[index] << (sib >> 6);
        if (base == 5 && mod == 0) {
            if (!next_signed(c, 4, &disp))
                return false;
        } else {
            addr += cpu->gpr[base | ((rex & REX_B) ? 8 : 0)];
        }
    } else if (rm == 5 && mod == 0) {
        *rip_rel = true;
        if (!next_signed(c, 4, &disp))
            return false;
    } else {
        addr = cpu->gpr[rm | ((rex & REX_B) ? 8 : 0)];
    }
    if (mod == 1 && !next_signed(c, 1, &disp))
        return false;
    if (mod == 2 && !next_signed(c, 4, &disp))
        return false;
    *ea = addr + (uint64_t)disp;
    return true;
}

/* floor(@off / @bits) for a power of two @bits, without relying on >> of negatives. */
static int64_t floor_div(int64_t off, unsigned int bits)
{
    if (off >= 0)
        return off / bits;
    return -((-(off + 1)) / bits) - 1;
}

static int64_t sign_extend(uint64_t v, unsigned int size)
{
    if (size < 8 && (v & (1ULL << (8 * size - 1))))
        v |= ~size_mask(size);
    return (int64_t)v;
}

/* Prefixes: LOCK, operand size and the last REX; false for any refused one. */
static bool decode_prefixes(struct cursor *c, bool *lock, bool *opsize16, uint8_t *rex,
                            uint8_t *op)
{
    *lock = false;
    *opsize16 = false;
    *rex = 0;
    for (;;) {
        uint8_t b;

        if (!next_u8(c, &b))
            return false;
        if ((b & 0xf0) == 0x40) {
            *rex = b;
            continue;
        }
        switch (b) {
        case 0xf0:
            *lock = true;
            break;
        case 0x66:
            *opsize16 = true;
            break;
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            break;
        default:
            /* Opcode, or a refused prefix (the caller refuses those opcodes). */
            *op = b;
            return true;
        }
        /* A REX prefix only counts right before the opcode. */
        *rex = 0;
    }
}

int ptwr_decode(const uint8_t *bytes, unsigned int len, const struct ptwr_cpu *cpu,
                struct ptwr_insn *insn)
{
    struct cursor c = { .bytes = bytes, .len = len < PTWR_INSN_MAX ? len : PTWR_INSN_MAX };
    bool lock, opsize16, rip_rel, byte_op = false;
    unsigned int imm_size = 0;
    uint8_t rex, op, modrm;
    uint64_t ea;
    int64_t imm = 0;

    *insn = (struct ptwr_insn){ 0 };
    if (!decode_prefixes(&c, &lock, &opsize16, &rex, &op))
        goto fail;

    /* The opcode decides the operation and the source; ModRM.reg may refine it. */
    if (op == 0x0f) {
        if (!next_u8(&c, &op))
            goto fail;
        switch (op) {
        case 0xab: insn->op = PTWR_BTS; break;
        case 0xb3: insn->op = PTWR_BTR; break;
        case 0xba: insn->op = PTWR_BTS; insn->src_imm = true; imm_size = 1; break;
        case 0xb0: insn->op = PTWR_CMPXCHG; byte_op = true; break;
        case 0xb1: insn->op = PTWR_CMPXCHG; break;
        default: return -EOPNOTSUPP;
        }
    } else {
        switch (op) {
        case 0x88: insn->op = PTWR_MOV; byte_op = true; break;
        case 0x89: insn->op = PTWR_MOV; break;
        case 0xc6: insn->op = PTWR_MOV; byte_op = true; insn->src_imm = true; break;
        case 0xc7: insn->op = PTWR_MOV; insn->src_imm = true; break;
        case 0x86: insn->op = PTWR_XCHG; byte_op = true; break;
        case 0x87: insn->op = PTWR_XCHG; break;
        case 0x20: insn->op = PTWR_AND; byte_op = true; break;
        case 0x21: insn->op = PTWR_AND; break;
        case 0x08: insn->op = PTWR_OR; byte_op = true; break;
        case 0x09: insn->op = PTWR_OR; break;
        case 0x80: insn->op = PTWR_AND; byte_op = true; insn->src_imm = true; imm_size = 1; break;
        case 0x81: insn->op = PTWR_AND; insn->src_imm = true; break;
        case 0x83: insn->op = PTWR_AND; insn->src_imm = true; imm_size = 1; break;
        default: return -EOPNOTSUPP;
        }
    }

    if (byte_op)
        insn->size = 1;
    else if (rex & REX_W)
        insn->size = 8;
    else
        insn->size = opsize16 ? 2 : 4;
    /* iw/id: 16 or 32 bits, the latter sign-extended for 64-bit operands. */
    if (insn->src_imm && !imm_size)
        imm_size = insn->size > 4 ? 4 : insn->size;

    if (!next_u8(&c, &modrm))
        goto fail;
    if ((modrm >> 6) == 3)
        return -EOPNOTSUPP; /* register destination: no store at all */
    switch (op) {
    case 0x80: case 0x81: case 0x83:
        if (((modrm >> 3) & 7) == GRP1_OR)
            insn->op = PTWR_OR;
        else if (((modrm >> 3) & 7) != GRP1_AND)
            return -EOPNOTSUPP;
        break;
    case 0xc6: case 0xc7:
        if (((modrm >> 3) & 7) != GRP11_MOV)
            return -EOPNOTSUPP;
        break;
    case 0xba:
        if (((modrm >> 3) & 7) == GRP8_BTR)
            insn->op = PTWR_BTR;
        else if (((modrm >> 3) & 7) != GRP8_BTS)
            return -EOPNOTSUPP;
        break;
    }
    /* LOCK on MOV is #UD; XCHG with memory is locked regardless. */
    if (insn->op == PTWR_MOV && lock)
        return -EOPNOTSUPP;
    insn->lock = lock || insn->op == PTWR_XCHG;
    insn->blind = insn->size == PTWR_ENTRY_BYTES &&
                  (insn->op == PTWR_MOV || insn->op == PTWR_XCHG);

    if (!insn->src_imm) {
        insn->reg = ((modrm >> 3) & 7) | ((rex & REX_R) ? 8 : 0);
        insn->reg_high8 = insn->size == 1 && !rex && insn->reg >= 4;
    }
    if (!decode_modrm_addr(&c, cpu, modrm, rex, &ea, &rip_rel))
        goto fail;
    if (imm_size && !next_signed(&c, imm_size, &imm))
        goto fail;
    insn->len = (uint8_t)c.pos;
    if (rip_rel)
        ea += cpu->rip + insn->len;

    if (insn->op == PTWR_BTS || insn->op == PTWR_BTR) {
        unsigned int bits = 8 * insn->size;

        if (insn->src_imm) {
            insn->bit = (uint8_t)((uint64_t)imm & (bits - 1));
        } else {
            int64_t off = sign_extend(read_reg(cpu, insn->reg, false, insn->size), insn->size);

            insn->bit = (uint8_t)((uint64_t)off & (bits - 1));
            ea += (uint64_t)floor_div(off, bits) * insn->size;
        }
    } else if (insn->src_imm) {
        insn->imm = (uint64_t)imm & size_mask(insn->size);
    }
    insn->addr = ea;
    return 0;

fail:
    return c.truncated ? -ENODATA : -EOPNOTSUPP;
}

/* PF: an even number of set bits in the low byte. */
static bool parity_even(uint64_t v)
{
    v &= 0xff;
    v ^= v >> 4;
    v ^= v >> 2;
    v ^= v >> 1;
    return !(v & 1);
}

/* SF, ZF and PF of @res as a @size-byte result. */
static uint64_t szp_flags(uint64_t res, unsigned int size)
{
    uint64_t f = 0;

    res &= size_mask(size);
    if (!res)
        f |= PTWR_FLAG_ZF;
    if (res >> (8 * size - 1))
        f |= PTWR_FLAG_SF;
    if (parity_even(res))
        f |= PTWR_FLAG_PF;
    return f;
}

/* The flags of CMP @a, @b (@a - @b) on @size-byte operands. */
static uint64_t cmp_flags(uint64_t a, uint64_t b, unsigned int size)
{
    uint64_t m = size_mask(size), res = (a - b) & m, f = szp_flags(res, size);
    unsigned int top = 8 * size - 1;

    a &= m;
    b &= m;
    if (a < b)
        f |= PTWR_FLAG_CF;
    if ((a ^ b ^ res) & 0x10)
        f |= PTWR_FLAG_AF;
    if ((((a ^ b) & (a ^ res)) >> top) & 1)
        f |= PTWR_FLAG_OF;
    return f;
}

int ptwr_execute(const struct ptwr_insn *insn, uint64_t old, struct ptwr_cpu *cpu,
                 uint64_t *new)
{
    unsigned int size = insn->size, shift = 8 * (insn->addr & (PTWR_ENTRY_BYTES - 1));
    uint64_t m = size_mask(size), cur = (old >> shift) & m, src, res, flags = cpu->rflags;
    int store = 1;

    if (!ptwr_within_entry(insn) || (size != 1 && size != 2 && size != 4 && size != 8))
        return -EINVAL;
    src = insn->src_imm ? insn->imm : read_reg(cpu, insn->reg, insn->reg_high8, size);

    switch (insn->op) {
    case PTWR_MOV:
        res = src;
        break;
    case PTWR_XCHG:
        res = src;
        write_reg(cpu, insn->reg, insn->reg_high8, size, cur);
        break;
    case PTWR_AND:
    case PTWR_OR:
        res = insn->op == PTWR_AND ? cur & src : cur | src;
        flags &= ~PTWR_ARITH_FLAGS;
        flags |= szp_flags(res, size);
        break;
    case PTWR_BTS:
    case PTWR_BTR:
        res = insn->op == PTWR_BTS ? cur | (1ULL << insn->bit) : cur & ~(1ULL << insn->bit);
        flags &= ~PTWR_FLAG_CF;
        if ((cur >> insn->bit) & 1)
            flags |= PTWR_FLAG_CF;
        break;
    case PTWR_CMPXCHG: {
        uint64_t acc = cpu->gpr[PTWR_RAX] & m;

        flags &= ~PTWR_ARITH_FLAGS;
        flags |= cmp_flags(acc, cur, size);
        if (acc == cur) {
            res = src;
        } else {
            /* The accumulator gets the operand; memory is left as it was. */
            write_reg(cpu, PTWR_RAX, false, size, cur);
            res = cur;
            store = 0;
        }
        break;
    }
    default:
        return -EINVAL;
    }

    *new = (old & ~(m << shift)) | ((res & m) << shift);
    cpu->rflags = flags;
    cpu->rip += insn->len;
    return store;
}
