/* SPDX-License-Identifier: MIT */
/*
 * domctl, the x86 PV part: vCPU contexts (what a builder loads into a new
 * domain and what a debugger reads back), the hypercall page, page-frame
 * types and the guest word size. Called by common/domctl.c under the
 * domctl lock with a reference on the domain.
 */
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/domctl.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/nospec.h>
#include <keel/page_info.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <public/domctl.h>
#include <public/xen.h>

/* Most frames one getpageframeinfo3 describes (Xen's limit). */
#define PFINFO_MAX 1024

static struct vcpu *domctl_vcpu(struct domain *d, uint32_t id)
{
    if (id >= d->max_vcpus)
        return NULL;
    return d->vcpus[array_index_nospec(id, d->max_vcpus)];
}

/*
 * A null context resets the vCPU (down, no context); otherwise the context
 * is checked and loaded as VCPUOP_initialise does. vCPU 0 of a domain then
 * comes up (it runs once the toolstack unpauses the domain); the others
 * wait for the guest's VCPUOP_up, as in Xen.
 *
 * A dying domain is refused (-EINVAL; Keel is stricter than Xen here): its
 * teardown released the vCPUs' roots and GDT frames once, at its start, so
 * references a new context took would never be dropped and would keep the
 * domain's frames, and the domain, forever. domain_kill() runs under the
 * same domctl lock, so is_dying cannot change under us.
 */
static long set_vcpu_context(struct domain *d, const struct xen_domctl_vcpucontext *c)
{
    struct vcpu *v = domctl_vcpu(d, c->vcpu);
    long rc;

    if (!v || d == current_vcpu()->domain || __atomic_load_n(&d->is_dying, __ATOMIC_ACQUIRE))
        return -EINVAL;
    domain_pause(d);
    if (!c->ctxt.p) {
        vcpu_set_up(v, false);
        pv_vcpu_release(v);
        v->is_initialised = false;
        rc = 0;
    } else {
        rc = arch_vcpu_initialise(v, (unsigned long)c->ctxt.p);
        if (!rc && v->vcpu_id == 0)
            vcpu_set_up(v, true);
    }
    domain_unpause(d);
    return rc;
}

static void fill_context(const struct vcpu *v, struct vcpu_guest_context *c)
{
    const struct arch_vcpu *a = v->arch;
    const struct cpu_regs *r = &a->saved_regs;
    struct cpu_user_regs *u = &c->user_regs;

    memset(c, 0, sizeof(*c));
    c->flags = VGCF_online | (a->in_kernel ? VGCF_in_kernel : 0) |
               (a->fpu_initialised ? VGCF_I387_VALID : 0) |
               (a->failsafe_callback.mask_events ? VGCF_failsafe_disables_events : 0) |
               (a->syscall_callback.mask_events ? VGCF_syscall_disables_events : 0);
    if (a->fpu_initialised)
        memcpy(c->fpu_ctxt.x, a->fpu_state, sizeof(c->fpu_ctxt.x));
    u->r15 = r->r15, u->r14 = r->r14, u->r13 = r->r13, u->r12 = r->r12;
    u->rbp = r->rbp, u->rbx = r->rbx, u->r11 = r->r11, u->r10 = r->r10;
    u->r9 = r->r9, u->r8 = r->r8, u->rax = r->rax, u->rcx = r->rcx;
    u->rdx = r->rdx, u->rsi = r->rsi, u->rdi = r->rdi;
    u->rip = r->rip, u->cs = (uint16_t)r->cs, u->rflags = r->rflags;
    u->rsp = r->rsp, u->ss = (uint16_t)r->ss;
    u->rflags |= (uint64_t)a->iopl << 12;
    for (unsigned int i = 0; i < 256; i++) {
        c->trap_ctxt[i].vector = (uint8_t)i;
        c->trap_ctxt[i].flags = a->traps[i].flags;
        c->trap_ctxt[i].cs = a->traps[i].cs;
        c->trap_ctxt[i].address = a->traps[i].address;
    }
    for (unsigned int i = 0; i < a->gdt_nr_frames; i++)
        c->gdt_frames[i] = a->gdt_frames[i];
    c->gdt_ents = a->gdt_entries;
    c->kernel_ss = a->kernel_ss;
    c->kernel_sp = a->kernel_sp;
    c->ctrlreg[0] = X86_CR0_PE | X86_CR0_PG | (a->fpu_ts ? X86_CR0_TS : 0);
    c->ctrlreg[1] = (uint64_t)a->guest_table_user << PAGE_SHIFT;
    c->ctrlreg[3] = (uint64_t)a->guest_table << PAGE_SHIFT;
    for (unsigned int i = 0; i < 8; i++)
        c->debugreg[i] = a->debugreg[i];
    c->event_callback_eip = a->event_callback.address;
    c->failsafe_callback_eip = a->failsafe_callback.address;
    c->syscall_callback_eip = a->syscall_callback.address;
    c->vm_assist = v->domain->vm_assist;
    c->fs_base = a->fs_base;
    c->gs_base_kernel = a->gs_base_kernel;
    c->gs_base_user = a->gs_base_user;
}

static long get_vcpu_context(struct domain *d, const struct xen_domctl_vcpucontext *c)
{
    unsigned int order = order_for_bytes(sizeof(struct vcpu_guest_context));
    struct vcpu *v = domctl_vcpu(d, c->vcpu);
    struct vcpu_guest_context *ctx;
    long rc;

    if (!v || d == current_vcpu()->domain)
        return -EINVAL;
    if (!v->is_initialised)
        return -ENODATA;
    ctx = alloc_xenheap_pages(order);
    if (!ctx)
        return -ENOMEM;
    /* Off its CPU, so the saved registers are the current ones. */
    domain_pause(d);
    fill_context(v, ctx);
    domain_unpause(d);
    rc = copy_to_guest((unsigned long)c->ctxt.p, ctx, sizeof(*ctx)) ? -EFAULT : 0;
    free_xenheap_pages(ctx, order);
    return rc;
}

static long hypercall_init(struct domain *d, uint64_t gmfn)
{
    struct page_info *pg;

    if (!mfn_valid(_mfn(gmfn)))
        return -EINVAL;
    pg = mfn_to_page(_mfn(gmfn));
    if (get_page(pg, d))
        return -EINVAL;
    if (get_page_type(pg, PGT_WRITABLE)) {
        put_page(pg);
        return -EPERM;
    }
    pv_fill_hypercall_page(__va(gmfn << PAGE_SHIFT));
    put_page_and_type(pg);
    return 0;
}

/* The PFINFO word of frame gfn (an MFN) of d. */
static uint64_t pfinfo_of(struct domain *d, uint64_t gfn)
{
    struct page_info *pg;
    unsigned long type_info, type;
    uint64_t info = XEN_DOMCTL_PFINFO_NOTAB;

    if (!mfn_valid(_mfn(gfn)))
        return XEN_DOMCTL_PFINFO_XTAB;
    pg = mfn_to_page(_mfn(gfn));
    if (get_page(pg, d))
        return XEN_DOMCTL_PFINFO_XTAB;
    type_info = __atomic_load_n(&pg->u.type_info, __ATOMIC_ACQUIRE);
    type = page_type(type_info);
    if (type >= PGT_L1 && type <= PGT_L4 && (type_info & PGT_VALIDATED) &&
        (type_info & PGT_COUNT_MASK)) {
        info = (uint64_t)(type >> PGT_TYPE_SHIFT) << XEN_DOMCTL_PFINFO_LTAB_SHIFT;
        if (type_info & PGT_PINNED)
            info |= XEN_DOMCTL_PFINFO_LPINTAB;
    }
    put_page(pg);
    return info;
}

static long getpageframeinfo3(struct domain *d, const struct xen_domctl_getpageframeinfo3 *p)
{
    unsigned long array = (unsigned long)p->array.p;

    if (p->num > PFINFO_MAX)
        return -E2BIG;
    if (!guest_range_ok(array, p->num * sizeof(uint64_t)))
        return -EFAULT;
    for (uint64_t i = 0; i < p->num; i++) {
        uint64_t gfn;

        if (copy_from_guest(&gfn, array + i * sizeof(gfn), sizeof(gfn)))
            return -EFAULT;
        gfn = pfinfo_of(d, gfn);
        if (copy_to_guest(array + i * sizeof(gfn), &gfn, sizeof(gfn)))
            return -EFAULT;
    }
    return 0;
}

long arch_do_domctl(struct xen_domctl *op, struct domain *d, bool *copyback)
{
    switch (op->cmd) {
    case XEN_DOMCTL_setvcpucontext:
        return set_vcpu_context(d, &op->u.vcpucontext);
    case XEN_DOMCTL_getvcpucontext:
        return get_vcpu_context(d, &op->u.vcpucontext);
    case XEN_DOMCTL_hypercall_init:
        return hypercall_init(d, op->u.hypercall_init.gmfn);
    case XEN_DOMCTL_getpageframeinfo3:
        return getpageframeinfo3(d, &op->u.getpageframeinfo3);
    case XEN_DOMCTL_ioport_permission:
        /* Ports are 16-bit: a range passing 0xffff is -EINVAL, as in Xen. */
        if (op->u.ioport_permission.first_port + (uint64_t)op->u.ioport_permission.nr_ports >
            0x10000)
            return -EINVAL;
        return domctl_io_permission(d, &d->ioport_caps, &current_vcpu()->domain->ioport_caps,
                                    op->u.ioport_permission.first_port,
                                    op->u.ioport_permission.nr_ports,
                                    op->u.ioport_permission.allow_access);
    case XEN_DOMCTL_set_address_size:
        /* 64-bit PV only: 32 would make a compat guest, which Keel does not run. */
        return op->u.address_size.size == 64 ? 0 : -EINVAL;
    case XEN_DOMCTL_get_address_size:
        op->u.address_size.size = 64;
        *copyback = true;
        return 0;
    default:
        return -ENOSYS;
    }
}

unsigned long arch_shared_info_frame(struct domain *d)
{
    return pv_domain(d)->shared_info_mfn;
}

unsigned int arch_paddr_bits(void)
{
    uint32_t a, b, c, dx;

    cpuid(0x80000008, &a, &b, &c, &dx);
    return a & 0xff;
}

void arch_domain_set_time_offset(struct domain *d)
{
    if (pv_domain(d)->shared_info)
        pv_update_wallclock(d);
}
