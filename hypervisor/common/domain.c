/* SPDX-License-Identifier: MIT */
/*
 * Domain and vCPU lifecycle: creation, shutdown and crash.
 *
 * There is one domain so far, dom0, and the machine's life is its life:
 * when dom0 shuts down the machine powers off (or reboots), and when it
 * crashes Keel reports it and powers off with a distinct status. Keel
 * itself keeps running correctly throughout; nothing a guest does is a
 * hypervisor failure.
 */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <public/sched.h>
#include <public/xen.h>

struct domain *dom0;

struct domain *domain_by_id(domid_t id)
{
    /* One domain so far. */
    return dom0 && dom0->domain_id == id ? dom0 : NULL;
}

struct domain *domain_create(domid_t id, bool privileged, unsigned int max_vcpus)
{
    struct domain *d = alloc_xenheap_pages(order_for_bytes(sizeof(*d)));

    if (!d)
        return NULL;
    d->vcpus = alloc_xenheap_pages(order_for_bytes(max_vcpus * sizeof(*d->vcpus)));
    if (!d->vcpus) {
        free_xenheap_pages(d, order_for_bytes(sizeof(*d)));
        return NULL;
    }
    d->domain_id = id;
    d->is_privileged = privileged;
    d->has_io_caps = privileged;
    d->max_vcpus = max_vcpus;
    d->page_lock = (spinlock_t)SPINLOCK_INIT;
    if (evtchn_domain_init(d)) {
        free_xenheap_pages(d->vcpus, order_for_bytes(max_vcpus * sizeof(*d->vcpus)));
        free_xenheap_pages(d, order_for_bytes(sizeof(*d)));
        return NULL;
    }
    return d;
}

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v;

    BUG_ON(id >= d->max_vcpus || d->vcpus[id]);
    v = alloc_xenheap_pages(order_for_bytes(sizeof(*v)));
    if (!v)
        return NULL;
    v->vcpu_id = id;
    v->domain = d;
    if (arch_vcpu_create(v)) {
        free_xenheap_pages(v, order_for_bytes(sizeof(*v)));
        return NULL;
    }
    /* Spread vCPUs over the CPUs; the scheduler balances from there. */
    if (sched_init_vcpu(v, id % arch_nr_cpus())) {
        arch_vcpu_destroy(v);
        free_xenheap_pages(v, order_for_bytes(sizeof(*v)));
        return NULL;
    }
    d->vcpus[id] = v;
    return v;
}

static const char *shutdown_reason_name(unsigned int reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff: return "power-off";
    case SHUTDOWN_reboot: return "reboot";
    case SHUTDOWN_suspend: return "suspend";
    case SHUTDOWN_crash: return "crash";
    case SHUTDOWN_watchdog: return "watchdog";
    case SHUTDOWN_soft_reset: return "soft reset";
    default: return "unknown";
    }
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    if (__atomic_exchange_n(&d->is_shut_down, true, __ATOMIC_ACQ_REL))
        return;
    d->shutdown_reason = reason;
    printk("Domain %u shut down: %s\n", d->domain_id, shutdown_reason_name(reason));
    if (d != dom0)
        return;
    switch (reason) {
    case SHUTDOWN_reboot:
        arch_reboot();
    case SHUTDOWN_crash:
    case SHUTDOWN_watchdog:
        arch_power_off(POWER_OFF_DOM0_CRASHED);
    default:
        arch_power_off(POWER_OFF_CLEAN);
    }
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    va_list ap;

    printk(LOG_ERR "Domain %u crashed: ", d->domain_id);
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    domain_shutdown(d, SHUTDOWN_crash);
}

/* VMASST_TYPE_* a 64-bit PV guest may enable. */
#define VMASST_VALID ((1ul << VMASST_TYPE_4gb_segments) | \
                      (1ul << VMASST_TYPE_4gb_segments_notify) | \
                      (1ul << VMASST_TYPE_writable_pagetables) | \
                      (1ul << VMASST_TYPE_pae_extended_cr3) | \
                      (1ul << VMASST_TYPE_architectural_iopl) | \
                      (1ul << VMASST_TYPE_runstate_update_flag) | \
                      (1ul << VMASST_TYPE_m2p_strict))

/* vm_assist(cmd, type) */
long do_vm_assist(unsigned long cmd, unsigned long type, unsigned long unused3,
                  unsigned long unused4, unsigned long unused5)
{
    struct domain *d = current_vcpu()->domain;

    (void)unused3, (void)unused4, (void)unused5;
    if (type >= 64 || !(VMASST_VALID & (1ul << type)))
        return -EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        __atomic_or_fetch(&d->vm_assist, 1ul << type, __ATOMIC_RELAXED);
        return 0;
    case VMASST_CMD_disable:
        __atomic_and_fetch(&d->vm_assist, ~(1ul << type), __ATOMIC_RELAXED);
        return 0;
    default:
        return -ENOSYS;
    }
}
