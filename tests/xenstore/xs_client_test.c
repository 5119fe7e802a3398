// SPDX-License-Identifier: MIT
/*
 * xs_client_test: libxenstore against a running xenstored. One case per
 * run, chosen by argv[1]; tests/integration/test_libxenstore.py starts a
 * fresh daemon for each case and passes the sockets:
 *
 *   basic  PRIV                   read/write/mkdir/rm/directory/perms, errors
 *   txn    PRIV                   a forced conflict gives -EAGAIN; 8 clients
 *                                 racing increments lose no update
 *   watch  PRIV                   initial event, order and paths of events,
 *                                 transactions, unwatch, two tokens
 *   perms  PRIV UNPRIV DOMID      denials for an unprivileged connection
 *   quota  PRIV HOSTILE DOMH VICTIM DOMV
 *                                 a hostile domain exhausts its quotas and
 *                                 floods requests; others are unaffected
 *
 * PRIV is a dom0 socket; UNPRIV, HOSTILE and VICTIM are connections that
 * act as domain DOMID (see tests/xenstore/README.md). Prints "PASS <case>"
 * and exits 0, or names the failed check and exits 1.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libxenstore.h"
#include "../../include/public/io/xs_wire.h"

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);        \
            exit(1);                                                               \
        }                                                                          \
    } while (0)

/* A call expected to return want (0 or -E...). */
#define CHECK_RC(call, want)                                                       \
    do {                                                                           \
        int rc_ = (call);                                                          \
        if (rc_ != (want)) {                                                       \
            fprintf(stderr, "FAIL %s:%d: %s = %d (%s), want %d (%s)\n", __FILE__,    \
                    __LINE__, #call, rc_, strerror(-rc_), (want), strerror(-(want))); \
            exit(1);                                                               \
        }                                                                          \
    } while (0)

#define WATCH_TIMEOUT_MS 5000
/* How long a watch must stay silent to count as "no event". */
#define QUIET_MS 300

static struct xs_handle *open_or_die(const char *path)
{
    struct xs_handle *h = xs_open(path);

    if (!h) {
        fprintf(stderr, "FAIL: xs_open(%s): %s\n", path, strerror(errno));
        exit(1);
    }
    return h;
}

static void write_str(struct xs_handle *h, xs_transaction_t t, const char *path, const char *v)
{
    CHECK_RC(xs_write(h, t, path, v, (unsigned int)strlen(v)), 0);
}

static void expect_value(struct xs_handle *h, const char *path, const char *want)
{
    unsigned int len;
    char *v;

    CHECK_RC(xs_read(h, XBT_NULL, path, &v, &len), 0);
    if (len != strlen(want) || strcmp(v, want)) {
        fprintf(stderr, "FAIL: %s = '%s', want '%s'\n", path, v, want);
        exit(1);
    }
    free(v);
}

static void expect_event(struct xs_handle *h, const char *path, const char *token)
{
    char *p, *t;

    CHECK_RC(xs_read_watch(h, WATCH_TIMEOUT_MS, &p, &t), 0);
    if (strcmp(p, path) || strcmp(t, token)) {
        fprintf(stderr, "FAIL: event (%s, %s), want (%s, %s)\n", p, t, path, token);
        exit(1);
    }
    free(p);
    free(t);
}

static void expect_no_event(struct xs_handle *h)
{
    char *p, *t;
    int rc = xs_read_watch(h, QUIET_MS, &p, &t);

    if (rc == 0) {
        fprintf(stderr, "FAIL: unexpected event (%s, %s)\n", p, t);
        exit(1);
    }
    CHECK_RC(rc, -ETIMEDOUT);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void case_basic(const char *priv)
{
    struct xs_handle *h = open_or_die(priv);
    struct xs_perm set[2] = { { 0, XS_PERM_NONE }, { 5, XS_PERM_READ } }, *perms;
    unsigned int num, len, i;
    char **names, *v, path[256], big[64];

    write_str(h, XBT_NULL, "/basic/a", "hello");
    expect_value(h, "/basic/a", "hello");
    /* Values are bytes: embedded NULs survive. */
    CHECK_RC(xs_write(h, XBT_NULL, "/basic/bin", "x\0y", 3), 0);
    CHECK_RC(xs_read(h, XBT_NULL, "/basic/bin", &v, &len), 0);
    CHECK(len == 3 && !memcmp(v, "x\0y", 3));
    free(v);
    CHECK_RC(xs_write(h, XBT_NULL, "/basic/empty", "", 0), 0);
    expect_value(h, "/basic/empty", "");
    CHECK_RC(xs_mkdir(h, XBT_NULL, "/basic/dir"), 0);
    expect_value(h, "/basic/dir", "");
    CHECK_RC(xs_mkdir(h, XBT_NULL, "/basic/dir"), 0); /* exists: still fine */
    /* Writing below a missing parent creates it. */
    write_str(h, XBT_NULL, "/basic/deep/er/node", "1");
    expect_value(h, "/basic/deep/er", "");

    CHECK_RC(xs_directory(h, XBT_NULL, "/basic", &names, &num), 0);
    qsort(names, num, sizeof(*names), cmp_str);
    CHECK(num == 5);
    CHECK(!strcmp(names[0], "a") && !strcmp(names[1], "bin") && !strcmp(names[2], "deep") &&
          !strcmp(names[3], "dir") && !strcmp(names[4], "empty"));
    free(names);
    CHECK_RC(xs_directory(h, XBT_NULL, "/basic/a", &names, &num), 0);
    CHECK(num == 0);
    free(names);

    CHECK_RC(xs_rm(h, XBT_NULL, "/basic/deep"), 0);
    CHECK_RC(xs_read(h, XBT_NULL, "/basic/deep/er/node", &v, NULL), -ENOENT);
    CHECK_RC(xs_read(h, XBT_NULL, "/basic/nope", &v, NULL), -ENOENT);
    CHECK_RC(xs_directory(h, XBT_NULL, "/basic/nope", &names, &num), -ENOENT);
    CHECK_RC(xs_read(h, XBT_NULL, "no-slash/../x", &v, NULL), -EINVAL);
    CHECK_RC(xs_write(h, XBT_NULL, "/basic/bad//path", "x", 1), -EINVAL);

    CHECK_RC(xs_set_perms(h, XBT_NULL, "/basic/a", set, 2), 0);
    CHECK_RC(xs_get_perms(h, XBT_NULL, "/basic/a", &perms, &num), 0);
    CHECK(num == 2 && perms[0].domid == 0 && perms[0].perms == XS_PERM_NONE &&
          perms[1].domid == 5 && perms[1].perms == XS_PERM_READ);
    free(perms);
    CHECK_RC(xs_get_perms(h, XBT_NULL, "/basic/nope", &perms, &num), -ENOENT);

    /* A directory too large for one reply comes back through DIRECTORY_PART. */
    memset(big, 'n', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    for (i = 0; i < 100; i++) {
        snprintf(path, sizeof(path), "/basic/big/%s%03u", big, i);
        write_str(h, XBT_NULL, path, "");
    }
    CHECK_RC(xs_directory(h, XBT_NULL, "/basic/big", &names, &num), 0);
    CHECK(num == 100);
    qsort(names, num, sizeof(*names), cmp_str);
    for (i = 0; i < num; i++) {
        snprintf(path, sizeof(path), "%s%03u", big, i);
        CHECK(!strcmp(names[i], path));
    }
    free(names);

    /* Requests without a wrapper. */
    CHECK_RC(xs_get_domain_path(h, 3, &v), 0);
    CHECK(!strcmp(v, "/local/domain/3"));
    free(v);
    xs_close(h);
}

struct race_arg {
    const char *sock;
    unsigned int iterations;
    unsigned int conflicts;
};

/* Read-modify-write of /race/counter in a transaction, retried on EAGAIN. */
static void *race_worker(void *p)
{
    struct race_arg *arg = p;
    struct xs_handle *h = open_or_die(arg->sock);
    unsigned int i;

    for (i = 0; i < arg->iterations; i++) {
        for (;;) {
            xs_transaction_t t;
            char *v, buf[32];
            int rc;

            CHECK_RC(xs_transaction_start(h, &t), 0);
            CHECK_RC(xs_read(h, t, "/race/counter", &v, NULL), 0);
            snprintf(buf, sizeof(buf), "%lu", strtoul(v, NULL, 10) + 1);
            free(v);
            write_str(h, t, "/race/counter", buf);
            rc = xs_transaction_end(h, t, false);
            if (rc == 0)
                break;
            CHECK_RC(rc, -EAGAIN);
            arg->conflicts++;
        }
    }
    xs_close(h);
    return NULL;
}

#define RACE_CLIENTS 8
#define RACE_ITERATIONS 100

static void case_txn(const char *priv)
{
    struct xs_handle *a = open_or_die(priv), *b = open_or_die(priv);
    struct race_arg args[RACE_CLIENTS];
    pthread_t threads[RACE_CLIENTS];
    unsigned int i, conflicts = 0;
    xs_transaction_t t, t2;
    char want[32], *v;

    /* A conflicting write outside the transaction makes it fail, and undoes it. */
    write_str(a, XBT_NULL, "/tx/x", "0");
    CHECK_RC(xs_transaction_start(a, &t), 0);
    CHECK_RC(xs_read(a, t, "/tx/x", &v, NULL), 0);
    free(v);
    write_str(a, t, "/tx/x", "from-tx");
    write_str(a, t, "/tx/new", "1");
    expect_value(b, "/tx/x", "0"); /* not visible before commit */
    CHECK_RC(xs_read(b, XBT_NULL, "/tx/new", &v, NULL), -ENOENT);
    write_str(b, XBT_NULL, "/tx/x", "outside");
    CHECK_RC(xs_transaction_end(a, t, false), -EAGAIN);
    expect_value(b, "/tx/x", "outside");
    CHECK_RC(xs_read(b, XBT_NULL, "/tx/new", &v, NULL), -ENOENT);

    /* Two transactions on the same node: the first to commit wins. */
    CHECK_RC(xs_transaction_start(a, &t), 0);
    CHECK_RC(xs_transaction_start(b, &t2), 0);
    CHECK(t != t2 || a != b);
    CHECK_RC(xs_read(a, t, "/tx/x", &v, NULL), 0);
    free(v);
    CHECK_RC(xs_read(b, t2, "/tx/x", &v, NULL), 0);
    free(v);
    write_str(a, t, "/tx/x", "a");
    write_str(b, t2, "/tx/x", "b");
    CHECK_RC(xs_transaction_end(b, t2, false), 0);
    CHECK_RC(xs_transaction_end(a, t, false), -EAGAIN);
    expect_value(a, "/tx/x", "b");

    /* An aborted transaction changes nothing; a finished id is gone. */
    CHECK_RC(xs_transaction_start(a, &t), 0);
    write_str(a, t, "/tx/x", "aborted");
    CHECK_RC(xs_transaction_end(a, t, true), 0);
    expect_value(a, "/tx/x", "b");
    CHECK_RC(xs_read(a, t, "/tx/x", &v, NULL), -ENOENT);

    /* The race. */
    write_str(a, XBT_NULL, "/race/counter", "0");
    for (i = 0; i < RACE_CLIENTS; i++) {
        args[i] = (struct race_arg){ .sock = priv, .iterations = RACE_ITERATIONS };
        CHECK(pthread_create(&threads[i], NULL, race_worker, &args[i]) == 0);
    }
    for (i = 0; i < RACE_CLIENTS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        conflicts += args[i].conflicts;
    }
    snprintf(want, sizeof(want), "%u", RACE_CLIENTS * RACE_ITERATIONS);
    expect_value(a, "/race/counter", want);
    printf("txn: %u clients x %u increments, %u conflicts retried\n", RACE_CLIENTS,
           RACE_ITERATIONS, conflicts);
    xs_close(a);
    xs_close(b);
}

static void case_watch(const char *priv)
{
    struct xs_handle *w = open_or_die(priv), *o = open_or_die(priv);
    xs_transaction_t t;

    write_str(o, XBT_NULL, "/w", "");
    CHECK_RC(xs_watch(w, "/w", "tok"), 0);
    expect_event(w, "/w", "tok"); /* the initial event */
    CHECK_RC(xs_watch(w, "/w", "tok"), -EEXIST);

    /* Events come in the order of the changes, for the changed path. */
    write_str(o, XBT_NULL, "/w/a", "1");
    write_str(o, XBT_NULL, "/w/b", "2");
    write_str(o, XBT_NULL, "/w/a", "3");
    CHECK_RC(xs_mkdir(o, XBT_NULL, "/w/c"), 0);
    CHECK_RC(xs_rm(o, XBT_NULL, "/w/b"), 0);
    expect_event(w, "/w/a", "tok");
    expect_event(w, "/w/b", "tok");
    expect_event(w, "/w/a", "tok");
    expect_event(w, "/w/c", "tok");
    expect_event(w, "/w/b", "tok");
    expect_no_event(w);

    /* Changes elsewhere, even to a path with /w as a prefix, do not fire. */
    write_str(o, XBT_NULL, "/wx", "1");
    write_str(o, XBT_NULL, "/other/w", "1");
    expect_no_event(w);

    /* A watch on a missing node still gets its initial event, then fires on creation. */
    CHECK_RC(xs_watch(w, "/later/node", "late"), 0);
    expect_event(w, "/later/node", "late");
    write_str(o, XBT_NULL, "/later/node", "x");
    expect_event(w, "/later/node", "late");

    /* Two tokens on one path: one event each. */
    CHECK_RC(xs_watch(w, "/w/a", "second"), 0);
    expect_event(w, "/w/a", "second");
    write_str(o, XBT_NULL, "/w/a", "4");
    {
        char *p1, *t1, *p2, *t2;

        CHECK_RC(xs_read_watch(w, WATCH_TIMEOUT_MS, &p1, &t1), 0);
        CHECK_RC(xs_read_watch(w, WATCH_TIMEOUT_MS, &p2, &t2), 0);
        CHECK(!strcmp(p1, "/w/a") && !strcmp(p2, "/w/a"));
        CHECK((!strcmp(t1, "tok") && !strcmp(t2, "second")) ||
              (!strcmp(t1, "second") && !strcmp(t2, "tok")));
        free(p1), free(t1), free(p2), free(t2);
    }
    CHECK_RC(xs_unwatch(w, "/w/a", "second"), 0);
    CHECK_RC(xs_unwatch(w, "/w/a", "second"), -ENOENT);

    /* A transaction's changes fire at commit, not before, and never when aborted. */
    CHECK_RC(xs_transaction_start(o, &t), 0);
    write_str(o, t, "/w/tx", "1");
    expect_no_event(w);
    CHECK_RC(xs_transaction_end(o, t, false), 0);
    expect_event(w, "/w/tx", "tok");
    CHECK_RC(xs_transaction_start(o, &t), 0);
    write_str(o, t, "/w/tx", "2");
    CHECK_RC(xs_transaction_end(o, t, true), 0);
    expect_no_event(w);

    /* Events queued while waiting for a reply are kept, in order. */
    write_str(o, XBT_NULL, "/w/q1", "1");
    write_str(o, XBT_NULL, "/w/q2", "1");
    expect_value(w, "/w/q2", "1");
    expect_event(w, "/w/q1", "tok");
    expect_event(w, "/w/q2", "tok");

    /* After unwatch, silence. */
    CHECK_RC(xs_unwatch(w, "/w", "tok"), 0);
    write_str(o, XBT_NULL, "/w/a", "5");
    expect_no_event(w);
    xs_close(w);
    xs_close(o);
}

/* dom0 gives domid a home it owns: /local/domain/<domid>. */
static void make_home(struct xs_handle *priv, unsigned int domid, char *home, size_t size)
{
    struct xs_perm own = { domid, XS_PERM_NONE };

    snprintf(home, size, "/local/domain/%u", domid);
    CHECK_RC(xs_mkdir(priv, XBT_NULL, home), 0);
    CHECK_RC(xs_set_perms(priv, XBT_NULL, home, &own, 1), 0);
}

static void case_perms(const char *priv_sock, const char *unpriv_sock, unsigned int domid)
{
    struct xs_handle *p = open_or_die(priv_sock), *u = open_or_die(unpriv_sock);
    struct xs_perm ro[2] = { { 0, XS_PERM_NONE }, { domid, XS_PERM_READ } };
    struct xs_perm rw[2] = { { 0, XS_PERM_NONE }, { domid, XS_PERM_BOTH } };
    struct xs_perm secret = { 0, XS_PERM_NONE }, *perms;
    const char *ctl[1] = { "help" };
    char home[64], path[128], **names, *v;
    unsigned int num;
    xs_transaction_t t;

    make_home(p, domid, home, sizeof(home));
    write_str(p, XBT_NULL, "/perm/secret", "s");
    write_str(p, XBT_NULL, "/perm/ro", "r");
    write_str(p, XBT_NULL, "/perm/rw", "w");
    CHECK_RC(xs_set_perms(p, XBT_NULL, "/perm", ro, 2), 0);
    CHECK_RC(xs_set_perms(p, XBT_NULL, "/perm/secret", &secret, 1), 0);
    CHECK_RC(xs_set_perms(p, XBT_NULL, "/perm/ro", ro, 2), 0);
    CHECK_RC(xs_set_perms(p, XBT_NULL, "/perm/rw", rw, 2), 0);

    /* No access. */
    CHECK_RC(xs_read(u, XBT_NULL, "/perm/secret", &v, NULL), -EACCES);
    CHECK_RC(xs_write(u, XBT_NULL, "/perm/secret", "x", 1), -EACCES);
    CHECK_RC(xs_get_perms(u, XBT_NULL, "/perm/secret", &perms, &num), -EACCES);
    CHECK_RC(xs_directory(u, XBT_NULL, "/perm/secret", &names, &num), -EACCES);
    CHECK_RC(xs_rm(u, XBT_NULL, "/perm/secret"), -EACCES);
    /* Read only. */
    expect_value(u, "/perm/ro", "r");
    CHECK_RC(xs_write(u, XBT_NULL, "/perm/ro", "x", 1), -EACCES);
    CHECK_RC(xs_mkdir(u, XBT_NULL, "/perm/ro/child"), -EACCES);
    CHECK_RC(xs_set_perms(u, XBT_NULL, "/perm/ro", rw, 2), -EACCES);
    CHECK_RC(xs_write(u, XBT_NULL, "/perm/new", "x", 1), -EACCES); /* parent read-only */
    /* Read-write, but not owner: may write, may not change permissions. */
    write_str(u, XBT_NULL, "/perm/rw", "changed");
    expect_value(p, "/perm/rw", "changed");
    CHECK_RC(xs_set_perms(u, XBT_NULL, "/perm/rw", ro, 2), -EACCES);
    /* Outside anything granted: the root and other domains' homes. */
    CHECK_RC(xs_write(u, XBT_NULL, "/evil", "x", 1), -EACCES);
    CHECK_RC(xs_read(u, XBT_NULL, "/local/domain/0", &v, NULL), -EACCES);
    /* Privileged operations. */
    CHECK_RC(xs_introduce_domain(u, 99, 0, 1), -EACCES);
    CHECK_RC(xs_release_domain(u, domid), -EACCES);
    CHECK_RC(xs_request(u, XS_CONTROL, XBT_NULL, ctl, 1, UINT32_MAX, NULL, NULL), -EACCES);
    /* A transaction does not widen access. */
    CHECK_RC(xs_transaction_start(u, &t), 0);
    CHECK_RC(xs_read(u, t, "/perm/secret", &v, NULL), -EACCES);
    CHECK_RC(xs_write(u, t, "/perm/ro", "x", 1), -EACCES);
    CHECK_RC(xs_transaction_end(u, t, true), 0);

    /* Its own home: full access, and what it creates it owns. */
    snprintf(path, sizeof(path), "%s/data/x", home);
    write_str(u, XBT_NULL, path, "mine");
    expect_value(u, path, "mine");
    CHECK_RC(xs_get_perms(u, XBT_NULL, path, &perms, &num), 0);
    CHECK(num >= 1 && perms[0].domid == domid);
    free(perms);
    {
        /* The owner may change the access list, not hand the node to another domain. */
        struct xs_perm mine_ro[2] = { { domid, XS_PERM_NONE }, { 0, XS_PERM_READ } };

        CHECK_RC(xs_set_perms(u, XBT_NULL, path, mine_ro, 2), 0);
        CHECK_RC(xs_set_perms(u, XBT_NULL, path, ro, 2), -EPERM);
    }

    /*
     * Watches report a change only to a watcher that may read the node or
     * its parent (Xen's rule: a readable parent lists the name anyway).
     */
    write_str(p, XBT_NULL, "/perm/hidden/secret", "s");
    CHECK_RC(xs_set_perms(p, XBT_NULL, "/perm/hidden", &secret, 1), 0);
    CHECK_RC(xs_set_perms(p, XBT_NULL, "/perm/hidden/secret", &secret, 1), 0);
    CHECK_RC(xs_watch(u, "/perm", "p"), 0);
    expect_event(u, "/perm", "p");
    write_str(p, XBT_NULL, "/perm/hidden/secret", "s2");
    write_str(p, XBT_NULL, "/perm/ro", "r2");
    expect_event(u, "/perm/ro", "p");
    expect_no_event(u);
    xs_close(u);
    xs_close(p);
}

/*
 * Writes up to count raw XS_WRITE requests on h's connection without reading
 * a reply (h is unusable afterwards). Returns how many were sent.
 */
static int flood(struct xs_handle *h, const char *home, unsigned int count)
{
    char msg[sizeof(struct xsd_sockmsg) + 128];
    unsigned int i;
    int fd = xs_fileno(h);

    for (i = 0; i < count; i++) {
        struct xsd_sockmsg *hdr = (struct xsd_sockmsg *)msg;
        int n = snprintf(msg + sizeof(*hdr), sizeof(msg) - sizeof(*hdr), "%s/flood%u", home,
                         i % 16);

        *hdr = (struct xsd_sockmsg){ .type = XS_WRITE, .req_id = i, .len = (uint32_t)n + 2 };
        memcpy(msg + sizeof(*hdr) + n + 1, "x", 1);
        /* Stops when the daemon stops reading: the socket buffer fills. */
        if (send(fd, msg, sizeof(*hdr) + hdr->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
            break;
    }
    return (int)i;
}

static void case_quota(const char *priv_sock, const char *hostile_sock, unsigned int domh,
                       const char *victim_sock, unsigned int domv)
{
    struct xs_handle *p = open_or_die(priv_sock);
    struct xs_handle *h = open_or_die(hostile_sock), *v = open_or_die(victim_sock);
    char hhome[64], vhome[64], path[160], token[32], *big, *val;
    unsigned int i, nodes = 0, watches = 0, txns = 0;
    xs_transaction_t t[64];
    int rc, flooded;

    make_home(p, domh, hhome, sizeof(hhome));
    make_home(p, domv, vhome, sizeof(vhome));

    /*
     * Nodes: the hostile domain writes until refused, 50 to a directory (a
     * node's record, its children's names included, must stay under the
     * node-size quota).
     */
    for (;;) {
        snprintf(path, sizeof(path), "%s/d%u/n%u", hhome, nodes / 50, nodes % 50);
        rc = xs_write(h, XBT_NULL, path, "x", 1);
        if (rc)
            break;
        CHECK(++nodes < 100000);
    }
    CHECK_RC(rc, -ENOSPC);
    /* Xen's default nodes quota is 1000 per domain; the directories count too. */
    printf("quota: domain %u stopped after %u writes\n", domh, nodes);
    CHECK(nodes + nodes / 50 >= 950 && nodes + nodes / 50 <= 1000);

    /* A node bigger than the node-size quota (2048) is refused. */
    big = malloc(4000);
    CHECK(big);
    memset(big, 'b', 4000);
    snprintf(path, sizeof(path), "%s/d0/n0", hhome);
    CHECK_RC(xs_write(h, XBT_NULL, path, big, 4000), -ENOSPC);
    free(big);

    /* Watches and transactions. */
    for (;;) {
        snprintf(token, sizeof(token), "w%u", watches);
        rc = xs_watch(h, hhome, token);
        if (rc)
            break;
        CHECK(++watches < 100000);
    }
    CHECK_RC(rc, -E2BIG);
    printf("quota: domain %u stopped at %u watches\n", domh, watches);
    for (;;) {
        rc = xs_transaction_start(h, &t[txns]);
        if (rc)
            break;
        CHECK(++txns < 64);
    }
    CHECK_RC(rc, -ENOSPC);
    printf("quota: domain %u stopped at %u transactions\n", domh, txns);

    /* Everyone else is unaffected: the victim writes 100 nodes, dom0 too. */
    for (i = 0; i < 100; i++) {
        snprintf(path, sizeof(path), "%s/v%u", vhome, i);
        write_str(v, XBT_NULL, path, "ok");
        snprintf(path, sizeof(path), "/dom0/n%u", i);
        write_str(p, XBT_NULL, path, "ok");
    }
    CHECK_RC(xs_transaction_start(v, &t[txns]), 0);
    CHECK_RC(xs_transaction_end(v, t[txns], true), 0);
    CHECK_RC(xs_watch(v, vhome, "v"), 0);
    expect_event(v, vhome, "v");

    /* The hostile domain itself still reads, and may write again once it frees nodes. */
    snprintf(path, sizeof(path), "%s/d0/n1", hhome);
    CHECK_RC(xs_read(h, XBT_NULL, path, &val, NULL), 0);
    free(val);
    CHECK_RC(xs_rm(h, XBT_NULL, path), 0);
    write_str(h, XBT_NULL, path, "again");

    /* A flood of requests whose replies it never reads does not starve others. */
    flooded = flood(h, hhome, 5000);
    printf("quota: domain %u queued %d unanswered requests\n", domh, flooded);
    for (i = 0; i < 100; i++) {
        snprintf(path, sizeof(path), "%s/after%u", vhome, i);
        write_str(v, XBT_NULL, path, "ok");
        expect_value(p, "/dom0/n0", "ok");
    }
    xs_close(h);
    xs_close(v);
    xs_close(p);
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "";

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(name, "basic") && argc == 3)
        case_basic(argv[2]);
    else if (!strcmp(name, "txn") && argc == 3)
        case_txn(argv[2]);
    else if (!strcmp(name, "watch") && argc == 3)
        case_watch(argv[2]);
    else if (!strcmp(name, "perms") && argc == 5)
        case_perms(argv[2], argv[3], (unsigned int)strtoul(argv[4], NULL, 10));
    else if (!strcmp(name, "quota") && argc == 7)
        case_quota(argv[2], argv[3], (unsigned int)strtoul(argv[4], NULL, 10), argv[5],
                   (unsigned int)strtoul(argv[6], NULL, 10));
    else {
        fprintf(stderr, "usage: xs_client_test basic|txn|watch PRIV\n"
                        "       xs_client_test perms PRIV UNPRIV DOMID\n"
                        "       xs_client_test quota PRIV HOSTILE DOMH VICTIM DOMV\n");
        return 2;
    }
    printf("PASS %s\n", name);
    return 0;
}
