// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: the store as one request sees it.
 *
 * Request handlers (ops.c) never touch the store directly: they go through a
 * struct xs_view, which is either the store itself or a transaction. The
 * same handler code therefore serves both, and the rules below are the
 * whole of what a transaction changes.
 *
 * Transaction overlay (txn->overlay, insertion-ordered): one entry per path
 * the transaction touched, each recording base_gen, the store generation of
 * that path at first access (0: absent). Entries are
 *   TXN_READ     only looked at: reads still go to the store, as in Xen
 *                (a later commit fails if the node changed meanwhile);
 *   TXN_DIRTY    a private copy the transaction modified (value, perms,
 *                children), written back at commit;
 *   TXN_DELETED  a tombstone (kept with its perms so watches can be
 *                permission-checked at commit).
 * Invariant: every path whose content the transaction observed or changed
 * has an entry, so txn_end() can detect any conflicting change by comparing
 * base_gen with the store's current generation.
 */
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

static int overlay_record(struct xs_view *v, const char *path, struct xs_node **out)
{
    struct xs_txn *t = v->txn;
    struct xs_node *s, *o;

    if (t->naccessed >= v->xsd->cfg.quota.trans_nodes && !v->conn->privileged)
        return ENOSPC;
    o = node_alloc(path, strlen(path));
    if (!o) {
        t->failed = true;
        return ENOMEM;
    }
    s = store_find(v->xsd, path);
    o->base_gen = s ? s->gen : 0;
    o->txflags = TXN_READ;
    table_insert(&t->overlay, o);
    t->naccessed++;
    *out = o;
    return 0;
}

int view_get(struct xs_view *v, const char *path, const struct xs_node **out)
{
    struct xs_node *o;
    int rc;

    if (!v->txn) {
        *out = store_find(v->xsd, path);
        return 0;
    }
    o = table_find(&v->txn->overlay, path);
    if (!o) {
        rc = overlay_record(v, path, &o);
        if (rc)
            return rc;
    }
    if (o->txflags & TXN_DELETED)
        *out = NULL;
    else if (o->txflags & TXN_READ)
        *out = store_find(v->xsd, path);
    else
        *out = o;
    return 0;
}

/* Turn a TXN_READ entry into a private copy of the store node. */
static int overlay_copy(struct xs_view *v, struct xs_node *o)
{
    struct xs_node *s = store_find(v->xsd, o->path);

    if (!s)
        return ENOENT;
    if (node_set_value(o, s->value, s->vlen) || node_set_perms(o, s->perms, s->nperms) ||
        node_set_children(o, s->children, s->childlen)) {
        v->txn->failed = true;
        return ENOMEM;
    }
    o->gen = s->gen;
    o->txflags = (o->txflags & ~TXN_READ) | TXN_DIRTY;
    return 0;
}

int view_mut(struct xs_view *v, const char *path, struct xs_node **out)
{
    struct xs_node *o;
    int rc;

    if (!v->txn) {
        *out = store_find(v->xsd, path);
        return *out ? 0 : ENOENT;
    }
    o = table_find(&v->txn->overlay, path);
    if (!o) {
        rc = overlay_record(v, path, &o);
        if (rc)
            return rc;
    }
    if (o->txflags & TXN_DELETED)
        return ENOENT;
    if (o->txflags & TXN_READ) {
        rc = overlay_copy(v, o);
        if (rc)
            return rc;
    }
    *out = o;
    return 0;
}

void view_touch(struct xs_view *v, struct xs_node *n)
{
    if (!v->txn)
        store_touch(v->xsd, n);
    else
        n->gen = ++v->xsd->gen; /* private: only DIRECTORY_PART sees it */
}

int view_insert(struct xs_view *v, struct xs_node *n)
{
    struct xs_node *o, *parent;
    size_t plen;
    char saved;

    if (!v->txn) {
        store_insert(v->xsd, n);
        return 0;
    }
    plen = path_parent_len(n->path);
    saved = n->path[plen];
    n->path[plen] = '\0';
    parent = table_find(&v->txn->overlay, n->path);
    n->path[plen] = saved;
    if (!parent || !(parent->txflags & TXN_DIRTY) || (parent->txflags & TXN_DELETED))
        abort(); /* caller broke the contract: parent made private first */

    o = table_find(&v->txn->overlay, n->path);
    if (o) {
        /* Absent-but-read or a tombstone: it becomes the new node. */
        node_swap_content(o, n);
        node_free(n);
        o->txflags = (o->txflags & ~(TXN_READ | TXN_DELETED)) | TXN_DIRTY;
    } else {
        struct xs_node *s = store_find(v->xsd, n->path);

        n->base_gen = s ? s->gen : 0;
        n->txflags = TXN_DIRTY;
        table_insert(&v->txn->overlay, n);
        v->txn->naccessed++;
        o = n;
    }
    o->gen = ++v->xsd->gen;
    if (o->perms[0].domid == v->conn->domid)
        v->txn->delta_nodes++;
    if (!node_has_child(parent, o->path + plen + (plen > 1)))
        node_add_child(parent, o->path + plen + (plen > 1));
    parent->gen = ++v->xsd->gen;
    return 0;
}

int view_delete(struct xs_view *v, const char *path, bool exact)
{
    struct xs_node *o, *s;

    if (!v->txn) {
        s = store_find(v->xsd, path);
        if (!s)
            return ENOENT;
        watch_fire(v->xsd, path, exact, s->perms, s->nperms, NULL, 0);
        store_remove_subtree(v->xsd, s);
        return 0;
    }
    o = table_find(&v->txn->overlay, path);
    if (!o || (o->txflags & TXN_DELETED))
        return ENOENT;
    if (o->txflags & TXN_READ) {
        s = store_find(v->xsd, path);
        if (!s)
            return ENOENT;
        if (node_set_perms(o, s->perms, s->nperms)) {
            v->txn->failed = true;
            return ENOMEM;
        }
    }
    if (o->perms[0].domid == v->conn->domid)
        v->txn->delta_nodes--;
    free(o->value);
    free(o->children);
    o->value = o->children = NULL;
    o->vlen = o->childlen = o->childcap = 0;
    o->txflags = (o->txflags & ~(TXN_READ | TXN_DIRTY | TXN_FIRE_EXACT)) | TXN_DELETED |
                 TXN_FIRE | (exact ? TXN_FIRE_EXACT : 0);
    return 0;
}

void view_fire(struct xs_view *v, const char *path, const struct xs_node *n,
               const struct xs_perm *oldp, uint32_t oldn)
{
    struct xs_node *o;

    if (!v->txn) {
        watch_fire(v->xsd, path, false, n->perms, n->nperms, oldp, oldn);
        return;
    }
    o = table_find(&v->txn->overlay, path);
    if (o) {
        o->txflags |= TXN_FIRE;
        o->txflags &= ~TXN_FIRE_EXACT;
    }
}

unsigned int view_domain_nodes(struct xs_view *v)
{
    struct xs_domain *d = domain_find(v->xsd, v->conn->domid);
    long n = (d ? (long)d->nodes : 0) + (v->txn ? v->txn->delta_nodes : 0);

    return n < 0 ? 0 : (unsigned int)n;
}
