/* SPDX-License-Identifier: MIT */
/*
 * Exceptions in PV guests and their delivery through the guest's virtual
 * IDT (the trap table), plus the hypercalls that set that IDT up.
 *
 * Delivery builds Xen's bounce frame on the guest kernel stack: from the
 * new RSP upwards RCX, R11, [error code], RIP, CS (saved upcall mask in
 * bits 32-39; RPL cleared when the interrupted context was the guest
 * kernel), RFLAGS (IF = !saved mask), RSP, SS. A bounce from guest user
 * mode first switches the vCPU to kernel mode and uses the kernel stack
 * from stack_switch. A guest that gives Keel nowhere to deliver, or a
 * stack it cannot write, is crashed: Keel never faults on its behalf.
 */
#include <asm/processor.h>
#include <asm/pv/ptwr.h>
#include <asm/page.h>
#include <asm/pv/pv.h>
#include <asm/traps.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/nospec.h>
#include <public/callback.h>
#include <public/xen.h>

#define PF_USER_BIT   (1u << 2)
#define TRAP_TABLE_BATCH 256

/* RFLAGS bits a bounce clears in the live flags, as the CPU does for an interrupt. */
#define BOUNCE_CLEARED_FLAGS (X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_AC | (1ul << 16) | (1ul << 17))

static bool vector_has_error_code(unsigned int v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

/* Push the bounce frame and point regs at handler. False if it could not. */
static bool bounce(struct cpu_regs *regs, unsigned long handler, bool mask_events,
                   bool has_error_code, uint32_t error_code)
{
    struct vcpu *v = current_vcpu();
    struct arch_vcpu *a = v->arch;
    uint8_t saved_mask = a->vcpu_info->evtchn_upcall_mask;
    bool from_kernel = a->in_kernel;
    uint64_t frame[8];
    unsigned int n = 0;
    unsigned long rsp;

    if (!from_kernel)
        pv_toggle_guest_mode(v);
    rsp = (from_kernel ? regs->rsp : a->kernel_sp) & ~15ul;

    frame[n++] = regs->rcx;
    frame[n++] = regs->r11;
    if (has_error_code)
        frame[n++] = error_code;
    frame[n++] = regs->rip;
    frame[n++] = (regs->cs & (from_kernel ? ~3ul : ~0ul) & 0xffff) | ((uint64_t)saved_mask << 32);
    frame[n++] = (regs->rflags & ~X86_EFLAGS_IF) | (saved_mask ? 0 : X86_EFLAGS_IF);
    frame[n++] = regs->rsp;
    frame[n++] = regs->ss;
    rsp -= n * sizeof(uint64_t);
    if (copy_to_guest(rsp, frame, n * sizeof(uint64_t)))
        return false;

    regs->rsp = rsp;
    regs->rip = handler;
    regs->cs = FLAT_KERNEL_CS;
    regs->ss = FLAT_KERNEL_SS;
    regs->rflags &= ~BOUNCE_CLEARED_FLAGS;
    regs->rflags |= X86_EFLAGS_IF;
    if (mask_events)
        a->vcpu_info->evtchn_upcall_mask = 1;
    return true;
}

void pv_inject_trap(struct cpu_regs *regs, unsigned int vector, bool has_error_code,
                    uint32_t error_code)
{
    struct vcpu *v = current_vcpu();
    const struct pv_trap_entry *t = &v->arch->traps[vector & 0xff];

    if (!t->address) {
        domain_crash(v->domain, "no handler for vector %u (error code %#x) at RIP %#lx, CR2 %#lx",
                     vector, error_code, regs->rip, v->arch->vcpu_info->arch.cr2);
        return;
    }
    if (!bounce(regs, t->address, t->flags & PV_TRAP_MASK_EVENTS, has_error_code, error_code))
        domain_crash(v->domain, "cannot write the frame for vector %u on the guest stack "
                     "(RSP %#lx)", vector, regs->rsp);
}

void pv_inject_callback(struct cpu_regs *regs, const struct pv_callback *cb)
{
    struct vcpu *v = current_vcpu();

    if (!bounce(regs, cb->address, cb->mask_events, false, 0))
        domain_crash(v->domain, "cannot write a callback frame on the guest stack (RSP %#lx)",
                     regs->rsp);
}

/* May the guest raise vector with INT n from its current mode? */
static bool permit_softint(const struct arch_vcpu *a, unsigned int vector)
{
    unsigned int dpl = a->traps[vector].flags & PV_TRAP_DPL_MASK;

    return a->in_kernel ? dpl >= 1 : dpl == 3;
}

void pv_handle_exception(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    struct arch_vcpu *a = v->arch;
    unsigned int vec = regs->entry_vector;
    uint32_t err = regs->error_code;
    bool expected = false;      /* a fault the guest is known to provoke on purpose */

    switch (vec) {
    case TRAP_PAGE_FAULT: {
        /* Read once: emulation may fault (and fix up) on guest memory itself. */
        unsigned long cr2 = read_cr2();

        if (a->in_kernel && pv_ptwr_candidate(err) && pv_ptwr_emulate(regs, cr2))
            return;
        a->vcpu_info->arch.cr2 = cr2;
        /* The hardware always reports user mode (CPL 3); report the guest's mode. */
        if (a->in_kernel)
            err &= ~PF_USER_BIT;
        else
            err |= PF_USER_BIT;
        break;
    }
    case TRAP_GP_FAULT:
        if ((err & 3) == 2) {
            /* INT n through a DPL-0 gate: a software interrupt if the guest's IDT allows. */
            unsigned int n = (err >> 3) & 0xff;

            if (permit_softint(a, n)) {
                regs->rip += 2;
                pv_inject_trap(regs, n, false, 0);
                return;
            }
        } else if (!err) {
            enum pv_emul r = pv_emulate_privileged(regs);

            if (r == PV_EMUL_DONE)
                return;
            /* Linux probes MSRs with rdmsr_safe: their #GP is routine. */
            expected = r == PV_EMUL_REFUSED;
        }
        break;
    case TRAP_INVALID_OP:
        if (pv_emulate_invalid_op(regs))
            return;
        break;
    case TRAP_NO_DEVICE:
        /* Xen's ABI: delivering #NM clears the virtual TS, so the retried instruction runs. */
        __asm__ volatile("clts");
        if (!a->fpu_ts)
            return;
        a->fpu_ts = false;
        break;
    case TRAP_MACHINE_CHECK:
        panic("machine check while running domain %u", v->domain->domain_id);
    }
    /* #GP and #UD that were not emulated are worth a line: they are rarely intended. */
    if ((vec == TRAP_GP_FAULT || vec == TRAP_INVALID_OP) && !expected && printk_ratelimit())
        printk(LOG_WARN "d%u: %s at RIP %#lx (error code %#x) bounced to the guest\n",
               v->domain->domain_id, vec == TRAP_GP_FAULT ? "#GP" : "#UD", regs->rip, err);
    pv_inject_trap(regs, vec, vector_has_error_code(vec), err);
}

/* set_trap_table(traps): install entries up to one with address 0; NULL clears all. */
long do_set_trap_table(unsigned long traps, unsigned long unused2, unsigned long unused3,
                       unsigned long unused4, unsigned long unused5)
{
    struct arch_vcpu *a = current_vcpu()->arch;

    (void)unused2, (void)unused3, (void)unused4, (void)unused5;
    if (!traps) {
        memset(a->traps, 0, sizeof(a->traps));
        return 0;
    }
    for (unsigned int i = 0; i < TRAP_TABLE_BATCH; i++) {
        struct trap_info ti;
        struct pv_trap_entry *t;

        if (copy_from_guest(&ti, traps + i * sizeof(ti), sizeof(ti)))
            return -EFAULT;
        if (!ti.address)
            return 0;
        if (!is_canonical_address(ti.address))
            return -EINVAL;
        t = &a->traps[array_index_nospec(ti.vector, ARRAY_SIZE(a->traps))];
        t->address = ti.address;
        t->cs = ti.cs | 3;
        t->flags = ti.flags & (PV_TRAP_DPL_MASK | PV_TRAP_MASK_EVENTS);
    }
    return hypercall_continue(__HYPERVISOR_set_trap_table,
                              traps + TRAP_TABLE_BATCH * sizeof(struct trap_info), 0, 0, 0, 0);
}

static long register_callback(struct arch_vcpu *a, const struct callback_register *reg)
{
    struct pv_callback *cb;

    if (reg->flags & ~CALLBACKF_mask_events)
        return -EINVAL;
    if (!is_canonical_address(reg->address))
        return -EINVAL;
    switch (reg->type) {
    case CALLBACKTYPE_event:    cb = &a->event_callback; break;
    case CALLBACKTYPE_failsafe: cb = &a->failsafe_callback; break;
    case CALLBACKTYPE_syscall:  cb = &a->syscall_callback; break;
    case CALLBACKTYPE_syscall32: cb = &a->syscall32_callback; break;
    case CALLBACKTYPE_sysenter: cb = &a->sysenter_callback; break;
    case CALLBACKTYPE_nmi:
        if (!current_vcpu()->domain->is_privileged || current_vcpu()->vcpu_id)
            return -EINVAL;
        cb = &a->nmi_callback;
        break;
    default:
        return -ENOSYS;
    }
    cb->address = reg->address;
    cb->mask_events = reg->flags & CALLBACKF_mask_events;
    return 0;
}

/* callback_op(cmd, arg) */
long do_callback_op(unsigned long cmd, unsigned long arg, unsigned long unused3,
                    unsigned long unused4, unsigned long unused5)
{
    struct arch_vcpu *a = current_vcpu()->arch;

    (void)unused3, (void)unused4, (void)unused5;
    switch (cmd) {
    case CALLBACKOP_register: {
        struct callback_register reg;

        if (copy_from_guest(&reg, arg, sizeof(reg)))
            return -EFAULT;
        return register_callback(a, &reg);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister unreg;

        if (copy_from_guest(&unreg, arg, sizeof(unreg)))
            return -EFAULT;
        /* As in Xen, only the NMI callback can be taken away again. */
        switch (unreg.type) {
        case CALLBACKTYPE_nmi:
            a->nmi_callback.address = 0;
            return 0;
        case CALLBACKTYPE_event:
        case CALLBACKTYPE_failsafe:
        case CALLBACKTYPE_syscall:
        case CALLBACKTYPE_syscall32:
        case CALLBACKTYPE_sysenter:
            return -EINVAL;
        default:
            return -ENOSYS;
        }
    }
    default:
        return -ENOSYS;
    }
}

/* set_callbacks(event, failsafe, syscall): the older form of callback_op. */
long do_set_callbacks(unsigned long event, unsigned long failsafe, unsigned long syscall,
                      unsigned long unused4, unsigned long unused5)
{
    struct arch_vcpu *a = current_vcpu()->arch;
    const struct callback_register regs[] = {
        { .type = CALLBACKTYPE_event, .address = event },
        { .type = CALLBACKTYPE_failsafe, .address = failsafe },
        { .type = CALLBACKTYPE_syscall, .address = syscall },
    };

    (void)unused4, (void)unused5;
    for (unsigned int i = 0; i < ARRAY_SIZE(regs); i++)
        if (!is_canonical_address(regs[i].address))
            return -EINVAL;
    for (unsigned int i = 0; i < ARRAY_SIZE(regs); i++)
        register_callback(a, &regs[i]);
    return 0;
}

/* stack_switch(ss, rsp): the kernel stack for bounces from guest user mode. */
long do_stack_switch(unsigned long ss, unsigned long rsp, unsigned long unused3,
                     unsigned long unused4, unsigned long unused5)
{
    struct arch_vcpu *a = current_vcpu()->arch;

    (void)unused3, (void)unused4, (void)unused5;
    a->kernel_ss = ss | 3;
    a->kernel_sp = rsp;
    return 0;
}

/* fpu_taskswitch(set): the virtual CR0.TS. */
long do_fpu_taskswitch(unsigned long set, unsigned long unused2, unsigned long unused3,
                       unsigned long unused4, unsigned long unused5)
{
    struct arch_vcpu *a = current_vcpu()->arch;

    (void)unused2, (void)unused3, (void)unused4, (void)unused5;
    a->fpu_ts = set != 0;
    if (a->fpu_ts)
        write_cr0(read_cr0() | X86_CR0_TS);
    else
        __asm__ volatile("clts");
    return 0;
}
