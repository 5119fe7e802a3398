/* SPDX-License-Identifier: MIT */
/*
 * Domains: the unit of isolation. Portable part: what common code and the
 * host-tested MMU logic need to know about a domain. Architecture state
 * lives in struct arch_domain / struct arch_vcpu (arch headers).
 *
 * Locking (per field):
 *   page_lock   protects tot_pages and the domain's frame accounting;
 *   everything else is written while the domain is being built (one CPU)
 *   and read-only afterwards, unless noted.
 */
#ifndef KEEL_DOMAIN_H
#define KEEL_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/spinlock.h>

typedef uint16_t domid_t;

#define DOMID_SELF_ID   0x7ff0U
#define DOMID_IO_ID     0x7ff1U
#define DOMID_XEN_ID    0x7ff2U
#define DOMID_IDLE_ID   0x7fffU

struct vcpu;
struct evtchn_domain;

struct domain {
    domid_t domain_id;
    bool is_privileged;         /* may use control-domain hypercalls */
    bool has_io_caps;           /* may map I/O memory and set cache attributes */

    spinlock_t page_lock;
    unsigned long tot_pages;    /* frames owned now; page_lock */
    unsigned long max_pages;    /* ceiling for tot_pages */

    unsigned int max_vcpus;
    struct vcpu **vcpus;        /* max_vcpus entries, NULL where absent */

    unsigned long vm_assist;    /* VMASST_TYPE_* bits enabled */
    struct evtchn_domain *evtchn;   /* event-channel state (event_channel.c) */
    void *sched_priv;           /* scheduler's per-domain data (weight, cap) */
    bool is_dying;              /* set once, when destruction starts */
    bool is_shut_down;          /* set once, by domain_shutdown/domain_crash */
    unsigned int shutdown_reason;   /* SHUTDOWN_*, valid once is_shut_down */
    void *arch;                 /* struct arch_domain, arch code only */
};

/* The control domain, once built. */
extern struct domain *dom0;

/* The domain with id (not a DOMID_* pseudo-id), or NULL if none. */
struct domain *domain_by_id(domid_t id);

/*
 * Allocate a domain with max_vcpus (not yet initialised) vCPU slots.
 * Returns NULL if memory is exhausted.
 */
struct domain *domain_create(domid_t id, bool privileged, unsigned int max_vcpus);

/* Allocate vCPU id of d and attach it. Returns NULL on exhaustion. */
struct vcpu *vcpu_create(struct domain *d, unsigned int id);

/*
 * Stop d for reason (SHUTDOWN_*). For dom0 this ends the run: power-off,
 * reboot or crash handling of the whole machine. Does not return when d is
 * the caller's own domain.
 */
void domain_shutdown(struct domain *d, unsigned int reason);

/* Report a fatal guest error (printf-style) and shut d down as crashed. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
