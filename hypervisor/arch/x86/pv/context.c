/* SPDX-License-Identifier: MIT */
/*
 * Switching a physical CPU between PV vCPUs and its idle loop, and the
 * checks made on every return to a guest.
 *
 * A CPU's hypervisor stack holds nothing across a switch: the running
 * vCPU's whole guest state is its register frame at the top of the stack
 * plus the CPU registers Keel does not use itself (FS/GS bases, FPU, CR3).
 * arch_context_switch() saves those into the outgoing vCPU, loads the
 * incoming one, and restarts from a fresh stack, as Xen's
 * reset_stack_and_jump() does. Only the CPU a vCPU runs on touches its
 * saved state; the scheduler guarantees a vCPU runs on one CPU at a time.
 */
#include <asm/desc_setup.h>
#include <asm/mm.h>
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <asm/smp.h>
#include <keel/arch.h>
#include <keel/lib.h>
#include <keel/sched.h>
#include <keel/softirq.h>
#include <keel/vcpu_op.h>
#include <public/xen.h>

static void save_fpu(struct arch_vcpu *a)
{
    __asm__ volatile("clts; fxsave64 %0" : "=m"(a->fpu_state));
    a->fpu_initialised = true;
}

static void load_fpu(const struct arch_vcpu *a)
{
    __asm__ volatile("clts");
    if (a->fpu_initialised)
        __asm__ volatile("fxrstor64 %0" :: "m"(a->fpu_state));
    else
        __asm__ volatile("fninit");
    if (a->fpu_ts)
        write_cr0(read_cr0() | X86_CR0_TS);
}

static void save_vcpu(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;

    a->saved_regs = *guest_regs();
    a->fs_base = rdmsr(MSR_FS_BASE);
    if (a->in_kernel)
        a->gs_base_kernel = rdmsr(MSR_GS_BASE);
    else
        a->gs_base_user = rdmsr(MSR_GS_BASE);
    save_fpu(a);
}

static void load_vcpu(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;

    write_cr3((a->in_kernel ? a->guest_table : a->guest_table_user) << PAGE_SHIFT);
    wrmsr(MSR_FS_BASE, a->fs_base);
    wrmsr(MSR_GS_BASE, a->in_kernel ? a->gs_base_kernel : a->gs_base_user);
    pv_load_guest_gdt(a);
    load_fpu(a);
    *guest_regs() = a->saved_regs;
}

/* The idle loop, on a fresh stack: run softirqs, else halt until an interrupt. */
static void __attribute__((noreturn)) idle_loop(void)
{
    for (;;) {
        local_irq_disable();
        if (softirq_pending()) {
            do_softirq();
            continue;
        }
        /* STI's one-instruction shadow makes "sti; hlt" free of lost wake-ups. */
        __asm__ volatile("sti; hlt" ::: "memory");
    }
}

void arch_idle(void)
{
    struct cpu_info *ci = get_cpu_info();
    unsigned long stack_start = ((unsigned long)ci | (STACK_SIZE - 1)) + 1 - STACK_SIZE +
                                STACK_START_OFFSET;

    ci->current = NULL;
    write_cr3(__pa(idle_l4));
    __asm__ volatile("mov %0, %%rsp; jmp *%1" :: "r"(stack_start), "r"(idle_loop) : "memory");
    __builtin_unreachable();
}

void arch_context_switch(struct vcpu *prev, struct vcpu *next)
{
    struct cpu_info *ci = get_cpu_info();

    local_irq_disable();
    if (prev) {
        save_vcpu(prev);
        /* The runstate area is a guest kernel address: publish while its root is live. */
        if (prev->arch->in_kernel)
            vcpu_runstate_publish(prev);
    }
    if (!next)
        arch_idle();
    ci->current = next;
    next->processor = ci->cpu_id;
    vcpu_timers_follow(next);
    load_vcpu(next);
    if (next->arch->in_kernel)
        vcpu_runstate_publish(next);
    pv_update_vcpu_time(next);
    pv_return_to_guest(guest_regs());
}

void pv_return_to_guest(struct cpu_regs *regs)
{
    struct vcpu *v;

    /* Softirqs first: one may switch to another vCPU and not come back. */
    local_irq_disable();
    while (softirq_pending())
        do_softirq();
    v = current_vcpu();
    if (v && v->arch->event_callback.address) {
        struct vcpu_info *vi = v->arch->vcpu_info;

        if (vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask) {
            /* The event callback always runs with events masked (Xen's rule). */
            struct pv_callback cb = v->arch->event_callback;

            cb.mask_events = true;
            pv_inject_callback(regs, &cb);
        }
    }
    pv_resume_guest(regs);
}

struct vcpu_info *arch_vcpu_info(struct vcpu *v)
{
    return v->arch->vcpu_info;
}

struct shared_info *arch_shared_info(struct domain *d)
{
    return pv_domain(d)->shared_info;
}

void vcpu_kick(struct vcpu *v)
{
    const struct cpu_info *ci = v->processor < NR_CPUS ? cpu_infos[v->processor] : NULL;

    /* A blocked vCPU becomes runnable; for one that is not blocked this is a no-op. */
    vcpu_wake(v);
    /* Running on another CPU: interrupt it, so its way back to the guest delivers. */
    if (ci && v->processor != arch_cpu_id() &&
        __atomic_load_n(&ci->current, __ATOMIC_ACQUIRE) == v)
        arch_softirq_kick(v->processor);
}
