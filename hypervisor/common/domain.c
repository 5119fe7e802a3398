/* SPDX-License-Identifier: MIT */
/*
 * Domain and vCPU lifecycle: the domain list and references, creation,
 * frame accounting, pausing, shutdown, crash and teardown (the model is in
 * keel/domain.h).
 *
 * Dom0's life is the machine's: when dom0 shuts down the machine powers
 * off (or reboots), and when it crashes Keel reports it and powers off
 * with a distinct status. Any other domain that shuts down or crashes
 * stops where it is and waits for the toolstack to destroy it. Nothing a
 * guest does is a hypervisor failure.
 *
 * Locks, in order: domlist_lock (the list); a domain's domain_lock (pause
 * state, may_run); page_lock. None is held across a scheduler call that
 * waits (domain_pause() waits after dropping them).
 */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/grant_table.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/page_info.h>
#include <keel/sched.h>
#include <keel/softirq.h>
#include <keel/vcpu.h>
#include <public/sched.h>
#include <public/xen.h>

struct domain *dom0;

/* Every domain not yet freed, sorted by id. */
static struct domain *domain_list;
static spinlock_t domlist_lock = SPINLOCK_INIT;

/* ---- The list and references ---------------------------------------------- */

/* A reference unless the count already reached 0 (d is being freed). */
static bool get_domain_unless_zero(struct domain *d)
{
    unsigned long x = __atomic_load_n(&d->refcnt, __ATOMIC_RELAXED);

    do {
        if (x == 0)
            return false;
    } while (!__atomic_compare_exchange_n(&d->refcnt, &x, x + 1, false, __ATOMIC_ACQUIRE,
                                          __ATOMIC_RELAXED));
    return true;
}

struct domain *get_domain_from_id(domid_t id)
{
    struct domain *d;
    unsigned long flags = spin_lock_irqsave(&domlist_lock);

    for (d = domain_list; d; d = d->next_in_list)
        if (d->domain_id >= id && get_domain_unless_zero(d))
            break;
    spin_unlock_irqrestore(&domlist_lock, flags);
    return d;
}

struct domain *get_domain_by_id(domid_t id)
{
    struct domain *d = get_domain_from_id(id);

    if (d && d->domain_id != id) {
        put_domain(d);
        return NULL;
    }
    return d;
}

bool domain_id_free(domid_t id)
{
    bool free = true;
    unsigned long flags = spin_lock_irqsave(&domlist_lock);

    for (struct domain *d = domain_list; d; d = d->next_in_list)
        if (d->domain_id == id)
            free = false;
    spin_unlock_irqrestore(&domlist_lock, flags);
    return free;
}

void get_domain(struct domain *d)
{
    unsigned long old = __atomic_fetch_add(&d->refcnt, 1, __ATOMIC_RELAXED);

    BUG_ON(old == 0);
}

static void domain_link(struct domain *d)
{
    struct domain **pp;
    unsigned long flags = spin_lock_irqsave(&domlist_lock);

    for (pp = &domain_list; *pp && (*pp)->domain_id < d->domain_id; pp = &(*pp)->next_in_list)
        ;
    d->next_in_list = *pp;
    *pp = d;
    spin_unlock_irqrestore(&domlist_lock, flags);
}

static void domain_unlink(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&domlist_lock);

    for (struct domain **pp = &domain_list; *pp; pp = &(*pp)->next_in_list)
        if (*pp == d) {
            *pp = d->next_in_list;
            break;
        }
    spin_unlock_irqrestore(&domlist_lock, flags);
}

static void domain_free_vcpus(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];

        if (!v)
            continue;
        vcpu_timers_destroy(v);
        sched_destroy_vcpu(v);
        arch_vcpu_destroy(v);
        free_xenheap_pages(v, order_for_bytes(sizeof(*v)));
        d->vcpus[i] = NULL;
    }
}

/* Free what domain_create() and vcpu_create() made. Nobody can reach d. */
static void domain_free(struct domain *d)
{
    domain_free_vcpus(d);
    grant_table_destroy(d);
    evtchn_domain_destroy(d);
    arch_domain_destroy(d);
    free_xenheap_pages(d->vcpus, order_for_bytes(d->max_vcpus * sizeof(*d->vcpus)));
    free_xenheap_pages(d, order_for_bytes(sizeof(*d)));
}

/*
 * Domains whose last reference went, freed by DOMAIN_FREE_SOFTIRQ: the
 * last put_domain() can come from deep in an unrelated path (a put_page()
 * under another subsystem's lock), where tearing down vCPUs, timers,
 * scheduler and event state would be a lock-order hazard. free_lock is a
 * leaf lock.
 */
static struct domain *to_free;
static spinlock_t free_lock = SPINLOCK_INIT;

static void free_domains(void)
{
    unsigned long flags = spin_lock_irqsave(&free_lock);
    struct domain *d = to_free;

    to_free = NULL;
    spin_unlock_irqrestore(&free_lock, flags);
    while (d) {
        struct domain *next = d->next_in_list;

        printk(LOG_DEBUG "Domain %u freed\n", d->domain_id);
        domain_free(d);
        d = next;
    }
}

void domain_subsys_init(void)
{
    softirq_register(DOMAIN_FREE_SOFTIRQ, free_domains);
}

void put_domain(struct domain *d)
{
    unsigned long left = __atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_ACQ_REL);
    unsigned long flags;

    BUG_ON(left == ~0UL);
    if (left)
        return;
    /* Lookups that raced in saw a count of 0 and backed off. */
    domain_unlink(d);
    flags = spin_lock_irqsave(&free_lock);
    d->next_in_list = to_free;
    to_free = d;
    spin_unlock_irqrestore(&free_lock, flags);
    raise_softirq(arch_cpu_id(), DOMAIN_FREE_SOFTIRQ);
}

/* ---- Creation ---------------------------------------------------------------- */

struct domain *domain_create(domid_t id, bool privileged, unsigned int max_vcpus,
                             bool controller_paused)
{
    struct domain *d = alloc_xenheap_pages(order_for_bytes(sizeof(*d)));

    if (!d)
        return NULL;
    memset(d, 0, sizeof(*d));
    d->vcpus = alloc_xenheap_pages(order_for_bytes(max_vcpus * sizeof(*d->vcpus)));
    if (!d->vcpus)
        goto free_domain;
    memset(d->vcpus, 0, max_vcpus * sizeof(*d->vcpus));
    d->domain_id = id;
    d->is_privileged = privileged;
    rangeset_init(&d->iomem_caps);
    rangeset_init(&d->ioport_caps);
    if (privileged) {
        /* Everything; what Keel keeps for itself is refused separately (arch). */
        (void)rangeset_add(&d->iomem_caps, 0, ~0UL);
        (void)rangeset_add(&d->ioport_caps, 0, 0xffff);
    }
    domain_io_caps_changed(d);
    d->max_vcpus = max_vcpus;
    d->page_lock = (spinlock_t)SPINLOCK_INIT;
    d->domain_lock = (spinlock_t)SPINLOCK_INIT;
    d->controller_paused = controller_paused;
    d->pause_count = controller_paused;
    d->refcnt = 1;
    if (evtchn_domain_init(d))
        goto free_vcpus;
    if (grant_table_init(d))
        goto free_evtchn;
    if (arch_domain_create(d))
        goto free_grant_table;
    domain_link(d);
    return d;

free_grant_table:
    grant_table_destroy(d);
free_evtchn:
    evtchn_domain_destroy(d);
free_vcpus:
    free_xenheap_pages(d->vcpus, order_for_bytes(max_vcpus * sizeof(*d->vcpus)));
free_domain:
    free_xenheap_pages(d, order_for_bytes(sizeof(*d)));
    return NULL;
}

void domain_io_caps_changed(struct domain *d)
{
    __atomic_store_n(&d->has_io_caps,
                     !rangeset_is_empty(&d->iomem_caps) || !rangeset_is_empty(&d->ioport_caps),
                     __ATOMIC_RELEASE);
}

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v;

    BUG_ON(id >= d->max_vcpus || d->vcpus[id]);
    v = alloc_xenheap_pages(order_for_bytes(sizeof(*v)));
    if (!v)
        return NULL;
    memset(v, 0, sizeof(*v));
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

/* ---- Frame accounting ---------------------------------------------------- */

static unsigned long owned_frames(const struct domain *d)
{
    return d->tot_pages + d->xenheap_pages;
}

/* page_lock held. */
static bool claim_locked(struct domain *d, unsigned long nr)
{
    if (__atomic_load_n(&d->state, __ATOMIC_ACQUIRE) != DOMAIN_ALIVE || nr > d->max_pages ||
        d->tot_pages > d->max_pages - nr)
        return false;
    if (owned_frames(d) == 0 && nr)
        get_domain(d);
    d->tot_pages += nr;
    return true;
}

bool domain_claim_pages(struct domain *d, unsigned long nr)
{
    bool ok;

    spin_lock(&d->page_lock);
    ok = claim_locked(d, nr);
    spin_unlock(&d->page_lock);
    return ok;
}

bool domain_assign_pages(struct domain *d, struct page_info *pg, unsigned long nr)
{
    bool ok;

    spin_lock(&d->page_lock);
    ok = claim_locked(d, nr);
    if (ok)
        for (unsigned long i = 0; i < nr; i++)
            page_assign_owner(pg + i, d);
    spin_unlock(&d->page_lock);
    return ok;
}

void domain_account_xen_page(struct domain *d)
{
    spin_lock(&d->page_lock);
    if (owned_frames(d) == 0)
        get_domain(d);
    d->xenheap_pages++;
    spin_unlock(&d->page_lock);
}

void domain_release_pages(struct domain *d, unsigned long nr, bool xen_heap)
{
    unsigned long *count = xen_heap ? &d->xenheap_pages : &d->tot_pages;
    bool last;

    spin_lock(&d->page_lock);
    BUG_ON(nr > *count);
    *count -= nr;
    last = nr && owned_frames(d) == 0;
    spin_unlock(&d->page_lock);
    if (last)
        put_domain(d);
}

/* ---- Pausing and vCPU state ---------------------------------------------- */

/* Recompute v->may_run from its state and its domain's. domain_lock held. */
static void vcpu_refresh(struct vcpu *v)
{
    struct domain *d = v->domain;
    bool run = v->is_up && !d->pause_count && !d->is_shut_down && d->state == DOMAIN_ALIVE;

    ASSERT(spin_is_locked(&d->domain_lock));
    /* Cleared before the sleep, so a racing wake cannot bring v back (schedule.c). */
    __atomic_store_n(&v->may_run, run, __ATOMIC_RELEASE);
    if (run)
        vcpu_wake(v);
    else
        vcpu_sleep(v);
}

static void domain_refresh_vcpus(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            vcpu_refresh(d->vcpus[i]);
}

void vcpu_set_up(struct vcpu *v, bool up)
{
    struct domain *d = v->domain;
    unsigned long flags = spin_lock_irqsave(&d->domain_lock);

    __atomic_store_n(&v->is_up, up, __ATOMIC_RELEASE);
    vcpu_refresh(v);
    spin_unlock_irqrestore(&d->domain_lock, flags);
}

/* Wait until every vCPU of d is off its CPU with its registers saved. */
static void domain_sync(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            sched_vcpu_sync(d->vcpus[i]);
}

void domain_pause(struct domain *d)
{
    unsigned long flags;

    BUG_ON(current_vcpu() && current_vcpu()->domain == d);
    flags = spin_lock_irqsave(&d->domain_lock);
    if (d->pause_count++ == 0)
        domain_refresh_vcpus(d);
    spin_unlock_irqrestore(&d->domain_lock, flags);
    domain_sync(d);
}

void domain_unpause(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->domain_lock);

    BUG_ON(d->pause_count == 0);
    if (--d->pause_count == 0)
        domain_refresh_vcpus(d);
    spin_unlock_irqrestore(&d->domain_lock, flags);
}

int domain_pause_by_controller(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->domain_lock);
    bool pause = !d->controller_paused && d->state == DOMAIN_ALIVE;
    int rc = d->state == DOMAIN_ALIVE ? 0 : -EINVAL;

    if (pause)
        d->controller_paused = true;
    spin_unlock_irqrestore(&d->domain_lock, flags);
    if (pause)
        domain_pause(d);
    return rc;
}

int domain_unpause_by_controller(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->domain_lock);
    bool unpause = d->controller_paused && d->state == DOMAIN_ALIVE;
    int rc = d->state == DOMAIN_ALIVE ? 0 : -EINVAL;

    if (unpause)
        d->controller_paused = false;
    spin_unlock_irqrestore(&d->domain_lock, flags);
    if (unpause)
        domain_unpause(d);
    return rc;
}

/* ---- Shutdown, crash and teardown ------------------------------------ */

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
    unsigned long flags;

    flags = spin_lock_irqsave(&d->domain_lock);
    if (d->is_shut_down || d->state != DOMAIN_ALIVE) {
        spin_unlock_irqrestore(&d->domain_lock, flags);
        return;
    }
    d->shutdown_reason = reason;
    __atomic_store_n(&d->is_shut_down, true, __ATOMIC_RELEASE);
    if (d != dom0)
        domain_refresh_vcpus(d);
    spin_unlock_irqrestore(&d->domain_lock, flags);
    printk("Domain %u shut down: %s\n", d->domain_id, shutdown_reason_name(reason));
    if (d != dom0) {
        send_guest_global_virq(dom0, VIRQ_DOM_EXC);
        return;
    }
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

int domain_kill(struct domain *d)
{
    struct vcpu *cur = current_vcpu();
    unsigned long flags;
    bool first = false;
    int rc;

    if (d == dom0 || (cur && cur->domain == d))
        return -EINVAL;
    flags = spin_lock_irqsave(&d->domain_lock);
    switch (d->state) {
    case DOMAIN_DEAD:
        spin_unlock_irqrestore(&d->domain_lock, flags);
        return 0;
    case DOMAIN_ALIVE:
        __atomic_store_n(&d->state, DOMAIN_DYING, __ATOMIC_RELEASE);
        __atomic_store_n(&d->is_dying, true, __ATOMIC_RELEASE);
        domain_refresh_vcpus(d);
        first = true;
        break;
    case DOMAIN_DYING:
        break;
    }
    spin_unlock_irqrestore(&d->domain_lock, flags);

    if (first) {
        /* Any assignment under way finishes; none starts (domain_assign_pages()). */
        spin_lock(&d->page_lock);
        spin_unlock(&d->page_lock);
        domain_sync(d);
        for (unsigned int i = 0; i < d->max_vcpus; i++)
            if (d->vcpus[i])
                vcpu_timers_destroy(d->vcpus[i]);
        evtchn_domain_kill(d);
        gnttab_release_mappings(d);
    }
    rc = arch_domain_relinquish(d);
    if (rc)
        return rc;
    flags = spin_lock_irqsave(&d->domain_lock);
    __atomic_store_n(&d->state, DOMAIN_DEAD, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&d->domain_lock, flags);
    printk("Domain %u destroyed\n", d->domain_id);
    send_guest_global_virq(dom0, VIRQ_DOM_EXC);
    put_domain(d);      /* the existence reference */
    return 0;
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
