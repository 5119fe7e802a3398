/* SPDX-License-Identifier: MIT */
/*
 * VCPUOP_initialise for 64-bit PV: a full struct vcpu_guest_context sets up
 * a vCPU that is down (Linux brings up each secondary CPU this way,
 * smp_pv.c: cpu_initialize_context). Everything the guest supplies is
 * checked before anything changes; the page-table root and GDT frames are
 * then taken with references, and on any failure those are released again,
 * so a refused context leaves the vCPU exactly as it was.
 */
#include <asm/desc.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <asm/pv_mm.h>
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/page_info.h>
#include <public/xen.h>

/* MXCSR bits FXRSTOR accepts on every CPU Keel runs on (no DAZ assumption). */
#define MXCSR_VALID_MASK 0x0000ffbfu
#define FXSAVE_MXCSR_OFFSET 24

/* A 64-bit PV cr3 value holds the MFN shifted by 12, nothing else. */
static bool cr3_to_mfn(uint64_t cr3, unsigned long *mfn)
{
    if (cr3 & (PAGE_SIZE - 1))
        return false;
    *mfn = cr3 >> PAGE_SHIFT;
    return true;
}

static int check_context(const struct vcpu_guest_context *c, unsigned long *kernel_root,
                         unsigned long *user_root)
{
    const struct cpu_user_regs *r = &c->user_regs;

    if (!is_canonical_address(r->rip) || !is_canonical_address(r->rsp) ||
        !is_canonical_address(c->event_callback_eip) ||
        !is_canonical_address(c->failsafe_callback_eip) ||
        !is_canonical_address(c->syscall_callback_eip) ||
        !is_canonical_address(c->fs_base) || !is_canonical_address(c->gs_base_kernel) ||
        !is_canonical_address(c->gs_base_user) || !is_canonical_address(c->kernel_sp))
        return -EINVAL;
    for (unsigned int i = 0; i < 256; i++)
        if (!is_canonical_address(c->trap_ctxt[i].address))
            return -EINVAL;
    /* Non-empty LDTs are not supported yet (see MMUEXT_SET_LDT). */
    if (c->ldt_ents)
        return -EINVAL;
    if (c->gdt_ents > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    if (!cr3_to_mfn(c->ctrlreg[3], kernel_root) || !*kernel_root ||
        !cr3_to_mfn(c->ctrlreg[1], user_root))
        return -EINVAL;
    return 0;
}

/* Take the roots: a kernel L4 and an optional user L4, each validated. */
static int take_roots(struct domain *d, unsigned long kernel_root, unsigned long user_root)
{
    int rc = pv_get_root(d, _mfn(kernel_root));

    if (rc)
        return rc;
    if (user_root && (rc = pv_get_root(d, _mfn(user_root))))
        pv_put_root(_mfn(kernel_root));
    return rc;
}

int arch_vcpu_initialise(struct vcpu *v, unsigned long arg)
{
    struct domain *d = v->domain;
    struct arch_vcpu *a = v->arch;
    unsigned int order = order_for_bytes(sizeof(struct vcpu_guest_context));
    struct vcpu_guest_context *c = alloc_xenheap_pages(order);
    unsigned long kernel_root, user_root, gdt[14];
    unsigned int nr_gdt;
    int rc;

    if (!c)
        return -ENOMEM;
    rc = copy_from_guest(c, arg, sizeof(*c));
    if (!rc)
        rc = check_context(c, &kernel_root, &user_root);
    if (rc)
        goto out;
    nr_gdt = (unsigned int)((c->gdt_ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE);
    for (unsigned int i = 0; i < nr_gdt; i++)
        gdt[i] = c->gdt_frames[i];

    rc = take_roots(d, kernel_root, user_root);
    if (rc)
        goto out;
    rc = pv_take_gdt_frames(d, gdt, nr_gdt);
    if (rc) {
        pv_put_root(_mfn(kernel_root));
        if (user_root)
            pv_put_root(_mfn(user_root));
        goto out;
    }

    /* Commit: nothing below can fail. */
    pv_release_gdt_frames(a);
    memcpy(a->gdt_frames, gdt, nr_gdt * sizeof(gdt[0]));
    a->gdt_nr_frames = nr_gdt;
    a->gdt_entries = c->gdt_ents;
    if (a->guest_table)
        pv_put_root(_mfn(a->guest_table));
    if (a->guest_table_user)
        pv_put_root(_mfn(a->guest_table_user));
    a->guest_table = kernel_root;
    a->guest_table_user = user_root;

    memset(&a->saved_regs, 0, sizeof(a->saved_regs));
    a->saved_regs.rip = c->user_regs.rip;
    a->saved_regs.rsp = c->user_regs.rsp;
    a->saved_regs.rflags = (c->user_regs.rflags & ~(X86_EFLAGS_IOPL | (1ul << 17))) |
                           X86_EFLAGS_IF;
    a->saved_regs.cs = FLAT_KERNEL_CS;
    a->saved_regs.ss = FLAT_KERNEL_SS;
    a->saved_regs.rax = c->user_regs.rax;
    a->saved_regs.rbx = c->user_regs.rbx;
    a->saved_regs.rcx = c->user_regs.rcx;
    a->saved_regs.rdx = c->user_regs.rdx;
    a->saved_regs.rsi = c->user_regs.rsi;
    a->saved_regs.rdi = c->user_regs.rdi;
    a->saved_regs.rbp = c->user_regs.rbp;
    a->saved_regs.r8 = c->user_regs.r8;
    a->saved_regs.r9 = c->user_regs.r9;
    a->saved_regs.r10 = c->user_regs.r10;
    a->saved_regs.r11 = c->user_regs.r11;
    a->saved_regs.r12 = c->user_regs.r12;
    a->saved_regs.r13 = c->user_regs.r13;
    a->saved_regs.r14 = c->user_regs.r14;
    a->saved_regs.r15 = c->user_regs.r15;
    a->in_kernel = true;

    /* As in Xen, trap_ctxt is indexed by vector (its vector fields are not used). */
    for (unsigned int i = 0; i < 256; i++) {
        const struct trap_info *t = &c->trap_ctxt[i];

        a->traps[i] = (struct pv_trap_entry){
            .address = t->address,
            .cs = t->cs | 3,
            .flags = t->flags & (PV_TRAP_DPL_MASK | PV_TRAP_MASK_EVENTS),
        };
    }
    a->event_callback = (struct pv_callback){ c->event_callback_eip, true };
    a->failsafe_callback = (struct pv_callback){
        c->failsafe_callback_eip, c->flags & VGCF_failsafe_disables_events };
    a->syscall_callback = (struct pv_callback){
        c->syscall_callback_eip, c->flags & VGCF_syscall_disables_events };
    a->kernel_ss = c->kernel_ss | 3;
    a->kernel_sp = c->kernel_sp;
    a->fs_base = c->fs_base;
    a->gs_base_kernel = c->gs_base_kernel;
    a->gs_base_user = c->gs_base_user;
    a->fpu_ts = c->ctrlreg[0] & X86_CR0_TS;
    /* As in Xen, the IOPL field of the context's flags is the new vCPU's virtual IOPL. */
    a->iopl = (c->user_regs.rflags & X86_EFLAGS_IOPL) >> 12;
    if (c->flags & VGCF_I387_VALID) {
        uint32_t *mxcsr = (uint32_t *)&c->fpu_ctxt.x[FXSAVE_MXCSR_OFFSET];

        /* A reserved MXCSR bit would make FXRSTOR fault inside Keel. */
        *mxcsr &= MXCSR_VALID_MASK;
        memcpy(a->fpu_state, c->fpu_ctxt.x, sizeof(a->fpu_state));
        a->fpu_initialised = true;
    } else {
        a->fpu_initialised = false;
    }
    v->is_initialised = true;
    rc = 0;
out:
    free_xenheap_pages(c, order);
    return rc;
}
