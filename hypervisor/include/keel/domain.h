/* SPDX-License-Identifier: MIT */
/*
 * Domains: the unit of isolation. Portable part: what common code and the
 * host-tested MMU logic need to know about a domain. Architecture state
 * lives in struct arch_domain / struct arch_vcpu (arch headers).
 *
 * Lifetime. A domain is reference counted (refcnt). Its existence holds
 * one reference from domain_create() until domain_kill() has taken back
 * everything it owns; owning frames (tot_pages > 0) holds another, so a
 * domain whose frames are still mapped by another domain (a grant, a
 * privileged foreign mapping) stays allocated, as a dying domain, until
 * the last mapping goes. Whoever uses a domain it did not reach through
 * current_vcpu() holds a reference: get_domain_by_id() ... put_domain().
 * The last put_domain() unlinks the domain, and the CPU's next softirq
 * pass frees it (never inside the put: that may come from deep in a path
 * holding other locks).
 *
 * States: alive -> dying (domain_kill() started: no new frames, ports or
 * grants; its vCPUs never run again) -> dead (everything taken back that
 * could be; what other domains still map goes when they let go).
 *
 * Locking (per field):
 *   page_lock   tot_pages, max_pages and the domain's frame accounting;
 *   domain_lock pause_count, controller_paused, is_dying and every vCPU's
 *               may_run (domain.c);
 *   the domain list is domain.c's domlist_lock;
 *   everything else is written while the domain is being built (one CPU)
 *   and read-only afterwards, unless noted.
 */
#ifndef KEEL_DOMAIN_H
#define KEEL_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/rangeset.h>
#include <keel/spinlock.h>

typedef uint16_t domid_t;

#define DOMID_SELF_ID   0x7ff0U
#define DOMID_IO_ID     0x7ff1U
#define DOMID_XEN_ID    0x7ff2U
#define DOMID_IDLE_ID   0x7fffU
/* Ids at or above this are pseudo-ids (Xen's DOMID_FIRST_RESERVED). */
#define DOMID_FIRST_RESERVED_ID DOMID_SELF_ID

struct vcpu;
struct page_info;
struct evtchn_domain;
struct grant_table;

enum domain_state {
    DOMAIN_ALIVE,
    DOMAIN_DYING,               /* domain_kill() under way */
    DOMAIN_DEAD,                /* domain_kill() done */
};

struct domain {
    domid_t domain_id;
    bool is_privileged;         /* may use control-domain hypercalls */
    /*
     * I/O frames and ports the domain may use (all for the control domain,
     * none for others until domctl iomem/ioport_permission); has_io_caps
     * is "either set is non-empty" (cache attributes, WBINVD, DOMID_IO),
     * kept by domain_io_caps_changed().
     */
    struct rangeset iomem_caps, ioport_caps;
    bool has_io_caps;

    unsigned long refcnt;       /* atomic; see "Lifetime" */
    struct domain *next_in_list; /* domlist_lock; sorted by domain_id */

    spinlock_t page_lock;
    unsigned long tot_pages;    /* frames owned now; page_lock */
    unsigned long max_pages;    /* ceiling for tot_pages; page_lock */
    unsigned long xenheap_pages; /* hypervisor pages shared with it (PGC_XEN_HEAP); page_lock */

    unsigned int max_vcpus;
    struct vcpu **vcpus;        /* max_vcpus entries, NULL where absent */

    spinlock_t domain_lock;
    unsigned int pause_count;   /* domain_pause() nesting; domain_lock */
    bool controller_paused;     /* paused by the toolstack (domctl); domain_lock */

    unsigned long vm_assist;    /* VMASST_TYPE_* bits enabled */
    struct evtchn_domain *evtchn;   /* event-channel state (event_channel.c) */
    struct grant_table *grant_table; /* grant-table state (grant_table.c) */
    void *sched_priv;           /* scheduler's per-domain data (weight, cap) */
    enum domain_state state;    /* domain_lock to change; readers load atomically */
    bool is_dying;              /* state != DOMAIN_ALIVE; set once, with state */
    bool is_shut_down;          /* set once, by domain_shutdown/domain_crash */
    unsigned int shutdown_reason;   /* SHUTDOWN_*, valid once is_shut_down */
    uint8_t handle[16];         /* the toolstack's UUID (setdomainhandle) */
    int64_t time_offset_seconds; /* settimeoffset: added to the wall clock */
    unsigned long relinquish_next; /* domain_kill()'s progress (frame scan) */
    void *arch;                 /* struct arch_domain, arch code only */
};

/* The control domain, once built. */
extern struct domain *dom0;

/*
 * The domain with id (not a DOMID_* pseudo-id), with a reference the
 * caller drops with put_domain(); NULL if there is none or it is being
 * freed. Dying domains are found (the toolstack still lists them).
 */
struct domain *get_domain_by_id(domid_t id);

/* Another reference on d, for a caller that already holds one (or is d). */
void get_domain(struct domain *d);

/* Drop a reference; the last one unlinks d and queues it to be freed. */
void put_domain(struct domain *d);

/* Register the freeing of domains (boot, before any domain exists). */
void domain_subsys_init(void);

/*
 * The first domain whose id is >= id, with a reference, or NULL: how
 * getdomaininfo and getdomaininfolist walk the domains in id order.
 */
struct domain *get_domain_from_id(domid_t id);

/* Whether no domain (alive, dying or not yet freed) has id. */
bool domain_id_free(domid_t id);

/*
 * Allocate domain id (which must be free) with max_vcpus (not yet
 * initialised) vCPU slots, and make it findable. Its vCPUs cannot run until
 * the controller unpauses it (domain_unpause_by_controller()) when
 * @controller_paused. Returns NULL if memory is exhausted.
 */
struct domain *domain_create(domid_t id, bool privileged, unsigned int max_vcpus,
                             bool controller_paused);

/* d's iomem_caps or ioport_caps changed: recompute has_io_caps. */
void domain_io_caps_changed(struct domain *d);

/* Allocate vCPU id of d and attach it. Returns NULL on exhaustion. */
struct vcpu *vcpu_create(struct domain *d, unsigned int id);

/*
 * Frame accounting. domain_claim_pages() raises tot_pages by nr if that
 * stays within max_pages and d is alive (false otherwise).
 * domain_account_xen_page() counts a hypervisor page shared with d
 * (page_share_with_owner()). domain_release_page() forgets one frame of
 * either kind as it is freed. The first frame d owns takes the domain's
 * memory reference; the last one going drops it (which may free d).
 */
bool domain_claim_pages(struct domain *d, unsigned long nr);
void domain_account_xen_page(struct domain *d);

/*
 * Give d the nr fresh frames from pg on (count 0, from the allocator):
 * claim them and assign their owner in one step under page_lock, so
 * domain_kill(), which makes d dying and then takes page_lock once
 * before its frame walk, sees every frame d will ever own. False (nothing
 * done) if d is dying or the frames would pass max_pages.
 */
bool domain_assign_pages(struct domain *d, struct page_info *pg, unsigned long nr);
void domain_release_pages(struct domain *d, unsigned long nr, bool xen_heap);

/*
 * Pausing: a paused domain's vCPUs stay off every CPU. domain_pause()
 * nests and returns once every vCPU of d is off its CPU with its state
 * saved; d must not be the caller's own domain. The controller's pause
 * (domctl pausedomain/unpausedomain) is one level that does not nest.
 * Return 0, or -EINVAL for a dying domain.
 */
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);
int domain_pause_by_controller(struct domain *d);
int domain_unpause_by_controller(struct domain *d);

/*
 * The guest's own vCPU state changed (VCPUOP_up/down, the builder):
 * v may run iff it is up and its domain is neither paused, shut down nor
 * dying. Wakes or parks v accordingly.
 */
void vcpu_set_up(struct vcpu *v, bool up);

/*
 * Tear d down: make it dying (its vCPUs stop for good), then take back its
 * event channels, grant mappings and frames. Long: returns -ERESTART when
 * it stopped part way (call again to continue), 0 when done (d is dead;
 * its memory may still be mapped elsewhere), or -EINVAL if d is dom0 or
 * the caller's own domain.
 */
int domain_kill(struct domain *d);

/*
 * Stop d for reason (SHUTDOWN_*). For dom0 this ends the run: power-off,
 * reboot or crash handling of the whole machine. Another domain's vCPUs
 * stop (its own caller's vCPU on its way back to the guest) and dom0
 * hears of it through VIRQ_DOM_EXC; it stays until the toolstack
 * destroys it.
 */
void domain_shutdown(struct domain *d, unsigned int reason);

/* Report a fatal guest error (printf-style) and shut d down as crashed. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
