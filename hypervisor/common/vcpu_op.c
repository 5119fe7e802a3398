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
 * Everything else is -ENOSYS: the timer ops (another subsystem), SMP
 * bring-up (initialise, up, down), send_nmi, get_physid, the time area.
 *
 * Runstate: with one vCPU per physical CPU and no scheduler, a vCPU that
 * is up has been running since system time 0 and has never been anything
 * else; one that is down is offline. The area gets Xen's raw record (time
 * spent in earlier states, here none); get_runstate_info adds the time in
 * the current state, as Xen's vcpu_runstate_get() does.
 *
 * The registered areas are fields of struct vcpu; areas_lock serialises
 * registrations against each other and against vcpu_runstate_publish().
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/nospec.h>
#include <keel/spinlock.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <keel/vcpu_op.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/xen.h>

#define VCPU_INFO_SIZE sizeof(struct vcpu_info)
#define VCPU_PAGE_SIZE 4096u

/* Xen's record for the area: earlier states only (none yet). */
static void runstate_raw(const struct vcpu *v, struct vcpu_runstate_info *r)
{
    memset(r, 0, sizeof(*r));
    r->state = v->is_up ? RUNSTATE_running : RUNSTATE_offline;
    r->state_entry_time = 0;
}

/* vcpu_runstate_get(): the record plus the time in the current state. */
static void runstate_now(const struct vcpu *v, struct vcpu_runstate_info *r)
{
    runstate_raw(v, r);
    r->time[r->state] += now() - r->state_entry_time;
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
    runstate_raw(v, &r);
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
    if (v == current_vcpu())
        runstate_raw(v, &r);
    else
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

    if (v != current_vcpu())
        return -ENOSYS;
    v->is_up = false;
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i] && d->vcpus[i]->is_up)
            return 0;
    printk("Domain %u took its last vCPU down\n", d->domain_id);
    domain_shutdown(d, SHUTDOWN_poweroff);
    return 0;
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
    default:
        return -ENOSYS;
    }
}
