/* SPDX-License-Identifier: MIT */
/*
 * One multicall entry on x86 PV. A sub-call that continues itself does so
 * by rewinding the guest's RIP over SYSCALL and rewriting the argument
 * registers (hypercall_continue()), which inside a multicall would make
 * the guest re-issue the sub-call in place of the multicall. So the entry
 * runs between a snapshot and a check of those registers: when they
 * changed, the continuation is moved into the entry (op and args, as Xen's
 * hypercall_create_continuation() does for a call in a multicall) and the
 * registers are put back for the multicall's own continuation.
 *
 * iret is the one sub-call that legitimately rewrites the frame; it runs
 * and ends the batch, as in Xen (pv_do_multicall_call: mc_exit).
 */
#include <asm/pv/pv.h>
#include <keel/hypercall.h>
#include <keel/arch.h>
#include <public/xen.h>
#include <public/xen.h>

#define SYSCALL_INSN_LEN 2

struct mc_saved_regs {
    uint64_t rip, rdi, rsi, rdx, r10, r8;
};

static void save(struct mc_saved_regs *s, const struct cpu_regs *r)
{
    *s = (struct mc_saved_regs){ r->rip, r->rdi, r->rsi, r->rdx, r->r10, r->r8 };
}

static void restore(struct cpu_regs *r, const struct mc_saved_regs *s)
{
    r->rip = s->rip;
    r->rdi = s->rdi;
    r->rsi = s->rsi;
    r->rdx = s->rdx;
    r->r10 = s->r10;
    r->r8 = s->r8;
}

enum mc_disposition arch_multicall_call(struct multicall_entry *call)
{
    struct cpu_regs *regs = guest_regs();
    struct mc_saved_regs saved;

    save(&saved, regs);
    call->result = (unsigned long)hypercall_dispatch(call->op, call->args[0], call->args[1],
                                                     call->args[2], call->args[3],
                                                     call->args[4]);
    if (call->op == __HYPERVISOR_iret)
        return MC_EXIT;
    if (regs->rip == saved.rip - SYSCALL_INSN_LEN) {
        /* hypercall_continue(): the number to re-issue is the return value. */
        call->op = call->result;
        call->args[0] = regs->rdi;
        call->args[1] = regs->rsi;
        call->args[2] = regs->rdx;
        call->args[3] = regs->r10;
        call->args[4] = regs->r8;
        restore(regs, &saved);
        return MC_PREEMPTED;
    }
    if (regs->rip != saved.rip)
        /* The sub-call sent the guest elsewhere (a bounce): the batch ends. */
        return MC_EXIT;
    /* As Xen: a sub-call that left guest kernel mode ends this invocation. */
    return current_vcpu()->arch->in_kernel ? MC_CONTINUE : MC_STOP;
}
