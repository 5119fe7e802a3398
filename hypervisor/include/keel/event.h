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

/* Close every port of a dying domain (interdomain peers see it closed). */
void evtchn_domain_destroy(struct domain *d);

/* Raise per-vCPU VIRQ virq (TIMER, DEBUG, ...) on v, if v bound it. */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);

/* Raise global VIRQ virq (CONSOLE, DOM_EXC, ...) on d, if bound. */
void send_guest_global_virq(struct domain *d, unsigned int virq);

/*
 * Whether v has an event it would take now: evtchn_upcall_pending set in
 * its vcpu_info. SCHEDOP_block waits for this.
 */
bool vcpu_event_pending(struct vcpu *v);

#endif
