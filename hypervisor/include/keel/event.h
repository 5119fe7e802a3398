/* SPDX-License-Identifier: MIT */
/*
 * Event channels, the virtual interrupts of PV guests (2-level ABI).
 * What other subsystems use; the hypercall is do_event_channel_op().
 */
#ifndef KEEL_EVENT_H
#define KEEL_EVENT_H

#include <stdbool.h>

struct domain;
struct vcpu;

/* Allocate d's port table (port 0 reserved). Returns 0 or -ENOMEM. */
int evtchn_domain_init(struct domain *d);

/*
 * d is dying: close every port (interdomain peers see it closed) and
 * allocate none again. The table stays until evtchn_domain_destroy().
 */
void evtchn_domain_kill(struct domain *d);

/* Free d's port table (closing its ports first if still needed). */
void evtchn_domain_destroy(struct domain *d);

/* Raise per-vCPU VIRQ virq (TIMER, DEBUG, ...) on v, if v bound it. */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);

/* Raise global VIRQ virq (CONSOLE, DOM_EXC, ...) on d, if bound. */
void send_guest_global_virq(struct domain *d, unsigned int virq);

/*
 * Whether v has an event it would take now: evtchn_upcall_pending set and
 * evtchn_upcall_mask clear in its vcpu_info (Xen's
 * local_events_need_delivery()). SCHEDOP_block waits for this.
 */
bool vcpu_event_pending(struct vcpu *v);

struct sched_poll;
/*
 * SCHEDOP_block for v, the calling vCPU: clear its upcall mask, then
 * vcpu_block() unless an event is already deliverable. Returns 0.
 */
long evtchn_sched_block(struct vcpu *v);

/*
 * SCHEDOP_poll for v, the calling vCPU, with the guest's argument: block
 * until a deliverable event, an event on one of p->ports (any port if
 * p->nr_ports != 1), or p->timeout (absolute system time; 0 none) passes.
 * Returns 0 also when it returns at once (a port already pending, the
 * timeout already past); -EINVAL nr_ports > 128 or a port not valid;
 * -EFAULT ports unreadable.
 */
long evtchn_sched_poll(struct vcpu *v, const struct sched_poll *p);

#endif
