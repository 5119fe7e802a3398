// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: the node store.
 *
 * The store is a hash table of nodes keyed by canonical path (struct
 * xs_table); the tree shape lives in each node's children list (names in
 * creation order, as Xen keeps them, so DIRECTORY answers in that order).
 *
 * Invariants (checked by the unit tests' store checker):
 *  - "/" always exists; every other node's parent exists and lists it once;
 *    every listed child exists.
 *  - Every node's generation is unique and <= xsd->gen; it changes whenever
 *    the node's value, permissions or children change. Transactions
 *    (txn.c) detect conflicts by comparing generations, and DIRECTORY_PART
 *    reports the parent's generation so a client can tell when its
 *    multi-part listing raced with a change.
 *  - Each node is charged (acct_bytes, to acct_owner = perms[0].domid) to
 *    its owner's domain: nodes += 1, memory += acct_bytes. store_insert,
 *    store_touch and store_remove_subtree keep that exact.
 *
 * Work is bounded by the tree: removal recurses once per level, and a path
 * has at most XENSTORE_ABS_PATH_MAX / 2 levels.
 */
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

#define TABLE_MIN_BUCKETS 64u

static size_t hash_path(const char *p)
{
    size_t h = 2166136261u;

    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

int table_init(struct xs_table *t, bool ordered)
{
    memset(t, 0, sizeof(*t));
    t->buckets = calloc(TABLE_MIN_BUCKETS, sizeof(*t->buckets));
    if (!t->buckets)
        return ENOMEM;
    t->nbuckets = TABLE_MIN_BUCKETS;
    t->ordered = ordered;
    return 0;
}

void table_free_all(struct xs_table *t)
{
    struct xs_node *n, *next;
    size_t i;

    for (i = 0; i < t->nbuckets; i++) {
        for (n = t->buckets[i]; n; n = next) {
            next = n->hnext;
            node_free(n);
        }
    }
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

struct xs_node *table_find(const struct xs_table *t, const char *path)
{
    struct xs_node *n;

    for (n = t->buckets[hash_path(path) & (t->nbuckets - 1)]; n; n = n->hnext)
        if (strcmp(n->path, path) == 0)
            return n;
    return NULL;
}

/* Double the buckets; on allocation failure keep the old (longer chains). */
static void table_grow(struct xs_table *t)
{
    size_t nb = t->nbuckets * 2, i;
    struct xs_node **b = calloc(nb, sizeof(*b));
    struct xs_node *n, *next;

    if (!b)
        return;
    for (i = 0; i < t->nbuckets; i++) {
        for (n = t->buckets[i]; n; n = next) {
            next = n->hnext;
            n->hnext = b[hash_path(n->path) & (nb - 1)];
            b[hash_path(n->path) & (nb - 1)] = n;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = nb;
}

void table_insert(struct xs_table *t, struct xs_node *n)
{
    size_t b;

    if (t->count >= t->nbuckets * 2)
        table_grow(t);
    b = hash_path(n->path) & (t->nbuckets - 1);
    n->hnext = t->buckets[b];
    t->buckets[b] = n;
    t->count++;
    if (t->ordered) {
        n->lnext = NULL;
        if (t->last)
            t->last->lnext = n;
        else
            t->first = n;
        t->last = n;
    }
}

/* Ordered tables (transaction overlays) never remove. */
void table_remove(struct xs_table *t, struct xs_node *n)
{
    struct xs_node **pp = &t->buckets[hash_path(n->path) & (t->nbuckets - 1)];

    for (; *pp; pp = &(*pp)->hnext) {
        if (*pp == n) {
            *pp = n->hnext;
            t->count--;
            return;
        }
    }
}

struct xs_node *node_alloc(const char *path, size_t pathlen)
{
    struct xs_node *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->path = malloc(pathlen + 1);
    if (!n->path) {
        free(n);
        return NULL;
    }
    memcpy(n->path, path, pathlen);
    n->path[pathlen] = '\0';
    n->pathlen = (uint32_t)pathlen;
    return n;
}

void node_free(struct xs_node *n)
{
    if (!n)
        return;
    free(n->path);
    free(n->value);
    free(n->perms);
    free(n->children);
    free(n);
}

int node_set_value(struct xs_node *n, const void *v, uint32_t vlen)
{
    char *nv = NULL;

    if (vlen) {
        nv = malloc(vlen);
        if (!nv)
            return ENOMEM;
        memcpy(nv, v, vlen);
    }
    free(n->value);
    n->value = nv;
    n->vlen = vlen;
    return 0;
}

int node_set_perms(struct xs_node *n, const struct xs_perm *p, uint32_t np)
{
    struct xs_perm *nperm = malloc(np * sizeof(*p));

    if (!nperm)
        return ENOMEM;
    memcpy(nperm, p, np * sizeof(*p));
    free(n->perms);
    n->perms = nperm;
    n->nperms = np;
    return 0;
}

int node_set_children(struct xs_node *n, const char *c, uint32_t clen)
{
    char *nc = NULL;

    if (clen) {
        nc = malloc(clen);
        if (!nc)
            return ENOMEM;
        memcpy(nc, c, clen);
    }
    free(n->children);
    n->children = nc;
    n->childlen = n->childcap = clen;
    return 0;
}

int node_reserve_child(struct xs_node *n, uint32_t extra)
{
    uint32_t want = n->childlen + extra;
    char *nc;

    if (want <= n->childcap)
        return 0;
    if (want < n->childcap * 2)
        want = n->childcap * 2;
    nc = realloc(n->children, want);
    if (!nc)
        return ENOMEM;
    n->children = nc;
    n->childcap = want;
    return 0;
}

void node_add_child(struct xs_node *n, const char *name)
{
    size_t len = strlen(name) + 1;

    /* Room was reserved by node_reserve_child(). */
    if (n->childlen + len > n->childcap)
        abort();
    memcpy(n->children + n->childlen, name, len);
    n->childlen += (uint32_t)len;
}

static long child_offset(const struct xs_node *n, const char *name)
{
    uint32_t off = 0;

    while (off < n->childlen) {
        const char *c = n->children + off;
        size_t len = strlen(c) + 1;

        if (strcmp(c, name) == 0)
            return off;
        off += (uint32_t)len;
    }
    return -1;
}

bool node_has_child(const struct xs_node *n, const char *name)
{
    return child_offset(n, name) >= 0;
}

bool node_del_child(struct xs_node *n, const char *name)
{
    long off = child_offset(n, name);
    size_t len;

    if (off < 0)
        return false;
    len = strlen(name) + 1;
    memmove(n->children + off, n->children + off + len, n->childlen - off - len);
    n->childlen -= (uint32_t)len;
    return true;
}

struct xs_node *node_dup(const struct xs_node *n)
{
    struct xs_node *d = node_alloc(n->path, n->pathlen);

    if (!d)
        return NULL;
    if (node_set_value(d, n->value, n->vlen) || node_set_perms(d, n->perms, n->nperms) ||
        node_set_children(d, n->children, n->childlen)) {
        node_free(d);
        return NULL;
    }
    d->gen = n->gen;
    return d;
}

void node_swap_content(struct xs_node *a, struct xs_node *b)
{
    struct xs_node t = *a;

    a->value = b->value;
    a->vlen = b->vlen;
    a->perms = b->perms;
    a->nperms = b->nperms;
    a->children = b->children;
    a->childlen = b->childlen;
    a->childcap = b->childcap;
    b->value = t.value;
    b->vlen = t.vlen;
    b->perms = t.perms;
    b->nperms = t.nperms;
    b->children = t.children;
    b->childlen = t.childlen;
    b->childcap = t.childcap;
}

size_t node_record_size(const struct xs_node *n)
{
    /* Xen's record (struct xs_tdb_record_hdr): a 24-byte header, 8 bytes
     * per permission, the value and the children names. The entry-size
     * quota applies to this size. */
    return 24 + (size_t)n->nperms * 8 + n->vlen + n->childlen;
}

struct xs_node *store_find(struct xsd *xsd, const char *path)
{
    return table_find(&xsd->store, path);
}

static void acct(struct xsd *xsd, uint32_t domid, int dnodes, long dbytes)
{
    struct xs_domain *d = domain_get(xsd, domid);

    if (!d)
        return;
    d->nodes += dnodes;
    d->memory += dbytes;
}

/* New generation and exact accounting for @n's current content. */
static void store_regen(struct xsd *xsd, struct xs_node *n, bool charged)
{
    uint32_t owner = n->perms[0].domid;
    uint32_t bytes = (uint32_t)(node_record_size(n) + n->pathlen);

    n->gen = ++xsd->gen;
    if (charged) {
        if (owner != n->acct_owner) {
            acct(xsd, n->acct_owner, -1, -(long)n->acct_bytes);
            acct(xsd, owner, 1, bytes);
        } else {
            acct(xsd, owner, 0, (long)bytes - (long)n->acct_bytes);
        }
    } else {
        acct(xsd, owner, 1, bytes);
    }
    n->acct_owner = owner;
    n->acct_bytes = bytes;
}

void store_insert(struct xsd *xsd, struct xs_node *n)
{
    struct xs_node *parent;
    char saved;
    size_t plen;

    if (strcmp(n->path, "/") != 0) {
        plen = path_parent_len(n->path);
        saved = n->path[plen];
        n->path[plen] = '\0';
        parent = store_find(xsd, n->path);
        n->path[plen] = saved;
        if (!parent)
            abort(); /* caller broke the contract: parent must exist */
        if (!node_has_child(parent, n->path + plen + (plen > 1))) {
            node_add_child(parent, n->path + plen + (plen > 1));
            store_regen(xsd, parent, true);
        }
    }
    table_insert(&xsd->store, n);
    store_regen(xsd, n, false);
    if (xsd->journal && !xsd->journal_replaying)
        xsd->journal(xsd->journal_ctx, n, false);
}

void store_touch(struct xsd *xsd, struct xs_node *n)
{
    store_regen(xsd, n, true);
    if (xsd->journal && !xsd->journal_replaying)
        xsd->journal(xsd->journal_ctx, n, false);
}

static void remove_rec(struct xsd *xsd, struct xs_node *n)
{
    char *child;
    uint32_t off;

    for (off = 0; off < n->childlen; off += (uint32_t)strlen(n->children + off) + 1) {
        struct xs_node *c;
        size_t clen = strlen(n->children + off);
        char *cpath = malloc(n->pathlen + clen + 2);

        if (!cpath)
            continue; /* leaves an unreachable node: only on OOM */
        child = n->children + off;
        memcpy(cpath, n->path, n->pathlen);
        cpath[n->pathlen] = '/';
        memcpy(cpath + n->pathlen + (n->pathlen > 1), child, clen + 1);
        c = store_find(xsd, cpath);
        free(cpath);
        if (c)
            remove_rec(xsd, c);
    }
    acct(xsd, n->acct_owner, -1, -(long)n->acct_bytes);
    table_remove(&xsd->store, n);
    node_free(n);
}

void store_remove_subtree(struct xsd *xsd, struct xs_node *n)
{
    struct xs_node *parent;
    size_t plen = path_parent_len(n->path);
    char saved = n->path[plen];

    n->path[plen] = '\0';
    parent = store_find(xsd, n->path);
    n->path[plen] = saved;
    if (parent && node_del_child(parent, n->path + plen + (plen > 1)))
        store_regen(xsd, parent, true);
    if (xsd->journal && !xsd->journal_replaying)
        xsd->journal(xsd->journal_ctx, n, true);
    remove_rec(xsd, n);
}

static void walk_rec(struct xsd *xsd, struct xs_node *n,
                     void (*fn)(struct xsd *xsd, struct xs_node *n, void *arg), void *arg)
{
    uint32_t off;

    fn(xsd, n, arg);
    for (off = 0; off < n->childlen; off += (uint32_t)strlen(n->children + off) + 1) {
        size_t clen = strlen(n->children + off);
        char *cpath = malloc(n->pathlen + clen + 2);
        struct xs_node *c;

        if (!cpath)
            continue;
        memcpy(cpath, n->path, n->pathlen);
        cpath[n->pathlen] = '/';
        memcpy(cpath + n->pathlen + (n->pathlen > 1), n->children + off, clen + 1);
        c = store_find(xsd, cpath);
        free(cpath);
        if (c)
            walk_rec(xsd, c, fn, arg);
    }
}

void store_walk(struct xsd *xsd, struct xs_node *root,
                void (*fn)(struct xsd *xsd, struct xs_node *n, void *arg), void *arg)
{
    walk_rec(xsd, root, fn, arg);
}
