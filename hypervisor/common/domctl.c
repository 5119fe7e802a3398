/* SPDX-License-Identifier: MIT */
/*
 * The domctl hypercall: the control domain's interface for building and
 * managing domains (Xen 4.17's common/domctl.c is the behavioural
 * reference, errno for errno). The hypercall table lets only the control
 * domain in; everything here may assume a privileged caller but still
 * validates every field, since a buggy toolstack must not hurt Keel.
 *
 * Architecture-specific ops (vCPU contexts, hypercall pages, page-frame
 * info, address size, I/O permissions) are arch_do_domctl()'s.
 *
 * Serialisation: one domctl at a time (domctl_lock), as in Xen; a caller
 * that finds it taken retries through a continuation rather than spin
 * with interrupts off. destroydomain continues itself while
 * domain_kill() has work left.
 */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/domctl.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/nospec.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <public/domctl.h>
#include <public/vcpu.h>
#include <public/xen.h>

static spinlock_t domctl_lock = SPINLOCK_INIT;

/* Next id createdomain tries when the caller lets Keel choose. */
static domid_t domid_rover;

/* Most vCPUs a domain may have: each needs a vcpu_info slot in shared_info. */
#define DOMCTL_MAX_VCPUS XEN_LEGACY_MAX_VCPUS

/* createdomain flags Keel accepts for a PV domain (the rest need HVM or hardware it lacks). */
#define CDF_SUPPORTED (XEN_DOMCTL_CDF_oos_off | XEN_DOMCTL_CDF_xs_domain)

static int allocate_domid(domid_t wanted, domid_t *id)
{
    if (wanted > 0 && wanted < DOMID_FIRST_RESERVED) {
        if (!domain_id_free(wanted))
            return -EEXIST;
        *id = wanted;
        return 0;
    }
    for (unsigned int n = 0; n + 1 < DOMID_FIRST_RESERVED; n++) {
        domid_rover = domid_rover + 1u >= DOMID_FIRST_RESERVED ? 1 : domid_rover + 1;
        if (domain_id_free(domid_rover)) {
            *id = domid_rover;
            return 0;
        }
    }
    return -ENOMEM;
}

static int domctl_createdomain(struct xen_domctl *op)
{
    const struct xen_domctl_createdomain *c = &op->u.createdomain;
    struct domain *d;
    domid_t id;
    int rc;

    if (c->flags & ~CDF_SUPPORTED)
        return -EINVAL;     /* HVM, HAP, IOMMU, nested virt, vPMU: not on Keel */
    if (c->max_vcpus < 1 || c->max_vcpus > DOMCTL_MAX_VCPUS || c->iommu_opts ||
        c->vmtrace_size || c->cpupool_id ||
        XEN_DOMCTL_GRANT_version(c->grant_opts) != 1 ||
        (c->grant_opts & ~XEN_DOMCTL_GRANT_version_mask))
        return -EINVAL;
    if (c->arch.emulation_flags & ~XEN_X86_EMU_PIT)
        return -EINVAL;     /* as Xen: a PV domain may ask for the PIT only */
    rc = allocate_domid(op->domain, &id);
    if (rc)
        return rc;
    d = domain_create(id, false, c->max_vcpus, true);
    if (!d)
        return -ENOMEM;
    memcpy(d->handle, c->handle, sizeof(d->handle));
    for (unsigned int i = 0; i < c->max_vcpus; i++) {
        if (!vcpu_create(d, i)) {
            /* Nothing ran or was mapped: the teardown is short and cannot stall. */
            while (domain_kill(d) == -ERESTART)
                ;
            return -ENOMEM;
        }
    }
    printk("Domain %u created (%u vCPU%s)\n", id, c->max_vcpus, c->max_vcpus == 1 ? "" : "s");
    op->domain = id;
    return 0;
}

static unsigned int domain_flags(struct domain *d, uint64_t *cpu_time, unsigned int *online)
{
    unsigned int flags = 0, blocked = 0, running = 0, present = 0;

    *cpu_time = 0;
    *online = 0;
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        uint64_t times[4];
        s_time_t entry;
        int state;

        if (!v)
            continue;
        present++;
        vcpu_runstate_times(v, times, &state, &entry);
        *cpu_time += times[RUNSTATE_running];
        if (__atomic_load_n(&v->is_up, __ATOMIC_RELAXED))
            ++*online;
        if (state == RUNSTATE_running)
            running++;
        else if (state == RUNSTATE_blocked || state == RUNSTATE_offline)
            blocked++;
    }
    /* As Xen: "dying" once teardown is done, the domain kept only by its memory's users. */
    if (__atomic_load_n(&d->state, __ATOMIC_ACQUIRE) == DOMAIN_DEAD)
        flags |= XEN_DOMINF_dying;
    if (__atomic_load_n(&d->is_shut_down, __ATOMIC_ACQUIRE))
        flags |= XEN_DOMINF_shutdown |
                 (d->shutdown_reason & XEN_DOMINF_shutdownmask) << XEN_DOMINF_shutdownshift;
    if (__atomic_load_n(&d->controller_paused, __ATOMIC_RELAXED))
        flags |= XEN_DOMINF_paused;
    if (present && blocked == present)
        flags |= XEN_DOMINF_blocked;
    if (running)
        flags |= XEN_DOMINF_running;
    return flags;
}

void domctl_fill_domaininfo(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    unsigned int online;

    memset(info, 0, sizeof(*info));
    info->domain = d->domain_id;
    info->flags = domain_flags(d, &info->cpu_time, &online);
    info->nr_online_vcpus = online;
    info->max_vcpu_id = d->max_vcpus - 1;
    info->tot_pages = __atomic_load_n(&d->tot_pages, __ATOMIC_RELAXED);
    info->max_pages = __atomic_load_n(&d->max_pages, __ATOMIC_RELAXED);
    info->shared_info_frame = arch_shared_info_frame(d);
    memcpy(info->handle, d->handle, sizeof(info->handle));
    info->gpaddr_bits = arch_paddr_bits();
}

static int domctl_getdomaininfo(struct xen_domctl *op)
{
    struct domain *d;

    d = get_domain_from_id(op->domain);
    if (!d)
        return op->domain >= DOMID_FIRST_RESERVED ? -EINVAL : -ESRCH;
    domctl_fill_domaininfo(d, &op->u.getdomaininfo);
    op->domain = d->domain_id;
    put_domain(d);
    return 0;
}

static int domctl_max_mem(struct domain *d, const struct xen_domctl_max_mem *m)
{
    uint64_t pages = m->max_memkb >> 2;     /* 4 KiB pages */

    /* As Xen: may go below tot_pages (the guest then cannot grow); clamped to 32 bits of pages. */
    spin_lock(&d->page_lock);
    d->max_pages = pages > UINT32_MAX ? UINT32_MAX : (unsigned long)pages;
    spin_unlock(&d->page_lock);
    return 0;
}

static struct vcpu *domctl_vcpu(struct domain *d, uint32_t id)
{
    if (id >= d->max_vcpus)
        return NULL;
    return d->vcpus[array_index_nospec(id, d->max_vcpus)];
}

static int domctl_getvcpuinfo(struct domain *d, struct xen_domctl_getvcpuinfo *info)
{
    struct vcpu *v;
    uint64_t times[4];
    s_time_t entry;
    int state;

    if (info->vcpu >= d->max_vcpus)
        return -EINVAL;
    v = domctl_vcpu(d, info->vcpu);
    if (!v)
        return -ESRCH;
    vcpu_runstate_times(v, times, &state, &entry);
    info->online = __atomic_load_n(&v->is_up, __ATOMIC_RELAXED);
    info->blocked = state == RUNSTATE_blocked;
    info->running = state == RUNSTATE_running;
    info->cpu_time = times[RUNSTATE_running];
    info->cpu = __atomic_load_n(&v->processor, __ATOMIC_RELAXED);
    return 0;
}

static int domctl_scheduler_op(struct domain *d, struct xen_domctl_scheduler_op *s)
{
    unsigned int weight, cap;

    if (s->sched_id != XEN_SCHEDULER_CREDIT)
        return -EINVAL;
    switch (s->cmd) {
    case XEN_DOMCTL_SCHEDOP_putinfo:
        sched_get_domain_params(d, &weight, &cap);
        /* As Xen's credit scheduler: weight 0 keeps the current one. */
        if (s->u.credit.weight)
            weight = s->u.credit.weight;
        return sched_set_domain_params(d, weight, s->u.credit.cap);
    case XEN_DOMCTL_SCHEDOP_getinfo:
        sched_get_domain_params(d, &weight, &cap);
        s->u.credit.weight = (uint16_t)weight;
        s->u.credit.cap = (uint16_t)cap;
        return 0;
    default:
        return -EINVAL;     /* per-vCPU parameters are not the credit scheduler's */
    }
}

/*
 * Give d a range of rs (the caller's own set is mine) or take it away: the
 * caller must hold the whole range itself. Xen's errors: a wrapping or
 * empty range -EINVAL, a range the caller lacks -EPERM, no room -ENOMEM.
 */
long domctl_io_permission(struct domain *d, struct rangeset *rs, const struct rangeset *mine,
                          unsigned long first, unsigned long nr, bool allow)
{
    unsigned long last = first + nr - 1;
    int rc;

    if (nr == 0 || last < first)
        return -EINVAL;
    if (!rangeset_contains(mine, first, last))
        return -EPERM;
    rc = allow ? rangeset_add(rs, first, last) : rangeset_remove(rs, first, last);
    domain_io_caps_changed(d);
    return rc == -ENOSPC ? -ENOMEM : rc;
}

/* Ops that act on an existing domain d (held with a reference). */
static long domctl_on_domain(struct xen_domctl *op, struct domain *d, bool *copyback)
{
    struct domain *cur = current_vcpu()->domain;

    switch (op->cmd) {
    case XEN_DOMCTL_destroydomain:
        if (d == cur)
            return -EINVAL;
        return domain_kill(d);
    case XEN_DOMCTL_pausedomain:
        return d == cur ? -EINVAL : domain_pause_by_controller(d);
    case XEN_DOMCTL_unpausedomain:
        return domain_unpause_by_controller(d);
    case XEN_DOMCTL_max_mem:
        return domctl_max_mem(d, &op->u.max_mem);
    case XEN_DOMCTL_max_vcpus:
        /* Since Xen 4.13 the vCPUs come with createdomain; this only confirms the count. */
        return op->u.max_vcpus.max == d->max_vcpus ? 0 : -EINVAL;
    case XEN_DOMCTL_getvcpuinfo:
        *copyback = true;
        return domctl_getvcpuinfo(d, &op->u.getvcpuinfo);
    case XEN_DOMCTL_scheduler_op:
        *copyback = op->u.scheduler_op.cmd == XEN_DOMCTL_SCHEDOP_getinfo;
        return domctl_scheduler_op(d, &op->u.scheduler_op);
    case XEN_DOMCTL_setdomainhandle:
        memcpy(d->handle, op->u.setdomainhandle.handle, sizeof(d->handle));
        return 0;
    case XEN_DOMCTL_settimeoffset:
        d->time_offset_seconds = op->u.settimeoffset.time_offset_seconds;
        arch_domain_set_time_offset(d);
        return 0;
    case XEN_DOMCTL_iomem_permission:
        return domctl_io_permission(d, &d->iomem_caps, &cur->iomem_caps,
                                    op->u.iomem_permission.first_mfn,
                                    op->u.iomem_permission.nr_mfns,
                                    op->u.iomem_permission.allow_access);
    case XEN_DOMCTL_shadow_op:
        /* A PV domain on Keel has no shadow paging and no log-dirty mode. */
        return -EOPNOTSUPP;
    default:
        return arch_do_domctl(op, d, copyback);
    }
}

/* domctl(op) */
long do_domctl(unsigned long arg, unsigned long unused2, unsigned long unused3,
               unsigned long unused4, unsigned long unused5)
{
    struct xen_domctl op;
    struct domain *d = NULL;
    bool copyback = false;
    long rc;

    (void)unused2, (void)unused3, (void)unused4, (void)unused5;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    if (!spin_trylock(&domctl_lock))
        return hypercall_continue(__HYPERVISOR_domctl, arg, 0, 0, 0, 0);

    switch (op.cmd) {
    case XEN_DOMCTL_createdomain:
        rc = domctl_createdomain(&op);
        copyback = rc == 0;
        break;
    case XEN_DOMCTL_getdomaininfo:
        rc = domctl_getdomaininfo(&op);
        copyback = rc == 0;
        break;
    default:
        d = get_domain_by_id(op.domain);
        if (!d) {
            rc = -ESRCH;
            break;
        }
        rc = domctl_on_domain(&op, d, &copyback);
        put_domain(d);
        break;
    }
    spin_unlock(&domctl_lock);

    if (rc == -ERESTART)
        return hypercall_continue(__HYPERVISOR_domctl, arg, 0, 0, 0, 0);
    if (copyback && rc == 0 && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}
