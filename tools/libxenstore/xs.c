// SPDX-License-Identifier: MIT
/*
 * Keel's xenstore client library (see libxenstore.h for the contract).
 *
 * Model: strictly request/reply. A call sends one message (header and
 * payload in one sendmsg) and reads messages until the reply with its
 * req_id comes; XS_WATCH_EVENT messages read meanwhile are queued on the
 * handle. There is no reader thread and no lock: a handle belongs to one
 * thread at a time, and nothing is shared between handles.
 *
 * Invariant: once a read or write fails half-way, the stream's framing is
 * lost, so the handle is marked broken and every later call fails -EIO.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "libxenstore.h"
#include "../../include/public/io/xs_wire.h"

#define XS_DEFAULT_SOCKET "/run/xenstored/socket"
#define XS_MAX_ARGS 16
/* Restarts of XS_DIRECTORY_PART when the node changes between parts. */
#define XS_DIRECTORY_PART_TRIES 8

struct xs_event {
    struct xs_event *next;
    char *path;
    char *token;
};

struct xs_handle {
    int fd;
    bool broken;
    uint32_t next_req_id;
    struct xs_event *events;       /* queued watch events, oldest first */
    struct xs_event **events_tail; /* where the next event is linked */
};

int xs_errno_from_string(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (!strcmp(name, xsd_errors[i].errstring))
            return xsd_errors[i].errnum;
    return EINVAL;
}

struct xs_handle *xs_open_fd(int fd)
{
    struct xs_handle *h = calloc(1, sizeof(*h));

    if (!h)
        return NULL;
    h->fd = fd;
    h->next_req_id = 1;
    h->events_tail = &h->events;
    return h;
}

struct xs_handle *xs_open(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct xs_handle *h;
    int fd, err;

    if (!path)
        path = getenv("XENSTORED_PATH");
    if (!path)
        path = XS_DEFAULT_SOCKET;
    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    strcpy(addr.sun_path, path);

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        goto fail_fd;
    h = xs_open_fd(fd);
    if (!h)
        goto fail_fd;
    return h;

fail_fd:
    err = errno;
    close(fd);
    errno = err;
    return NULL;
}

void xs_close(struct xs_handle *h)
{
    struct xs_event *ev, *next;

    if (!h)
        return;
    for (ev = h->events; ev; ev = next) {
        next = ev->next;
        free(ev->path);
        free(ev->token);
        free(ev);
    }
    close(h->fd);
    free(h);
}

int xs_fileno(const struct xs_handle *h)
{
    return h->fd;
}

static int xs_broken(struct xs_handle *h, int err)
{
    h->broken = true;
    return err;
}

/* Writes all of iov; sendmsg so a dead peer gives EPIPE, not SIGPIPE. */
static int xs_send_all(struct xs_handle *h, struct iovec *iov, unsigned int niov)
{
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = niov };
    ssize_t n;

    while (msg.msg_iovlen) {
        n = sendmsg(h->fd, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = writev(h->fd, msg.msg_iov, (int)msg.msg_iovlen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return xs_broken(h, -EIO);
        while (msg.msg_iovlen && (size_t)n >= msg.msg_iov->iov_len) {
            n -= (ssize_t)msg.msg_iov->iov_len;
            msg.msg_iov++;
            msg.msg_iovlen--;
        }
        if (msg.msg_iovlen) {
            msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + n;
            msg.msg_iov->iov_len -= (size_t)n;
        }
    }
    return 0;
}

static int xs_recv_all(struct xs_handle *h, void *buf, size_t len)
{
    char *p = buf;
    ssize_t n;

    while (len) {
        n = read(h->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return xs_broken(h, -EIO);
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads one message; *body is NUL-terminated (an extra byte past len). */
static int xs_recv_msg(struct xs_handle *h, struct xsd_sockmsg *hdr, char **body)
{
    int rc = xs_recv_all(h, hdr, sizeof(*hdr));

    if (rc)
        return rc;
    if (hdr->len > XENSTORE_PAYLOAD_MAX)
        return xs_broken(h, -EBADMSG);
    *body = malloc(hdr->len + 1);
    if (!*body)
        return xs_broken(h, -ENOMEM);
    rc = xs_recv_all(h, *body, hdr->len);
    if (rc) {
        free(*body);
        return rc;
    }
    (*body)[hdr->len] = '\0';
    return 0;
}

/* Splits an XS_WATCH_EVENT payload ("path\0token\0") into a new event. */
static int xs_event_new(const char *body, uint32_t len, struct xs_event **out)
{
    size_t plen = strnlen(body, len);
    struct xs_event *ev;

    if (plen >= len)
        return -EBADMSG;
    ev = calloc(1, sizeof(*ev));
    if (!ev)
        return -ENOMEM;
    ev->path = strdup(body);
    ev->token = strndup(body + plen + 1, len - plen - 1);
    if (!ev->path || !ev->token) {
        free(ev->path);
        free(ev->token);
        free(ev);
        return -ENOMEM;
    }
    *out = ev;
    return 0;
}

static int xs_queue_event(struct xs_handle *h, const char *body, uint32_t len)
{
    struct xs_event *ev;
    int rc = xs_event_new(body, len, &ev);

    if (rc)
        return xs_broken(h, rc);
    *h->events_tail = ev;
    h->events_tail = &ev->next;
    return 0;
}

int xs_request(struct xs_handle *h, uint32_t type, xs_transaction_t t, const char *const *args,
               unsigned int nargs, uint32_t last_len, char **reply, unsigned int *len)
{
    struct iovec iov[1 + XS_MAX_ARGS];
    struct xsd_sockmsg hdr = { .type = type, .tx_id = t };
    size_t total = 0;
    unsigned int i;
    char *body;
    int rc;

    if (h->broken)
        return -EIO;
    if (nargs > XS_MAX_ARGS)
        return -EINVAL;
    for (i = 0; i < nargs; i++) {
        size_t n = (i == nargs - 1 && last_len != UINT32_MAX) ? last_len
                                                               : strlen(args[i]) + 1;

        iov[1 + i].iov_base = (void *)args[i];
        iov[1 + i].iov_len = n;
        total += n;
    }
    if (total > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    hdr.len = (uint32_t)total;
    hdr.req_id = h->next_req_id++;
    iov[0].iov_base = &hdr;
    iov[0].iov_len = sizeof(hdr);
    rc = xs_send_all(h, iov, 1 + nargs);
    if (rc)
        return rc;

    for (;;) {
        struct xsd_sockmsg rhdr;

        rc = xs_recv_msg(h, &rhdr, &body);
        if (rc)
            return rc;
        if (rhdr.type == XS_WATCH_EVENT) {
            rc = xs_queue_event(h, body, rhdr.len);
            free(body);
            if (rc)
                return rc;
            continue;
        }
        if (rhdr.req_id != hdr.req_id || (rhdr.type != type && rhdr.type != XS_ERROR)) {
            free(body);
            return xs_broken(h, -EBADMSG);
        }
        if (rhdr.type == XS_ERROR) {
            rc = -xs_errno_from_string(body);
            free(body);
            return rc;
        }
        if (len)
            *len = rhdr.len;
        if (reply)
            *reply = body;
        else
            free(body);
        return 0;
    }
}

/* A request whose payload is strings and whose reply is dropped. */
static int xs_simple(struct xs_handle *h, uint32_t type, xs_transaction_t t,
                     const char *const *args, unsigned int nargs)
{
    return xs_request(h, type, t, args, nargs, UINT32_MAX, NULL, NULL);
}

int xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, char **value,
            unsigned int *len)
{
    return xs_request(h, XS_READ, t, &path, 1, UINT32_MAX, value, len);
}

int xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *value,
             unsigned int len)
{
    const char *args[2] = { path, value };

    return xs_request(h, XS_WRITE, t, args, 2, len, NULL, NULL);
}

int xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return xs_simple(h, XS_MKDIR, t, &path, 1);
}

int xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return xs_simple(h, XS_RM, t, &path, 1);
}

/* Turns len bytes of NUL-terminated names into one pointer-array allocation. */
static int xs_split_names(const char *buf, size_t len, char ***names, unsigned int *num)
{
    unsigned int n = 0, i;
    size_t off;
    char **vec, *strings;

    for (off = 0; off < len; off++)
        n += buf[off] == '\0';
    vec = malloc(n * sizeof(char *) + len + 1);
    if (!vec)
        return -ENOMEM;
    strings = (char *)(vec + n);
    memcpy(strings, buf, len);
    strings[len] = '\0';
    for (i = 0, off = 0; i < n; i++) {
        vec[i] = strings + off;
        off += strlen(vec[i]) + 1;
    }
    *names = vec;
    *num = n;
    return 0;
}

/*
 * XS_DIRECTORY_PART: each reply is the node's generation, then names from
 * the byte offset asked for; the last part ends with an empty name. A
 * generation change means the list changed: start over.
 */
static int xs_directory_part(struct xs_handle *h, xs_transaction_t t, const char *path,
                             char ***names, unsigned int *num)
{
    char *all = NULL, *reply, gen[32] = "", offstr[16];
    const char *args[2] = { path, offstr };
    unsigned int tries = 0, len;
    size_t off = 0, glen;
    int rc;

    for (;;) {
        char *grown;

        snprintf(offstr, sizeof(offstr), "%zu", off);
        rc = xs_request(h, XS_DIRECTORY_PART, t, args, 2, UINT32_MAX, &reply, &len);
        if (rc)
            goto out;
        glen = strnlen(reply, len);
        if (glen >= len || glen >= sizeof(gen)) {
            free(reply);
            rc = -EBADMSG;
            goto out;
        }
        if (off && strcmp(gen, reply)) {
            free(reply);
            off = 0;
            if (++tries == XS_DIRECTORY_PART_TRIES) {
                rc = -EAGAIN;
                goto out;
            }
            continue;
        }
        memcpy(gen, reply, glen + 1);
        len -= (unsigned int)glen + 1;
        grown = realloc(all, off + len + 1);
        if (!grown) {
            free(reply);
            rc = -ENOMEM;
            goto out;
        }
        all = grown;
        memcpy(all + off, reply + glen + 1, len);
        free(reply);
        off += len;
        if (off <= 1 || all[off - 2] == '\0')
            break;
    }
    /* Drop the terminating empty name. */
    rc = xs_split_names(all, off > 1 ? off - 1 : 0, names, num);
out:
    free(all);
    return rc;
}

int xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, char ***names,
                 unsigned int *num)
{
    unsigned int len;
    char *reply;
    int rc = xs_request(h, XS_DIRECTORY, t, &path, 1, UINT32_MAX, &reply, &len);

    if (rc == -E2BIG)
        return xs_directory_part(h, t, path, names, num);
    if (rc)
        return rc;
    rc = xs_split_names(reply, len, names, num);
    free(reply);
    return rc;
}

static int xs_perm_parse(const char *s, struct xs_perm *p)
{
    char *end;
    unsigned long id;

    switch (s[0]) {
    case 'n': p->perms = XS_PERM_NONE; break;
    case 'r': p->perms = XS_PERM_READ; break;
    case 'w': p->perms = XS_PERM_WRITE; break;
    case 'b': p->perms = XS_PERM_BOTH; break;
    default: return -EBADMSG;
    }
    errno = 0;
    id = strtoul(s + 1, &end, 10);
    if (errno || end == s + 1 || *end || id > UINT32_MAX)
        return -EBADMSG;
    p->domid = (uint32_t)id;
    return 0;
}

int xs_get_perms(struct xs_handle *h, xs_transaction_t t, const char *path,
                 struct xs_perm **perms, unsigned int *num)
{
    char **strs = NULL;
    unsigned int n, len, i;
    char *reply;
    struct xs_perm *p;
    int rc = xs_request(h, XS_GET_PERMS, t, &path, 1, UINT32_MAX, &reply, &len);

    if (rc)
        return rc;
    rc = xs_split_names(reply, len, &strs, &n);
    free(reply);
    if (rc)
        return rc;
    p = n ? calloc(n, sizeof(*p)) : NULL;
    if (!p) {
        rc = n ? -ENOMEM : -EBADMSG;
        goto out;
    }
    for (i = 0; i < n && !rc; i++)
        rc = xs_perm_parse(strs[i], &p[i]);
    if (rc) {
        free(p);
        goto out;
    }
    *perms = p;
    *num = n;
out:
    free(strs);
    return rc;
}

int xs_set_perms(struct xs_handle *h, xs_transaction_t t, const char *path,
                 const struct xs_perm *perms, unsigned int num)
{
    static const char letter[] = { 'n', 'r', 'w', 'b' };
    char bufs[XS_MAX_ARGS - 1][16];
    const char *args[XS_MAX_ARGS];
    unsigned int i;

    if (num == 0 || num > XS_MAX_ARGS - 1)
        return -EINVAL;
    args[0] = path;
    for (i = 0; i < num; i++) {
        if (perms[i].perms > XS_PERM_BOTH)
            return -EINVAL;
        snprintf(bufs[i], sizeof(bufs[i]), "%c%u", letter[perms[i].perms], perms[i].domid);
        args[1 + i] = bufs[i];
    }
    return xs_simple(h, XS_SET_PERMS, t, args, 1 + num);
}

int xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    const char *args[2] = { path, token };

    return xs_simple(h, XS_WATCH, XBT_NULL, args, 2);
}

int xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    const char *args[2] = { path, token };

    return xs_simple(h, XS_UNWATCH, XBT_NULL, args, 2);
}

int xs_read_watch(struct xs_handle *h, int timeout_ms, char **path, char **token)
{
    struct xs_event *ev = h->events;

    while (!ev) {
        struct pollfd pfd = { .fd = h->fd, .events = POLLIN };
        struct xsd_sockmsg hdr;
        char *body;
        int rc;

        if (h->broken)
            return -EIO;
        rc = poll(&pfd, 1, timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return -errno;
        if (rc == 0)
            return -ETIMEDOUT;
        rc = xs_recv_msg(h, &hdr, &body);
        if (rc)
            return rc;
        /* Between requests only events may come. */
        rc = hdr.type == XS_WATCH_EVENT ? xs_queue_event(h, body, hdr.len)
                                        : xs_broken(h, -EBADMSG);
        free(body);
        if (rc)
            return rc;
        ev = h->events;
    }
    h->events = ev->next;
    if (!h->events)
        h->events_tail = &h->events;
    *path = ev->path;
    *token = ev->token;
    free(ev);
    return 0;
}

int xs_transaction_start(struct xs_handle *h, xs_transaction_t *t)
{
    const char *empty = "";
    unsigned long id;
    char *reply, *end;
    int rc = xs_request(h, XS_TRANSACTION_START, XBT_NULL, &empty, 1, UINT32_MAX, &reply,
                        NULL);

    if (rc)
        return rc;
    errno = 0;
    id = strtoul(reply, &end, 10);
    rc = (errno || end == reply || *end || id == 0 || id > UINT32_MAX) ? -EBADMSG : 0;
    free(reply);
    if (!rc)
        *t = (xs_transaction_t)id;
    return rc;
}

int xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
    const char *arg = abort ? "F" : "T";

    return xs_simple(h, XS_TRANSACTION_END, t, &arg, 1);
}

int xs_introduce_domain(struct xs_handle *h, uint32_t domid, uint64_t mfn, uint32_t port)
{
    char d[16], m[24], p[16];
    const char *args[3] = { d, m, p };

    snprintf(d, sizeof(d), "%u", domid);
    snprintf(m, sizeof(m), "%llu", (unsigned long long)mfn);
    snprintf(p, sizeof(p), "%u", port);
    return xs_simple(h, XS_INTRODUCE, XBT_NULL, args, 3);
}

int xs_release_domain(struct xs_handle *h, uint32_t domid)
{
    char d[16];
    const char *arg = d;

    snprintf(d, sizeof(d), "%u", domid);
    return xs_simple(h, XS_RELEASE, XBT_NULL, &arg, 1);
}

int xs_get_domain_path(struct xs_handle *h, uint32_t domid, char **path)
{
    char d[16];
    const char *arg = d;

    snprintf(d, sizeof(d), "%u", domid);
    return xs_request(h, XS_GET_DOMAIN_PATH, XBT_NULL, &arg, 1, UINT32_MAX, path, NULL);
}
