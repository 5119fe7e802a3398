/* SPDX-License-Identifier: MIT */
/*
 * Writable page tables: a PV kernel writes the entries of its pinned L1
 * tables with ordinary instructions through their read-only mappings, and
 * Keel emulates each store (linux-pv-abi.md §3.4).
 *
 * A write fault from guest kernel mode on a present page is a candidate if
 * the current kernel root maps the faulting address read-only through an
 * L1 entry and the frame behind it is a validated L1 table of the domain.
 * The instruction at RIP is decoded and executed on values by
 * ptwr_decode.c; the store must lie within one entry of the faulting page.
 * The new entry goes through pv_mod_entry(PV_MOD_L1_ONLY), which validates
 * it exactly as for mmu_update and swaps it in atomically. Only then are
 * the guest's registers, flags and RIP updated. Anything else - another
 * kind of page, an instruction outside the subset, a refused entry - is
 * left to the caller, which bounces the #PF, so the guest sees the fault
 * its own write caused.
 *
 * Atomicity: a store whose value does not depend on the old entry (8-byte
 * MOV, XCHG) is one exchange. Every other store, locked or not, is a
 * compare-exchange of the whole entry against the value it was computed
 * from, so it loses neither the MMU's A/D updates nor another vCPU's write
 * to the rest of the entry; a lost race recomputes (PTWR_RETRIES times,
 * then the guest simply re-executes the instruction). A CMPXCHG that
 * compares unequal stores nothing and reports the entry it read.
 *
 * Locks: none of its own but unknown_lock, which guards only the log's
 * table of sites already reported. The frame being written is held
 * by a general reference for the duration; pv_mod_entry() takes the type
 * reference that keeps it an L1 while it writes.
 */
#include <asm/page.h>
#include <asm/ptwr_decode.h>
#include <asm/pv/ptwr.h>
#include <asm/pv/pv.h>
#include <asm/pv_mm.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/page_info.h>
#include <keel/spinlock.h>

#define PTWR_RETRIES    16
#define UNKNOWN_SLOTS   32  /* sites of unrecognised instructions remembered */

static spinlock_t unknown_lock = SPINLOCK_INIT;
static unsigned long unknown_rips[UNKNOWN_SLOTS];       /* unknown_lock */
static unsigned int nr_unknown;                         /* unknown_lock */
static unsigned long unknown_dropped;                   /* unknown_lock */

/*
 * Report an instruction the decoder does not know, with its bytes (up to
 * 15: its length is unknown), once per guest RIP; once UNKNOWN_SLOTS sites
 * are known, further ones are reported only at power-of-two counts.
 */
static void log_unknown(const struct domain *d, unsigned long rip, const uint8_t *bytes,
                        unsigned int len, unsigned long cr2)
{
    char hex[3 * PTWR_INSN_MAX + 1];
    unsigned long dropped = 0;
    bool fresh = true;

    spin_lock(&unknown_lock);
    for (unsigned int i = 0; i < nr_unknown && fresh; i++)
        if (unknown_rips[i] == rip)
            fresh = false;
    if (fresh && nr_unknown < UNKNOWN_SLOTS) {
        unknown_rips[nr_unknown++] = rip;
    } else if (fresh) {
        dropped = ++unknown_dropped;
        fresh = !(dropped & (dropped - 1));
    }
    spin_unlock(&unknown_lock);
    if (!fresh)
        return;

    for (unsigned int i = 0; i < len; i++)
        snprintf(hex + 3 * i, 4, " %02x", bytes[i]);
    hex[3 * len] = '\0';
    printk(LOG_WARN "d%u: page-table write at RIP %#lx (CR2 %#lx) by an instruction not "
           "emulated:%s%s\n", d->domain_id, rip, cr2, hex,
           dropped ? " (further sites not all shown)" : "");
}

/* The guest's registers in the decoder's numbering, and back. */
static void regs_to_cpu(const struct cpu_regs *regs, struct ptwr_cpu *cpu)
{
    const uint64_t gpr[PTWR_NR_GPRS] = {
        regs->rax, regs->rcx, regs->rdx, regs->rbx, regs->rsp, regs->rbp, regs->rsi, regs->rdi,
        regs->r8, regs->r9, regs->r10, regs->r11, regs->r12, regs->r13, regs->r14, regs->r15,
    };

    memcpy(cpu->gpr, gpr, sizeof(gpr));
    cpu->rip = regs->rip;
    cpu->rflags = regs->rflags;
}

static void cpu_to_regs(const struct ptwr_cpu *cpu, struct cpu_regs *regs)
{
    uint64_t *const gpr[PTWR_NR_GPRS] = {
        &regs->rax, &regs->rcx, &regs->rdx, &regs->rbx, &regs->rsp, &regs->rbp, &regs->rsi,
        &regs->rdi, &regs->r8, &regs->r9, &regs->r10, &regs->r11, &regs->r12, &regs->r13,
        &regs->r14, &regs->r15,
    };

    for (unsigned int r = 0; r < PTWR_NR_GPRS; r++)
        *gpr[r] = cpu->gpr[r];
    regs->rip = cpu->rip;
    /* Only the arithmetic flags are the instruction's to change. */
    regs->rflags = (regs->rflags & ~PTWR_ARITH_FLAGS) | (cpu->rflags & PTWR_ARITH_FLAGS);
}

/*
 * The L1 entry through which @root maps @va, by a walk of the validated
 * tables (their frames are the domain's RAM, so the direct map reaches
 * them). False if @va is not mapped by a 4 KiB page.
 */
static bool leaf_entry(unsigned long root, unsigned long va, pte_t *leaf)
{
    unsigned long table = root;

    for (unsigned int shift = L4_SHIFT;; shift -= 9) {
        const pte_t *t = __va(table << PAGE_SHIFT);
        pte_t e = __atomic_load_n(&t[pt_index(va, shift)], __ATOMIC_RELAXED);

        if (!(e & _PAGE_PRESENT))
            return false;
        if (shift == L1_SHIFT) {
            *leaf = e;
            return true;
        }
        if (shift != L4_SHIFT && (e & _PAGE_PSE))
            return false;
        table = pte_paddr(e) >> PAGE_SHIFT;
        if (!mfn_valid(_mfn(table)))
            return false;
    }
}

/* The instruction at @rip: the bytes up to the end of its page must be readable. */
static unsigned int fetch_insn(unsigned long rip, uint8_t *bytes)
{
    unsigned int first = PAGE_SIZE - (rip & (PAGE_SIZE - 1));

    if (first >= PTWR_INSN_MAX)
        return copy_from_guest(bytes, rip, PTWR_INSN_MAX) ? 0 : PTWR_INSN_MAX;
    if (copy_from_guest(bytes, rip, first))
        return 0;
    /* The rest may sit on an unmapped page; the decoder says if it needed it. */
    if (copy_from_guest(bytes + first, rip + first, PTWR_INSN_MAX - first))
        return first;
    return PTWR_INSN_MAX;
}

/*
 * Store the entry @index of L1 frame @l1 as @insn does, and set @cpu to the
 * state after the instruction. Returns 0; -EAGAIN after PTWR_RETRIES lost
 * races (@cpu unchanged); or pv_mod_entry()'s refusal (@cpu unchanged).
 */
static int commit(struct domain *d, mfn_t l1, unsigned int index, const struct ptwr_insn *insn,
                  struct ptwr_cpu *cpu)
{
    const uint64_t *entry = (const uint64_t *)__va(mfn_x(l1) << PAGE_SHIFT) + index;
    struct ptwr_cpu next;
    uint64_t old, new, seen;
    int rc;

    if (insn->blind) {
        /* The value is the operand's alone: compute it, exchange, then retire
         * the instruction against the value it replaced (XCHG's result). */
        next = *cpu;
        ptwr_execute(insn, 0, &next, &new);
        rc = pv_mod_entry(d, l1, index, new, PV_MOD_L1_ONLY, &old);
        if (rc)
            return rc;
        ptwr_execute(insn, old, cpu, &new);
        return 0;
    }

    for (unsigned int tries = 0; tries < PTWR_RETRIES; tries++) {
        next = *cpu;
        old = __atomic_load_n(entry, __ATOMIC_ACQUIRE);
        rc = ptwr_execute(insn, old, &next, &new);
        if (rc < 0)
            return rc;
        /* CMPXCHG unequal, or a store of the same value: nothing to write. */
        if (rc == 0 || new == old) {
            *cpu = next;
            return 0;
        }
        seen = old;
        rc = pv_mod_entry(d, l1, index, new, PV_MOD_L1_ONLY | PV_MOD_CMPXCHG, &seen);
        if (rc == 0) {
            *cpu = next;
            return 0;
        }
        if (rc != -EAGAIN)
            return rc;
    }
    return -EAGAIN;
}

bool pv_ptwr_emulate(struct cpu_regs *regs, unsigned long cr2)
{
    struct vcpu *v = current_vcpu();
    struct domain *d = v->domain;
    const struct arch_vcpu *a = v->arch;
    uint8_t bytes[PTWR_INSN_MAX];
    struct ptwr_insn insn;
    struct ptwr_cpu cpu;
    struct page_info *pg;
    unsigned long type;
    unsigned int len;
    bool handled = false;
    pte_t pte;
    mfn_t l1;
    int rc;

    if (!a->in_kernel || !a->guest_table)
        return false;
    /* Only a read-only mapping can be a table's; a RW one faulted for another reason. */
    if (!leaf_entry(a->guest_table, cr2, &pte) ||
        (pte & (_PAGE_PRESENT | _PAGE_RW)) != _PAGE_PRESENT)
        return false;
    l1 = _mfn(pte_paddr(pte) >> PAGE_SHIFT);
    if (!mfn_valid(l1))
        return false;
    pg = mfn_to_page(l1);
    if (get_page(pg, d))
        return false;
    /* A hint: pv_mod_entry() checks again under its own type reference. */
    type = __atomic_load_n(&pg->u.type_info, __ATOMIC_ACQUIRE);
    if (page_type(type) != PGT_L1 || !(type & PGT_VALIDATED))
        goto out_put;

    len = fetch_insn(regs->rip, bytes);
    if (!len)
        goto out_put;
    regs_to_cpu(regs, &cpu);
    rc = ptwr_decode(bytes, len, &cpu, &insn);
    if (rc == -EOPNOTSUPP)
        log_unknown(d, regs->rip, bytes, len, cr2);
    /* The store must be the one that faulted: same page, within one entry. */
    if (rc || ((insn.addr ^ cr2) & ~(PAGE_SIZE - 1)) || !ptwr_within_entry(&insn))
        goto out_put;

    rc = commit(d, l1, (insn.addr & (PAGE_SIZE - 1)) / PTWR_ENTRY_BYTES, &insn, &cpu);
    if (rc == 0)
        cpu_to_regs(&cpu, regs);
    /* -EAGAIN: leave the instruction to be executed (and to fault) again. */
    handled = rc == 0 || rc == -EAGAIN;

out_put:
    put_page(pg);
    return handled;
}
