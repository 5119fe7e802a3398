/* SPDX-License-Identifier: MIT */
/*
 * Event channels by their pending bits, for guests that run with events
 * masked (no upcall): test a port, clear it, wait for it with
 * SCHEDOP_poll, send on it. Needs map_shared_info().
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

/* EVTCHNOP_send on port. */
long event_send(evtchn_port_t port);

#endif /* GUEST_EVENT_H */
