/* SPDX-License-Identifier: MIT */
/*
 * Keel xenstored: the portable core.
 *
 * Everything declared here is plain C with no OS dependency (no sockets, no
 * poll, no /dev/xen), so host unit tests and the fuzzer drive it directly.
 * The daemon (main.c, unix_socket.c) and the dom0 ring backend plug in
 * through two small ops tables: struct xs_conn_ops (one per transport) and
 * struct xs_ring_backend_ops (guest page mapping and event channels).
 *
 * Threading: the core is single-threaded. Every function must be called
 * from the one thread that owns the struct xsd; there are no locks.
 *
 * Object model (who owns what):
 *   struct xsd           owns the store, every connection, the domain table.
 *   struct xs_conn       owns its watches, transactions, input buffer and
 *                        output queue. A connection is never freed while a
 *                        request is being handled: it is marked dead and
 *                        freed by xsd_reap(), which callers run at top level.
 *   struct xs_domain     accounting for one domid (created on first use) and,
 *                        once introduced, its ring connection.
 *
 * Errors: functions return 0 or a positive errno (as Xen's xenstored does
 * internally); the dispatcher turns it into an XS_ERROR reply carrying the
 * errno's name from xsd_errors[] in xs_wire.h.
 */
#ifndef KEEL_XS_CORE_H
#define KEEL_XS_CORE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <public/io/xs_wire.h>

/* Permission bits (XS_PERM_OWNER is internal: never in the text form). */
#define XS_PERM_NONE   0x0u
#define XS_PERM_READ   0x1u
#define XS_PERM_WRITE  0x2u
#define XS_PERM_OWNER  0x4u
#define XS_PERM_IGNORE 0x8u /* entry naming a domain that no longer exists */

/* Domain ids at and above this are reserved (DOMID_FIRST_RESERVED). */
#define XS_DOMID_LIMIT 0x7ff0u

struct xs_perm {
    uint32_t domid;
    uint32_t perms; /* XS_PERM_* */
};

/*
 * A node: in the store (struct xsd.store) or in a transaction's overlay.
 * Invariants for store nodes: @path is canonical (path_is_valid()); every
 * name in @children names an existing store node whose parent is this one,
 * each name at most once, in creation order; nperms >= 1 and perms[0] is the
 * owner; @gen is unique and grows whenever value, perms or children change.
 */
struct xs_node {
    struct xs_node *hnext;   /* hash chain */
    struct xs_node *lnext;   /* overlay only: insertion order */
    char *path;              /* owned */
    uint32_t pathlen;
    uint32_t vlen;
    char *value;             /* owned, vlen bytes, may be NULL when vlen 0 */
    struct xs_perm *perms;   /* owned */
    uint32_t nperms;
    uint32_t childlen;       /* bytes used in children */
    uint32_t childcap;       /* bytes allocated */
    char *children;          /* NUL-terminated names, back to back */
    uint64_t gen;
    /* Store only: what this node is charged to its owner (store.c). */
    uint32_t acct_owner;
    uint32_t acct_bytes;
    /* Overlay only (txn.c). */
    uint64_t base_gen;       /* store gen at first access, 0: absent */
    uint32_t txflags;        /* TXN_* in txn.c */
    struct xs_node *shell;   /* commit: the store node it becomes, if created */
};

/* Hash table of nodes keyed by path, plus an insertion-ordered list. */
struct xs_table {
    struct xs_node **buckets;
    size_t nbuckets;
    size_t count;
    struct xs_node *first, *last; /* only kept when ordered is set */
    bool ordered;
};

/* Quotas: Xen 4.17's xenstored defaults, see xsd_config_default(). */
struct xsd_quota {
    unsigned int entry_nb;     /* -E --entry-nb: nodes owned per domain */
    unsigned int entry_size;   /* -S --entry-size: bytes per node record */
    unsigned int watch_nb;     /* -W --watch-nb: watches per domain */
    unsigned int transaction;  /* -t --transaction: open transactions */
    unsigned int perm_nb;      /* -A --perm-nb: ACL entries per node */
    unsigned int trans_nodes;  /* -Q transaction-nodes=: nodes a txn touches */
    unsigned int outstanding;  /* -Q outstanding=: unsent replies */
    unsigned int memory;       /* -Q memory=: bytes per domain (hard) */
    unsigned int memory_soft;  /* -q memory=: bytes per domain (warning) */
};

struct xsd_config {
    struct xsd_quota quota;
    /* Output a connection may queue before it stops being read (soft) and
     * before it is disconnected (hard): a client that never reads. */
    unsigned int outq_soft;
    unsigned int outq_hard;
    bool keep_orphans;         /* -K: RELEASE gives a domain's nodes to dom0 */
};

/*
 * A transport. The core pulls input with read() and pushes output with
 * write(); both are non-blocking.
 *   read:  copy up to len bytes into buf; return the count (0: nothing now),
 *          or a negative value: the peer is gone or broke the protocol.
 *   write: take up to len bytes; return the count (0: would block), or
 *          negative: the peer is gone.
 *   kick:  (optional) tell the peer there is something new (event channel).
 *   close: the core is done with the connection; release transport state.
 *          Called exactly once, from xsd_reap() or xsd_destroy().
 */
struct xs_conn_ops {
    int (*read)(void *priv, void *buf, unsigned int len);
    int (*write)(void *priv, const void *buf, unsigned int len);
    void (*kick)(void *priv);
    void (*close)(void *priv);
};

/*
 * How the daemon reaches guest rings (dom0: /dev/xen/gntdev or privcmd and
 * /dev/xen/evtchn; host tests: plain memory in one process).
 *   map:    map domid's xenstore page (GNTTAB_RESERVED_XENSTORE or the mfn
 *           given to INTRODUCE); NULL on failure.
 *   unmap:  undo map.
 *   bind:   bind an interdomain event channel to (domid, remote_port);
 *           return the local port (>= 0) or a negative errno.
 *   unbind: undo bind.
 *   notify: signal the local port (the guest sees an event).
 */
struct xs_ring_backend_ops {
    void *(*map)(void *be, uint32_t domid, uint64_t mfn);
    void (*unmap)(void *be, uint32_t domid, void *page);
    int (*bind)(void *be, uint32_t domid, uint32_t remote_port);
    void (*unbind)(void *be, int local_port);
    void (*notify)(void *be, int local_port);
};

struct xs_watch {
    struct xs_watch *next;
    char *path;      /* canonical path or @special */
    char *token;
    bool relative;   /* events report the path relative to the domain path */
};

struct xs_outbuf {
    struct xs_outbuf *next;
    uint32_t len;    /* header + payload */
    uint32_t off;    /* bytes already written */
    bool event;      /* a watch event, not a reply */
    char data[];
};

struct xs_txn {
    struct xs_txn *next;
    uint32_t id;
    struct xs_table overlay;   /* every node the transaction touched */
    unsigned int naccessed;
    int delta_nodes;           /* nodes the txn adds to its domain's count */
    bool failed;               /* commit must fail (EAGAIN) */
};

struct xs_domain {
    struct xs_domain *hnext;
    uint32_t domid;
    /* Accounting. */
    unsigned int nodes;        /* store nodes owned */
    unsigned int watches;
    unsigned int txns;
    unsigned int outstanding;  /* replies queued, not yet written */
    size_t memory;             /* bytes charged (nodes, watches, output) */
    /* Introduction (INTRODUCE .. RELEASE). */
    bool introduced;
    bool has_target;
    uint32_t target;           /* SET_TARGET: acts for this domain */
    uint64_t mfn;
    uint32_t remote_port;
    int local_port;
    void *intf;                /* mapped struct xenstore_domain_interface */
    struct xs_conn *conn;      /* ring connection, NULL if none */
};

#define XS_DOMAIN_BUCKETS 64

struct xs_conn {
    struct xs_conn *next;
    struct xsd *xsd;
    const struct xs_conn_ops *ops;
    void *priv;
    uint32_t domid;
    bool privileged;           /* dom0/socket: bypasses permissions, quotas */
    bool dead;                 /* freed by the next xsd_reap() */
    bool is_ring;
    /* Input: a header, then hdr.len payload bytes. */
    bool in_hdr;
    uint32_t in_used;
    struct xsd_sockmsg hdr;
    char in_buf[XENSTORE_PAYLOAD_MAX + 1]; /* + NUL so strings end */
    /* Output queue. */
    struct xs_outbuf *out_head, *out_tail;
    size_t out_bytes;
    bool kick_pending;
    /* Watches and transactions. */
    struct xs_watch *watches;
    struct xs_txn *txns;
    uint32_t next_txid;
    struct xs_txn *cur_txn;    /* only while a request is dispatched */
};

/* A change to the store, for the journal. */
typedef void xsd_journal_fn(void *ctx, const struct xs_node *node, bool deleted);
typedef void xsd_log_fn(void *ctx, const char *line);

struct xsd {
    struct xsd_config cfg;
    struct xs_table store;
    uint64_t gen;              /* last generation handed out */
    struct xs_conn *conns;
    struct xs_domain *domains[XS_DOMAIN_BUCKETS];
    struct xs_perm special_perms[2][8]; /* @introduceDomain, @releaseDomain */
    uint32_t special_nperms[2];
    const struct xs_ring_backend_ops *be_ops;
    void *be;
    xsd_journal_fn *journal;
    void *journal_ctx;
    bool journal_replaying;
    xsd_log_fn *log;
    void *log_ctx;
    bool log_on;
};

/* --- xsd.c: instance, connections, I/O --- */

/* Fill @cfg with Xen 4.17's defaults. */
void xsd_config_default(struct xsd_config *cfg);
/* A new instance with the initial nodes "/", "/tool", "/tool/xenstored"
 * (owner dom0, "n0"). NULL if out of memory. */
struct xsd *xsd_create(const struct xsd_config *cfg);
/* Close every connection (ops->close) and free everything. */
void xsd_destroy(struct xsd *xsd);
/*
 * A new connection for @domid over @ops/@priv. @privileged: dom0 tools
 * (sockets) and the privileged domain. NULL if out of memory (the caller
 * still owns @priv then).
 */
struct xs_conn *xsd_conn_new(struct xsd *xsd, const struct xs_conn_ops *ops, void *priv,
                             uint32_t domid, bool privileged);
/* Read and handle what the connection has sent, then write what is queued.
 * Bounded work per call. Returns false if the connection is now dead. */
bool xsd_conn_process(struct xs_conn *conn);
/* Write queued output only. */
bool xsd_conn_flush(struct xs_conn *conn);
/* Whether the core wants to read from / write to the connection now. */
bool xsd_conn_wants_input(const struct xs_conn *conn);
bool xsd_conn_wants_output(const struct xs_conn *conn);
/* Mark dead (freed by the next xsd_reap()). */
void xsd_conn_kill(struct xs_conn *conn);
/* Free every dead connection (calls its ops->close). */
void xsd_reap(struct xsd *xsd);
/* Process every ring connection (domains); the daemon calls this on an
 * event-channel notification. */
void xsd_process_rings(struct xsd *xsd);
/* Drop a connection's watches, transactions and queued I/O (guest
 * reconnect, RESET). */
void xsd_conn_reset(struct xs_conn *conn);

void xsd_logf(struct xsd *xsd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Queue a reply / an error for the request being handled. */
int conn_reply(struct xs_conn *conn, uint32_t type, const void *data, size_t len);
void conn_error(struct xs_conn *conn, int err);
/* Queue a watch event; dropped (as Xen does) when over quota. */
void conn_event(struct xs_conn *conn, const char *path, const char *token);

/* --- domain.c --- */

/* The accounting record of @domid, created if needed (NULL: no memory). */
struct xs_domain *domain_get(struct xsd *xsd, uint32_t domid);
struct xs_domain *domain_find(struct xsd *xsd, uint32_t domid);
/* Install the ring backend; NULL ops: INTRODUCE records the domain only. */
void xsd_set_ring_backend(struct xsd *xsd, const struct xs_ring_backend_ops *ops, void *be);
/* Attach a ring connection for @domid (INTRODUCE's work). Returns 0 or an
 * errno: EINVAL (bad domid, mapping or binding failed), EEXIST, ENOMEM. */
int domain_introduce(struct xsd *xsd, uint32_t domid, uint64_t mfn, uint32_t port);
/* RELEASE's work: close the ring, drop the domain's nodes, fire
 * @releaseDomain. ENOENT if not introduced. */
int domain_release(struct xsd *xsd, uint32_t domid);
bool domain_is_introduced(struct xsd *xsd, uint32_t domid);

/* --- path.c --- */

/* Xen's node-name rules: starts with '/', no trailing '/' (except "/"), no
 * "//", only [A-Za-z0-9-/_@], at most XENSTORE_ABS_PATH_MAX characters. */
bool path_is_valid(const char *path);
/* A watchable / permissionable special path: @ followed by valid chars. */
bool path_is_special(const char *path);
/* Canonical form of @in for @conn into @out (XENSTORE_ABS_PATH_MAX + 1
 * bytes): relative paths are under /local/domain/<domid>. EINVAL if the
 * result is not a valid path. */
int path_canonical(const struct xs_conn *conn, const char *in, char *out);
/* Whether @child is @parent or below it. */
bool path_is_child(const char *child, const char *parent);
/* Length of the parent's path ("/" for "/a"). @path must be valid, not "/". */
size_t path_parent_len(const char *path);
/* "/local/domain/<domid>" into @out (32 bytes). */
void path_domain(uint32_t domid, char *out);

/* --- perms.c --- */

/* Parse one "r5"-style entry. 0 or EINVAL. */
int perm_parse(const char *s, struct xs_perm *p);
/* Format one entry into @buf (16 bytes); returns its length. */
int perm_format(const struct xs_perm *p, char *buf);
/* What @conn may do to a node with these permissions (XS_PERM_*). */
unsigned int perm_for_conn(const struct xs_conn *conn, const struct xs_perm *perms,
                           uint32_t nperms);

/* --- store.c --- */

int table_init(struct xs_table *t, bool ordered);
void table_free_all(struct xs_table *t);
struct xs_node *table_find(const struct xs_table *t, const char *path);
void table_insert(struct xs_table *t, struct xs_node *n);
void table_remove(struct xs_table *t, struct xs_node *n);

struct xs_node *node_alloc(const char *path, size_t pathlen);
void node_free(struct xs_node *n);
/* Replace value / perms (copies); ENOMEM or 0. */
int node_set_value(struct xs_node *n, const void *v, uint32_t vlen);
int node_set_perms(struct xs_node *n, const struct xs_perm *p, uint32_t np);
int node_set_children(struct xs_node *n, const char *c, uint32_t clen);
/* Make room for @extra more children bytes (so a later append can't fail). */
int node_reserve_child(struct xs_node *n, uint32_t extra);
/* Append / remove a child name; append needs node_reserve_child() first. */
void node_add_child(struct xs_node *n, const char *name);
bool node_del_child(struct xs_node *n, const char *name);
bool node_has_child(const struct xs_node *n, const char *name);
/* Copy of @n's content (path, value, perms, children, gen). */
struct xs_node *node_dup(const struct xs_node *n);
/* Exchange value, perms and children of @a and @b (cannot fail). */
void node_swap_content(struct xs_node *a, struct xs_node *b);
/* Xen's record size: header + perms + value + children. */
size_t node_record_size(const struct xs_node *n);

/* Store primitives (no permission checks; accounting and journal). */
struct xs_node *store_find(struct xsd *xsd, const char *path);
/* Insert a node allocated by the caller (path set, perms set). Links it
 * into its parent (which must exist and have room reserved). */
void store_insert(struct xsd *xsd, struct xs_node *n);
/* The node changed: new generation, re-account, journal. */
void store_touch(struct xsd *xsd, struct xs_node *n);
/* Remove @n and its whole subtree, unlinking it from its parent. */
void store_remove_subtree(struct xsd *xsd, struct xs_node *n);
/* Walk the subtree of @root (pre-order) calling fn; fn may not modify. */
void store_walk(struct xsd *xsd, struct xs_node *root,
                void (*fn)(struct xsd *xsd, struct xs_node *n, void *arg), void *arg);

/* --- view.c: the store as one request sees it (through its transaction) --- */

struct xs_view {
    struct xsd *xsd;
    struct xs_conn *conn;
    struct xs_txn *txn;        /* NULL: the store itself */
};

/* Look @path up; records the access in a transaction. 0 (with *out NULL if
 * absent) or ENOSPC (transaction-nodes quota) / ENOMEM. */
int view_get(struct xs_view *v, const char *path, const struct xs_node **out);
/* A node to modify in place (must exist); call view_touch() after. */
int view_mut(struct xs_view *v, const char *path, struct xs_node **out);
void view_touch(struct xs_view *v, struct xs_node *n);
/* Insert a new node (allocated by node_alloc, perms set); parent exists in
 * the view with room reserved. */
int view_insert(struct xs_view *v, struct xs_node *n);
/* Delete one node (its children already deleted; caller unlinks it from
 * the parent). @exact: how watches fire for it. */
int view_delete(struct xs_view *v, const char *path, bool exact);
/* Watches to fire for a change of @path in this view (now, or at commit). */
void view_fire(struct xs_view *v, const char *path, const struct xs_node *n,
               const struct xs_perm *oldp, uint32_t oldn);
/* Nodes of @conn's domain this view adds (for the entry quota). */
unsigned int view_domain_nodes(struct xs_view *v);

/* --- txn.c --- */

int txn_start(struct xs_conn *conn, uint32_t *id);
/* Commit (@commit) or abort; EAGAIN on conflict. Frees the transaction. */
int txn_end(struct xs_conn *conn, struct xs_txn *txn, bool commit);
struct xs_txn *txn_find(struct xs_conn *conn, uint32_t id);
void txn_free(struct xs_txn *txn);

/* Overlay flags. */
#define TXN_READ        0x01u /* only the generation was recorded */
#define TXN_DIRTY       0x02u /* content to write back */
#define TXN_DELETED     0x04u /* tombstone */
#define TXN_FIRE        0x08u /* fire watches at commit */
#define TXN_FIRE_EXACT  0x10u /* ... only watches on exactly this path */

/* --- watch.c --- */

/* Fire watches for a change of @path. @perms/@oldp: who may see it (either
 * set grants READ). @exact: only watches on exactly @path. */
void watch_fire(struct xsd *xsd, const char *path, bool exact, const struct xs_perm *perms,
                uint32_t nperms, const struct xs_perm *oldp, uint32_t oldn);
int watch_add(struct xs_conn *conn, const char *path, const char *token, bool relative);
int watch_del(struct xs_conn *conn, const char *path, const char *token);
void watch_del_all(struct xs_conn *conn);

/* --- ops.c --- */

/* Handle the complete request in conn->hdr / conn->in_buf. */
void xsd_dispatch(struct xs_conn *conn);
/* RM's work on one subtree (watches included); the view may be the store
 * with no connection (RELEASE). */
int ops_rm_subtree(struct xs_view *v, const char *path);

/* --- control.c --- */

int control_handle(struct xs_conn *conn, const char *const *argv, unsigned int argc);

/* --- ring.c --- */

/* Ring transport ops over a struct xenstore_domain_interface; priv is the
 * struct xs_domain. */
extern const struct xs_conn_ops ring_conn_ops;
/* Map the page and bind the port for INTRODUCE; NULL with *err set. The
 * result is the priv of a connection over ring_conn_ops. */
void *ring_open(struct xsd *xsd, uint32_t domid, uint64_t mfn, uint32_t port, int *err);

#endif /* KEEL_XS_CORE_H */
