// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: the shared-ring transport (struct xenstore_domain_interface).
 *
 * The guest produces requests into req[] (advancing req_prod) and consumes
 * replies from rsp[] (advancing rsp_cons); xenstored does the opposite. Every
 * index lives in memory the guest can write at any time, so each is read
 * once per operation into a local, and the distance prod - cons (mod 2^32)
 * must be at most XENSTORE_RING_SIZE; otherwise the guest broke the
 * protocol: we set error = XENSTORE_ERROR_RINGIDX and drop the connection.
 * Offsets into the arrays are always MASK_XENSTORE_IDX()ed, so no access
 * leaves the ring, and each call copies at most two chunks: no loops on
 * guest data.
 *
 * Barriers: read data only after reading prod (acquire fence after the
 * index load, pairing with the guest's write barrier before it publishes
 * req_prod); publish our cons/prod only after the data copy (release fence,
 * pairing with the guest's read barrier after it reads rsp_prod).
 *
 * Reconnection (XENSTORE_SERVER_FEATURE_RECONNECTION): a guest sets
 * connection = XENSTORE_RECONNECT; we drop the connection's state, zero the
 * indices, then set connection = XENSTORE_CONNECTED and notify.
 */
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

struct xs_ring {
    struct xsd *xsd;
    struct xenstore_domain_interface *intf;
    uint32_t domid;
    int local_port;
    bool changed; /* indices moved since the last kick */
};

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

void *ring_open(struct xsd *xsd, uint32_t domid, uint64_t mfn, uint32_t port, int *err)
{
    struct xs_ring *r = calloc(1, sizeof(*r));

    if (!r) {
        *err = ENOMEM;
        return NULL;
    }
    r->xsd = xsd;
    r->domid = domid;
    r->intf = xsd->be_ops->map(xsd->be, domid, mfn);
    if (!r->intf) {
        *err = EINVAL;
        goto free_ring;
    }
    r->local_port = xsd->be_ops->bind(xsd->be, domid, port);
    if (r->local_port < 0) {
        *err = EINVAL;
        goto unmap;
    }
    STORE(r->intf->server_features,
          XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR);
    return r;

unmap:
    xsd->be_ops->unmap(xsd->be, domid, r->intf);
free_ring:
    free(r);
    return NULL;
}

static int ring_fail(struct xs_ring *r)
{
    STORE(r->intf->error, XENSTORE_ERROR_RINGIDX);
    xsd_logf(r->xsd, "domain %u: bad ring indices, closing", r->domid);
    return -1;
}

static int ring_read(void *priv, void *buf, unsigned int len)
{
    struct xs_ring *r = priv;
    struct xenstore_domain_interface *intf = r->intf;
    XENSTORE_RING_IDX cons = LOAD(intf->req_cons), prod = LOAD(intf->req_prod);
    uint32_t avail = prod - cons, n, off, first;

    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (avail > XENSTORE_RING_SIZE)
        return ring_fail(r);
    n = avail < len ? avail : len;
    if (!n)
        return 0;
    off = MASK_XENSTORE_IDX(cons);
    first = XENSTORE_RING_SIZE - off < n ? XENSTORE_RING_SIZE - off : n;
    memcpy(buf, intf->req + off, first);
    memcpy((char *)buf + first, intf->req, n - first);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    STORE(intf->req_cons, cons + n);
    r->changed = true;
    return (int)n;
}

static int ring_write(void *priv, const void *buf, unsigned int len)
{
    struct xs_ring *r = priv;
    struct xenstore_domain_interface *intf = r->intf;
    XENSTORE_RING_IDX cons = LOAD(intf->rsp_cons), prod = LOAD(intf->rsp_prod);
    uint32_t used = prod - cons, n, off, first;

    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (used > XENSTORE_RING_SIZE)
        return ring_fail(r);
    n = XENSTORE_RING_SIZE - used;
    n = n < len ? n : len;
    if (!n)
        return 0;
    off = MASK_XENSTORE_IDX(prod);
    first = XENSTORE_RING_SIZE - off < n ? XENSTORE_RING_SIZE - off : n;
    memcpy(intf->rsp + off, buf, first);
    memcpy(intf->rsp, (const char *)buf + first, n - first);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    STORE(intf->rsp_prod, prod + n);
    r->changed = true;
    return (int)n;
}

static void ring_kick(void *priv)
{
    struct xs_ring *r = priv;

    if (r->changed) {
        r->changed = false;
        r->xsd->be_ops->notify(r->xsd->be, r->local_port);
    }
}

static void ring_close(void *priv)
{
    struct xs_ring *r = priv;

    r->xsd->be_ops->unbind(r->xsd->be, r->local_port);
    r->xsd->be_ops->unmap(r->xsd->be, r->domid, r->intf);
    free(r);
}

const struct xs_conn_ops ring_conn_ops = {
    .read = ring_read,
    .write = ring_write,
    .kick = ring_kick,
    .close = ring_close,
};

/* Handle a guest's reconnect request; true if it asked. */
static bool ring_reconnect(struct xs_conn *conn)
{
    struct xs_ring *r = conn->priv;
    struct xenstore_domain_interface *intf = r->intf;

    if (LOAD(intf->connection) != XENSTORE_RECONNECT)
        return false;
    xsd_conn_reset(conn);
    STORE(intf->req_cons, 0);
    STORE(intf->req_prod, 0);
    STORE(intf->rsp_cons, 0);
    STORE(intf->rsp_prod, 0);
    STORE(intf->error, XENSTORE_ERROR_NONE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    STORE(intf->connection, XENSTORE_CONNECTED);
    r->changed = true;
    ring_kick(r);
    return true;
}

void xsd_process_rings(struct xsd *xsd)
{
    struct xs_conn *c;

    for (c = xsd->conns; c; c = c->next) {
        if (!c->is_ring || c->dead)
            continue;
        ring_reconnect(c);
        xsd_conn_process(c);
    }
}
