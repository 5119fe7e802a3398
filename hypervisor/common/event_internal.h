/* SPDX-License-Identifier: MIT */
/*
 * Event channels, private to the three files that implement them:
 * event_channel.c (port table, operations, the hypercall), event_2l.c (the
 * 2-level pending/mask/selector bits in shared_info) and event_wait.c
 * (SCHEDOP_block and SCHEDOP_poll). Nothing else includes this header;
 * other subsystems use keel/event.h.
 *
 * Locking (what each lock protects is listed per field below):
 *   struct evtchn_domain.lock  the domain's port table: every port's state,
 *       binding and the per-vCPU VIRQ tables. Taken with interrupts off
 *       (spin_lock_irqsave) everywhere, because VIRQs are raised from
 *       interrupt context (the timer). An operation that touches ports of
 *       two domains holds both locks, the lower domain id first
 *       (evtchn_lock_pair()); nothing else nests inside an event lock
 *       except the scheduler's wake-up path (vcpu_kick(), vcpu_wake()).
 *   An interdomain port may also be read, never written, under its peer's
 *   lock: changing it away from ECS_INTERDOMAIN needs both locks, so a
 *   sender holding its own lock sees a stable peer.
 *   shared_info / vcpu_info bits are the guest's too: only atomic
 *   read-modify-write, never plain stores (event_2l.c).
 */
#ifndef KEEL_COMMON_EVENT_INTERNAL_H
#define KEEL_COMMON_EVENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/domain.h>
#include <keel/spinlock.h>
#include <keel/timer.h>
#include <public/event_channel.h>
#include <public/xen.h>

/* Ports the 2-level ABI can name on a 64-bit guest: 64 words of 64 bits. */
#define EVTCHN_NR_PORTS      ((unsigned int)EVTCHN_2L_NR_CHANNELS)
/* Ports per bucket of the lazily grown port table (one heap page each). */
#define EVTCHN_BUCKET_PORTS  128u
#define EVTCHN_NR_BUCKETS    (EVTCHN_NR_PORTS / EVTCHN_BUCKET_PORTS)
/* SCHEDOP_poll's limit on ports per call (Xen's "fairly arbitrary" 128). */
#define EVTCHN_POLL_MAX_PORTS 128u

_Static_assert(EVTCHN_NR_PORTS == 4096, "2-level ABI on 64-bit has 4096 ports");
_Static_assert(EVTCHN_NR_PORTS % EVTCHN_BUCKET_PORTS == 0, "whole buckets");

/* A port's state. ECS_RESERVED is port 0, which is never handed out. */
enum evtchn_state {
    ECS_FREE = 0,       /* zeroed memory is a free port */
    ECS_RESERVED,
    ECS_UNBOUND,        /* offered to u.unbound_remote */
    ECS_INTERDOMAIN,    /* connected to u.interdomain */
    ECS_PIRQ,           /* never entered: no physical IRQ is granted */
    ECS_VIRQ,           /* bound to VIRQ u.virq */
    ECS_IPI,            /* raised by its own sends */
};

/* One port. Every field: the owning domain's lock (see the header comment). */
struct evtchn {
    uint8_t state;              /* enum evtchn_state */
    /*
     * The vCPU that takes the upcall; 0 when free. Also read by a peer's
     * send under the peer's lock while bind_vcpu may move it, so it is
     * stored and loaded with atomics.
     */
    uint32_t notify_vcpu;
    union {
        domid_t unbound_remote; /* ECS_UNBOUND: the domain allowed to bind */
        struct {
            struct domain *dom; /* ECS_INTERDOMAIN: the peer */
            uint32_t port;      /* and its port */
        } interdomain;
        uint32_t virq;          /* ECS_VIRQ */
    } u;
};
_Static_assert(sizeof(struct evtchn) * EVTCHN_BUCKET_PORTS <= 4096, "a bucket fits a page");

/* Per-vCPU event state, kept here rather than in struct vcpu. */
struct evtchn_vcpu {
    /*
     * VIRQ -> port (0 = unbound). Per-vCPU VIRQs in the binding vCPU's
     * table, global ones in vCPU 0's. Domain lock.
     */
    uint16_t virq_to_port[NR_VIRQS];
    /*
     * SCHEDOP_poll: -1 wake on any port, else the one port polled. Written
     * by the polling vCPU before it sets vcpu->polling; read atomically.
     */
    int32_t poll_port;
    /* Ends a poll with a timeout; armed only by the vCPU itself. */
    struct timer poll_timer;
    bool poll_timer_ready;      /* timer_init() done at least once */
};

/* A domain's event-channel state (struct domain.evtchn). */
struct evtchn_domain {
    spinlock_t lock;
    /*
     * Ports [0, valid_ports) have a bucket; valid_ports only grows, in
     * whole buckets, under lock. A port at or beyond it is -EINVAL to every
     * operation, as in Xen.
     */
    unsigned int valid_ports;
    bool dead;                  /* evtchn_domain_destroy() ran; lock */
    unsigned int nr_polling;    /* vCPUs with vcpu->polling set; atomic */
    unsigned int max_vcpus;     /* entries of vcpu[] (the domain's max_vcpus) */
    struct evtchn_vcpu *vcpu;
    struct evtchn *bucket[EVTCHN_NR_BUCKETS];
};

/* The port structure of a valid port (port < ed->valid_ports). */
static inline struct evtchn *evtchn_from_port(const struct evtchn_domain *ed, unsigned int port)
{
    return &ed->bucket[port / EVTCHN_BUCKET_PORTS][port % EVTCHN_BUCKET_PORTS];
}

/* Whether a port carries events: bound to something (not free/reserved). */
static inline bool evtchn_usable(const struct evtchn *chn)
{
    return chn->state > ECS_RESERVED;
}

/* ---- event_2l.c: the shared_info bitmaps ---------------------------- */

/*
 * Mark port of d pending for vCPU v. Returns true if the pending bit went
 * from 0 to 1 (the caller then wakes pollers). Upcall and kick as in
 * Xen's evtchn_2l_set_pending().
 */
bool evtchn_2l_set_pending(struct domain *d, struct vcpu *v, unsigned int port);
/* Clear the pending bit (a port being freed must not stay pending). */
void evtchn_2l_clear_pending(struct domain *d, unsigned int port);
/* Clear the mask bit; if pending, redo the selector/upcall part for v. */
void evtchn_2l_unmask(struct domain *d, struct vcpu *v, unsigned int port);
bool evtchn_2l_is_pending(struct domain *d, unsigned int port);
bool evtchn_2l_is_masked(struct domain *d, unsigned int port);

/* ---- event_wait.c ----------------------------------------------------- */

/* Port of d just became pending: end any poll waiting for it. */
void evtchn_check_pollers(struct domain *d, unsigned int port);
/* Stop every poll timer of d and end its polls, waking nobody (teardown). */
void evtchn_end_polls(struct domain *d);

/* ---- event_channel.c -------------------------------------------------- */

/*
 * Whether port of d is bound and pending: the answer to a poll. Returns
 * 1 pending, 0 not, -EINVAL port not valid.
 */
int evtchn_port_poll(struct domain *d, unsigned int port);

#endif
