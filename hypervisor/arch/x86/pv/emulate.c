/* SPDX-License-Identifier: MIT */
/*
 * Emulation of the privileged instructions a PV kernel executes natively
 * in ring 3 (they fault with #GP), and of the forced-emulation CPUID prefix
 * (a #UD). Only the small set a Xen-ABI kernel relies on is decoded;
 * anything else is reported back to the caller, which bounces the fault to
 * the guest. Instruction bytes are fetched with copy_from_guest, so a bad
 * RIP is just "not emulated".
 */
#include <asm/apic.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/page.h>
#include <asm/pv/pv.h>
#include <asm/traps.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <public/xen.h>

#define MAX_INSN_LEN 15

#define MSR_TSC             0x00000010
#define MSR_PLATFORM_ID     0x00000017
#define MSR_MTRR_CAP        0x000000fe
#define MSR_MCG_CAP         0x00000179
#define MSR_MCG_STATUS      0x0000017a
#define MSR_MISC_ENABLE     0x000001a0
#define PV_APIC_BASE        (APIC_DEFAULT_PHYS_BASE | APIC_BASE_ENABLE)

/* CR4 bits a PV guest reads back; it may change none of them. */
#define PV_CR4 (X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

struct insn {
    uint8_t bytes[MAX_INSN_LEN];
    unsigned int len;       /* bytes fetched */
    unsigned int pos;       /* decode position */
    uint8_t rex;
    bool opsize16;
};

static bool fetch(const struct cpu_regs *regs, struct insn *in)
{
    memset(in, 0, sizeof(*in));
    for (unsigned int n = MAX_INSN_LEN; n; n--) {
        /* The instruction may end right before an unmapped page. */
        if (!copy_from_guest(in->bytes, regs->rip, n)) {
            in->len = n;
            return true;
        }
    }
    return false;
}

static bool next_byte(struct insn *in, uint8_t *b)
{
    if (in->pos >= in->len)
        return false;
    *b = in->bytes[in->pos++];
    return true;
}

/* Skip legacy prefixes and REX; returns the first opcode byte. */
static bool decode_prefixes(struct insn *in, uint8_t *op)
{
    for (;;) {
        uint8_t b;

        if (!next_byte(in, &b))
            return false;
        if (b == 0x66) {
            in->opsize16 = true;
        } else if (b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x3e ||
                   b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65) {
            continue;
        } else if ((b & 0xf0) == 0x40) {
            in->rex = b;
        } else {
            *op = b;
            return true;
        }
    }
}

static uint64_t *gpr(struct cpu_regs *regs, unsigned int n)
{
    switch (n & 15) {
    case 0: return &regs->rax;
    case 1: return &regs->rcx;
    case 2: return &regs->rdx;
    case 3: return &regs->rbx;
    case 4: return &regs->rsp;
    case 5: return &regs->rbp;
    case 6: return &regs->rsi;
    case 7: return &regs->rdi;
    case 8: return &regs->r8;
    case 9: return &regs->r9;
    case 10: return &regs->r10;
    case 11: return &regs->r11;
    case 12: return &regs->r12;
    case 13: return &regs->r13;
    case 14: return &regs->r14;
    default: return &regs->r15;
    }
}

static bool has_gp_handler(const struct arch_vcpu *a)
{
    return a->traps[TRAP_GP_FAULT].address != 0;
}

/* RDMSR: true with *val set, false to raise #GP in the guest. */
static bool read_msr(struct arch_vcpu *a, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_FS_BASE:
        *val = rdmsr(MSR_FS_BASE);
        return true;
    case MSR_GS_BASE:
        *val = rdmsr(MSR_GS_BASE);
        return true;
    case MSR_KERNEL_GS_BASE:
        *val = a->in_kernel ? a->gs_base_user : a->gs_base_kernel;
        return true;
    case MSR_EFER:
        *val = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
        return true;
    case MSR_APIC_BASE:
        *val = PV_APIC_BASE | APIC_BASE_BSP;
        return true;
    case MSR_PAT:
        *val = KEEL_PAT;
        return true;
    case MSR_TSC:
        *val = rdtsc();
        return true;
    case MSR_PLATFORM_ID:
    case MSR_MTRR_CAP:
    case MSR_MCG_CAP:
    case MSR_MCG_STATUS:
    case MSR_MISC_ENABLE:
        *val = 0;
        return true;
    default:
        /* Like Xen: read as zero until the guest can take the #GP. */
        *val = 0;
        return !has_gp_handler(a);
    }
}

/* WRMSR: true if done (or deliberately dropped), false to raise #GP. */
static bool write_msr(struct arch_vcpu *a, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_FS_BASE:
        if (!is_canonical_address(val))
            return false;
        wrmsr(MSR_FS_BASE, val);
        a->fs_base = val;
        return true;
    case MSR_GS_BASE:
        if (!is_canonical_address(val))
            return false;
        wrmsr(MSR_GS_BASE, val);
        return true;
    case MSR_KERNEL_GS_BASE:
        if (!is_canonical_address(val))
            return false;
        if (a->in_kernel)
            a->gs_base_user = val;
        else
            a->gs_base_kernel = val;
        return true;
    case MSR_PAT:
        return val == KEEL_PAT;
    default:
        /* Dropped while the guest cannot take a #GP (the boot-time GS_BASE path). */
        return !has_gp_handler(a);
    }
}

static bool emulate_cr_read(struct cpu_regs *regs, struct arch_vcpu *a, unsigned int cr,
                            unsigned int reg)
{
    uint64_t val;

    switch (cr) {
    case 0:
        val = (read_cr0() & ~X86_CR0_TS) | (a->fpu_ts ? X86_CR0_TS : 0);
        break;
    case 2:
        val = a->vcpu_info->arch.cr2;
        break;
    case 3:
        val = (a->in_kernel ? a->guest_table : a->guest_table_user) << 12;
        break;
    case 4:
        val = PV_CR4;
        break;
    default:
        return false;
    }
    *gpr(regs, reg) = val;
    return true;
}

static bool emulate_cr_write(struct cpu_regs *regs, struct arch_vcpu *a, unsigned int cr,
                             unsigned int reg)
{
    uint64_t val = *gpr(regs, reg);

    switch (cr) {
    case 0:
        /* Only TS is the guest's; anything else must stay as it is. */
        if ((val ^ read_cr0()) & ~X86_CR0_TS)
            return false;
        a->fpu_ts = val & X86_CR0_TS;
        write_cr0(a->fpu_ts ? read_cr0() | X86_CR0_TS : read_cr0() & ~X86_CR0_TS);
        return true;
    case 2:
        a->vcpu_info->arch.cr2 = val;
        return true;
    case 4:
        /* Linux strips PGE/PSE and rewrites the rest; keep the hardware value. */
        return true;
    default:
        return false;
    }
}

/*
 * Port I/O is the guest's only if its virtual IOPL covers its mode (the
 * kernel counts as ring 1, user space as ring 3). Then the domain reaches
 * the real ports in its ioport_caps (all for dom0), except those Keel
 * drives itself (the PICs, the PIT, port 0x61 and its console UART);
 * any other port reads as all-ones and ignores writes.
 */
static bool port_owned_by_keel(uint16_t port)
{
    return port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1 ||
           (port >= 0x40 && port <= 0x43) || port == 0x61 ||
           (port >= 0x3f8 && port <= 0x3ff);
}

/* Whether d may touch every byte of the access (port, size). */
static bool port_permitted(const struct domain *d, uint16_t port, unsigned int size)
{
    if (!rangeset_contains(&d->ioport_caps, port, port + size - 1UL))
        return false;
    for (unsigned int i = 0; i < size; i++)
        if (port_owned_by_keel((uint16_t)(port + i)))
            return false;
    return true;
}

static uint32_t port_in(const struct domain *d, uint16_t port, unsigned int size)
{
    uint32_t ones = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

    if (!port_permitted(d, port, size))
        return ones;
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

static void port_out(const struct domain *d, uint16_t port, unsigned int size, uint32_t val)
{
    if (!port_permitted(d, port, size))
        return;
    if (size == 1)
        outb(port, (uint8_t)val);
    else if (size == 2)
        outw(port, (uint16_t)val);
    else
        outl(port, val);
}

static bool emulate_port_io(struct cpu_regs *regs, struct arch_vcpu *a, struct insn *in,
                            uint8_t op)
{
    const struct domain *d = current_vcpu()->domain;
    unsigned int size = (op & 1) ? (in->opsize16 ? 2 : 4) : 1;
    bool is_in = !(op & 2);
    uint16_t port;
    uint8_t imm;

    if (a->iopl < (a->in_kernel ? 1u : 3u))
        return false;
    if (op >= 0xe4 && op <= 0xe7) {
        if (!next_byte(in, &imm))
            return false;
        port = imm;
    } else {
        port = (uint16_t)regs->rdx;
    }
    if (is_in) {
        uint32_t v = port_in(d, port, size);

        if (size == 4)
            regs->rax = v;      /* a 32-bit result zero-extends */
        else
            regs->rax = (regs->rax & ~((uint64_t)(size == 1 ? 0xff : 0xffff))) | v;
    } else {
        port_out(d, port, size, (uint32_t)regs->rax);
    }
    regs->rip += in->pos;
    return true;
}

enum pv_emul pv_emulate_privileged(struct cpu_regs *regs)
{
    struct arch_vcpu *a = current_vcpu()->arch;
    struct insn in;
    uint8_t op, op2, modrm;

    if (!fetch(regs, &in) || !decode_prefixes(&in, &op))
        return PV_EMUL_UNHANDLED;
    if ((op >= 0xe4 && op <= 0xe7) || (op >= 0xec && op <= 0xef))
        return emulate_port_io(regs, a, &in, op) ? PV_EMUL_DONE : PV_EMUL_UNHANDLED;
    if (op == 0xfa || op == 0xfb) {
        /*
         * CLI/STI from a kernel allowed I/O privilege (set_iopl >= 1) act
         * on the virtual interrupt flag, the upcall mask, as in Xen.
         * Linux's early cmpxchg16b emulation runs pushf; cli.
         */
        if (!a->in_kernel || a->iopl < 1)
            return PV_EMUL_UNHANDLED;
        a->vcpu_info->evtchn_upcall_mask = op == 0xfa;
        regs->rip += in.pos;
        return PV_EMUL_DONE;
    }
    if (!a->in_kernel || op != 0x0f || !next_byte(&in, &op2))
        return PV_EMUL_UNHANDLED;
    switch (op2) {
    case 0x30: {    /* wrmsr */
        uint64_t val = ((regs->rdx & 0xffffffff) << 32) | (regs->rax & 0xffffffff);

        if (!write_msr(a, (uint32_t)regs->rcx, val)) {
            printk(LOG_DEBUG "d%u: WRMSR %#x refused (#GP)\n", current_vcpu()->domain->domain_id,
                   (uint32_t)regs->rcx);
            return PV_EMUL_REFUSED;
        }
        break;
    }
    case 0x32: {    /* rdmsr */
        uint64_t val;

        if (!read_msr(a, (uint32_t)regs->rcx, &val)) {
            printk(LOG_DEBUG "d%u: RDMSR %#x refused (#GP)\n", current_vcpu()->domain->domain_id,
                   (uint32_t)regs->rcx);
            return PV_EMUL_REFUSED;
        }
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
        break;
    }
    case 0x20:      /* mov %crN, reg */
    case 0x22: {    /* mov reg, %crN */
        unsigned int cr, reg;

        if (!next_byte(&in, &modrm) || (modrm >> 6) != 3)
            return PV_EMUL_UNHANDLED;
        cr = ((modrm >> 3) & 7) | ((in.rex & 4) ? 8 : 0);
        reg = (modrm & 7) | ((in.rex & 1) ? 8 : 0);
        if (op2 == 0x20 ? !emulate_cr_read(regs, a, cr, reg) : !emulate_cr_write(regs, a, cr, reg))
            return PV_EMUL_UNHANDLED;
        break;
    }
    case 0x09:      /* wbinvd */
        if (current_vcpu()->domain->has_io_caps)
            __asm__ volatile("wbinvd" ::: "memory");
        break;
    case 0x06:      /* clts */
        a->fpu_ts = false;
        __asm__ volatile("clts");
        break;
    default:
        return PV_EMUL_UNHANDLED;
    }
    regs->rip += in.pos;
    return PV_EMUL_DONE;
}

/* The forced-emulation prefix: ud2; .ascii "xen"; cpuid */
bool pv_emulate_invalid_op(struct cpu_regs *regs)
{
    static const uint8_t sig[] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 };
    uint8_t bytes[sizeof(sig)];
    uint32_t out[4];

    if (copy_from_guest(bytes, regs->rip, sizeof(bytes)) || memcmp(bytes, sig, sizeof(sig)))
        return false;
    pv_cpuid(current_vcpu()->domain, (uint32_t)regs->rax, (uint32_t)regs->rcx, out);
    regs->rax = out[0];
    regs->rbx = out[1];
    regs->rcx = out[2];
    regs->rdx = out[3];
    regs->rip += sizeof(sig);
    return true;
}
