// SPDX-License-Identifier: MIT
/*
 * fake_xen.so: lets Debian's C xenstored (xen-utils-4.17) serve a plain
 * Unix socket outside Xen, as a reference daemon for Keel's xenstore tests
 * and benchmarks. LD_PRELOADed into /usr/lib/xen-4.17/bin/xenstored run
 * without -D, it replaces the only things that daemon needs from Xen:
 *
 *  - libxenctrl, libxengnttab, libxenevtchn handles (dummies);
 *  - dom0's store page and port (/proc/xen/xsd_kva, /proc/xen/xsd_port):
 *    files in $KEEL_XS_SHIM_DIR, so dom0 gets introduced and socket
 *    connections have a domain to be accounted to (with -D, 4.17 has none
 *    and crashes on the first request);
 *  - a guest's store page, mapped by grant (xengnttab_map_grant_ref): the
 *    file $KEEL_XS_SHIM_DIR/ring-<domid>, which a test maps too and drives
 *    as that guest (tests/xenstore/ring_bridge.c);
 *  - the event channel device: the FIFO $KEEL_XS_SHIM_DIR/evtchn. A write
 *    of any 4-byte port wakes the daemon, which then polls every ring.
 *    Notifications from the daemon are dropped: the guest side polls.
 *
 * Domains never die (xc_domain_getinfo says every domain runs), and the
 * VIRQ_DOM_EXC port is never raised. The daemon's request handling, store,
 * permissions, quotas and socket code run unchanged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#define FAKE_VIRQ_PORT 1
#define PAGE_BYTES 4096

static int fake_dummy;                /* the address every handle points at */
static int fake_evtchn_fd = -1;       /* read end of the evtchn FIFO */
static evtchn_port_t fake_next_port = 10;

static const char *fake_dir(void)
{
    const char *dir = getenv("KEEL_XS_SHIM_DIR");

    if (!dir) {
        fprintf(stderr, "fake_xen: KEEL_XS_SHIM_DIR is not set\n");
        abort();
    }
    return dir;
}

static int fake_real_open(const char *path, int flags, mode_t mode)
{
    return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

/* dom0's port and page live in $KEEL_XS_SHIM_DIR; created on first use. */
static int fake_open_dom0_file(const char *name, int flags)
{
    char path[4096];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", fake_dir(), name);
    fd = fake_real_open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    if (!strcmp(name, "xsd_port")) {
        if (pwrite(fd, "1\n", 2, 0) != 2 || ftruncate(fd, 2))
            goto fail;
    } else if (ftruncate(fd, PAGE_BYTES)) {
        goto fail;
    }
    close(fd);
    return fake_real_open(path, flags, 0);
fail:
    close(fd);
    return -1;
}

int open(const char *path, int flags, ...);
int open(const char *path, int flags, ...)
{
    mode_t mode = 0;

    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;

        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (!strcmp(path, "/proc/xen/xsd_port"))
        return fake_open_dom0_file("xsd_port", flags);
    if (!strcmp(path, "/proc/xen/xsd_kva"))
        return fake_open_dom0_file("xsd_kva", flags);
    return fake_real_open(path, flags, mode);
}

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    (void)logger, (void)dombuild_logger, (void)open_flags;
    return (xc_interface *)&fake_dummy;
}

int xc_interface_close(xc_interface *xch)
{
    (void)xch;
    return 0;
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
                      xc_dominfo_t *info)
{
    (void)xch;
    if (max_doms < 1)
        return 0;
    memset(info, 0, sizeof(*info));
    info->domid = first_domid;
    info->running = 1;
    return 1;
}

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger, (void)open_flags;
    return (xengnttab_handle *)&fake_dummy;
}

int xengnttab_close(xengnttab_handle *xgt)
{
    (void)xgt;
    return 0;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
    (void)xgt, (void)nr_grants;
    return 0;
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
    char path[4096];
    void *page;
    int fd;

    (void)xgt, (void)ref;
    snprintf(path, sizeof(path), "%s/ring-%u", fake_dir(), domid);
    fd = fake_real_open(path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    page = mmap(NULL, PAGE_BYTES, prot, MAP_SHARED, fd, 0);
    close(fd);
    return page == MAP_FAILED ? NULL : page;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
    (void)xgt;
    return munmap(start_address, (size_t)count * PAGE_BYTES);
}

static xenevtchn_handle *fake_evtchn_open(void)
{
    char path[4096];

    if (fake_evtchn_fd < 0) {
        snprintf(path, sizeof(path), "%s/evtchn", fake_dir());
        if (mkfifo(path, 0600) && errno != EEXIST)
            return NULL;
        /* O_RDWR: the FIFO never reports EOF when the last writer goes. */
        fake_evtchn_fd = fake_real_open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
        if (fake_evtchn_fd < 0)
            return NULL;
    }
    return (xenevtchn_handle *)&fake_dummy;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger, (void)open_flags;
    return fake_evtchn_open();
}

xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd, unsigned open_flags)
{
    (void)logger, (void)fd, (void)open_flags;
    return fake_evtchn_open();
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
    (void)xce;
    return fake_evtchn_fd;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
    (void)xce, (void)port;
    return 0;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
                                                     evtchn_port_t remote_port)
{
    (void)xce, (void)domid, (void)remote_port;
    return fake_next_port++;
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
    (void)xce, (void)virq;
    return FAKE_VIRQ_PORT;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
    (void)xce, (void)port;
    return 0;
}

/* Drains every queued wake-up; reports a port that is never the VIRQ's. */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
    char buf[256];

    (void)xce;
    while (read(fake_evtchn_fd, buf, sizeof(buf)) > 0)
        ;
    return FAKE_VIRQ_PORT + 1;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
    (void)xce, (void)port;
    return 0;
}
