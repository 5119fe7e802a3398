/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: xenbus device states.
 *
 * Each end of a split device publishes its state in its xenstore "state"
 * node.  The normal sequence is Initialising -> InitWait (backend ready
 * for frontend details) / Initialised (frontend published them) ->
 * Connected -> Closing -> Closed.
 */
#ifndef _XEN_PUBLIC_IO_XENBUS_H
#define _XEN_PUBLIC_IO_XENBUS_H

enum xenbus_state {
    XenbusStateUnknown       = 0,
    XenbusStateInitialising  = 1,
    XenbusStateInitWait      = 2, /* backend: waiting for the frontend */
    XenbusStateInitialised   = 3, /* frontend: details published */
    XenbusStateConnected     = 4,
    XenbusStateClosing       = 5, /* orderly shutdown requested */
    XenbusStateClosed        = 6,
    XenbusStateReconfiguring = 7, /* backend: reconfiguration under way */
    XenbusStateReconfigured  = 8
};
typedef enum xenbus_state XenbusState;

#endif /* _XEN_PUBLIC_IO_XENBUS_H */
