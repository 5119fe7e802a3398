/* SPDX-License-Identifier: MIT */
/*
 * Event channels from a guest: by their pending bits, for guests that run
 * with events masked (test a port, clear it, wait for it with
 * SCHEDOP_poll), the one-port event_channel_op calls, and the upcall mask.
 * Needs map_shared_info().
 */
#ifndef GUEST_EVENT_H
#define GUEST_EVENT_H

#include "guest.h"

bool event_pending(evtchn_port_t port);
void event_clear(evtchn_port_t port);

/*
 * Wait until port is pending (SCHEDOP_poll), then clear it. Returns false
 * if timeout_ms passed first (0: wait for ever).
 */
bool event_wait(evtchn_port_t port, unsigned int timeout_ms);

/* EVTCHNOP_send, EVTCHNOP_unmask and EVTCHNOP_close on port. */
long event_send(evtchn_port_t port);
long event_unmask(evtchn_port_t port);
long event_close(evtchn_port_t port);

/* Set port's mask bit in shared_info (the guest's own half of masking). */
void event_mask(evtchn_port_t port);

/*
 * Clear vi's upcall mask and make a hypercall, so an event already
 * pending is delivered now (Linux's check_events); and set it again.
 */
void event_upcalls_on(struct vcpu_info *vi);
void event_upcalls_off(struct vcpu_info *vi);

/*
 * An upcall's work, in Linux's order (the upcall flag, then the selector,
 * then the words): every pending, unmasked port has its pending bit
 * cleared and is handed to handle(port).
 */
void event_scan(struct vcpu_info *vi, void (*handle)(evtchn_port_t port));

#endif /* GUEST_EVENT_H */
