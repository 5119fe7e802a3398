// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for Keel's xenstored core: the wire parser and the
 * dispatcher (tools/xenstored/), with three in-memory connections (dom0
 * privileged, domains 1 and 2 unprivileged) and one guest ring (domain 3)
 * on a fake backend. The input is a sequence of steps:
 *   [sel] with sel % 8:
 *     0-2  message to connection sel: [type][tx][len lo][len hi] payload
 *          (type and tx taken modulo small ranges so most are valid)
 *     3    raw bytes to connection [n % 3]: [count] bytes (split headers,
 *          garbage lengths)
 *     4    raw bytes written into the guest ring and its indices
 *     5    toggle "never reads" on connection [n % 3]
 *     6    a guest ring request from the payload
 *     7    read and discard everything queued
 * After every step the store invariants are checked; any violation, crash,
 * leak or UB aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"
#include "xs_memconn.h"

struct fake_be {
    struct xenstore_domain_interface page;
};

static void *be_map(void *be, uint32_t domid, uint64_t mfn)
{
    (void)domid;
    (void)mfn;
    return &((struct fake_be *)be)->page;
}
static void be_unmap(void *be, uint32_t domid, void *page)
{
    (void)be;
    (void)domid;
    (void)page;
}
static int be_bind(void *be, uint32_t domid, uint32_t port)
{
    (void)be;
    (void)domid;
    return (int)(port & 0xff);
}
static void be_unbind(void *be, int port)
{
    (void)be;
    (void)port;
}
static void be_notify(void *be, int port)
{
    (void)be;
    (void)port;
}
static const struct xs_ring_backend_ops be_ops = { be_map, be_unmap, be_bind, be_unbind,
                                                   be_notify };

static void check_node(struct xsd *xsd, struct xs_node *n, void *arg)
{
    char path[XENSTORE_ABS_PATH_MAX * 2 + 2];
    uint32_t off;

    (void)arg;
    if (n->nperms < 1 || !path_is_valid(n->path) || n->gen > xsd->gen || n->gen == 0)
        abort();
    for (off = 0; off < n->childlen; off += (uint32_t)strlen(n->children + off) + 1) {
        if (!memchr(n->children + off, '\0', n->childlen - off))
            abort();
        snprintf(path, sizeof(path), "%s/%s", strcmp(n->path, "/") ? n->path : "",
                 n->children + off);
        if (!store_find(xsd, path))
            abort();
    }
}

static void check(struct xsd *xsd)
{
    struct xs_node *root = store_find(xsd, "/");
    size_t count = 0, i;
    struct xs_node *n;

    if (!root)
        abort();
    store_walk(xsd, root, check_node, NULL);
    /* Every store node is reachable: counts agree. */
    for (i = 0; i < xsd->store.nbuckets; i++)
        for (n = xsd->store.buckets[i]; n; n = n->hnext)
            count++;
    if (count != xsd->store.count)
        abort();
}

static const uint32_t types[] = {
    XS_CONTROL, XS_DIRECTORY, XS_READ, XS_GET_PERMS, XS_WATCH, XS_UNWATCH,
    XS_TRANSACTION_START, XS_TRANSACTION_END, XS_INTRODUCE, XS_RELEASE, XS_GET_DOMAIN_PATH,
    XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS, XS_WATCH_EVENT, XS_ERROR,
    XS_IS_DOMAIN_INTRODUCED, XS_RESUME, XS_SET_TARGET, 20, XS_RESET_WATCHES,
    XS_DIRECTORY_PART, XS_TYPE_COUNT, 0xffff,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fake_be *be = calloc(1, sizeof(*be));
    struct xs_memconn *m[3];
    struct xsd_config cfg;
    struct xsd *xsd;
    size_t pos = 0;
    unsigned int i;

    xsd_config_default(&cfg);
    cfg.quota.entry_nb = 40;
    cfg.quota.trans_nodes = 32;
    cfg.quota.watch_nb = 8;
    cfg.quota.transaction = 3;
    cfg.outq_soft = 4096;
    cfg.outq_hard = 32768;
    xsd = xsd_create(&cfg);
    if (!xsd || !be)
        abort();
    xsd_set_ring_backend(xsd, &be_ops, be);
    m[0] = memconn_new(xsd, 0, true);
    m[1] = memconn_new(xsd, 1, false);
    m[2] = memconn_new(xsd, 2, false);
    /* Homes for the unprivileged domains and domain 3's ring. */
    memconn_msg(m[0], XS_MKDIR, 1, 0, "/local/domain/1", 16);
    memconn_msg(m[0], XS_SET_PERMS, 2, 0, "/local/domain/1\0n1", 19);
    memconn_msg(m[0], XS_MKDIR, 3, 0, "/local/domain/2", 16);
    memconn_msg(m[0], XS_SET_PERMS, 4, 0, "/local/domain/2\0n2\0r1", 22);
    memconn_msg(m[0], XS_INTRODUCE, 5, 0, "3\0" "77\0" "9", 7);
    memconn_run(m[0]);

    while (pos < size) {
        uint8_t sel = data[pos++];
        uint8_t k = sel & 7;

        if (k <= 2 && pos + 4 <= size) {
            uint32_t type = types[data[pos] % (sizeof(types) / sizeof(types[0]))];
            uint32_t tx = data[pos + 1] % 5;
            uint32_t len = (uint32_t)(data[pos + 2] | data[pos + 3] << 8) % 300;

            pos += 4;
            if (len > size - pos)
                len = (uint32_t)(size - pos);
            if (m[k]->conn)
                memconn_msg(m[k], type, (uint32_t)pos, tx, data + pos, len);
            pos += len;
            memconn_run(m[k]);
        } else if (k == 3 && pos + 2 <= size) {
            uint8_t c = data[pos] % 3, n = data[pos + 1];

            pos += 2;
            if (n > size - pos)
                n = (uint8_t)(size - pos);
            if (m[c]->conn)
                memconn_put(m[c], data + pos, n);
            pos += n;
            memconn_run(m[c]);
        } else if (k == 4 && pos + 3 <= size) {
            /* Scribble on the shared page, as a hostile guest may. */
            uint16_t off = (uint16_t)(data[pos] | data[pos + 1] << 8) %
                           sizeof(struct xenstore_domain_interface);

            ((uint8_t *)&be->page)[off] = data[pos + 2];
            pos += 3;
            xsd_process_rings(xsd);
        } else if (k == 5 && pos < size) {
            m[data[pos] % 3]->stalled ^= true;
            pos++;
        } else if (k == 6 && pos + 2 <= size) {
            struct xenstore_domain_interface *r = &be->page;
            uint32_t len = data[pos] % 64, j;
            struct xsd_sockmsg h = { types[data[pos + 1] % 15], 1, 0, len };

            pos += 2;
            if (len > size - pos)
                len = h.len = (uint32_t)(size - pos);
            if (r->req_prod - r->req_cons <= XENSTORE_RING_SIZE - sizeof(h) - len) {
                for (j = 0; j < sizeof(h); j++)
                    r->req[MASK_XENSTORE_IDX(r->req_prod + j)] = ((char *)&h)[j];
                for (j = 0; j < len; j++)
                    r->req[MASK_XENSTORE_IDX(r->req_prod + sizeof(h) + j)] = (char)data[pos + j];
                r->req_prod += (uint32_t)sizeof(h) + len;
            }
            pos += len;
            r->rsp_cons = r->rsp_prod; /* the guest reads everything */
            xsd_process_rings(xsd);
        } else if (k == 7) {
            for (i = 0; i < 3; i++)
                m[i]->out_off = m[i]->out_len;
        } else {
            break;
        }
        for (i = 0; i < 3; i++)
            memconn_run(m[i]);
        xsd_process_rings(xsd);
        xsd_reap(xsd);
        check(xsd);
    }
    for (i = 0; i < 3; i++)
        memconn_free(m[i]);
    xsd_destroy(xsd);
    free(be);
    return 0;
}
