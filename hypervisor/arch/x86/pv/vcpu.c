/* SPDX-License-Identifier: MIT */
/*
 * PV vCPU state: creation, the kernel/user mode switch, and starting a
 * vCPU on a CPU.
 *
 * While a vCPU runs, the MSRs hold its active FS and GS bases; the
 * inactive GS base (the other guest mode's) is kept in arch_vcpu. The
 * hypervisor itself never uses FS or GS.
 */
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/sched.h>
#include <keel/vcpu_op.h>
#include <public/xen.h>

int arch_vcpu_create(struct vcpu *v)
{
    v->arch = alloc_xenheap_pages(order_for_bytes(sizeof(*v->arch)));
    if (!v->arch)
        return -ENOMEM;
    memset(v->arch, 0, sizeof(*v->arch));
    v->arch->in_kernel = true;
    /* The first vCPUs' vcpu_info is in shared_info; others must register one. */
    if (v->vcpu_id < XEN_LEGACY_MAX_VCPUS)
        v->arch->vcpu_info = &pv_domain(v->domain)->shared_info->vcpu_info[v->vcpu_id];
    v->arch->debugreg[6] = DR6_DEFAULT;
    v->arch->debugreg[7] = DR7_DEFAULT;
    return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
    free_xenheap_pages(v->arch, order_for_bytes(sizeof(*v->arch)));
    v->arch = NULL;
}

struct vcpu *current_vcpu(void)
{
    return get_cpu_info()->current;
}

long arch_vcpu_block(struct vcpu *v)
{
    /* Blocking re-enables event delivery, atomically with going to sleep. */
    v->arch->vcpu_info->evtchn_upcall_mask = 0;
    return 0;
}

void pv_toggle_guest_mode(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;

    if (a->in_kernel) {
        a->gs_base_kernel = rdmsr(MSR_GS_BASE);
        wrmsr(MSR_GS_BASE, a->gs_base_user);
        write_cr3(a->guest_table_user << PAGE_SHIFT);
    } else {
        a->gs_base_user = rdmsr(MSR_GS_BASE);
        wrmsr(MSR_GS_BASE, a->gs_base_kernel);
        write_cr3(a->guest_table << PAGE_SHIFT);
    }
    a->in_kernel = !a->in_kernel;
}

void pv_start_vcpu(struct vcpu *v, const struct cpu_regs *initial)
{
    v->arch->saved_regs = *initial;
    vcpu_set_up(v, true);
}
