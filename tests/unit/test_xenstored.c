// SPDX-License-Identifier: MIT
/*
 * Host tests for Keel's xenstored core (tools/xenstored/), driven through
 * in-memory connections (tests/support/xs_memconn.c) and a shared-memory
 * ring backend: every message type and its errors, path rules,
 * permissions, transactions (conflicts, no lost update), watches (order,
 * subtree and RM firing, specials), quotas (one domain exhausting its own
 * leaves others unaffected), the ring transport (wrap-around, hostile
 * indices, reconnect), pipelining, split headers, clients that never read,
 * and the journal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xs_core.h"
#include "xs_memconn.h"

static struct xsd *X;
static struct xsd_sockmsg H;
static char P[XENSTORE_PAYLOAD_MAX + 1];

/* Events seen while waiting for replies, per connection, in order. */
#define MAX_EV 256
static struct {
    struct xs_memconn *m;
    char path[256], token[64];
} evlog[MAX_EV];
static unsigned int nev;

static int setup(void **state)
{
    struct xsd_config cfg;

    (void)state;
    xsd_config_default(&cfg);
    X = xsd_create(&cfg);
    nev = 0;
    return X ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    xsd_destroy(X);
    X = NULL;
    return 0;
}

static void log_events(struct xs_memconn *m)
{
    struct xsd_sockmsg h;
    static char buf[XENSTORE_PAYLOAD_MAX + 1];
    size_t save;

    for (;;) {
        save = m->out_off;
        if (!memconn_get(m, &h, buf))
            return;
        if (h.type != XS_WATCH_EVENT) {
            m->out_off = save;
            return;
        }
        assert_true(nev < MAX_EV);
        evlog[nev].m = m;
        assert_true(strlen(buf) < sizeof(evlog[nev].path));
        assert_true(strlen(buf + strlen(buf) + 1) < sizeof(evlog[nev].token));
        strcpy(evlog[nev].path, buf);
        strcpy(evlog[nev].token, buf + strlen(buf) + 1);
        nev++;
    }
}

/* One request; returns the reply type (events before it are logged). */
static uint32_t rq(struct xs_memconn *m, uint32_t type, uint32_t tx, const char *pl, size_t len)
{
    static uint32_t rid = 100;

    memconn_msg(m, type, ++rid, tx, pl, (uint32_t)len);
    memconn_run(m);
    log_events(m);
    assert_true(memconn_get(m, &H, P));
    assert_int_equal(H.req_id, rid);
    assert_int_equal(H.tx_id, tx);
    log_events(m);
    return H.type;
}

/* Payload helpers: S() with its final NUL, V() without. */
#define S(s) s, sizeof(s)
#define V(s) s, sizeof(s) - 1

static void ok(struct xs_memconn *m, uint32_t type, uint32_t tx, const char *pl, size_t len)
{
    uint32_t t = rq(m, type, tx, pl, len);

    if (t != type)
        fail_msg("type %u: expected success, got %u '%s'", type, t, P);
    if (type == XS_WRITE || type == XS_MKDIR || type == XS_RM || type == XS_WATCH ||
        type == XS_SET_PERMS)
        assert_string_equal(P, "OK");
}

static void err(struct xs_memconn *m, uint32_t type, uint32_t tx, const char *pl, size_t len,
                const char *e)
{
    uint32_t t = rq(m, type, tx, pl, len);

    if (t != XS_ERROR)
        fail_msg("type %u: expected %s, got type %u", type, e, t);
    assert_string_equal(P, e);
    assert_int_equal(H.len, strlen(e) + 1);
}

static void expect_ev(struct xs_memconn *m, const char *path, const char *token)
{
    unsigned int i;

    memconn_run(m);
    log_events(m);
    for (i = 0; i < nev; i++) {
        if (evlog[i].m != m)
            continue;
        if (strcmp(evlog[i].path, path) || strcmp(evlog[i].token, token))
            fail_msg("event: expected %s %s, got %s %s", path, token, evlog[i].path,
                     evlog[i].token);
        memmove(&evlog[i], &evlog[i + 1], (nev - i - 1) * sizeof(evlog[0]));
        nev--;
        return;
    }
    fail_msg("no event %s %s", path, token);
}

static void no_ev(struct xs_memconn *m)
{
    unsigned int i;

    memconn_run(m);
    log_events(m);
    for (i = 0; i < nev; i++)
        if (evlog[i].m == m)
            fail_msg("unexpected event %s %s", evlog[i].path, evlog[i].token);
}

static void rd(struct xs_memconn *m, const char *path, const char *value)
{
    char buf[512];
    size_t len = strlen(path) + 1;

    memcpy(buf, path, len);
    ok(m, XS_READ, 0, buf, len);
    assert_int_equal(H.len, strlen(value));
    assert_memory_equal(P, value, H.len);
}

static void wr(struct xs_memconn *m, uint32_t tx, const char *path, const char *value)
{
    char buf[4096];
    size_t pl = strlen(path) + 1, vl = strlen(value);

    memcpy(buf, path, pl);
    memcpy(buf + pl, value, vl);
    ok(m, XS_WRITE, tx, buf, pl + vl);
}

static uint32_t tstart(struct xs_memconn *m)
{
    ok(m, XS_TRANSACTION_START, 0, S(""));
    return (uint32_t)strtoul(P, NULL, 10);
}

/* dom0 makes /local/domain/<id> owned by <id>, as the toolstack does. */
static void make_home(struct xs_memconn *d0, uint32_t domid)
{
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "/local/domain/%u", domid);

    ok(d0, XS_MKDIR, 0, buf, (size_t)n + 1);
    n += 1 + snprintf(buf + n + 1, sizeof(buf) - (size_t)n - 1, "n%u", domid);
    ok(d0, XS_SET_PERMS, 0, buf, (size_t)n + 1);
}

/* ---------------------------------------------------------------- */

static void test_write_read_directory(void **state)
{
    struct xs_memconn *m = memconn_new(X, 0, true);

    (void)state;
    ok(m, XS_WRITE, 0, V("/a/b/c\0hello"));
    rd(m, "/a/b/c", "hello");
    rd(m, "/a/b", "");
    ok(m, XS_DIRECTORY, 0, S("/"));
    assert_int_equal(H.len, sizeof("tool\0a"));
    assert_memory_equal(P, "tool\0a", H.len);
    /* Binary values with NULs, empty values. */
    ok(m, XS_WRITE, 0, V("/bin\0x\0y"));
    ok(m, XS_READ, 0, S("/bin"));
    assert_int_equal(H.len, 3);
    assert_memory_equal(P, "x\0y", 3);
    ok(m, XS_WRITE, 0, S("/empty"));
    rd(m, "/empty", "");
    /* Creation order is directory order. */
    wr(m, 0, "/d/z", "1");
    wr(m, 0, "/d/a", "2");
    wr(m, 0, "/d/m", "3");
    ok(m, XS_DIRECTORY, 0, S("/d"));
    assert_memory_equal(P, "z\0a\0m", H.len);
    ok(m, XS_DIRECTORY, 0, S("/d/z"));
    assert_int_equal(H.len, 0);
    /* MKDIR: exists is fine, creates parents. */
    ok(m, XS_MKDIR, 0, S("/d"));
    ok(m, XS_MKDIR, 0, S("/e/f/g"));
    rd(m, "/e/f/g", "");
    rd(m, "/d/z", "1");
    err(m, XS_READ, 0, S("/nope"), "ENOENT");
    err(m, XS_DIRECTORY, 0, S("/nope"), "ENOENT");
    /* A maximum-size value (payload limit). */
    {
        static char big[XENSTORE_PAYLOAD_MAX];

        memcpy(big, "/big", 5);
        memset(big + 5, 'v', sizeof(big) - 5);
        ok(m, XS_WRITE, 0, big, sizeof(big));
        ok(m, XS_READ, 0, S("/big"));
        assert_int_equal(H.len, sizeof(big) - 5);
    }
    memconn_free(m);
}

static void test_rm(void **state)
{
    struct xs_memconn *m = memconn_new(X, 0, true);

    (void)state;
    wr(m, 0, "/r/a/b/c", "1");
    wr(m, 0, "/r/a/d", "2");
    wr(m, 0, "/r/e", "3");
    ok(m, XS_RM, 0, S("/r/a"));
    err(m, XS_READ, 0, S("/r/a/b/c"), "ENOENT");
    err(m, XS_READ, 0, S("/r/a"), "ENOENT");
    ok(m, XS_DIRECTORY, 0, S("/r"));
    assert_memory_equal(P, "e", H.len);
    /* Missing node with an existing parent: fine; without: ENOENT. */
    ok(m, XS_RM, 0, S("/r/zz"));
    err(m, XS_RM, 0, S("/r/zz/yy"), "ENOENT");
    err(m, XS_RM, 0, S("/"), "EINVAL");
    /* Recreate after removal. */
    wr(m, 0, "/r/a/b", "again");
    rd(m, "/r/a/b", "again");
    memconn_free(m);
}

static void test_paths(void **state)
{
    static const char *const bad[] = {
        "", "/a/", "//", "/a//b", "/a b", "/a\xff", "/a.b", "/a:b", "a/", "@foo",
    };
    struct xs_memconn *m = memconn_new(X, 0, true), *d1 = memconn_new(X, 1, false);
    char buf[XENSTORE_ABS_PATH_MAX + 8];
    unsigned int i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        err(m, XS_READ, 0, bad[i], strlen(bad[i]) + 1, "EINVAL");
    /* Missing NUL, two strings, empty payload. */
    err(m, XS_READ, 0, V("/tool"), "EINVAL");
    err(m, XS_READ, 0, S("/tool\0/x"), "EINVAL");
    err(m, XS_READ, 0, "", 0, "EINVAL");
    err(m, XS_WRITE, 0, V("/nonul"), "EINVAL");
    /* Length limits: XENSTORE_ABS_PATH_MAX accepted, one more refused. */
    buf[0] = '/';
    memset(buf + 1, 'x', XENSTORE_ABS_PATH_MAX - 1);
    buf[XENSTORE_ABS_PATH_MAX] = '\0';
    ok(m, XS_WRITE, 0, buf, XENSTORE_ABS_PATH_MAX + 1);
    buf[XENSTORE_ABS_PATH_MAX] = 'x';
    buf[XENSTORE_ABS_PATH_MAX + 1] = '\0';
    err(m, XS_WRITE, 0, buf, XENSTORE_ABS_PATH_MAX + 2, "EINVAL");
    /* Allowed characters. */
    wr(m, 0, "/Az09-_@/x", "ok");
    /* Relative paths live under /local/domain/<domid>. */
    make_home(m, 1);
    wr(d1, 0, "rel/x", "1");
    rd(m, "/local/domain/1/rel/x", "1");
    rd(d1, "rel/x", "1");
    /* GET_DOMAIN_PATH. */
    ok(d1, XS_GET_DOMAIN_PATH, 0, S("7"));
    assert_string_equal(P, "/local/domain/7");
    err(d1, XS_GET_DOMAIN_PATH, 0, S("x7"), "EINVAL");
    memconn_free(m);
    memconn_free(d1);
}

static void test_permissions(void **state)
{
    struct xs_memconn *d0 = memconn_new(X, 0, true), *d1 = memconn_new(X, 1, false),
                      *d2 = memconn_new(X, 2, false);

    (void)state;
    make_home(d0, 1);
    make_home(d0, 2);
    /* Root and /tool are "n0": unprivileged domains see nothing. */
    err(d1, XS_DIRECTORY, 0, S("/"), "EACCES");
    err(d1, XS_READ, 0, S("/tool"), "EACCES");
    err(d1, XS_WRITE, 0, V("/x\0v"), "EACCES");
    /* Missing node under an unreadable parent: EACCES, not ENOENT. */
    err(d1, XS_READ, 0, S("/tool/none"), "EACCES");
    err(d1, XS_READ, 0, S("/local/domain/1/none"), "ENOENT");
    /* Own home: full access; children created by d1 are owned by d1. */
    wr(d1, 0, "/local/domain/1/a/b", "v");
    ok(d1, XS_GET_PERMS, 0, S("/local/domain/1/a/b"));
    assert_int_equal(H.len, sizeof("n1"));
    assert_string_equal(P, "n1");
    /* Parents created by dom0 inherit perms unchanged. */
    wr(d0, 0, "/local/domain/1/c/d", "v");
    ok(d0, XS_GET_PERMS, 0, S("/local/domain/1/c"));
    assert_string_equal(P, "n1");
    /* Another domain is refused; dom0 is not. */
    err(d2, XS_READ, 0, S("/local/domain/1/a/b"), "EACCES");
    err(d2, XS_WRITE, 0, V("/local/domain/1/a/b\0x"), "EACCES");
    err(d2, XS_RM, 0, S("/local/domain/1/a"), "EACCES");
    rd(d0, "/local/domain/1/a/b", "v");
    /* ACLs: owner 1 default none, 2 may read. */
    ok(d1, XS_SET_PERMS, 0, S("/local/domain/1/a/b\0n1\0r2"));
    ok(d1, XS_GET_PERMS, 0, S("/local/domain/1/a/b"));
    assert_int_equal(H.len, sizeof("n1\0r2"));
    assert_memory_equal(P, "n1\0r2", H.len);
    rd(d2, "/local/domain/1/a/b", "v");
    err(d2, XS_WRITE, 0, V("/local/domain/1/a/b\0x"), "EACCES");
    ok(d1, XS_SET_PERMS, 0, S("/local/domain/1/a/b\0r1\0w2"));
    err(d2, XS_READ, 0, S("/local/domain/1/a/b"), "EACCES");
    wr(d2, 0, "/local/domain/1/a/b", "from2");
    rd(d1, "/local/domain/1/a/b", "from2");
    /* Only the owner sets perms; an unprivileged owner cannot give away. */
    err(d2, XS_SET_PERMS, 0, S("/local/domain/1/a/b\0b2"), "EACCES");
    err(d1, XS_SET_PERMS, 0, S("/local/domain/1/a/b\0b2"), "EPERM");
    ok(d0, XS_SET_PERMS, 0, S("/local/domain/1/a/b\0b2"));
    rd(d2, "/local/domain/1/a/b", "from2");
    /* Malformed permissions. */
    err(d0, XS_SET_PERMS, 0, S("/local/domain/1/a/b"), "EINVAL");
    err(d0, XS_SET_PERMS, 0, S("/local/domain/1/a/b\0x1"), "EINVAL");
    err(d0, XS_SET_PERMS, 0, S("/local/domain/1/a/b\0r"), "EINVAL");
    err(d0, XS_SET_PERMS, 0, S("/local/domain/1/a/b\0r99999"), "EINVAL");
    err(d0, XS_SET_PERMS, 0, S("/local/domain/1/a/b\0r1x"), "EINVAL");
    /* Special nodes. */
    ok(d0, XS_GET_PERMS, 0, S("@releaseDomain"));
    assert_string_equal(P, "n0");
    err(d1, XS_SET_PERMS, 0, S("@releaseDomain\0r1"), "EACCES");
    err(d0, XS_SET_PERMS, 0, S("@bogus\0r1"), "EINVAL");
    memconn_free(d0);
    memconn_free(d1);
    memconn_free(d2);
}

static void test_set_target(void **state)
{
    struct xs_memconn *d0 = memconn_new(X, 0, true), *dm = memconn_new(X, 3, false);

    (void)state;
    make_home(d0, 4);
    wr(d0, 0, "/local/domain/4/x", "v");
    err(dm, XS_READ, 0, S("/local/domain/4/x"), "EACCES");
    err(d0, XS_SET_TARGET, 0, S("3\0" "4"), "ENOENT");
    ok(d0, XS_INTRODUCE, 0, S("3\0" "100\0" "5"));
    ok(d0, XS_INTRODUCE, 0, S("4\0" "101\0" "6"));
    err(dm, XS_SET_TARGET, 0, S("3\0" "4"), "EACCES");
    err(d0, XS_SET_TARGET, 0, S("3"), "EINVAL");
    ok(d0, XS_SET_TARGET, 0, S("3\0" "4"));
    rd(dm, "/local/domain/4/x", "v");
    wr(dm, 0, "/local/domain/4/x", "dm");
    memconn_free(d0);
    memconn_free(dm);
}

static void test_message_errors(void **state)
{
    struct xs_memconn *d0 = memconn_new(X, 0, true), *d1 = memconn_new(X, 1, false);
    static const uint32_t priv_only[] = { XS_CONTROL, XS_INTRODUCE, XS_RELEASE,
                                          XS_IS_DOMAIN_INTRODUCED, XS_RESUME, XS_SET_TARGET };
    unsigned int i;

    (void)state;
    /* Types without a handler: ENOSYS. */
    err(d0, XS_WATCH_EVENT, 0, S("x"), "ENOSYS");
    err(d0, XS_ERROR, 0, S("x"), "ENOSYS");
    err(d0, XS_SET_TARGET + 1, 0, S("x"), "ENOSYS");
    err(d0, XS_TYPE_COUNT, 0, S("x"), "ENOSYS");
    err(d0, 0xffffffffu, 0, S("x"), "ENOSYS");
    for (i = 0; i < sizeof(priv_only) / sizeof(priv_only[0]); i++)
        err(d1, priv_only[i], 0, S("1"), "EACCES");
    /* Unknown transaction. */
    err(d0, XS_READ, 77, S("/tool"), "ENOENT");
    /* Domain messages' arguments. */
    err(d0, XS_INTRODUCE, 0, S("5\0" "1"), "EINVAL");
    err(d0, XS_INTRODUCE, 0, S("0\0" "1\0" "1"), "EINVAL");
    err(d0, XS_INTRODUCE, 0, S("5\0" "1\0" "0"), "EINVAL");
    err(d0, XS_INTRODUCE, 0, S("x\0" "1\0" "1"), "EINVAL");
    err(d0, XS_RELEASE, 0, S("5"), "ENOENT");
    err(d0, XS_RELEASE, 0, S("0"), "EINVAL");
    err(d0, XS_RESUME, 0, S("5"), "ENOENT");
    err(d0, XS_IS_DOMAIN_INTRODUCED, 0, S("abc"), "EINVAL");
    err(d0, XS_WATCH, 0, S("/a"), "EINVAL");
    err(d0, XS_UNWATCH, 0, S("/a\0t"), "ENOENT");
    err(d0, XS_TRANSACTION_END, 0, S("T"), "ENOENT");
    err(d0, XS_DIRECTORY_PART, 0, S("/tool"), "EINVAL");
    err(d0, XS_DIRECTORY_PART, 0, S("/tool\0x"), "EINVAL");
    memconn_free(d0);
    memconn_free(d1);
}

static void test_domains(void **state)
{
    struct xs_memconn *d0 = memconn_new(X, 0, true), *w = memconn_new(X, 0, true);

    (void)state;
    ok(w, XS_WATCH, 0, S("@introduceDomain\0in"));
    expect_ev(w, "@introduceDomain", "in");
    ok(w, XS_WATCH, 0, S("@releaseDomain\0out"));
    expect_ev(w, "@releaseDomain", "out");
    ok(d0, XS_IS_DOMAIN_INTRODUCED, 0, S("5"));
    assert_string_equal(P, "F");
    ok(d0, XS_IS_DOMAIN_INTRODUCED, 0, S("0"));
    assert_string_equal(P, "T");
    ok(d0, XS_INTRODUCE, 0, S("5\0" "4096\0" "3"));
    expect_ev(w, "@introduceDomain", "in");
    ok(d0, XS_IS_DOMAIN_INTRODUCED, 0, S("5"));
    assert_string_equal(P, "T");
    ok(d0, XS_INTRODUCE, 0, S("5\0" "4096\0" "3")); /* same again: fine */
    err(d0, XS_INTRODUCE, 0, S("5\0" "4096\0" "9"), "EINVAL");
    ok(d0, XS_RESUME, 0, S("5"));
    /* RELEASE removes what the domain owns and fires @releaseDomain. */
    make_home(d0, 5);
    wr(d0, 0, "/local/domain/5/keep", "x");
    ok(d0, XS_RELEASE, 0, S("5"));
    expect_ev(w, "@releaseDomain", "out");
    err(d0, XS_READ, 0, S("/local/domain/5"), "ENOENT");
    ok(d0, XS_IS_DOMAIN_INTRODUCED, 0, S("5"));
    assert_string_equal(P, "F");
    memconn_free(d0);
    memconn_free(w);
}

static void test_control(void **state)
{
    struct xs_memconn *d0 = memconn_new(X, 0, true), *d1 = memconn_new(X, 1, false);

    (void)state;
    ok(d0, XS_CONTROL, 0, S("help"));
    assert_non_null(strstr(P, "quota"));
    ok(d0, XS_CONTROL, 0, S("print\0hello"));
    ok(d0, XS_CONTROL, 0, S("log\0on"));
    err(d0, XS_CONTROL, 0, S("log\0maybe"), "EINVAL");
    ok(d0, XS_CONTROL, 0, S("check"));
    ok(d0, XS_CONTROL, 0, S("quota"));
    assert_non_null(strstr(P, "nodes            :     1000"));
    assert_non_null(strstr(P, "watches          :      128"));
    ok(d0, XS_CONTROL, 0, S("quota\0set\0nodes\0" "5"));
    assert_int_equal(X->cfg.quota.entry_nb, 5);
    err(d0, XS_CONTROL, 0, S("quota\0set\0nodes\0" "0"), "EINVAL");
    err(d0, XS_CONTROL, 0, S("quota\0set\0bogus\0" "3"), "EINVAL");
    ok(d0, XS_CONTROL, 0, S("quota\0" "0"));
    assert_non_null(strstr(P, "Domain 0"));
    ok(d0, XS_CONTROL, 0, S("quota-soft"));
    err(d0, XS_CONTROL, 0, S("frobnicate"), "EINVAL");
    err(d0, XS_CONTROL, 0, "", 0, "EINVAL");
    err(d1, XS_CONTROL, 0, S("help"), "EACCES");
    memconn_free(d0);
    memconn_free(d1);
}

static void test_directory_part(void **state)
{
    struct xs_memconn *m = memconn_new(X, 0, true);
    char name[128], buf[256];
    unsigned int i, got = 0, off = 0, guard = 0;
    char gen[32] = "";

    (void)state;
    for (i = 0; i < 100; i++) {
        memset(name, 'n', 60);
        snprintf(name + 60, sizeof(name) - 60, "%03u", i);
        snprintf(buf, sizeof(buf), "/dp/%s", name);
        ok(m, XS_MKDIR, 0, buf, strlen(buf) + 1);
    }
    /* Read the 6400-byte list in parts; the generation stays put. */
    for (;;) {
        int n = snprintf(buf, sizeof(buf), "/dp%c%u", '\0', off);
        const char *p;
        uint32_t len;

        assert_true(++guard < 10);
        ok(m, XS_DIRECTORY_PART, 0, buf, (size_t)n + 1);
        if (!gen[0]) {
            assert_true(strlen(P) < sizeof(gen));
            strcpy(gen, P);
        }
        assert_string_equal(P, gen);
        p = P + strlen(P) + 1;
        len = H.len - (uint32_t)(p - P);
        if (len == 1 && p[0] == '\0')
            break;
        while (len && *p) {
            got++;
            off += (unsigned int)strlen(p) + 1;
            len -= (uint32_t)strlen(p) + 1;
            p += strlen(p) + 1;
        }
        if (len == 1)
            break; /* final empty string */
    }
    assert_int_equal(got, 100);
    /* A change moves the generation. */
    ok(m, XS_MKDIR, 0, S("/dp/new"));
    ok(m, XS_DIRECTORY_PART, 0, S("/dp\0" "0"));
    assert_string_not_equal(P, gen);
    /* Past the end: generation and an empty string. */
    ok(m, XS_DIRECTORY_PART, 0, S("/dp\0" "999999"));
    assert_int_equal(H.len, strlen(P) + 2);
    memconn_free(m);
}

static void test_transactions(void **state)
{
    struct xs_memconn *a = memconn_new(X, 0, true), *b = memconn_new(X, 0, true);
    uint32_t t1, t2;

    (void)state;
    wr(a, 0, "/t/x", "0");
    /* Transaction-scoped writes are invisible outside until commit. */
    t1 = tstart(a);
    assert_true(t1 != 0);
    wr(a, t1, "/t/x", "1");
    wr(a, t1, "/t/new/deep", "n");
    rd(b, "/t/x", "0");
    err(b, XS_READ, 0, S("/t/new/deep"), "ENOENT");
    ok(a, XS_READ, t1, S("/t/x"));
    assert_memory_equal(P, "1", 1);
    ok(a, XS_DIRECTORY, t1, S("/t"));
    assert_memory_equal(P, "x\0new", H.len);
    err(a, XS_TRANSACTION_START, t1, S(""), "EBUSY");
    err(a, XS_TRANSACTION_END, t1, S("X"), "EINVAL");
    ok(a, XS_TRANSACTION_END, t1, S("T"));
    rd(b, "/t/x", "1");
    rd(b, "/t/new/deep", "n");
    ok(b, XS_DIRECTORY, 0, S("/t"));
    assert_memory_equal(P, "x\0new", H.len);
    err(a, XS_READ, t1, S("/t/x"), "ENOENT"); /* ended */

    /*
     * Several new nodes under a new parent in one transaction (what
     * xenstore-write a b c d does): each becomes its own store node, its
     * parent first, whatever order the commit meets them in.
     */
    t1 = tstart(a);
    wr(a, t1, "/m/0/1", "one");
    wr(a, t1, "/m/0/2", "two");
    wr(a, t1, "/m/3", "three");
    wr(a, t1, "/m/0/4/5", "five");
    ok(a, XS_TRANSACTION_END, t1, S("T"));
    rd(b, "/m/0/1", "one");
    rd(b, "/m/0/2", "two");
    rd(b, "/m/3", "three");
    rd(b, "/m/0/4/5", "five");
    ok(b, XS_DIRECTORY, 0, S("/m/0"));
    assert_memory_equal(P, "1\0" "2\0" "4", H.len);

    /* Abort discards. */
    t1 = tstart(a);
    wr(a, t1, "/t/x", "aborted");
    ok(a, XS_RM, t1, S("/t/new"));
    ok(a, XS_TRANSACTION_END, t1, S("F"));
    rd(b, "/t/x", "1");
    rd(b, "/t/new/deep", "n");

    /* Lost-update race: both read x, both write x+1; one commit wins. */
    t1 = tstart(a);
    t2 = tstart(b);
    rd(a, "/t/x", "1"); /* outside the txn, irrelevant */
    ok(a, XS_READ, t1, S("/t/x"));
    ok(b, XS_READ, t2, S("/t/x"));
    wr(a, t1, "/t/x", "2");
    wr(b, t2, "/t/x", "2");
    ok(a, XS_TRANSACTION_END, t1, S("T"));
    err(b, XS_TRANSACTION_END, t2, S("T"), "EAGAIN");
    /* Retry sees the committed value. */
    t2 = tstart(b);
    ok(b, XS_READ, t2, S("/t/x"));
    assert_memory_equal(P, "2", 1);
    wr(b, t2, "/t/x", "3");
    ok(b, XS_TRANSACTION_END, t2, S("T"));
    rd(a, "/t/x", "3");

    /* A write outside the transaction to a node it read is a conflict. */
    t1 = tstart(a);
    ok(a, XS_READ, t1, S("/t/x"));
    wr(a, t1, "/t/y", "side");
    wr(b, 0, "/t/x", "4");
    err(a, XS_TRANSACTION_END, t1, S("T"), "EAGAIN");
    err(b, XS_READ, 0, S("/t/y"), "ENOENT");

    /* Creating a child of a directory the txn listed conflicts too. */
    t1 = tstart(a);
    ok(a, XS_DIRECTORY, t1, S("/t"));
    wr(a, t1, "/t/z", "1");
    wr(b, 0, "/t/other", "1");
    err(a, XS_TRANSACTION_END, t1, S("T"), "EAGAIN");

    /* Disjoint transactions both commit. */
    t1 = tstart(a);
    t2 = tstart(b);
    wr(a, t1, "/t/x/p", "1");
    wr(b, t2, "/t/other/q", "2");
    ok(a, XS_TRANSACTION_END, t1, S("T"));
    ok(b, XS_TRANSACTION_END, t2, S("T"));
    rd(a, "/t/x/p", "1");
    rd(a, "/t/other/q", "2");

    /* RM and re-create inside one transaction. */
    wr(a, 0, "/u/a/b/c", "old");
    t1 = tstart(a);
    ok(a, XS_RM, t1, S("/u/a"));
    err(a, XS_READ, t1, S("/u/a/b/c"), "ENOENT");
    wr(a, t1, "/u/a/b", "new");
    ok(a, XS_TRANSACTION_END, t1, S("T"));
    rd(a, "/u/a/b", "new");
    err(a, XS_READ, 0, S("/u/a/b/c"), "ENOENT");
    ok(a, XS_DIRECTORY, 0, S("/u/a/b"));
    assert_int_equal(H.len, 0);
    ok(a, XS_CONTROL, 0, S("check"));
    /* Transactions left open are freed with the connection. */
    tstart(a);
    memconn_free(a);
    memconn_free(b);
}

static void test_watches(void **state)
{
    struct xs_memconn *d0 = memconn_new(X, 0, true), *w = memconn_new(X, 0, true),
                      *d1 = memconn_new(X, 1, false);
    uint32_t t;

    (void)state;
    ok(w, XS_WATCH, 0, S("/w\0tok"));
    expect_ev(w, "/w", "tok"); /* the initial event */
    err(w, XS_WATCH, 0, S("/w\0tok"), "EEXIST");
    ok(w, XS_WATCH, 0, S("/w/a/b\0deep"));
    expect_ev(w, "/w/a/b", "deep");
    /* A write fires every watch on the path or above, in order. */
    wr(d0, 0, "/w/a/b", "1");
    expect_ev(w, "/w/a/b", "tok");
    expect_ev(w, "/w/a/b", "deep");
    no_ev(w);
    wr(d0, 0, "/elsewhere", "1");
    no_ev(w);
    /* RM fires the root's watches and each removed descendant's own. */
    wr(d0, 0, "/w/a/b/c", "1");
    expect_ev(w, "/w/a/b/c", "tok");
    expect_ev(w, "/w/a/b/c", "deep");
    ok(d0, XS_RM, 0, S("/w/a"));
    expect_ev(w, "/w/a/b", "deep");
    expect_ev(w, "/w/a", "tok");
    no_ev(w);
    /* In a transaction: events at commit, none on abort. */
    t = tstart(d0);
    wr(d0, t, "/w/t", "1");
    no_ev(w);
    ok(d0, XS_TRANSACTION_END, t, S("T"));
    expect_ev(w, "/w/t", "tok");
    t = tstart(d0);
    wr(d0, t, "/w/t", "2");
    ok(d0, XS_TRANSACTION_END, t, S("F"));
    no_ev(w);
    /* Unprivileged watchers only see what they may read; relative watches
     * report relative paths. */
    make_home(d0, 1);
    ok(d1, XS_WATCH, 0, S("/w\0mine"));
    expect_ev(d1, "/w", "mine");
    wr(d0, 0, "/w/secret", "x");
    expect_ev(w, "/w/secret", "tok");
    no_ev(d1);
    ok(d1, XS_WATCH, 0, S("dev\0rel"));
    expect_ev(d1, "dev", "rel");
    wr(d1, 0, "dev/vif/0", "x");
    expect_ev(d1, "dev/vif/0", "rel");
    ok(d1, XS_UNWATCH, 0, S("dev\0rel"));
    wr(d1, 0, "dev/vif/1", "x");
    no_ev(d1);
    /* Specials: only exact watchers with permission. */
    ok(d1, XS_WATCH, 0, S("@releaseDomain\0rel"));
    expect_ev(d1, "@releaseDomain", "rel");
    ok(d0, XS_INTRODUCE, 0, S("9\0" "1\0" "1"));
    ok(d0, XS_RELEASE, 0, S("9"));
    no_ev(d1);
    ok(d0, XS_SET_PERMS, 0, S("@releaseDomain\0n0\0r1"));
    ok(d0, XS_INTRODUCE, 0, S("9\0" "1\0" "1"));
    ok(d0, XS_RELEASE, 0, S("9"));
    expect_ev(d1, "@releaseDomain", "rel");
    /* Bad watch paths. */
    err(w, XS_WATCH, 0, S("/a//b\0t"), "EINVAL");
    err(w, XS_WATCH, 0, S("@\0t"), "EINVAL");
    /* RESET_WATCHES drops them all. */
    ok(w, XS_RESET_WATCHES, 0, S(""));
    wr(d0, 0, "/w/after", "1");
    no_ev(w);
    memconn_free(d0);
    memconn_free(w);
    memconn_free(d1);
}

static void test_quotas(void **state)
{
    struct xs_memconn *d0 = memconn_new(X, 0, true), *d1 = memconn_new(X, 1, false),
                      *d2 = memconn_new(X, 2, false);
    char buf[4200];
    unsigned int i;
    int n;

    (void)state;
    make_home(d0, 1);
    make_home(d0, 2);
    X->cfg.quota.entry_nb = 20;
    /* d1 fills its node quota (its home is owned by it: 1 node). */
    for (i = 0;; i++) {
        n = snprintf(buf, sizeof(buf), "n%u", i);
        if (rq(d1, XS_MKDIR, 0, buf, (size_t)n + 1) == XS_ERROR)
            break;
        assert_true(i < 100);
    }
    assert_string_equal(P, "ENOSPC");
    assert_int_equal(domain_find(X, 1)->nodes, 20);
    /* Implicit parents count too, all or nothing. */
    err(d1, XS_WRITE, 0, V("a/b/c\0x"), "ENOSPC");
    err(d1, XS_READ, 0, S("a"), "ENOENT");
    /* Domain 2 and dom0 are unaffected. */
    wr(d2, 0, "/local/domain/2/fine", "yes");
    wr(d0, 0, "/local/dom0-can", "yes");
    /* Freeing nodes gives quota back. */
    ok(d1, XS_RM, 0, S("n0"));
    ok(d1, XS_MKDIR, 0, S("again"));

    /* Node size (entry-size 2048 with Xen's record layout). */
    memcpy(buf, "/local/domain/2/big", 20);
    memset(buf + 20, 'x', 2100);
    err(d2, XS_WRITE, 0, buf, 20 + 2100, "ENOSPC");
    ok(d0, XS_WRITE, 0, buf, 20 + 2100);

    /* Permissions per node. */
    err(d2, XS_SET_PERMS, 0, S("/local/domain/2/fine\0b2\0r1\0r3\0r4\0r5\0r6"), "ENOSPC");
    ok(d2, XS_SET_PERMS, 0, S("/local/domain/2/fine\0b2\0r1\0r3\0r4\0r5"));

    /* Watches. */
    X->cfg.quota.watch_nb = 3;
    for (i = 0; i < 3; i++) {
        n = snprintf(buf, sizeof(buf), "w%u%ct", i, '\0');
        ok(d2, XS_WATCH, 0, buf, (size_t)n + 1);
    }
    err(d2, XS_WATCH, 0, S("w9\0t"), "E2BIG");
    ok(d0, XS_WATCH, 0, S("/w9\0t"));

    /* Transactions. */
    X->cfg.quota.transaction = 2;
    tstart(d2);
    tstart(d2);
    err(d2, XS_TRANSACTION_START, 0, S(""), "ENOSPC");
    tstart(d1);

    /* Nodes a transaction touches. */
    X->cfg.quota.trans_nodes = 4;
    {
        uint32_t t = tstart(d1);

        err(d1, XS_WRITE, t, V("x/y/z/w/v\0x"), "ENOSPC");
    }
    /* Outstanding replies: a domain that never reads is not served past
     * its quota; others carry on. */
    d2->stalled = true;
    for (i = 0; i < 40; i++)
        memconn_msg(d2, XS_READ, i, 0, S("/local/domain/2/fine"));
    memconn_run(d2);
    assert_int_equal(domain_find(X, 2)->outstanding, X->cfg.quota.outstanding);
    wr(d1, 0, "/local/domain/1/again", "served");
    d2->stalled = false;
    memconn_run(d2);
    for (i = 0; i < 40; i++) {
        assert_true(memconn_get(d2, &H, P));
        if (H.type == XS_WATCH_EVENT) {
            i--;
            continue;
        }
        assert_int_equal(H.req_id, i);
    }
    memconn_free(d0);
    memconn_free(d1);
    memconn_free(d2);
}

static void test_stream_robustness(void **state)
{
    struct xs_memconn *m = memconn_new(X, 0, true), *bad;
    struct xsd_sockmsg hdr;
    unsigned int i;

    (void)state;
    /* Pipelined requests, fed one byte per read: answered in order. */
    m->chunk = 1;
    for (i = 0; i < 10; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "/p/%u%c%u", i, '\0', i);

        memconn_msg(m, XS_WRITE, 1000 + i, 0, buf, (uint32_t)n);
    }
    memconn_msg(m, XS_READ, 2000, 0, S("/p/7"));
    for (i = 0; i < 200; i++)
        memconn_run(m);
    for (i = 0; i < 10; i++) {
        assert_true(memconn_get(m, &H, P));
        assert_int_equal(H.req_id, 1000 + i);
        assert_int_equal(H.type, XS_WRITE);
    }
    assert_true(memconn_get(m, &H, P));
    assert_int_equal(H.req_id, 2000);
    assert_string_equal(P, "7");
    m->chunk = 0;

    /* A header split across runs. */
    hdr = (struct xsd_sockmsg){ XS_READ, 3000, 0, sizeof("/p/1") };
    memconn_put(m, &hdr, 7);
    memconn_run(m);
    assert_false(memconn_get(m, &H, P));
    memconn_put(m, (char *)&hdr + 7, sizeof(hdr) - 7);
    memconn_run(m);
    assert_false(memconn_get(m, &H, P));
    memconn_put(m, "/p/1", sizeof("/p/1"));
    memconn_run(m);
    assert_true(memconn_get(m, &H, P));
    assert_string_equal(P, "1");

    /* len > XENSTORE_PAYLOAD_MAX: disconnected. */
    bad = memconn_new(X, 0, true);
    hdr = (struct xsd_sockmsg){ XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
    memconn_put(bad, &hdr, sizeof(hdr));
    memconn_run(bad);
    assert_true(bad->closed);
    memconn_free(bad);

    /* A privileged client that never reads: input stops at the soft
     * limit, events push it past the hard limit and it is dropped. */
    bad = memconn_new(X, 0, true);
    bad->stalled = true;
    X->cfg.outq_soft = 8192;
    X->cfg.outq_hard = 65536;
    for (i = 0; i < 2000; i++)
        memconn_msg(bad, XS_READ, i, 0, S("/p/1"));
    memconn_run(bad);
    assert_false(bad->closed);
    assert_true(bad->conn->out_bytes <= 8192 + 64);
    memconn_msg(bad, XS_WATCH, 1, 0, S("/p\0t")); /* never read: queued input */
    {
        struct xs_memconn *w = bad;

        /* Give it a watch directly so events flow to it. */
        assert_int_equal(watch_add(w->conn, "/p", "t", false), 0);
    }
    for (i = 0; i < 3000 && !bad->closed; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "/p/e%u%cx", i, '\0');

        ok(m, XS_WRITE, 0, buf, (size_t)n);
        memconn_run(bad);
    }
    assert_true(bad->closed);
    memconn_free(bad);
    memconn_free(m);
}

/* --- ring transport through shared memory --- */

struct fake_be {
    struct xenstore_domain_interface page;
    unsigned int maps, unmaps, notifies;
    bool fail_map;
};

static void *be_map(void *be, uint32_t domid, uint64_t mfn)
{
    struct fake_be *f = be;

    (void)domid;
    (void)mfn;
    if (f->fail_map)
        return NULL;
    f->maps++;
    return &f->page;
}

static void be_unmap(void *be, uint32_t domid, void *page)
{
    (void)domid;
    (void)page;
    ((struct fake_be *)be)->unmaps++;
}

static int be_bind(void *be, uint32_t domid, uint32_t port)
{
    (void)be;
    (void)domid;
    return (int)port + 100;
}

static void be_unbind(void *be, int port)
{
    (void)be;
    (void)port;
}

static void be_notify(void *be, int port)
{
    (void)port;
    ((struct fake_be *)be)->notifies++;
}

static const struct xs_ring_backend_ops fake_be_ops = {
    be_map, be_unmap, be_bind, be_unbind, be_notify,
};

/* Guest side: put bytes on the request ring (all must fit). */
static void guest_put(struct xenstore_domain_interface *i, const void *data, size_t len)
{
    size_t k;

    assert_true(i->req_prod - i->req_cons + len <= XENSTORE_RING_SIZE);
    for (k = 0; k < len; k++)
        i->req[MASK_XENSTORE_IDX(i->req_prod + k)] = ((const char *)data)[k];
    i->req_prod += (uint32_t)len;
}

static size_t guest_get(struct xenstore_domain_interface *i, char *out, size_t max)
{
    size_t n = 0;

    while (i->rsp_cons != i->rsp_prod && n < max)
        out[n++] = i->rsp[MASK_XENSTORE_IDX(i->rsp_cons++)];
    return n;
}

static void guest_req(struct xenstore_domain_interface *i, uint32_t type, uint32_t id,
                      const char *pl, uint32_t len)
{
    struct xsd_sockmsg h = { type, id, 0, len };

    guest_put(i, &h, sizeof(h));
    guest_put(i, pl, len);
}

static void test_ring(void **state)
{
    struct fake_be *be = calloc(1, sizeof(*be));
    struct xs_memconn *d0 = memconn_new(X, 0, true);
    struct xenstore_domain_interface *i = &be->page;
    struct xs_domain *d;
    char out[8192];
    size_t got;
    unsigned int k;

    (void)state;
    xsd_set_ring_backend(X, &fake_be_ops, be);
    be->fail_map = true;
    err(d0, XS_INTRODUCE, 0, S("7\0" "1234\0" "5"), "EINVAL");
    be->fail_map = false;
    /* Start the indices near 2^32 so they wrap during the test. */
    i->req_cons = i->req_prod = 0xfffffe00u;
    i->rsp_cons = i->rsp_prod = 0xffffff00u;
    ok(d0, XS_INTRODUCE, 0, S("7\0" "1234\0" "5"));
    make_home(d0, 7);
    assert_int_equal(be->maps, 1);
    assert_true(i->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION);
    d = domain_find(X, 7);
    assert_non_null(d->conn);

    /* Many requests through the 1 KiB rings, wrapping the indices. */
    for (k = 0; k < 200; k++) {
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "v%u%c%u", k, '\0', k);
        struct xsd_sockmsg h;

        guest_req(i, XS_WRITE, k, buf, (uint32_t)n);
        xsd_process_rings(X);
        got = guest_get(i, out, sizeof(out));
        assert_int_equal(got, sizeof(h) + 3);
        memcpy(&h, out, sizeof(h));
        assert_int_equal(h.req_id, k);
        assert_int_equal(h.type, XS_WRITE);
    }
    assert_true(i->req_prod < 0x1000); /* wrapped */
    rd(d0, "/local/domain/7/v199", "199");
    assert_true(be->notifies > 0);

    /* A reply bigger than the ring goes out in pieces as the guest reads. */
    {
        static char big[3000];
        size_t total = 0;

        memset(big, 'b', sizeof(big));
        memcpy(big, "/local/domain/7/big", 20);
        ok(d0, XS_WRITE, 0, big, sizeof(big));
        guest_req(i, XS_READ, 900, S("/local/domain/7/big"));
        for (k = 0; k < 10 && total < 16 + 2980; k++) {
            xsd_process_rings(X);
            total += guest_get(i, out + total, sizeof(out) - total);
        }
        assert_int_equal(total, 16 + 2980);
    }

    /* Reconnect: state dropped, indices zeroed, CONNECTED again. */
    guest_req(i, XS_WATCH, 1, S("x\0t"));
    xsd_process_rings(X);
    guest_get(i, out, sizeof(out));
    assert_non_null(d->conn->watches);
    i->connection = XENSTORE_RECONNECT;
    xsd_process_rings(X);
    assert_int_equal(i->connection, XENSTORE_CONNECTED);
    assert_int_equal(i->req_prod, 0);
    assert_int_equal(i->rsp_prod, 0);
    assert_null(d->conn->watches);

    /* Hostile indices: never out of the ring, the connection dropped. */
    i->req_prod = i->req_cons + XENSTORE_RING_SIZE + 1;
    xsd_process_rings(X);
    assert_int_equal(i->error, XENSTORE_ERROR_RINGIDX);
    xsd_reap(X);
    assert_null(d->conn);
    assert_int_equal(be->unmaps, 1);
    /* RELEASE still works. */
    ok(d0, XS_RELEASE, 0, S("7"));

    /* Garbage response indices too. */
    memset(i, 0, sizeof(*i));
    ok(d0, XS_INTRODUCE, 0, S("8\0" "1\0" "2"));
    i->rsp_prod = 0x80000000u;
    guest_req(i, XS_READ, 1, S("/x"));
    xsd_process_rings(X);
    xsd_reap(X);
    assert_null(domain_find(X, 8)->conn);
    memconn_free(d0);
    xsd_destroy(X);
    X = NULL;
    free(be);
    setup(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_read_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_domains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_part, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quotas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_robustness, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
