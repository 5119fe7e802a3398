// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: domains.
 *
 * struct xs_domain is the per-domid accounting record (nodes owned,
 * watches, transactions, outstanding replies, memory), created on first use
 * and kept until xsd_destroy(); a domid can only be one of XS_DOMID_LIMIT
 * values, so the table is bounded. A domain is "introduced" between
 * INTRODUCE and RELEASE; while introduced it may own a ring connection
 * (ring.c), set up through the ring backend (map the page, bind the event
 * channel). Without a backend (a daemon with no /dev/xen, the unit tests
 * that need none) INTRODUCE only records the domain: IS_DOMAIN_INTRODUCED,
 * SET_TARGET, RELEASE and the special watches then work as usual.
 *
 * RELEASE removes the nodes the domain owns (Xen's default), or with
 * keep_orphans gives them to dom0, then fires @releaseDomain.
 */
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

struct xs_domain *domain_find(struct xsd *xsd, uint32_t domid)
{
    struct xs_domain *d;

    for (d = xsd->domains[domid % XS_DOMAIN_BUCKETS]; d; d = d->hnext)
        if (d->domid == domid)
            return d;
    return NULL;
}

struct xs_domain *domain_get(struct xsd *xsd, uint32_t domid)
{
    struct xs_domain *d = domain_find(xsd, domid);

    if (d)
        return d;
    d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->domid = domid;
    d->local_port = -1;
    d->hnext = xsd->domains[domid % XS_DOMAIN_BUCKETS];
    xsd->domains[domid % XS_DOMAIN_BUCKETS] = d;
    return d;
}

void xsd_set_ring_backend(struct xsd *xsd, const struct xs_ring_backend_ops *ops, void *be)
{
    xsd->be_ops = ops;
    xsd->be = be;
}

bool domain_is_introduced(struct xsd *xsd, uint32_t domid)
{
    struct xs_domain *d = domain_find(xsd, domid);

    return domid == 0 || (d && d->introduced);
}

int domain_introduce(struct xsd *xsd, uint32_t domid, uint64_t mfn, uint32_t port)
{
    struct xs_domain *d;
    struct xs_conn *conn;
    void *ring = NULL;
    int err = 0;

    if (domid == 0 || domid >= XS_DOMID_LIMIT)
        return EINVAL;
    d = domain_get(xsd, domid);
    if (!d)
        return ENOMEM;
    if (d->introduced)
        return d->mfn == mfn && d->remote_port == port ? 0 : EINVAL;
    if (xsd->be_ops) {
        ring = ring_open(xsd, domid, mfn, port, &err);
        if (!ring)
            return err;
        conn = xsd_conn_new(xsd, &ring_conn_ops, ring, domid, false);
        if (!conn) {
            ring_conn_ops.close(ring);
            return ENOMEM;
        }
        conn->is_ring = true;
        d->conn = conn;
    }
    d->introduced = true;
    d->mfn = mfn;
    d->remote_port = port;
    watch_fire(xsd, "@introduceDomain", true, NULL, 0, NULL, 0);
    return 0;
}

struct owned {
    uint32_t domid;
    char **paths;
    size_t n, cap;
};

static void collect_owned(struct xsd *xsd, struct xs_node *n, void *arg)
{
    struct owned *o = arg;
    char **np;

    (void)xsd;
    if (n->perms[0].domid != o->domid || strcmp(n->path, "/") == 0)
        return;
    /* Only subtree roots: a descendant of a collected path goes with it. */
    if (o->n && path_is_child(n->path, o->paths[o->n - 1]))
        return;
    if (o->n == o->cap) {
        np = realloc(o->paths, (o->cap ? o->cap * 2 : 16) * sizeof(*np));
        if (!np)
            return;
        o->paths = np;
        o->cap = o->cap ? o->cap * 2 : 16;
    }
    o->paths[o->n] = strdup(n->path);
    if (o->paths[o->n])
        o->n++;
}

static void chown_dom0(struct xsd *xsd, struct xs_node *n, void *arg)
{
    const uint32_t *domid = arg;

    if (n->perms[0].domid == *domid) {
        n->perms[0].domid = 0;
        store_touch(xsd, n);
    }
}

int domain_release(struct xsd *xsd, uint32_t domid)
{
    struct xs_view v = { xsd, NULL, NULL };
    struct owned o = { domid, NULL, 0, 0 };
    struct xs_domain *d;
    size_t i;

    if (domid == 0 || domid >= XS_DOMID_LIMIT)
        return EINVAL;
    d = domain_find(xsd, domid);
    if (!d || !d->introduced)
        return ENOENT;
    if (d->conn) {
        xsd_conn_kill(d->conn);
        d->conn = NULL;
    }
    d->introduced = false;
    d->has_target = false;
    if (xsd->cfg.keep_orphans) {
        store_walk(xsd, store_find(xsd, "/"), chown_dom0, &domid);
    } else {
        store_walk(xsd, store_find(xsd, "/"), collect_owned, &o);
        for (i = 0; i < o.n; i++) {
            if (store_find(xsd, o.paths[i]))
                ops_rm_subtree(&v, o.paths[i]);
            free(o.paths[i]);
        }
        free(o.paths);
    }
    watch_fire(xsd, "@releaseDomain", true, NULL, 0, NULL, 0);
    return 0;
}
