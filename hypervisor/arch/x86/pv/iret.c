/* SPDX-License-Identifier: MIT */
/*
 * The iret hypercall: a PV kernel returns from every exception, interrupt
 * and system call through it, to kernel or to user mode. The guest's RSP
 * points at a struct iret_context. Selectors are forced to RPL 3 and must
 * be the guest's own or the flat ring-3 ones; RIP and RSP must be
 * canonical.
 */
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/page.h>
#include <asm/pv/pv.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/softirq.h>
#include <public/xen.h>

void pv_iret_fault(struct cpu_regs *regs);

/*
 * A selector the guest may return to: one of its own (GDT below the
 * reserved page, whose descriptors were validated, or its LDT), or one of
 * the flat ring-3 selectors of the reserved page; never another reserved
 * one. A descriptor that turns out unusable makes the final IRETQ fault,
 * which crashes the domain (pv_iret_fault), not Keel.
 */
static bool guest_selector(unsigned long sel)
{
    return (sel & 4) || (sel & ~7ul) < FIRST_RESERVED_GDT_BYTE;
}

static bool valid_code_selector(unsigned long cs)
{
    return cs == FLAT_RING3_CS64 || cs == FLAT_RING3_CS32 || ((cs & ~3ul) && guest_selector(cs));
}

static bool valid_stack_selector(unsigned long ss)
{
    return ss == FLAT_RING3_SS64 || ss == (FLAT_RING3_DS64 | 3) || guest_selector(ss);
}

/* iret(): no arguments; the frame is on the guest stack. */
long do_iret(unsigned long unused1, unsigned long unused2, unsigned long unused3,
             unsigned long unused4, unsigned long unused5)
{
    struct cpu_regs *regs = guest_regs();
    struct vcpu *v = current_vcpu();
    struct arch_vcpu *a = v->arch;
    struct iret_context ic;
    unsigned long cs, ss;

    (void)unused1, (void)unused2, (void)unused3, (void)unused4, (void)unused5;
    if (copy_from_guest(&ic, regs->rsp, sizeof(ic))) {
        domain_crash(v->domain, "iret: frame at %#lx is not readable", regs->rsp);
        return -EFAULT;
    }
    /* Bits above 15 of the saved CS carry the bounce's upcall mask: not part of it. */
    cs = (uint16_t)ic.cs | 3;
    ss = (uint16_t)ic.ss | 3;
    if (!valid_code_selector(cs) || !valid_stack_selector(ss) ||
        !is_canonical_address(ic.rip) || !is_canonical_address(ic.rsp)) {
        domain_crash(v->domain, "iret: bad frame (CS %#lx RIP %#lx SS %#lx RSP %#lx)",
                     ic.cs, ic.rip, ic.ss, ic.rsp);
        return -EINVAL;
    }
    if ((ic.cs & 3) == 3 && a->in_kernel) {
        if (!a->guest_table_user) {
            domain_crash(v->domain, "iret to user mode without a user page table");
            return -EINVAL;
        }
        pv_toggle_guest_mode(v);
    }
    regs->rip = ic.rip;
    regs->cs = cs;
    regs->rflags = (ic.rflags & ~(X86_EFLAGS_IOPL | (1ul << 17))) | X86_EFLAGS_IF;
    regs->rsp = ic.rsp;
    regs->ss = ss;
    if (!(ic.flags & VGCF_in_syscall)) {
        regs->r11 = ic.r11;
        regs->rcx = ic.rcx;
    } else {
        /* As Xen's SYSRET exit: never the kernel's own RCX/R11 from this hypercall. */
        regs->rcx = regs->rip;
        regs->r11 = regs->rflags;
    }
    a->vcpu_info->evtchn_upcall_mask = !(ic.rflags & X86_EFLAGS_IF);
    return (long)ic.rax;
}

/*
 * IRETQ to the guest faulted. do_iret() checks everything the guest
 * controls, so this means a frame Keel built itself was bad: crash the
 * domain rather than the hypervisor. Dom0's crash ends the run; another
 * domain's vCPUs are offline from here on, so the scheduler switches this
 * CPU away and never comes back to the bad frame.
 */
void pv_iret_fault(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    (void)regs;
    domain_crash(v->domain, "return to guest faulted (RIP %#lx)", guest_regs()->rip);
    local_irq_disable();
    while (softirq_pending())
        do_softirq();
    panic("d%u v%u still scheduled after its domain crashed on a faulting return to guest",
          v->domain->domain_id, v->vcpu_id);
}
