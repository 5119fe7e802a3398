// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: the instance, connections and their byte streams.
 *
 * A connection reads a 16-byte struct xsd_sockmsg header, then hdr.len
 * payload bytes (at most XENSTORE_PAYLOAD_MAX: more is a protocol violation
 * and the connection is dropped, as Xen does), and hands the complete
 * request to xsd_dispatch(). A header or payload may arrive in any number of
 * pieces. Requests are handled strictly in order, so pipelined requests are
 * answered in order; watch events queue behind the replies before them.
 *
 * Bounds (no unbounded work or memory per call, whatever a peer does):
 *  - xsd_conn_process() handles at most XSD_MSGS_PER_ROUND requests;
 *  - input is not read while the output queue holds outq_soft bytes, or
 *    (unprivileged domains) while outstanding replies or memory reach their
 *    quotas: a client that does not read its replies stops being served;
 *  - a connection whose queue still grows past outq_hard (watch events for
 *    a client that never reads) is disconnected.
 * Each queued reply or event is charged to the connection's domain
 * (memory, and outstanding for replies) until it has been written.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

#define XSD_MSGS_PER_ROUND 64u

void xsd_config_default(struct xsd_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    /* Xen 4.17 tools/xenstore/xenstored_core.c defaults. */
    cfg->quota.entry_nb = 1000;
    cfg->quota.entry_size = 2048;
    cfg->quota.watch_nb = 128;
    cfg->quota.transaction = 10;
    cfg->quota.perm_nb = 5;
    cfg->quota.trans_nodes = 1024;
    cfg->quota.outstanding = 20;
    cfg->quota.memory = 2 * 1024 * 1024 + 512 * 1024;
    cfg->quota.memory_soft = 2 * 1024 * 1024;
    cfg->outq_soft = 64 * 1024;
    cfg->outq_hard = 4 * 1024 * 1024;
}

static const char *const initial_nodes[] = { "/", "/tool", "/tool/xenstored" };

struct xsd *xsd_create(const struct xsd_config *cfg)
{
    struct xsd *xsd = calloc(1, sizeof(*xsd));
    const struct xs_perm none0 = { 0, XS_PERM_NONE };
    struct xs_node *n;
    unsigned int i;

    if (!xsd)
        return NULL;
    xsd->cfg = *cfg;
    if (table_init(&xsd->store, false))
        goto free_xsd;
    for (i = 0; i < 2; i++) {
        xsd->special_perms[i][0] = none0;
        xsd->special_nperms[i] = 1;
    }
    for (i = 0; i < sizeof(initial_nodes) / sizeof(initial_nodes[0]); i++) {
        n = node_alloc(initial_nodes[i], strlen(initial_nodes[i]));
        if (!n || node_set_perms(n, &none0, 1) || node_reserve_child(n, 16)) {
            node_free(n);
            goto free_all;
        }
        store_insert(xsd, n);
    }
    return xsd;

free_all:
    xsd_destroy(xsd);
    return NULL;
free_xsd:
    free(xsd);
    return NULL;
}

static void outq_pop(struct xs_conn *conn)
{
    struct xs_outbuf *b = conn->out_head;
    struct xs_domain *d = domain_find(conn->xsd, conn->domid);

    conn->out_head = b->next;
    if (!conn->out_head)
        conn->out_tail = NULL;
    conn->out_bytes -= b->len;
    if (d) {
        d->memory -= b->len;
        if (!b->event && d->outstanding)
            d->outstanding--;
    }
    free(b);
}

static void conn_free(struct xs_conn *conn)
{
    struct xs_domain *d;
    struct xs_txn *t;

    while (conn->out_head)
        outq_pop(conn);
    watch_del_all(conn);
    d = domain_find(conn->xsd, conn->domid);
    while ((t = conn->txns)) {
        conn->txns = t->next;
        if (d && d->txns)
            d->txns--;
        txn_free(t);
    }
    if (d && d->conn == conn)
        d->conn = NULL;
    if (conn->ops->close)
        conn->ops->close(conn->priv);
    free(conn);
}

void xsd_destroy(struct xsd *xsd)
{
    struct xs_conn *c;
    struct xs_domain *d;
    unsigned int i;

    if (!xsd)
        return;
    while ((c = xsd->conns)) {
        xsd->conns = c->next;
        conn_free(c);
    }
    for (i = 0; i < XS_DOMAIN_BUCKETS; i++) {
        while ((d = xsd->domains[i])) {
            xsd->domains[i] = d->hnext;
            free(d);
        }
    }
    table_free_all(&xsd->store);
    free(xsd);
}

struct xs_conn *xsd_conn_new(struct xsd *xsd, const struct xs_conn_ops *ops, void *priv,
                             uint32_t domid, bool privileged)
{
    struct xs_conn *conn, **tail;

    if (!domain_get(xsd, domid))
        return NULL;
    conn = calloc(1, sizeof(*conn));
    if (!conn)
        return NULL;
    conn->xsd = xsd;
    conn->ops = ops;
    conn->priv = priv;
    conn->domid = domid;
    conn->privileged = privileged;
    conn->in_hdr = true;
    conn->next_txid = 1;
    /* Append: watches fire in connection creation order. */
    for (tail = &xsd->conns; *tail; tail = &(*tail)->next)
        ;
    *tail = conn;
    return conn;
}

void xsd_conn_kill(struct xs_conn *conn)
{
    conn->dead = true;
}

void xsd_reap(struct xsd *xsd)
{
    struct xs_conn **pp = &xsd->conns, *c;

    while ((c = *pp)) {
        if (c->dead) {
            *pp = c->next;
            conn_free(c);
        } else {
            pp = &c->next;
        }
    }
}

void xsd_conn_reset(struct xs_conn *conn)
{
    struct xs_domain *d = domain_find(conn->xsd, conn->domid);
    struct xs_txn *t;

    while (conn->out_head)
        outq_pop(conn);
    watch_del_all(conn);
    while ((t = conn->txns)) {
        conn->txns = t->next;
        if (d && d->txns)
            d->txns--;
        txn_free(t);
    }
    conn->in_hdr = true;
    conn->in_used = 0;
}

void xsd_logf(struct xsd *xsd, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (!xsd->log)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    xsd->log(xsd->log_ctx, line);
}

/* Append a message; disconnect a connection whose queue is past the hard
 * limit. */
static int outq_push(struct xs_conn *conn, uint32_t type, uint32_t req_id, uint32_t tx_id,
                     const void *data, size_t len, bool event)
{
    struct xs_domain *d = domain_find(conn->xsd, conn->domid);
    struct xsd_sockmsg hdr = { type, req_id, tx_id, (uint32_t)len };
    struct xs_outbuf *b;

    if (conn->dead)
        return 0;
    b = malloc(sizeof(*b) + sizeof(hdr) + len);
    if (!b)
        return ENOMEM;
    b->next = NULL;
    b->len = (uint32_t)(sizeof(hdr) + len);
    b->off = 0;
    b->event = event;
    memcpy(b->data, &hdr, sizeof(hdr));
    if (len)
        memcpy(b->data + sizeof(hdr), data, len);
    if (conn->out_tail)
        conn->out_tail->next = b;
    else
        conn->out_head = b;
    conn->out_tail = b;
    conn->out_bytes += b->len;
    if (d) {
        d->memory += b->len;
        if (!event)
            d->outstanding++;
    }
    if (conn->out_bytes > conn->xsd->cfg.outq_hard) {
        xsd_logf(conn->xsd, "connection for domain %u: output queue over %u bytes, closing",
                 conn->domid, conn->xsd->cfg.outq_hard);
        xsd_conn_kill(conn);
    }
    return 0;
}

int conn_reply(struct xs_conn *conn, uint32_t type, const void *data, size_t len)
{
    if (len > XENSTORE_PAYLOAD_MAX) {
        conn_error(conn, E2BIG);
        return 0;
    }
    return outq_push(conn, type, conn->hdr.req_id, conn->hdr.tx_id, data, len, false);
}

void conn_error(struct xs_conn *conn, int err)
{
    const char *name = "EINVAL";
    size_t i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++) {
        if (xsd_errors[i].errnum == err) {
            name = xsd_errors[i].errstring;
            break;
        }
    }
    outq_push(conn, XS_ERROR, conn->hdr.req_id, conn->hdr.tx_id, name, strlen(name) + 1,
              false);
}

void conn_event(struct xs_conn *conn, const char *path, const char *token)
{
    size_t plen = strlen(path) + 1, tlen = strlen(token) + 1, len = plen + tlen;
    struct xs_domain *d = domain_find(conn->xsd, conn->domid);
    struct xs_outbuf *b;
    char *buf;

    if (len > XENSTORE_PAYLOAD_MAX || conn->dead)
        return;
    buf = malloc(len);
    if (!buf)
        return;
    memcpy(buf, path, plen);
    memcpy(buf + plen, token, tlen);
    /* An identical event still queued says it all (not for specials). */
    if (path[0] != '@') {
        for (b = conn->out_head; b; b = b->next) {
            if (b->event && b->off == 0 && b->len == sizeof(struct xsd_sockmsg) + len &&
                memcmp(b->data + sizeof(struct xsd_sockmsg), buf, len) == 0) {
                free(buf);
                return;
            }
        }
    }
    /* Over its memory quota, a domain loses events (as in Xen). */
    if (!conn->privileged && d && d->memory + len > conn->xsd->cfg.quota.memory) {
        free(buf);
        return;
    }
    outq_push(conn, XS_WATCH_EVENT, 0, 0, buf, len, true);
    free(buf);
}

bool xsd_conn_wants_input(const struct xs_conn *conn)
{
    const struct xsd *xsd = conn->xsd;
    const struct xs_domain *d;

    if (conn->dead || conn->out_bytes >= xsd->cfg.outq_soft)
        return false;
    if (conn->privileged)
        return true;
    d = domain_find((struct xsd *)xsd, conn->domid);
    return !d || (d->outstanding < xsd->cfg.quota.outstanding && d->memory < xsd->cfg.quota.memory);
}

bool xsd_conn_wants_output(const struct xs_conn *conn)
{
    return !conn->dead && conn->out_head;
}

bool xsd_conn_flush(struct xs_conn *conn)
{
    struct xs_outbuf *b;
    int n;

    while (!conn->dead && (b = conn->out_head)) {
        n = conn->ops->write(conn->priv, b->data + b->off, b->len - b->off);
        if (n < 0 || (unsigned int)n > b->len - b->off) {
            xsd_conn_kill(conn);
            break;
        }
        if (n == 0)
            break;
        b->off += (uint32_t)n;
        if (b->off == b->len)
            outq_pop(conn);
    }
    return !conn->dead;
}

/* Read into the header or payload; returns bytes read, 0, or -1 (dead). */
static int conn_read(struct xs_conn *conn, char *dst, uint32_t want)
{
    int n = conn->ops->read(conn->priv, dst, want);

    if (n < 0 || (uint32_t)n > want) {
        xsd_conn_kill(conn);
        return -1;
    }
    return n;
}

bool xsd_conn_process(struct xs_conn *conn)
{
    unsigned int msgs = 0;
    int n;

    while (msgs < XSD_MSGS_PER_ROUND && xsd_conn_wants_input(conn)) {
        if (conn->in_hdr) {
            n = conn_read(conn, (char *)&conn->hdr + conn->in_used,
                          sizeof(conn->hdr) - conn->in_used);
            if (n <= 0)
                break;
            conn->in_used += (uint32_t)n;
            if (conn->in_used < sizeof(conn->hdr))
                continue;
            if (conn->hdr.len > XENSTORE_PAYLOAD_MAX) {
                xsd_logf(conn->xsd, "domain %u sent a %u-byte payload, closing", conn->domid,
                         conn->hdr.len);
                xsd_conn_kill(conn);
                break;
            }
            conn->in_hdr = false;
            conn->in_used = 0;
        }
        if (conn->in_used < conn->hdr.len) {
            n = conn_read(conn, conn->in_buf + conn->in_used, conn->hdr.len - conn->in_used);
            if (n <= 0)
                break;
            conn->in_used += (uint32_t)n;
            if (conn->in_used < conn->hdr.len)
                continue;
        }
        conn->in_buf[conn->hdr.len] = '\0';
        xsd_dispatch(conn);
        conn->in_hdr = true;
        conn->in_used = 0;
        msgs++;
    }
    xsd_conn_flush(conn);
    if (!conn->dead && conn->ops->kick)
        conn->ops->kick(conn->priv);
    return !conn->dead;
}
