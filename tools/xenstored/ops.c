// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: the request dispatcher and the node operations.
 *
 * xsd_dispatch() is table-driven (one row per message type: handler and
 * flags) and checks, in Xen's order: a known type with a handler (else
 * ENOSYS), privilege for the privileged-only types (else EACCES), then the
 * transaction id (0: none; unknown: ENOENT), except for the types that
 * ignore it (WATCH, UNWATCH). Handlers queue their reply and return 0, or
 * return an errno that becomes an XS_ERROR reply.
 *
 * Handlers validate their arguments before changing anything. Every loop
 * here is bounded by the payload (<= XENSTORE_PAYLOAD_MAX bytes) or by the
 * tree below one node.
 *
 * Permission errors follow Xen: a node the caller may not access is EACCES;
 * a missing node is ENOENT only if the nearest existing ancestor grants the
 * access asked for, else EACCES (so ENOENT does not leak a node's absence).
 * Writes to a missing node create it and any missing parents, which inherit
 * the nearest existing ancestor's permissions, with the creating domain as
 * owner when it is unprivileged.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

#define RECORD_HDR 24u /* Xen's per-record header, for the entry-size quota */

/* Whole NUL-terminated strings at the start of the payload (Xen's
 * get_strings); fills up to @max of them. */
static unsigned int get_strings(const char *p, uint32_t len, const char **vec, unsigned int max)
{
    unsigned int n = 0;
    uint32_t off = 0;
    const char *nul;

    while (off < len && (nul = memchr(p + off, '\0', len - off))) {
        if (n < max)
            vec[n] = p + off;
        n++;
        off = (uint32_t)(nul - p) + 1;
    }
    return n;
}

/* Exactly one string, NUL-terminated at the end of the payload. */
static const char *onearg(const struct xs_conn *c)
{
    uint32_t len = c->hdr.len;

    if (!len || memchr(c->in_buf, '\0', len) != c->in_buf + len - 1)
        return NULL;
    return c->in_buf;
}

/* Strict decimal, no sign, no blanks; EINVAL on anything else. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (!*s)
        return EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return EINVAL;
        if (v > (max - (uint64_t)(*s - '0')) / 10)
            return EINVAL;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

static int parse_domid(const char *s, uint32_t *domid)
{
    uint64_t v;

    if (parse_u64(s, XS_DOMID_LIMIT - 1, &v))
        return EINVAL;
    *domid = (uint32_t)v;
    return 0;
}

static int ack(struct xs_conn *c)
{
    return conn_reply(c, c->hdr.type, "OK", 3);
}

/* Look @path up with access @perm; see the file comment for the errors. */
static int get_node(struct xs_view *v, const char *path, unsigned int perm,
                    const struct xs_node **out)
{
    const struct xs_node *n;
    char *buf;
    int rc = view_get(v, path, &n);

    if (rc)
        return rc;
    if (n) {
        if ((perm_for_conn(v->conn, n->perms, n->nperms) & perm) != perm)
            return EACCES;
        *out = n;
        return 0;
    }
    buf = strdup(path);
    if (!buf)
        return ENOMEM;
    do {
        if (strcmp(buf, "/") == 0) {
            free(buf);
            return EACCES; /* no root: cannot happen */
        }
        buf[path_parent_len(buf)] = '\0';
        rc = view_get(v, buf, &n);
    } while (!rc && !n);
    free(buf);
    if (rc)
        return rc;
    return (perm_for_conn(v->conn, n->perms, n->nperms) & perm) ? ENOENT : EACCES;
}

/*
 * The node a one-path request names: its canonical path into @path, and
 * the node looked up with @perm (get_node()). EINVAL for a missing or bad
 * path; otherwise get_node()'s answer.
 */
static int arg_node(struct xs_conn *c, struct xs_view *v, unsigned int perm,
                    char path[XENSTORE_ABS_PATH_MAX + 1], const struct xs_node **n)
{
    const char *arg = onearg(c);

    if (!arg || path_canonical(c, arg, path))
        return EINVAL;
    return get_node(v, path, perm, n);
}

/* Length of the last component of path[0, end). */
static size_t comp_len(const char *path, size_t end)
{
    size_t i = end;

    while (i > 0 && path[i - 1] != '/')
        i--;
    return end - i;
}

static bool over_entry_size(const struct xs_view *v, size_t record)
{
    return !v->conn->privileged && record >= v->xsd->cfg.quota.entry_size;
}

/* Create @path (missing, its nearest ancestor grants WRITE) and any missing
 * parents. Checks every quota before changing anything. */
static int create_node(struct xs_view *v, const char *path, const void *value, uint32_t vlen)
{
    const struct xsd_quota *q = &v->xsd->cfg.quota;
    struct xs_conn *c = v->conn;
    size_t len = strlen(path), cur = len, cost = 0, *ends;
    struct xs_node **nodes = NULL, *parent;
    const struct xs_node *anc = NULL;
    struct xs_perm *perms = NULL;
    unsigned int nnew = 0, np, j;
    struct xs_domain *d;
    char *buf;
    int rc;

    buf = strdup(path);
    ends = malloc(sizeof(*ends) * (len / 2 + 2));
    if (!buf || !ends) {
        rc = ENOMEM;
        goto out;
    }
    /* ends[0] = len (the node itself) ... ends[nnew-1] (shallowest). */
    do {
        ends[nnew++] = cur;
        buf[cur] = '\0';
        cur = path_parent_len(buf);
        buf[cur] = '\0';
        rc = view_get(v, buf, &anc);
    } while (!rc && !anc);
    if (rc)
        goto out;

    np = anc->nperms;
    perms = malloc(np * sizeof(*perms));
    if (!perms) {
        rc = ENOMEM;
        goto out;
    }
    memcpy(perms, anc->perms, np * sizeof(*perms));
    if (!c->privileged)
        perms[0].domid = c->domid;

    /* Quotas (unprivileged): node count, record sizes, memory. */
    rc = ENOSPC;
    if (!c->privileged && view_domain_nodes(v) + nnew > q->entry_nb)
        goto out;
    if (over_entry_size(v, node_record_size(anc) + comp_len(path, ends[nnew - 1]) + 1))
        goto out;
    for (j = 0; j < nnew; j++) {
        size_t rec = RECORD_HDR + np * 8 + (j ? comp_len(path, ends[j - 1]) + 1 : vlen);

        if (over_entry_size(v, rec))
            goto out;
        cost += rec + ends[j];
    }
    d = domain_find(v->xsd, c->domid);
    if (!c->privileged && d && d->memory + cost > q->memory) {
        rc = ENOMEM;
        goto out;
    }

    /* Phase 1: everything that can fail. */
    rc = ENOMEM;
    nodes = calloc(nnew, sizeof(*nodes));
    if (!nodes)
        goto out;
    for (j = 0; j < nnew; j++) {
        nodes[j] = node_alloc(path, ends[j]);
        if (!nodes[j] || node_set_perms(nodes[j], perms, np))
            goto out;
        if (j == 0 && node_set_value(nodes[j], value, vlen))
            goto out;
        if (j && node_reserve_child(nodes[j], (uint32_t)comp_len(path, ends[j - 1]) + 1))
            goto out;
    }
    rc = view_mut(v, buf, &parent);
    if (rc)
        goto out;
    rc = ENOMEM;
    if (node_reserve_child(parent, (uint32_t)comp_len(path, ends[nnew - 1]) + 1))
        goto out;

    /* Phase 2: link top-down (cannot fail). */
    for (j = nnew; j-- > 0;) {
        view_insert(v, nodes[j]);
        nodes[j] = NULL;
    }
    rc = view_get(v, path, &anc);
    if (!rc && anc)
        view_fire(v, path, anc, NULL, 0);
    rc = 0;

out:
    if (nodes) {
        for (j = 0; j < nnew; j++)
            node_free(nodes[j]);
        free(nodes);
    }
    free(perms);
    free(ends);
    free(buf);
    return rc;
}

static int do_read(struct xs_conn *c, struct xs_view *v)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const struct xs_node *n;
    int rc = arg_node(c, v, XS_PERM_READ, path, &n);

    if (rc)
        return rc;
    return conn_reply(c, XS_READ, n->value, n->vlen);
}

static int do_directory(struct xs_conn *c, struct xs_view *v)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const struct xs_node *n;
    int rc = arg_node(c, v, XS_PERM_READ, path, &n);

    if (rc)
        return rc;
    return conn_reply(c, XS_DIRECTORY, n->children, n->childlen);
}

/*
 * DIRECTORY_PART path\0offset\0: the node's generation as a decimal string,
 * then as many whole child names from byte @offset of the child list as fit
 * in a payload; an extra empty string marks the end of the list. A client
 * restarts if the generation changes between parts (Xen's semantics).
 */
static int do_directory_part(struct xs_conn *c, struct xs_view *v)
{
    char path[XENSTORE_ABS_PATH_MAX + 1], *out;
    const char *vec[2];
    const struct xs_node *n;
    uint32_t genlen, len = 0, maxlen;
    uint64_t off;
    int rc;

    if (get_strings(c->in_buf, c->hdr.len, vec, 2) != 2 ||
        vec[1] + strlen(vec[1]) + 1 != c->in_buf + c->hdr.len)
        return EINVAL;
    if (path_canonical(c, vec[0], path) || parse_u64(vec[1], UINT32_MAX, &off))
        return EINVAL;
    rc = get_node(v, path, XS_PERM_READ, &n);
    if (rc)
        return rc;
    out = malloc(XENSTORE_PAYLOAD_MAX);
    if (!out)
        return ENOMEM;
    genlen = (uint32_t)snprintf(out, 24, "%" PRIu64, n->gen) + 1;
    if (off >= n->childlen) {
        out[genlen] = '\0';
        rc = conn_reply(c, XS_DIRECTORY_PART, out, genlen + 1);
        free(out);
        return rc;
    }
    maxlen = XENSTORE_PAYLOAD_MAX - genlen - 1;
    while (off + len < n->childlen) {
        uint32_t clen = (uint32_t)strnlen(n->children + off + len, n->childlen - off - len);

        if (len + clen + 1 > maxlen)
            break;
        len += clen + 1;
    }
    memcpy(out + genlen, n->children + off, len);
    if (off + len == n->childlen)
        out[genlen + len++] = '\0';
    rc = conn_reply(c, XS_DIRECTORY_PART, out, genlen + len);
    free(out);
    return rc;
}

static int do_write(struct xs_conn *c, struct xs_view *v)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const char *nul = memchr(c->in_buf, '\0', c->hdr.len);
    const struct xs_node *n;
    struct xs_node *m;
    struct xs_domain *d;
    uint32_t plen, vlen;
    int rc;

    if (!nul || path_canonical(c, c->in_buf, path))
        return EINVAL;
    plen = (uint32_t)(nul - c->in_buf) + 1;
    vlen = c->hdr.len - plen;
    rc = get_node(v, path, XS_PERM_WRITE, &n);
    if (rc == ENOENT)
        rc = create_node(v, path, c->in_buf + plen, vlen);
    else if (!rc) {
        if (over_entry_size(v, node_record_size(n) - n->vlen + vlen))
            return ENOSPC;
        d = domain_find(v->xsd, c->domid);
        if (!c->privileged && d && vlen > n->vlen && d->memory + vlen - n->vlen > v->xsd->cfg.quota.memory)
            return ENOMEM;
        rc = view_mut(v, path, &m);
        if (!rc)
            rc = node_set_value(m, c->in_buf + plen, vlen);
        if (!rc) {
            view_touch(v, m);
            view_fire(v, path, m, NULL, 0);
        }
    }
    return rc ? rc : ack(c);
}

static int do_mkdir(struct xs_conn *c, struct xs_view *v)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const struct xs_node *n;
    int rc = arg_node(c, v, XS_PERM_WRITE, path, &n);

    if (rc == ENOENT)
        rc = create_node(v, path, NULL, 0);
    return rc ? rc : ack(c);
}

/* Post-order: children first, then the node (watches fire in that order). */
static int rm_rec(struct xs_view *v, const char *path, bool exact)
{
    const struct xs_node *n;
    size_t plen = strlen(path);
    uint32_t off, clen;
    char *children, *cpath;
    int rc = view_get(v, path, &n);

    if (rc || !n)
        return rc;
    /* Removing a child edits this node's list in the store: copy it. */
    clen = n->childlen;
    children = malloc(clen + 1);
    cpath = malloc(plen + XENSTORE_ABS_PATH_MAX + 2);
    if (!children || !cpath) {
        rc = ENOMEM;
        goto out;
    }
    if (clen)
        memcpy(children, n->children, clen);
    for (off = 0; off < clen && !rc; off += (uint32_t)strlen(children + off) + 1) {
        memcpy(cpath, path, plen);
        cpath[plen] = '/';
        strcpy(cpath + plen + (plen > 1), children + off);
        rc = rm_rec(v, cpath, true);
    }
    if (!rc)
        rc = view_delete(v, path, exact);
out:
    free(cpath);
    free(children);
    return rc;
}

int ops_rm_subtree(struct xs_view *v, const char *path)
{
    size_t plen = path_parent_len(path);
    struct xs_node *parent = NULL;
    char *pp;
    int rc;

    if (v->txn) {
        /* Make the parent private first so the unlink below cannot fail. */
        pp = strndup(path, plen);
        if (!pp)
            return ENOMEM;
        rc = view_mut(v, pp, &parent);
        free(pp);
        if (rc)
            return rc;
    }
    rc = rm_rec(v, path, false);
    if (rc) {
        if (v->txn)
            v->txn->failed = true; /* partly removed: it must not commit */
        return rc;
    }
    if (parent) {
        node_del_child(parent, path + plen + (plen > 1));
        view_touch(v, parent);
    }
    return 0;
}

static int do_rm(struct xs_conn *c, struct xs_view *v)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const struct xs_node *n;
    int rc = arg_node(c, v, XS_PERM_WRITE, path, &n);

    if (rc == ENOENT) {
        /* Already gone: fine if the parent exists. */
        path[path_parent_len(path)] = '\0';
        rc = view_get(v, path, &n);
        if (rc)
            return rc;
        return n ? ack(c) : ENOENT;
    }
    if (rc)
        return rc;
    if (strcmp(path, "/") == 0)
        return EINVAL;
    rc = ops_rm_subtree(v, path);
    return rc ? rc : ack(c);
}

static int format_perms(struct xs_conn *c, const struct xs_perm *p, uint32_t np)
{
    char *out = malloc((size_t)np * 16), *o = out;
    uint32_t i;
    int rc;

    if (!out)
        return ENOMEM;
    for (i = 0; i < np; i++)
        o += perm_format(&p[i], o) + 1;
    rc = conn_reply(c, XS_GET_PERMS, out, (size_t)(o - out));
    free(out);
    return rc;
}

static int special_index(const char *path)
{
    if (strcmp(path, "@introduceDomain") == 0)
        return 0;
    if (strcmp(path, "@releaseDomain") == 0)
        return 1;
    return -1;
}

static int do_get_perms(struct xs_conn *c, struct xs_view *v)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const struct xs_node *n;
    const char *arg = onearg(c);
    int rc, s;

    if (!arg)
        return EINVAL;
    if (arg[0] == '@') {
        s = special_index(arg);
        if (s < 0)
            return EINVAL;
        if (!(perm_for_conn(c, c->xsd->special_perms[s], c->xsd->special_nperms[s]) &
              XS_PERM_READ))
            return EACCES;
        return format_perms(c, c->xsd->special_perms[s], c->xsd->special_nperms[s]);
    }
    if (path_canonical(c, arg, path))
        return EINVAL;
    rc = get_node(v, path, XS_PERM_READ, &n);
    if (rc)
        return rc;
    return format_perms(c, n->perms, n->nperms);
}

/* SET_PERMS path\0perm\0perm\0...: the first entry is the owner. */
static int do_set_perms(struct xs_conn *c, struct xs_view *v)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const struct xs_perm *oldp;
    const struct xs_node *n;
    struct xs_perm *perms = NULL, *saved = NULL;
    struct xs_node *m;
    uint32_t np = 0, i, oldn, nuls = 0, off;
    const char *s;
    int rc, sp;

    for (off = 0; off < c->hdr.len; off++)
        nuls += c->in_buf[off] == '\0';
    if (nuls < 2)
        return EINVAL;
    np = nuls - 1;
    if (!c->privileged && np > c->xsd->cfg.quota.perm_nb)
        return ENOSPC;
    perms = malloc(np * sizeof(*perms));
    if (!perms)
        return ENOMEM;
    s = c->in_buf + strlen(c->in_buf) + 1;
    for (i = 0; i < np; i++, s += strlen(s) + 1) {
        if (perm_parse(s, &perms[i])) {
            rc = EINVAL;
            goto out;
        }
    }

    if (c->in_buf[0] == '@') {
        sp = special_index(c->in_buf);
        rc = EINVAL;
        if (sp < 0)
            goto out;
        rc = EACCES;
        if ((perm_for_conn(c, c->xsd->special_perms[sp], c->xsd->special_nperms[sp]) &
             (XS_PERM_WRITE | XS_PERM_OWNER)) != (XS_PERM_WRITE | XS_PERM_OWNER))
            goto out;
        rc = ENOSPC;
        if (np > sizeof(c->xsd->special_perms[sp]) / sizeof(c->xsd->special_perms[sp][0]))
            goto out;
        memcpy(c->xsd->special_perms[sp], perms, np * sizeof(*perms));
        c->xsd->special_nperms[sp] = np;
        rc = ack(c);
        goto out;
    }

    rc = EINVAL;
    if (path_canonical(c, c->in_buf, path))
        goto out;
    rc = get_node(v, path, XS_PERM_WRITE | XS_PERM_OWNER, &n);
    if (rc)
        goto out;
    /* Unprivileged domains may not give a node away. */
    rc = EPERM;
    if (!c->privileged && perms[0].domid != n->perms[0].domid)
        goto out;
    rc = ENOSPC;
    if (over_entry_size(v, node_record_size(n) + ((size_t)np - n->nperms) * 8))
        goto out;
    rc = view_mut(v, path, &m);
    if (rc)
        goto out;
    oldp = m->perms;
    oldn = m->nperms;
    saved = malloc(oldn * sizeof(*saved));
    rc = ENOMEM;
    if (!saved)
        goto out;
    memcpy(saved, oldp, oldn * sizeof(*saved));
    rc = node_set_perms(m, perms, np);
    if (rc)
        goto out;
    view_touch(v, m);
    view_fire(v, path, m, saved, oldn);
    rc = ack(c);
out:
    free(saved);
    free(perms);
    return rc;
}

/* WATCH / UNWATCH path\0token\0. */
static int watch_args(struct xs_conn *c, const char **vec, char *path, bool *relative)
{
    if (get_strings(c->in_buf, c->hdr.len, vec, 2) != 2)
        return EINVAL;
    if (vec[0][0] == '@') {
        if (!path_is_special(vec[0]))
            return EINVAL;
        strcpy(path, vec[0]); /* path_is_special bounds it */
        *relative = false;
        return 0;
    }
    *relative = vec[0][0] != '/';
    return path_canonical(c, vec[0], path);
}

static int do_watch(struct xs_conn *c, struct xs_view *v)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const char *vec[2];
    bool relative;
    int rc;

    (void)v;
    rc = watch_args(c, vec, path, &relative);
    if (rc)
        return rc;
    rc = watch_add(c, path, vec[1], relative);
    if (rc)
        return rc;
    rc = ack(c);
    /* The initial event, after the reply: clients rely on it. */
    conn_event(c, relative ? vec[0] : path, vec[1]);
    return rc;
}

static int do_unwatch(struct xs_conn *c, struct xs_view *v)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const char *vec[2];
    bool relative;
    int rc;

    (void)v;
    rc = watch_args(c, vec, path, &relative);
    if (rc)
        return rc;
    rc = watch_del(c, path, vec[1]);
    return rc ? rc : ack(c);
}

static int do_reset_watches(struct xs_conn *c, struct xs_view *v)
{
    struct xs_domain *d = domain_find(c->xsd, c->domid);
    struct xs_txn *t;

    (void)v;
    watch_del_all(c);
    while ((t = c->txns)) {
        c->txns = t->next;
        if (d && d->txns)
            d->txns--;
        txn_free(t);
    }
    return ack(c);
}

static int do_transaction_start(struct xs_conn *c, struct xs_view *v)
{
    char id[16];
    uint32_t tid;
    int rc;

    if (v->txn)
        return EBUSY;
    rc = txn_start(c, &tid);
    if (rc)
        return rc;
    snprintf(id, sizeof(id), "%u", tid);
    return conn_reply(c, XS_TRANSACTION_START, id, strlen(id) + 1);
}

static int do_transaction_end(struct xs_conn *c, struct xs_view *v)
{
    const char *arg = onearg(c);
    int rc;

    if (!arg || (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0))
        return EINVAL;
    if (!v->txn)
        return ENOENT;
    rc = txn_end(c, v->txn, arg[0] == 'T');
    v->txn = c->cur_txn = NULL;
    return rc ? rc : ack(c);
}

static int do_introduce(struct xs_conn *c, struct xs_view *v)
{
    const char *vec[3];
    uint32_t domid;
    uint64_t mfn, port;
    int rc;

    (void)v;
    if (get_strings(c->in_buf, c->hdr.len, vec, 3) < 3 || parse_domid(vec[0], &domid) ||
        parse_u64(vec[1], UINT64_MAX, &mfn) || parse_u64(vec[2], UINT32_MAX, &port) ||
        port == 0)
        return EINVAL;
    rc = domain_introduce(c->xsd, domid, mfn, (uint32_t)port);
    return rc ? rc : ack(c);
}

static int one_domid(struct xs_conn *c, uint32_t *domid)
{
    const char *arg = onearg(c);

    return !arg ? EINVAL : parse_domid(arg, domid);
}

static int do_release(struct xs_conn *c, struct xs_view *v)
{
    uint32_t domid;
    int rc;

    (void)v;
    rc = one_domid(c, &domid);
    if (!rc)
        rc = domain_release(c->xsd, domid);
    return rc ? rc : ack(c);
}

static int do_get_domain_path(struct xs_conn *c, struct xs_view *v)
{
    char path[32];
    uint32_t domid;

    (void)v;
    if (one_domid(c, &domid))
        return EINVAL;
    path_domain(domid, path);
    return conn_reply(c, XS_GET_DOMAIN_PATH, path, strlen(path) + 1);
}

static int do_is_domain_introduced(struct xs_conn *c, struct xs_view *v)
{
    uint32_t domid;

    (void)v;
    if (one_domid(c, &domid))
        return EINVAL;
    return conn_reply(c, XS_IS_DOMAIN_INTRODUCED,
                      domain_is_introduced(c->xsd, domid) ? "T" : "F", 2);
}

static int do_resume(struct xs_conn *c, struct xs_view *v)
{
    uint32_t domid;

    (void)v;
    if (one_domid(c, &domid) || domid == 0)
        return EINVAL;
    if (!domain_is_introduced(c->xsd, domid))
        return ENOENT;
    return ack(c);
}

/* SET_TARGET domid\0target\0: domid (a device model) acts for target. */
static int do_set_target(struct xs_conn *c, struct xs_view *v)
{
    const char *vec[2];
    uint32_t domid, target;
    struct xs_domain *d;

    (void)v;
    if (get_strings(c->in_buf, c->hdr.len, vec, 2) < 2 || parse_domid(vec[0], &domid) ||
        parse_domid(vec[1], &target) || domid == 0)
        return EINVAL;
    if (!domain_is_introduced(c->xsd, domid) || !domain_is_introduced(c->xsd, target))
        return ENOENT;
    d = domain_get(c->xsd, domid);
    if (!d)
        return ENOMEM;
    d->has_target = true;
    d->target = target;
    return ack(c);
}

static int do_control(struct xs_conn *c, struct xs_view *v)
{
    const char *argv[16];
    unsigned int argc;

    (void)v;
    argc = get_strings(c->in_buf, c->hdr.len, argv, 16);
    if (argc == 0 || argc > 16)
        return EINVAL;
    return control_handle(c, argv, argc);
}

#define F_PRIV  0x1u /* privileged connections only */
#define F_NOTID 0x2u /* ignores the transaction id */

static const struct {
    int (*fn)(struct xs_conn *c, struct xs_view *v);
    unsigned int flags;
} handlers[XS_TYPE_COUNT] = {
    [XS_CONTROL] = { do_control, F_PRIV },
    [XS_DIRECTORY] = { do_directory, 0 },
    [XS_READ] = { do_read, 0 },
    [XS_GET_PERMS] = { do_get_perms, 0 },
    [XS_WATCH] = { do_watch, F_NOTID },
    [XS_UNWATCH] = { do_unwatch, F_NOTID },
    [XS_TRANSACTION_START] = { do_transaction_start, 0 },
    [XS_TRANSACTION_END] = { do_transaction_end, 0 },
    [XS_INTRODUCE] = { do_introduce, F_PRIV },
    [XS_RELEASE] = { do_release, F_PRIV },
    [XS_GET_DOMAIN_PATH] = { do_get_domain_path, 0 },
    [XS_WRITE] = { do_write, 0 },
    [XS_MKDIR] = { do_mkdir, 0 },
    [XS_RM] = { do_rm, 0 },
    [XS_SET_PERMS] = { do_set_perms, 0 },
    [XS_IS_DOMAIN_INTRODUCED] = { do_is_domain_introduced, F_PRIV },
    [XS_RESUME] = { do_resume, F_PRIV },
    [XS_SET_TARGET] = { do_set_target, F_PRIV },
    [XS_RESET_WATCHES] = { do_reset_watches, 0 },
    [XS_DIRECTORY_PART] = { do_directory_part, 0 },
};
_Static_assert(XS_TYPE_COUNT == 23, "a new message type needs a row above");

void xsd_dispatch(struct xs_conn *c)
{
    uint32_t type = c->hdr.type;
    struct xs_view v = { c->xsd, c, NULL };
    int rc;

    if (type >= XS_TYPE_COUNT || !handlers[type].fn) {
        conn_error(c, ENOSYS);
        return;
    }
    if ((handlers[type].flags & F_PRIV) && !c->privileged) {
        conn_error(c, EACCES);
        return;
    }
    if (!(handlers[type].flags & F_NOTID) && c->hdr.tx_id) {
        v.txn = txn_find(c, c->hdr.tx_id);
        if (!v.txn) {
            conn_error(c, ENOENT);
            return;
        }
    }
    c->cur_txn = v.txn;
    rc = handlers[type].fn(c, &v);
    c->cur_txn = NULL;
    if (rc)
        conn_error(c, rc);
}
