/* SPDX-License-Identifier: MIT */
/*
 * Keel's xenstore client library: one connection to xenstored over a Unix
 * socket (or any connected stream, e.g. /dev/xen/xenbus), speaking the wire
 * protocol of include/public/io/xs_wire.h.
 *
 * Every call returns 0 or a negative errno. An XS_ERROR reply becomes the
 * errno its payload names ("EACCES" -> -EACCES; an unknown name -> -EINVAL,
 * as Xen's libxenstore does); a broken connection gives -EIO (-EBADMSG for a
 * malformed reply), after which the handle only fails.
 *
 * Threads: no global state; a handle must be used by one thread at a time
 * (open one connection per thread). Results are malloc()ed; the caller
 * frees them with free().
 *
 * Watch events that arrive while waiting for a reply are queued on the
 * handle in arrival order; xs_read_watch() returns them first.
 */
#ifndef KEEL_LIBXENSTORE_H
#define KEEL_LIBXENSTORE_H

#include <stdbool.h>
#include <stdint.h>

struct xs_handle;
typedef uint32_t xs_transaction_t;
#define XBT_NULL ((xs_transaction_t)0)

/* Permission bits of one xs_perm entry. */
#define XS_PERM_NONE  0x0
#define XS_PERM_READ  0x1
#define XS_PERM_WRITE 0x2
#define XS_PERM_BOTH  (XS_PERM_READ | XS_PERM_WRITE)

/*
 * A node's permissions: the first entry names the owner and the access of
 * every domain not listed; later entries grant listed domains access.
 */
struct xs_perm {
    uint32_t domid;
    uint32_t perms; /* XS_PERM_* */
};

/*
 * Connects to the daemon's socket at path; NULL means $XENSTORED_PATH if set,
 * else /run/xenstored/socket. Returns the handle, or NULL with errno set
 * (connect()'s errors; ENAMETOOLONG for a path longer than sun_path; ENOMEM).
 */
struct xs_handle *xs_open(const char *path);

/* Wraps an already connected stream fd, which the handle then owns. NULL, errno ENOMEM. */
struct xs_handle *xs_open_fd(int fd);

/* Closes the connection and frees queued events. h may be NULL. */
void xs_close(struct xs_handle *h);

/* The connection's fd, to poll() for watch events. */
int xs_fileno(const struct xs_handle *h);

/*
 * Reads path into *value (NUL-terminated; *len, if not NULL, gets the length
 * without the NUL). Errors: the daemon's (-ENOENT, -EACCES, -EINVAL, ...),
 * -EIO, -EBADMSG, -E2BIG (path too long for one message), -ENOMEM.
 */
int xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, char **value,
            unsigned int *len);

/* Writes len bytes to path, creating it and missing parents. Errors as xs_read. */
int xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *value,
             unsigned int len);

/* Creates path (empty) unless it exists. Errors as xs_read. */
int xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path);

/* Removes path and everything below it. Errors as xs_read. */
int xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path);

/*
 * Lists path's children: *names is one allocation holding *num pointers and
 * the strings (free(*names) only). Falls back to XS_DIRECTORY_PART when the
 * list does not fit one reply. Errors as xs_read; -EAGAIN when the node kept
 * changing between parts.
 */
int xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, char ***names,
                 unsigned int *num);

/* Gets path's permissions into *perms (*num entries). Errors as xs_read. */
int xs_get_perms(struct xs_handle *h, xs_transaction_t t, const char *path,
                 struct xs_perm **perms, unsigned int *num);

/* Sets path's permissions (num >= 1). Errors as xs_read; -EINVAL for num 0 or bad perms. */
int xs_set_perms(struct xs_handle *h, xs_transaction_t t, const char *path,
                 const struct xs_perm *perms, unsigned int num);

/*
 * Watches path (and everything below it) with token. The daemon sends one
 * event at once for path itself. Errors as xs_read (-EEXIST for a duplicate,
 * -E2BIG, -ENOSPC over the watch quota).
 */
int xs_watch(struct xs_handle *h, const char *path, const char *token);

/* Removes a watch. Errors as xs_read (-ENOENT when there is no such watch). */
int xs_unwatch(struct xs_handle *h, const char *path, const char *token);

/*
 * Waits up to timeout_ms (-1: forever, 0: do not block) for the next watch
 * event and returns its path and token (two allocations). -ETIMEDOUT when
 * none came; -EIO, -EBADMSG, -ENOMEM.
 */
int xs_read_watch(struct xs_handle *h, int timeout_ms, char **path, char **token);

/* Starts a transaction. Errors as xs_read (-ENOSPC, -EBUSY over quota). */
int xs_transaction_start(struct xs_handle *h, xs_transaction_t *t);

/*
 * Commits (abort false) or abandons t. -EAGAIN: another change conflicted
 * and nothing was committed; start again. Other errors as xs_read.
 */
int xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort);

/*
 * Tells the daemon that domid's store ring is at page mfn with event channel
 * port (XS_INTRODUCE; privileged). Errors as xs_read.
 */
int xs_introduce_domain(struct xs_handle *h, uint32_t domid, uint64_t mfn, uint32_t port);

/* XS_RELEASE: forgets domid. Errors as xs_read. */
int xs_release_domain(struct xs_handle *h, uint32_t domid);

/* XS_GET_DOMAIN_PATH: "/local/domain/<domid>" into *path. Errors as xs_read. */
int xs_get_domain_path(struct xs_handle *h, uint32_t domid, char **path);

/*
 * Sends one request of type (XS_*) whose payload is the nargs strings, each
 * with its NUL, except a last one of raw bytes when last_len is not
 * UINT32_MAX; returns the reply payload NUL-terminated in *reply (may be
 * NULL to discard) and its length in *len. The way to reach operations
 * without a wrapper (XS_CONTROL, XS_SET_TARGET, ...). Errors as xs_read.
 */
int xs_request(struct xs_handle *h, uint32_t type, xs_transaction_t t, const char *const *args,
               unsigned int nargs, uint32_t last_len, char **reply, unsigned int *len);

/* The errno named by an XS_ERROR payload; EINVAL for an unknown name. */
int xs_errno_from_string(const char *name);

#endif /* KEEL_LIBXENSTORE_H */
