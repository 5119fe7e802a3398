// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: watches.
 *
 * A watch is (path, token) on one connection; duplicates are EEXIST. A
 * change of node P fires every watch on P or an ancestor of P ("subtree"
 * firing); RM fires, for each removed descendant D, the watches on exactly
 * D, and for the removed root the watches on it and its ancestors (Xen's
 * rules). Special paths (@introduceDomain, @releaseDomain) fire only
 * watches on exactly that path. A connection sees an event only if it may
 * read the node (with its permissions before or after the change), or, for
 * a special path, the special node's permissions grant it READ.
 *
 * Events are queued on the connection (conn_event) behind any replies
 * already queued and sent when the transport can take them: delivery is
 * asynchronous and in firing order. Firing visits connections in creation
 * order and each connection's watches in registration order.
 *
 * Each watch is charged to its connection's domain: watches += 1, memory +=
 * strlen(path) + strlen(token).
 */
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

static int special_index(const char *path)
{
    if (strcmp(path, "@introduceDomain") == 0)
        return 0;
    if (strcmp(path, "@releaseDomain") == 0)
        return 1;
    return -1;
}

static const char *event_path(const struct xs_conn *conn, const struct xs_watch *w,
                              const char *path)
{
    char prefix[32];
    size_t plen;

    if (!w->relative)
        return path;
    path_domain(conn->domid, prefix);
    plen = strlen(prefix);
    if (strncmp(path, prefix, plen) == 0 && path[plen] == '/')
        return path + plen + 1;
    return path;
}

void watch_fire(struct xsd *xsd, const char *path, bool exact, const struct xs_perm *perms,
                uint32_t nperms, const struct xs_perm *oldp, uint32_t oldn)
{
    int special = path[0] == '@' ? special_index(path) : -1;
    struct xs_conn *c;
    struct xs_watch *w;

    for (c = xsd->conns; c; c = c->next) {
        if (c->dead || !c->watches)
            continue;
        if (path[0] == '@') {
            if (special < 0 || !(perm_for_conn(c, xsd->special_perms[special],
                                               xsd->special_nperms[special]) &
                                 XS_PERM_READ))
                continue;
        } else if (!(perm_for_conn(c, perms, nperms) & XS_PERM_READ) &&
                   !(oldp && (perm_for_conn(c, oldp, oldn) & XS_PERM_READ))) {
            continue;
        }
        for (w = c->watches; w; w = w->next) {
            bool match;

            if (path[0] == '@' || exact)
                match = strcmp(w->path, path) == 0;
            else
                match = w->path[0] == '/' && path_is_child(path, w->path);
            if (match)
                conn_event(c, event_path(c, w, path), w->token);
        }
    }
}

int watch_add(struct xs_conn *conn, const char *path, const char *token, bool relative)
{
    struct xsd *xsd = conn->xsd;
    struct xs_domain *d = domain_get(xsd, conn->domid);
    struct xs_watch *w, **tail;
    size_t cost = strlen(path) + strlen(token);

    if (!d)
        return ENOMEM;
    for (tail = &conn->watches; *tail; tail = &(*tail)->next)
        if (strcmp((*tail)->path, path) == 0 && strcmp((*tail)->token, token) == 0)
            return EEXIST;
    if (!conn->privileged) {
        if (d->watches >= xsd->cfg.quota.watch_nb)
            return E2BIG;
        if (d->memory + cost > xsd->cfg.quota.memory)
            return ENOMEM;
    }
    w = calloc(1, sizeof(*w));
    if (!w)
        return ENOMEM;
    w->path = strdup(path);
    w->token = strdup(token);
    if (!w->path || !w->token) {
        free(w->path);
        free(w->token);
        free(w);
        return ENOMEM;
    }
    w->relative = relative;
    *tail = w;
    d->watches++;
    d->memory += cost;
    return 0;
}

static void watch_free(struct xs_conn *conn, struct xs_watch *w)
{
    struct xs_domain *d = domain_find(conn->xsd, conn->domid);

    if (d) {
        d->watches--;
        d->memory -= strlen(w->path) + strlen(w->token);
    }
    free(w->path);
    free(w->token);
    free(w);
}

int watch_del(struct xs_conn *conn, const char *path, const char *token)
{
    struct xs_watch **pp, *w;

    for (pp = &conn->watches; *pp; pp = &(*pp)->next) {
        w = *pp;
        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
            *pp = w->next;
            watch_free(conn, w);
            return 0;
        }
    }
    return ENOENT;
}

void watch_del_all(struct xs_conn *conn)
{
    struct xs_watch *w;

    while ((w = conn->watches)) {
        conn->watches = w->next;
        watch_free(conn, w);
    }
}
