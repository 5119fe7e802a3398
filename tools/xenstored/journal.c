// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: the optional journal (--journal FILE), so a restarted
 * daemon keeps the store.
 *
 * Format: a sequence of records, native byte order (the file never leaves
 * the host):
 *   'P' u32 pathlen, path, u32 nperms, nperms x (u32 domid, u32 perms),
 *       u32 vlen, value          a node was created or changed
 *   'D' u32 pathlen, path        a subtree was removed
 * Children are not recorded: replaying 'P' records in order recreates each
 * node after its parent and links children in their original order.
 *
 * On open the file is replayed (a torn or invalid tail record ends the
 * replay: a crash mid-write loses at most that change), then rewritten as a
 * compact snapshot (one 'P' per node, pre-order) through FILE.tmp and
 * rename(), and reopened for appending. Each change is appended and
 * flushed; the log is compacted again once it grows past four times the
 * last snapshot (plus 1 MiB). Connections, watches, transactions and
 * introduced domains are not journalled: domains are re-introduced by the
 * toolstack after a restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"

struct xs_journal {
    struct xsd *xsd;
    char *path;
    FILE *f;
    long snap_size;
    bool failed;
};

static int put_u32(FILE *f, uint32_t v)
{
    return fwrite(&v, sizeof(v), 1, f) == 1 ? 0 : -1;
}

static int write_record(FILE *f, const struct xs_node *n, bool deleted)
{
    uint32_t i;

    if (fputc(deleted ? 'D' : 'P', f) == EOF || put_u32(f, n->pathlen) ||
        fwrite(n->path, 1, n->pathlen, f) != n->pathlen)
        return -1;
    if (deleted)
        return 0;
    if (put_u32(f, n->nperms))
        return -1;
    for (i = 0; i < n->nperms; i++)
        if (put_u32(f, n->perms[i].domid) || put_u32(f, n->perms[i].perms))
            return -1;
    if (put_u32(f, n->vlen) || (n->vlen && fwrite(n->value, 1, n->vlen, f) != n->vlen))
        return -1;
    return 0;
}

static void snap_node(struct xsd *xsd, struct xs_node *n, void *arg)
{
    struct xs_journal *j = arg;

    (void)xsd;
    if (write_record(j->f, n, false))
        j->failed = true;
}

/* Rewrite the file as a snapshot of the store; leaves j->f open to append. */
static int journal_compact(struct xs_journal *j)
{
    size_t tlen = strlen(j->path) + 5;
    char *tmp = malloc(tlen);
    int rc = -1;

    if (!tmp)
        return -1;
    snprintf(tmp, tlen, "%s.tmp", j->path);
    if (j->f)
        fclose(j->f);
    j->f = fopen(tmp, "wb");
    if (!j->f)
        goto out;
    j->failed = false;
    store_walk(j->xsd, store_find(j->xsd, "/"), snap_node, j);
    if (j->failed || fflush(j->f) || fsync(fileno(j->f)) || rename(tmp, j->path))
        goto out;
    j->snap_size = ftell(j->f);
    rc = 0;
out:
    free(tmp);
    return rc;
}

static int get_u32(FILE *f, uint32_t *v)
{
    return fread(v, sizeof(*v), 1, f) == 1 ? 0 : -1;
}

/* One record; -1 at the end or on a bad record. */
static int replay_one(struct xsd *xsd, FILE *f)
{
    char path[XENSTORE_ABS_PATH_MAX + 1], *value = NULL;
    struct xs_perm perms[64];
    uint32_t plen, np = 0, vlen = 0, i;
    struct xs_node *n, *parent;
    int type = fgetc(f), rc = -1;

    if ((type != 'P' && type != 'D') || get_u32(f, &plen) || plen == 0 ||
        plen > XENSTORE_ABS_PATH_MAX || fread(path, 1, plen, f) != plen)
        return -1;
    path[plen] = '\0';
    if (!path_is_valid(path))
        return -1;
    if (type == 'D') {
        n = store_find(xsd, path);
        if (n && strcmp(path, "/") != 0)
            store_remove_subtree(xsd, n);
        return 0;
    }
    if (get_u32(f, &np) || np == 0 || np > 64)
        return -1;
    for (i = 0; i < np; i++)
        if (get_u32(f, &perms[i].domid) || get_u32(f, &perms[i].perms))
            return -1;
    if (get_u32(f, &vlen) || vlen > XENSTORE_PAYLOAD_MAX)
        return -1;
    value = malloc(vlen + 1);
    if (!value || (vlen && fread(value, 1, vlen, f) != vlen))
        goto out;
    n = store_find(xsd, path);
    if (n) {
        if (node_set_value(n, value, vlen) || node_set_perms(n, perms, np))
            goto out;
        store_touch(xsd, n);
        rc = 0;
        goto out;
    }
    if (strcmp(path, "/") == 0)
        goto out; /* the root always exists */
    value[vlen] = '\0';
    {
        char saved = path[path_parent_len(path)];

        path[path_parent_len(path)] = '\0';
        parent = store_find(xsd, path);
        path[strlen(path)] = saved;
    }
    if (!parent)
        goto out;
    n = node_alloc(path, plen);
    if (!n || node_set_perms(n, perms, np) || node_set_value(n, value, vlen) ||
        node_reserve_child(parent, plen + 1)) {
        node_free(n);
        goto out;
    }
    store_insert(xsd, n);
    rc = 0;
out:
    free(value);
    return rc;
}

static void journal_hook(void *ctx, const struct xs_node *n, bool deleted)
{
    struct xs_journal *j = ctx;

    if (!j->f)
        return;
    if (write_record(j->f, n, deleted) || fflush(j->f)) {
        fprintf(stderr, "xenstored: journal %s: write failed\n", j->path);
        return;
    }
    if (ftell(j->f) > j->snap_size * 4 + (1L << 20))
        journal_compact(j);
}

struct xs_journal *journal_open(struct xsd *xsd, const char *path)
{
    struct xs_journal *j = calloc(1, sizeof(*j));
    FILE *f;

    if (!j)
        return NULL;
    j->xsd = xsd;
    j->path = strdup(path);
    if (!j->path)
        goto free_j;
    f = fopen(path, "rb");
    if (f) {
        xsd->journal_replaying = true;
        while (replay_one(xsd, f) == 0)
            ;
        xsd->journal_replaying = false;
        fclose(f);
    }
    if (journal_compact(j))
        goto close_f;
    xsd->journal = journal_hook;
    xsd->journal_ctx = j;
    return j;

close_f:
    if (j->f)
        fclose(j->f);
    free(j->path);
free_j:
    free(j);
    return NULL;
}

void journal_close(struct xs_journal *j)
{
    if (!j)
        return;
    j->xsd->journal = NULL;
    if (j->f)
        fclose(j->f);
    free(j->path);
    free(j);
}
