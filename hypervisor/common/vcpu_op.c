/* SPDX-License-Identifier: MIT */
/*
 * The vcpu_op hypercall: per-vCPU operations a guest applies to its own
 * vCPUs (Xen's common/domain.c: do_vcpu_op / common_vcpu_op, 4.17).
 *
 *  - VCPUOP_is_up: 1 or 0. Linux asks for every possible CPU id (8192 of
 *    them) at boot, so this is a bounds check and a load.
 *  - VCPUOP_register_vcpu_info: move the vCPU's vcpu_info out of
 *    shared_info into a guest frame (the arch hook does the move). Once
 *    per vCPU; on oneself or on a vCPU that is down.
 *  - VCPUOP_register_runstate_memory_area: remember a guest VA where the
 *    vCPU's runstate is kept, and write it now. As in Xen, only the VA's
 *    range is checked; an unmapped area is accepted and the writes to it
 *    are lost.
 *  - VCPUOP_get_runstate_info: the runstate, copied out.
 *  - VCPUOP_initialise / up / down: SMP bring-up (the context is checked
 *    by arch_vcpu_initialise()); the last vCPU going down shuts the domain
 *    down.
 *  - The timer ops (set/stop singleshot and periodic): vcpu_timer.c.
 * Everything else is -ENOSYS: send_nmi, get_physid, the time area.
 *
 * Runstate: the scheduler keeps each vCPU's time in every state
 * (vcpu_runstate_times()); the area and get_runstate_info get that record.
 *
 * The registered areas are fields of struct vcpu; areas_lock serialises
 * registrations against each other and against vcpu_runstate_publish().
 */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/nospec.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <keel/vcpu_op.h>
#include <keel/vcpu_timer.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/xen.h>

#define VCPU_INFO_SIZE sizeof(struct vcpu_info)
#define VCPU_PAGE_SIZE 4096u

/* Xen's record for the area: earlier states only (none yet). */
/*
 * The scheduler's runstate record: times[] already include the current
 * state up to now, so state_entry_time is now (Xen's reader adds
 * now - state_entry_time to times[state], which is then ~0).
 */
static void runstate_now(const struct vcpu *v, struct vcpu_runstate_info *r)
{
    s_time_t entry;
    int state;

    memset(r, 0, sizeof(*r));
    vcpu_runstate_times(v, r->time, &state, &entry);
    r->state = state;
    r->state_entry_time = now();
}

static spinlock_t areas_lock = SPINLOCK_INIT;

void vcpu_runstate_publish(struct vcpu *v)
{
    struct vcpu_runstate_info r;
    unsigned long va;

    spin_lock(&areas_lock);
    va = v->runstate_registered ? v->runstate_va : 0;
    spin_unlock(&areas_lock);
    if (!va)
        return;
    runstate_now(v, &r);
    (void)copy_to_guest(va, &r, sizeof(r));
}

static long register_vcpu_info(struct vcpu *v, unsigned long arg)
{
    struct vcpu_register_vcpu_info info;
    long rc;

    if (copy_from_guest(&info, arg, sizeof(info)))
        return -EFAULT;
    /*
     * Xen 4.17's checks and errors. rsvd is not checked: Linux leaves it
     * uninitialised (xen_vcpu_setup() fills only mfn and offset).
     */
    if (info.offset > VCPU_PAGE_SIZE - VCPU_INFO_SIZE || (info.offset & 7))
        return -ENXIO;

    spin_lock(&areas_lock);
    if (v->vcpu_info_registered)
        rc = -EINVAL;
    else if (v != current_vcpu() && v->is_up)
        /* Only on oneself or on a vCPU that is down. */
        rc = -EINVAL;
    else
        rc = arch_vcpu_map_info(v, info.mfn, info.offset);
    if (!rc) {
        v->vcpu_info_registered = true;
        v->vcpu_info_mfn = info.mfn;
    }
    spin_unlock(&areas_lock);
    return rc;
}

static long register_runstate_area(struct vcpu *v, unsigned long arg)
{
    struct vcpu_register_runstate_memory_area area;
    struct vcpu_runstate_info r;

    if (copy_from_guest(&area, arg, sizeof(area)))
        return -EFAULT;
    if (!guest_range_ok(area.addr.p, sizeof(r)))
        return -EFAULT;
    spin_lock(&areas_lock);
    v->runstate_registered = true;
    v->runstate_va = area.addr.p;
    spin_unlock(&areas_lock);
    /* Written now, on whichever vCPU asked; a fault is the guest's loss. */
    runstate_now(v, &r);
    (void)copy_to_guest(area.addr.p, &r, sizeof(r));
    return 0;
}

/* vcpu_op(cmd, vcpuid, arg): Xen takes cmd as int and vcpuid as unsigned int. */
/*
 * VCPUOP_down. Only the caller's own vCPU can be stopped so far (there is
 * no scheduler to park another). A domain whose last vCPU goes down can
 * never run again: it is shut down, which for dom0 powers the machine off
 * (Linux's halt path ends this way).
 */
static long vcpu_down(struct vcpu *v)
{
    struct domain *d = v->domain;

    vcpu_set_up(v, false);
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i] && __atomic_load_n(&d->vcpus[i]->is_up, __ATOMIC_ACQUIRE))
            return 0;
    printk("Domain %u took its last vCPU down\n", d->domain_id);
    domain_shutdown(d, SHUTDOWN_poweroff);
    return 0;
}

/* VCPUOP_up: an initialised vCPU starts running. */
static long vcpu_up(struct vcpu *v)
{
    if (!v->is_initialised)
        return -EINVAL;
    vcpu_set_up(v, true);
    return 0;
}

/* VCPUOP_initialise: once, on a vCPU that has no context yet. */
static long vcpu_initialise(struct vcpu *v, unsigned long arg)
{
    if (v->is_initialised)
        return -EEXIST;
    return arch_vcpu_initialise(v, arg);
}

long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, unsigned long arg,
                unsigned long unused4, unsigned long unused5)
{
    struct domain *d = current_vcpu()->domain;
    unsigned int id = (unsigned int)vcpuid;
    struct vcpu_runstate_info r;
    struct vcpu *v;

    (void)unused4, (void)unused5;
    if (id >= d->max_vcpus)
        return -ENOENT;
    v = d->vcpus[array_index_nospec(id, d->max_vcpus)];
    if (!v)
        return -ENOENT;

    switch ((int)cmd) {
    case VCPUOP_is_up:
        return v->is_up;
    case VCPUOP_get_runstate_info:
        runstate_now(v, &r);
        return copy_to_guest(arg, &r, sizeof(r));
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, arg);
    case VCPUOP_register_runstate_memory_area:
        return register_runstate_area(v, arg);
    case VCPUOP_down:
        return vcpu_down(v);
    case VCPUOP_up:
        return vcpu_up(v);
    case VCPUOP_initialise:
        return vcpu_initialise(v, arg);
    case VCPUOP_set_periodic_timer:
    case VCPUOP_stop_periodic_timer:
    case VCPUOP_set_singleshot_timer:
    case VCPUOP_stop_singleshot_timer:
        return vcpu_timer_op((int)cmd, v, arg);
    default:
        return -ENOSYS;
    }
}
