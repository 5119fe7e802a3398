// SPDX-License-Identifier: MIT
/* The in-memory xenstored transport (see xs_memconn.h). */
#include <stdlib.h>
#include <string.h>

#include "xs_memconn.h"

static void grow(char **buf, size_t *cap, size_t need)
{
    size_t ncap = *cap ? *cap : 256;

    while (ncap < need)
        ncap *= 2;
    if (ncap != *cap) {
        *buf = realloc(*buf, ncap);
        if (!*buf)
            abort();
        *cap = ncap;
    }
}

static int mem_read(void *priv, void *buf, unsigned int len)
{
    struct xs_memconn *m = priv;
    size_t n = m->in_len - m->in_off;

    if (n > len)
        n = len;
    if (m->chunk && n > m->chunk)
        n = m->chunk;
    if (!n)
        return 0;
    memcpy(buf, m->in + m->in_off, n);
    m->in_off += n;
    return (int)n;
}

static int mem_write(void *priv, const void *buf, unsigned int len)
{
    struct xs_memconn *m = priv;
    size_t n = len;

    if (m->stalled)
        return 0;
    if (m->chunk && n > m->chunk)
        n = m->chunk;
    grow(&m->out, &m->out_cap, m->out_len + n);
    memcpy(m->out + m->out_len, buf, n);
    m->out_len += n;
    return (int)n;
}

static void mem_close(void *priv)
{
    struct xs_memconn *m = priv;

    m->closed = true;
    m->conn = NULL;
}

static const struct xs_conn_ops mem_ops = {
    .read = mem_read,
    .write = mem_write,
    .close = mem_close,
};

struct xs_memconn *memconn_new(struct xsd *xsd, uint32_t domid, bool privileged)
{
    struct xs_memconn *m = calloc(1, sizeof(*m));

    if (!m)
        abort();
    m->conn = xsd_conn_new(xsd, &mem_ops, m, domid, privileged);
    if (!m->conn)
        abort();
    return m;
}

void memconn_free(struct xs_memconn *m)
{
    if (m->conn) {
        struct xsd *xsd = m->conn->xsd;

        xsd_conn_kill(m->conn);
        xsd_reap(xsd);
    }
    free(m->in);
    free(m->out);
    free(m);
}

void memconn_put(struct xs_memconn *m, const void *data, size_t len)
{
    if (m->in_off == m->in_len)
        m->in_off = m->in_len = 0;
    grow(&m->in, &m->in_cap, m->in_len + len);
    memcpy(m->in + m->in_len, data, len);
    m->in_len += len;
}

void memconn_msg(struct xs_memconn *m, uint32_t type, uint32_t req_id, uint32_t tx_id,
                 const void *payload, uint32_t len)
{
    struct xsd_sockmsg hdr = { type, req_id, tx_id, len };

    memconn_put(m, &hdr, sizeof(hdr));
    memconn_put(m, payload, len);
}

void memconn_run(struct xs_memconn *m)
{
    struct xsd *xsd;
    unsigned int i;

    if (!m->conn)
        return;
    xsd = m->conn->xsd;
    /* Enough rounds for everything queued (each round is bounded). */
    for (i = 0; i < 64 && m->conn && !m->conn->dead; i++) {
        size_t before = m->in_off, out = m->out_len;

        xsd_conn_process(m->conn);
        if (m->in_off == before && m->out_len == out)
            break;
    }
    xsd_reap(xsd);
}

bool memconn_get(struct xs_memconn *m, struct xsd_sockmsg *hdr, char *payload)
{
    size_t avail = m->out_len - m->out_off;

    if (avail < sizeof(*hdr))
        return false;
    memcpy(hdr, m->out + m->out_off, sizeof(*hdr));
    if (hdr->len > XENSTORE_PAYLOAD_MAX || avail < sizeof(*hdr) + hdr->len)
        return false;
    memcpy(payload, m->out + m->out_off + sizeof(*hdr), hdr->len);
    payload[hdr->len] = '\0';
    m->out_off += sizeof(*hdr) + hdr->len;
    return true;
}
