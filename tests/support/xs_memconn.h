/* SPDX-License-Identifier: MIT */
/*
 * An in-memory xenstored transport for the unit tests and the fuzzer: the
 * test appends request bytes to @in, the core reads them (at most @chunk
 * bytes per read when set, to split headers and payloads), and replies
 * collect in @out unless @stalled (a client that never reads).
 */
#ifndef TESTS_SUPPORT_XS_MEMCONN_H
#define TESTS_SUPPORT_XS_MEMCONN_H

#include "xs_core.h"

struct xs_memconn {
    struct xs_conn *conn;   /* NULL once the core closed it */
    char *in;
    size_t in_len, in_off, in_cap;
    char *out;
    size_t out_len, out_off, out_cap;
    unsigned int chunk;     /* max bytes per read/write, 0: any */
    bool stalled;           /* writes take nothing */
    bool closed;            /* ops->close was called */
};

struct xs_memconn *memconn_new(struct xsd *xsd, uint32_t domid, bool privileged);
/* Close the connection (if the core has not) and free the test side. */
void memconn_free(struct xs_memconn *m);
/* Append raw bytes / one message to the input. */
void memconn_put(struct xs_memconn *m, const void *data, size_t len);
void memconn_msg(struct xs_memconn *m, uint32_t type, uint32_t req_id, uint32_t tx_id,
                 const void *payload, uint32_t len);
/* Let the core run: process this connection and reap. */
void memconn_run(struct xs_memconn *m);
/* Pop the next complete output message; false if none. @payload gets
 * XENSTORE_PAYLOAD_MAX + 1 bytes, NUL-terminated after len. */
bool memconn_get(struct xs_memconn *m, struct xsd_sockmsg *hdr, char *payload);

#endif
