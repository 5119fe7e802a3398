/* SPDX-License-Identifier: MIT */
/* Keel xenstored: the Unix stream socket transport (unix_socket.c). */
#ifndef KEEL_XS_UNIX_SOCKET_H
#define KEEL_XS_UNIX_SOCKET_H

#include "xs_core.h"

/* Listen on @path (replacing a stale socket, creating its directory);
 * returns the non-blocking listening fd, or -1 with errno set. */
int unix_listen(const char *path);
/* Accept one client as a privileged dom0 connection; NULL if none/failed. */
/*
 * Accept one client on lfd as a connection of domid (privileged: dom0's
 * full powers; otherwise exactly as that domain's ring connection would
 * be). NULL when none is waiting or on exhaustion.
 */
struct xs_conn *unix_accept(struct xsd *xsd, int lfd, unsigned int domid, bool privileged);
/* The client fd of a connection unix_accept() made. */
int unix_conn_fd(const struct xs_conn *conn);
bool unix_is_socket_conn(const struct xs_conn *conn);

#endif
