// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: transactions.
 *
 * Optimistic, as in Xen since 4.9: a transaction works on an overlay of the
 * store (view.c) and commits only if no node it accessed changed since it
 * first looked: for every overlay entry, the store's current generation of
 * that path (0 if absent) must equal the entry's base_gen. Otherwise
 * TRANSACTION_END answers EAGAIN and the client retries. Because every node
 * a transaction read or wrote is checked, and the check and write-back run
 * in one step of the single-threaded daemon, committed transactions are
 * serializable: no update is lost.
 *
 * Write-back is two-phase so it cannot fail half-way: phase 1 allocates a
 * store shell (with the entry's path) for every node the transaction
 * creates and hangs it on the entry (ENOMEM: nothing changed, commit
 * answers ENOMEM); phase 2 removes deleted subtrees, then moves each dirty
 * entry's content into the store (parents first: a created entry's shell
 * is inserted under its parent), which needs no allocation. Watches fire
 * after write-back, in overlay order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

#define TXN_APPLIED 0x100u /* phase 2 bookkeeping */

struct xs_txn *txn_find(struct xs_conn *conn, uint32_t id)
{
    struct xs_txn *t;

    for (t = conn->txns; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

void txn_free(struct xs_txn *t)
{
    table_free_all(&t->overlay);
    free(t);
}

int txn_start(struct xs_conn *conn, uint32_t *id)
{
    struct xs_domain *d = domain_get(conn->xsd, conn->domid);
    struct xs_txn *t;

    if (!d)
        return ENOMEM;
    if (!conn->privileged && d->txns >= conn->xsd->cfg.quota.transaction)
        return ENOSPC;
    t = calloc(1, sizeof(*t));
    if (!t)
        return ENOMEM;
    if (table_init(&t->overlay, true)) {
        free(t);
        return ENOMEM;
    }
    /* Ids are never 0 and unique within the connection. The loop ends: a
     * connection has at most a quota's worth of transactions (privileged
     * ones are bounded by memory long before 2^32). */
    do {
        t->id = conn->next_txid++;
    } while (t->id == 0 || txn_find(conn, t->id));
    t->next = conn->txns;
    conn->txns = t;
    d->txns++;
    *id = t->id;
    return 0;
}

static void txn_unlink(struct xs_conn *conn, struct xs_txn *txn)
{
    struct xs_txn **pp;
    struct xs_domain *d = domain_find(conn->xsd, conn->domid);

    for (pp = &conn->txns; *pp; pp = &(*pp)->next) {
        if (*pp == txn) {
            *pp = txn->next;
            break;
        }
    }
    if (d && d->txns)
        d->txns--;
}

static bool txn_conflicts(struct xsd *xsd, struct xs_txn *txn)
{
    struct xs_node *o, *s;

    for (o = txn->overlay.first; o; o = o->lnext) {
        s = store_find(xsd, o->path);
        if ((s ? s->gen : 0) != o->base_gen)
            return true;
    }
    return false;
}

/* Phase 2: write @o back, its parent first if the store lacks the parent. */
static void apply_entry(struct xsd *xsd, struct xs_txn *txn, struct xs_node *o)
{
    struct xs_node *s, *po, *shell;
    size_t plen;
    char saved;

    if ((o->txflags & TXN_APPLIED) || !(o->txflags & TXN_DIRTY) || (o->txflags & TXN_DELETED))
        return;
    o->txflags |= TXN_APPLIED;
    s = store_find(xsd, o->path);
    if (s) {
        node_swap_content(s, o);
        store_touch(xsd, s);
        return;
    }
    plen = path_parent_len(o->path);
    saved = o->path[plen];
    o->path[plen] = '\0';
    po = table_find(&txn->overlay, o->path);
    o->path[plen] = saved;
    /* The parent of a created node is dirty in the overlay (view_insert). */
    if (po)
        apply_entry(xsd, txn, po);
    shell = o->shell;
    if (!shell)
        return; /* cannot happen: phase 1 gave every creation its shell */
    o->shell = NULL;
    node_swap_content(shell, o);
    store_insert(xsd, shell);
}

/* Free the shells phase 1 made and phase 2 did not use. */
static void free_shells(struct xs_txn *txn)
{
    for (struct xs_node *o = txn->overlay.first; o; o = o->lnext) {
        if (o->shell)
            node_free(o->shell);
        o->shell = NULL;
    }
}

static void txn_fire(struct xsd *xsd, struct xs_txn *txn)
{
    struct xs_node *o, *s;

    for (o = txn->overlay.first; o; o = o->lnext) {
        if (!(o->txflags & TXN_FIRE))
            continue;
        if (o->txflags & TXN_DELETED) {
            watch_fire(xsd, o->path, o->txflags & TXN_FIRE_EXACT, o->perms, o->nperms, NULL,
                       0);
        } else {
            s = store_find(xsd, o->path);
            if (s)
                watch_fire(xsd, o->path, false, s->perms, s->nperms, NULL, 0);
        }
    }
}

int txn_end(struct xs_conn *conn, struct xs_txn *txn, bool commit)
{
    struct xsd *xsd = conn->xsd;
    struct xs_node *o, *s;
    int rc = 0;

    txn_unlink(conn, txn);
    if (!commit)
        goto out;
    if (txn->failed || txn_conflicts(xsd, txn)) {
        rc = EAGAIN;
        goto out;
    }
    /* Phase 1: a shell, with its path, for every created node. */
    for (o = txn->overlay.first; o; o = o->lnext) {
        if (!(o->txflags & TXN_DIRTY) || (o->txflags & TXN_DELETED) ||
            store_find(xsd, o->path))
            continue;
        o->shell = node_alloc(o->path, o->pathlen);
        if (!o->shell) {
            rc = ENOMEM;
            goto free;
        }
    }
    /* Phase 2: removals, then writes (cannot fail). */
    for (o = txn->overlay.first; o; o = o->lnext) {
        if (!(o->txflags & TXN_DELETED))
            continue;
        s = store_find(xsd, o->path);
        if (s)
            store_remove_subtree(xsd, s);
    }
    for (o = txn->overlay.first; o; o = o->lnext)
        apply_entry(xsd, txn, o);
    txn_fire(xsd, txn);
free:
    free_shells(txn);
out:
    txn_free(txn);
    return rc;
}
