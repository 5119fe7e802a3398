// SPDX-License-Identifier: MIT
/*
 * ring_bridge: an unprivileged xenstore connection for tests, made from a
 * guest's store ring. Usage:
 *
 *   ring_bridge SHIM_DIR DAEMON_SOCKET DOMID LISTEN_SOCKET
 *
 * It creates SHIM_DIR/ring-DOMID (the page fake_xen.c hands the daemon as
 * DOMID's grant-mapped store ring), listens on LISTEN_SOCKET, introduces
 * DOMID to the daemon through DAEMON_SOCKET (XS_INTRODUCE, as dom0), prints
 * "ready" and then plays the guest: bytes a client writes to LISTEN_SOCKET
 * go to the ring's req side, bytes on its rsp side go back to the client.
 * The daemon is woken through the FIFO SHIM_DIR/evtchn; replies are found
 * by polling every 50 us. One client; the bridge exits when it hangs up.
 *
 * Ring protocol (xs_wire.h): the guest produces req (req_prod) and consumes
 * rsp (rsp_cons); indices are free-running, masked on access. A producer
 * writes data before publishing the index (release); a consumer reads the
 * index (acquire) before the data.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "libxenstore.h"
#include "../../include/public/io/xs_wire.h"

static struct xenstore_domain_interface *ring;
static int evtchn_fd = -1;

static void bridge_notify(void)
{
    uint32_t port = 0;

    /* A full FIFO already holds a wake-up: EAGAIN is fine. */
    if (write(evtchn_fd, &port, sizeof(port)) < 0 && errno != EAGAIN)
        perror("ring_bridge: evtchn");
}

/* Client -> req ring: returns bytes moved, -1 when the client hung up. */
static int bridge_pump_req(int client)
{
    uint32_t cons = __atomic_load_n(&ring->req_cons, __ATOMIC_ACQUIRE);
    uint32_t prod = ring->req_prod;
    uint32_t space = XENSTORE_RING_SIZE - (prod - cons);
    uint32_t off = MASK_XENSTORE_IDX(prod);
    uint32_t chunk = XENSTORE_RING_SIZE - off;
    ssize_t n;

    if (space == 0)
        return 0;
    if (chunk > space)
        chunk = space;
    n = recv(client, ring->req + off, chunk, MSG_DONTWAIT);
    if (n == 0)
        return -1;
    if (n < 0)
        return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    /* Pairs with the daemon's acquire of req_prod before it reads req. */
    __atomic_store_n(&ring->req_prod, prod + (uint32_t)n, __ATOMIC_RELEASE);
    return (int)n;
}

/* rsp ring -> client: returns bytes moved, -1 when the client hung up. */
static int bridge_pump_rsp(int client)
{
    uint32_t prod = __atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE);
    uint32_t cons = ring->rsp_cons;
    uint32_t avail = prod - cons;
    uint32_t off = MASK_XENSTORE_IDX(cons);
    uint32_t chunk = XENSTORE_RING_SIZE - off;
    ssize_t n;

    if (avail == 0)
        return 0;
    if (avail > XENSTORE_RING_SIZE) {
        fprintf(stderr, "ring_bridge: rsp indices corrupt (%u - %u)\n", prod, cons);
        return -1;
    }
    if (chunk > avail)
        chunk = avail;
    n = send(client, ring->rsp + off, chunk, MSG_NOSIGNAL);
    if (n <= 0)
        return (n < 0 && (errno == EAGAIN || errno == EINTR)) ? 0 : -1;
    /* Pairs with the daemon's read of rsp_cons before it reuses the space. */
    __atomic_store_n(&ring->rsp_cons, cons + (uint32_t)n, __ATOMIC_RELEASE);
    return (int)n;
}

static int bridge_listen(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return -1;
    strcpy(addr.sun_path, path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 1))
        return -1;
    return fd;
}

int main(int argc, char **argv)
{
    char path[4096];
    struct xs_handle *xs;
    unsigned long domid;
    int fd, lfd, client, rc;

    if (argc != 5) {
        fprintf(stderr, "usage: ring_bridge SHIM_DIR DAEMON_SOCKET DOMID LISTEN_SOCKET\n");
        return 2;
    }
    domid = strtoul(argv[3], NULL, 10);

    snprintf(path, sizeof(path), "%s/ring-%lu", argv[1], domid);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, 4096)) {
        perror(path);
        return 1;
    }
    ring = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (ring == MAP_FAILED) {
        perror("ring_bridge: mmap");
        return 1;
    }
    snprintf(path, sizeof(path), "%s/evtchn", argv[1]);
    evtchn_fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (evtchn_fd < 0) {
        perror(path);
        return 1;
    }
    lfd = bridge_listen(argv[4]);
    if (lfd < 0) {
        perror(argv[4]);
        return 1;
    }

    xs = xs_open(argv[2]);
    if (!xs) {
        perror("ring_bridge: xs_open");
        return 1;
    }
    /* The daemon maps the ring by "grant"; mfn is ignored, port must be > 0. */
    rc = xs_introduce_domain(xs, (uint32_t)domid, 0, 1);
    xs_close(xs);
    if (rc) {
        fprintf(stderr, "ring_bridge: XS_INTRODUCE %lu: %s\n", domid, strerror(-rc));
        return 1;
    }
    printf("ready\n");
    fflush(stdout);

    client = accept(lfd, NULL, NULL);
    if (client < 0) {
        perror("ring_bridge: accept");
        return 1;
    }
    for (;;) {
        int in = bridge_pump_req(client), out = bridge_pump_rsp(client);

        if (in < 0 || out < 0)
            break;
        if (in > 0 || out > 0) {
            bridge_notify();
            continue;
        }
        {
            struct pollfd pfd = { .fd = client, .events = POLLIN };
            struct timespec pause = { .tv_nsec = 50 * 1000 };

            if (poll(&pfd, 1, 0) == 0)
                nanosleep(&pause, NULL);
        }
    }
    return 0;
}
