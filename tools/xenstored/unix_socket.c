// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: the Unix stream socket transport.
 *
 * One connection per client, as privileged dom0 (Xen's socket clients are
 * the dom0 toolstack; the socket is mode 0600 so only root, or the user who
 * started a test daemon, can connect). Every fd is non-blocking: read and
 * write return 0 for "not now", and the daemon's poll loop calls back when
 * the fd is ready. End of file and errors other than EAGAIN/EINTR make the
 * connection dead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "unix_socket.h"

struct sock_conn {
    int fd;
};

static int sock_read(void *priv, void *buf, unsigned int len)
{
    struct sock_conn *s = priv;
    ssize_t r = recv(s->fd, buf, len, 0);

    if (r > 0)
        return (int)r;
    if (r == 0)
        return -1;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
}

static int sock_write(void *priv, const void *buf, unsigned int len)
{
    struct sock_conn *s = priv;
    ssize_t r = send(s->fd, buf, len, MSG_NOSIGNAL);

    if (r >= 0)
        return (int)r;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
}

static void sock_close(void *priv)
{
    struct sock_conn *s = priv;

    close(s->fd);
    free(s);
}

static const struct xs_conn_ops sock_ops = {
    .read = sock_read,
    .write = sock_write,
    .close = sock_close,
};

static void mkdir_parent(const char *path)
{
    char *dir = strdup(path), *slash;

    if (!dir)
        return;
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdir(dir, 0755); /* errors show up at bind() */
    }
    free(dir);
}

int unix_listen(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd, saved;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(addr.sun_path, path);
    mkdir_parent(path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || chmod(path, 0600) ||
        listen(fd, 64))
        goto fail;
    return fd;
fail:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

struct xs_conn *unix_accept(struct xsd *xsd, int lfd, unsigned int domid, bool privileged)
{
    struct sock_conn *s;
    struct xs_conn *conn;
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0)
        return NULL;
    s = malloc(sizeof(*s));
    if (!s) {
        close(fd);
        return NULL;
    }
    s->fd = fd;
    conn = xsd_conn_new(xsd, &sock_ops, s, domid, privileged);
    if (!conn)
        sock_close(s);
    return conn;
}

bool unix_is_socket_conn(const struct xs_conn *conn)
{
    return conn->ops == &sock_ops;
}

int unix_conn_fd(const struct xs_conn *conn)
{
    return ((const struct sock_conn *)conn->priv)->fd;
}
