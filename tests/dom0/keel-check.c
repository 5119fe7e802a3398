// SPDX-License-Identifier: MIT
/*
 * keel-check: the checks the dom0 test initramfs (scripts/mkinitramfs.sh)
 * runs from Linux user space that busybox cannot do. Built static with the
 * host's gcc and glibc; no dependency beyond Linux's uapi headers and
 * Keel's own public ones.
 *
 *   keel-check hypercall        xen_version through /dev/xen/privcmd
 *   keel-check evtchn           VIRQ binds and a loopback pair through
 *                               /dev/xen/evtchn
 *   keel-check ptframes         Keel's count of typed page-table frames
 *                               (keel_test_op, needs "test_hypercalls")
 *   keel-check grants           Linux's own grant drivers on Keel: a page
 *                               granted to dom0 itself with /dev/xen/gntalloc,
 *                               mapped through /dev/xen/gntdev (Linux maps
 *                               it with GNTTABOP_map_grant_ref into the
 *                               process's page tables), written and read
 *                               both ways, unmapped, the grant ended
 *   keel-check storm FORKS MB ROUNDS
 *                               a fork/exec storm of FORKS processes, then
 *                               ROUNDS rounds touching and freeing MB MiB,
 *                               with the page-table frame count around them
 *
 * Each prints one line of space-separated key=value pairs on stdout (the
 * harness, tests/integration/test_linux_dom0.py, parses them) and exits 0
 * when the check passed, 1 when it failed (the line then has why=...).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include <keel/test_hypercall.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/version.h>
#include <public/xen.h>

/* Linux uapi, IOCTL_EVTCHN_*, _GNTALLOC_*, _GNTDEV_*; after public/ (domid_t, grant_ref_t). */
#include <xen/evtchn.h>
#include <xen/gntalloc.h>
#include <xen/gntdev.h>

/*
 * Linux's uapi xen/privcmd.h includes <xen/interface/xen.h>, which no
 * user-space package installs; its two definitions needed here, verbatim.
 */
struct privcmd_hypercall {
    __u64 op;
    __u64 arg[5];
};
#define IOCTL_PRIVCMD_HYPERCALL _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

#define MIB (1024UL * 1024UL)

static char line[1024];
static size_t line_len;

/* Append "fmt" to the result line, separated by a space. */
__attribute__((format(printf, 1, 2))) static void out(const char *fmt, ...)
{
    va_list ap;

    if (line_len && line_len < sizeof(line) - 1)
        line[line_len++] = ' ';
    va_start(ap, fmt);
    line_len += vsnprintf(line + line_len, sizeof(line) - line_len, fmt, ap);
    va_end(ap);
    if (line_len >= sizeof(line))
        line_len = sizeof(line) - 1;
}

static int finish(int ok)
{
    printf("%s\n", line);
    fflush(stdout);
    return ok ? 0 : 1;
}

/* A failure: why=<text> ends the line. */
__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
    char why[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    out("why=%s", why);
    return finish(0);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The errno name for the few values the checks expect, else the number. */
static const char *errname(int e)
{
    static char buf[16];

    switch (e) {
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    }
    snprintf(buf, sizeof(buf), "E%d", e);
    return buf;
}

/* ---- privcmd ------------------------------------------------------------ */

static int privcmd_fd = -1;

static int privcmd_open(void)
{
    if (privcmd_fd < 0)
        privcmd_fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    if (privcmd_fd < 0)
        privcmd_fd = open("/proc/xen/privcmd", O_RDWR | O_CLOEXEC);
    return privcmd_fd;
}

/* The hypercall's return value, or -errno (Linux's errno numbers are Xen's). */
static long hypercall(unsigned long op, unsigned long a1, unsigned long a2)
{
    struct privcmd_hypercall h = { .op = op, .arg = { a1, a2 } };
    long rc = ioctl(privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &h);

    return rc < 0 ? -errno : rc;
}

/* Keel's typed page-table frame count, or -errno. */
static long pt_frames(void)
{
    return hypercall(__HYPERVISOR_keel_test_op, KEEL_TESTOP_pt_frames, 0);
}

static int check_hypercall(void)
{
    xen_extraversion_t extra;
    long v, rc;

    if (privcmd_open() < 0)
        return fail("no /dev/xen/privcmd (%s)", errname(errno));
    v = hypercall(__HYPERVISOR_xen_version, XENVER_version, 0);
    if (v < 0)
        return fail("xen_version(XENVER_version) failed (%s)", errname((int)-v));
    out("version=%#lx major=%lu minor=%lu", v, (unsigned long)v >> 16, (unsigned long)v & 0xffff);
    memset(extra, 0, sizeof(extra));
    rc = hypercall(__HYPERVISOR_xen_version, XENVER_extraversion, (unsigned long)extra);
    if (rc < 0)
        return fail("xen_version(XENVER_extraversion) failed (%s)", errname((int)-rc));
    extra[sizeof(extra) - 1] = 0;
    out("extraversion=%s", extra);
    /* A number no hypervisor implements: -ENOSYS, not a crash or a hang. */
    rc = hypercall(63, 0, 0);
    out("unused_nr=%s", rc < 0 ? errname((int)-rc) : "returned");
    if (v != (4 << 16 | 17))
        return fail("xen_version is %#lx, not 4.17's %#x", v, 4 << 16 | 17);
    if (rc != -ENOSYS)
        return fail("hypercall 63 gave %ld, not -ENOSYS", rc);
    return finish(1);
}

static int check_ptframes(void)
{
    long n;

    if (privcmd_open() < 0)
        return fail("no /dev/xen/privcmd (%s)", errname(errno));
    n = pt_frames();
    if (n < 0)
        return fail("keel_test_op(pt_frames) failed (%s; is test_hypercalls on Keel's "
                    "command line?)", errname((int)-n));
    out("ptframes=%ld", n);
    return finish(1);
}

/* ---- evtchn ------------------------------------------------------------- */

/* The next port the device reports within timeout_ms, or -1. */
static int evtchn_wait(int fd, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    unsigned int port;

    if (poll(&p, 1, timeout_ms) != 1)
        return -1;
    if (read(fd, &port, sizeof(port)) != sizeof(port))
        return -1;
    return (int)port;
}

/*
 * Notify @from and expect exactly @to to fire, then unmask it again. Adds
 * notify_<from>_<to>=ok, or what went wrong, to the line; returns 0 if ok.
 */
static int loopback_notify(int fd, unsigned int from, unsigned int to)
{
    struct ioctl_evtchn_notify n = { .port = from };
    int got;

    if (ioctl(fd, IOCTL_EVTCHN_NOTIFY, &n) < 0) {
        out("notify_%u_%u=%s", from, to, errname(errno));
        return -1;
    }
    got = evtchn_wait(fd, 2000);
    if (got < 0) {
        out("notify_%u_%u=timeout", from, to);
        return -1;
    }
    /* Writing the port back unmasks it (the device masks on delivery). */
    if (write(fd, &got, sizeof(got)) != sizeof(got)) {
        out("notify_%u_%u=unmask:%s", from, to, errname(errno));
        return -1;
    }
    if (got != (int)to) {
        out("notify_%u_%u=got_port%d", from, to, got);
        return -1;
    }
    out("notify_%u_%u=ok", from, to);
    return 0;
}

static int check_evtchn(void)
{
    struct ioctl_evtchn_bind_virq virq = { .virq = VIRQ_TIMER };
    struct ioctl_evtchn_bind_unbound_port unbound = { .remote_domain = 0 };
    struct ioctl_evtchn_bind_interdomain inter = { .remote_domain = 0 };
    struct ioctl_evtchn_unbind unbind;
    int fd, rc, a, b, ok = 1;

    fd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return fail("no /dev/xen/evtchn (%s)", errname(errno));

    /*
     * The device binds VIRQs on vCPU 0. Linux has bound VIRQ_TIMER there
     * itself, so Xen answers -EEXIST; VIRQ_DOM_EXC, global and bound by
     * nothing in the kernel, is the one xenstored binds this way.
     */
    rc = ioctl(fd, IOCTL_EVTCHN_BIND_VIRQ, &virq);
    out("virq_timer=%s", rc < 0 ? errname(errno) : "bound");
    if (rc >= 0) {
        unbind.port = (unsigned int)rc;
        ioctl(fd, IOCTL_EVTCHN_UNBIND, &unbind);
    }
    virq.virq = VIRQ_DOM_EXC;
    rc = ioctl(fd, IOCTL_EVTCHN_BIND_VIRQ, &virq);
    if (rc < 0) {
        out("virq_dom_exc=%s", errname(errno));
        ok = 0;
    } else {
        out("virq_dom_exc=port%d", rc);
        unbind.port = (unsigned int)rc;
        if (ioctl(fd, IOCTL_EVTCHN_UNBIND, &unbind) < 0) {
            out("virq_unbind=%s", errname(errno));
            ok = 0;
        }
    }

    /* A loopback pair in dom0: an unbound port, then a port bound to it. */
    a = ioctl(fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &unbound);
    if (a < 0) {
        out("unbound=%s", errname(errno));
        close(fd);
        return fail("IOCTL_EVTCHN_BIND_UNBOUND_PORT refused");
    }
    inter.remote_port = (unsigned int)a;
    b = ioctl(fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &inter);
    if (b < 0) {
        out("interdomain=%s", errname(errno));
        close(fd);
        return fail("IOCTL_EVTCHN_BIND_INTERDOMAIN to port %d refused", a);
    }
    out("loopback=%d<->%d", a, b);
    /*
     * Binding to an unbound port leaves the new local port pending (Xen
     * assumes a send to the unbound end was lost): take that event first.
     */
    while ((rc = evtchn_wait(fd, 200)) >= 0) {
        out("bind_event=port%d", rc);
        if (write(fd, &rc, sizeof(rc)) != sizeof(rc))
            ok = 0;
    }
    ok &= !loopback_notify(fd, (unsigned int)b, (unsigned int)a);
    ok &= !loopback_notify(fd, (unsigned int)a, (unsigned int)b);
    /* Nothing else may be pending: each notify gave exactly one event. */
    rc = evtchn_wait(fd, 100);
    if (rc >= 0) {
        out("spurious=port%d", rc);
        ok = 0;
    }
    unbind.port = (unsigned int)b;
    ok &= ioctl(fd, IOCTL_EVTCHN_UNBIND, &unbind) == 0;
    unbind.port = (unsigned int)a;
    ok &= ioctl(fd, IOCTL_EVTCHN_UNBIND, &unbind) == 0;
    close(fd);
    if (!ok)
        return fail("see the fields above");
    return finish(1);
}

/* ---- storms ------------------------------------------------------------- */

/*
 * In a worker: stay on CPU @w (mod the CPUs online), children too. A child
 * then starts and exits on its parent's CPU, so its kernel stack comes from
 * and goes back to that CPU's cache of vmalloc'd stacks: the storm makes no
 * new vmalloc areas, whose kernel page tables Linux would keep for good
 * and the frame count would show.
 */
static void pin_worker(long w)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET((int)(w % (cpus > 0 ? cpus : 1)), &set);
    sched_setaffinity(0, sizeof(set), &set);
}

/* Run @n fork+exec+wait of /bin/true in @workers parallel workers, one per
 * CPU. Returns the number of children that failed. */
static long fork_exec_storm(long n, long workers)
{
    long failed = 0;

    for (long w = 0; w < workers; w++) {
        pid_t pid = fork();

        if (pid < 0)
            return n;
        if (pid == 0) {
            long bad = 0;

            pin_worker(w);
            for (long i = w; i < n; i += workers) {
                pid_t c = fork();
                int st;

                if (c == 0) {
                    execl("/bin/true", "true", (char *)NULL);
                    _exit(127);
                }
                if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) ||
                    WEXITSTATUS(st) != 0)
                    bad++;
            }
            _exit(bad > 255 ? 255 : (int)bad);
        }
    }
    for (long w = 0; w < workers; w++) {
        int st;

        if (wait(&st) < 0 || !WIFEXITED(st))
            failed += n / workers;
        else
            failed += WEXITSTATUS(st);
    }
    return failed;
}

/* In a child: touch every page of @bytes with a pattern, check it, unmap. */
static int touch_memory(size_t bytes, unsigned int round)
{
    size_t pages = bytes / 4096;
    unsigned long *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        return 1;
    for (size_t i = 0; i < pages; i++)
        p[i * 512] = i ^ ((unsigned long)round << 40);
    for (size_t i = 0; i < pages; i++)
        if (p[i * 512] != (i ^ ((unsigned long)round << 40)))
            return 2;
    return munmap(p, bytes) ? 3 : 0;
}

/* @rounds rounds, each @workers children (one per CPU) touching
 * @mib / @workers MiB. Returns the number of children that failed. */
static long memory_stress(long mib, long rounds, long workers)
{
    size_t bytes = (size_t)mib * MIB / (size_t)workers;
    long failed = 0;

    if (bytes < 4096)
        bytes = 4096;

    for (long r = 0; r < rounds; r++) {
        for (long w = 0; w < workers; w++) {
            pid_t pid = fork();

            if (pid < 0)
                return rounds * workers;
            if (pid == 0) {
                pin_worker(w);
                _exit(touch_memory(bytes, (unsigned int)r));
            }
        }
        for (long w = 0; w < workers; w++) {
            int st;

            if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
                failed++;
        }
    }
    return failed;
}

/*
 * The frame count is read by this process before and after, so its own
 * page tables are in both; the storms run in children, which have all
 * exited (and been reaped) when the count is read again.
 */
static int check_storm(long forks, long mib, long rounds)
{
    /* One worker per CPU; KEEL_CHECK_WORKERS overrides it (by hand). */
    long workers = getenv("KEEL_CHECK_WORKERS") ? atol(getenv("KEEL_CHECK_WORKERS"))
                                                : sysconf(_SC_NPROCESSORS_ONLN);
    long cold, base, after_fork, after_mem, bad;
    double t;

    if (workers < 1)
        workers = 1;
    if (privcmd_open() < 0)
        return fail("no /dev/xen/privcmd (%s)", errname(errno));
    cold = pt_frames();
    if (cold < 0)
        return fail("keel_test_op(pt_frames) failed (%s; is test_hypercalls on Keel's "
                    "command line?)", errname((int)-cold));
    out("workers=%ld cold=%ld", workers, cold);

    /*
     * A warm-up round of both, small: kernel page tables Linux makes once
     * and keeps (those under vmalloc'd stacks) exist before the baseline.
     */
    bad = fork_exec_storm(forks / 20, workers) + memory_stress(mib / 8, 1, workers);
    base = pt_frames();
    out("baseline=%ld", base);
    if (bad)
        return fail("%ld warm-up children failed", bad);

    t = now();
    bad = fork_exec_storm(forks, workers);
    after_fork = pt_frames();
    out("forks=%ld fork_failures=%ld fork_seconds=%.1f after_forkexec=%ld", forks, bad,
        now() - t, after_fork);
    if (bad)
        return fail("%ld of %ld fork/exec children failed", bad, forks);

    t = now();
    bad = memory_stress(mib, rounds, workers);
    after_mem = pt_frames();
    out("mem_mib=%ld rounds=%ld mem_failures=%ld mem_seconds=%.1f after_memstress=%ld", mib,
        rounds, bad, now() - t, after_mem);
    if (bad)
        return fail("%ld of %ld memory children failed", bad, rounds * workers);
    return finish(1);
}

static long number(const char *s)
{
    char *end;
    long v = strtol(s, &end, 0);

    if (*s == 0 || *end || v <= 0) {
        fprintf(stderr, "keel-check: '%s' is not a positive number\n", s);
        exit(2);
    }
    return v;
}

/*
 * The two views of one granted page must see each other's stores: the
 * granter's (gntalloc) and the grantee's (gntdev), both in this process.
 */
static int check_grants(void)
{
    struct ioctl_gntalloc_alloc_gref alloc = { .domid = 0, .flags = GNTALLOC_FLAG_WRITABLE,
                                               .count = 1 };
    struct ioctl_gntdev_map_grant_ref map = { .count = 1 };
    struct ioctl_gntdev_unmap_grant_ref unmap = { .count = 1 };
    struct ioctl_gntalloc_dealloc_gref dealloc = { .count = 1 };
    long page = sysconf(_SC_PAGESIZE);
    volatile uint8_t *mine, *theirs;
    int ga, gd, ok = 1;

    ga = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
    if (ga < 0)
        return fail("no /dev/xen/gntalloc (%s)", errname(errno));
    gd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
    if (gd < 0)
        return fail("no /dev/xen/gntdev (%s)", errname(errno));
    if (ioctl(ga, IOCTL_GNTALLOC_ALLOC_GREF, &alloc) < 0)
        return fail("IOCTL_GNTALLOC_ALLOC_GREF: %s", errname(errno));
    out("gref=%u", alloc.gref_ids[0]);
    mine = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, ga, (off_t)alloc.index);
    if (mine == MAP_FAILED)
        return fail("mmap gntalloc: %s", errname(errno));
    for (long i = 0; i < page; i++)
        mine[i] = (uint8_t)(i * 7 + 3);

    map.refs[0].domid = 0;
    map.refs[0].ref = alloc.gref_ids[0];
    if (ioctl(gd, IOCTL_GNTDEV_MAP_GRANT_REF, &map) < 0)
        return fail("IOCTL_GNTDEV_MAP_GRANT_REF: %s", errname(errno));
    theirs = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, gd, (off_t)map.index);
    if (theirs == MAP_FAILED)
        return fail("mmap gntdev (the grant map): %s", errname(errno));
    for (long i = 0; i < page && ok; i++)
        ok = theirs[i] == (uint8_t)(i * 7 + 3);
    out("granter_to_grantee=%s", ok ? "ok" : "differs");
    theirs[100] = 0x5a;
    out("grantee_to_granter=%s", mine[100] == 0x5a ? "ok" : "differs");
    ok = ok && mine[100] == 0x5a;

    if (munmap((void *)theirs, (size_t)page) < 0)
        return fail("munmap gntdev: %s", errname(errno));
    unmap.index = map.index;
    if (ioctl(gd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap) < 0)
        return fail("IOCTL_GNTDEV_UNMAP_GRANT_REF: %s", errname(errno));
    munmap((void *)mine, (size_t)page);
    dealloc.index = alloc.index;
    if (ioctl(ga, IOCTL_GNTALLOC_DEALLOC_GREF, &dealloc) < 0)
        return fail("IOCTL_GNTALLOC_DEALLOC_GREF: %s", errname(errno));
    out("unmapped=yes");
    close(gd);
    close(ga);
    if (!ok)
        out("why=the two mappings of the granted page disagree");
    return finish(ok);
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "hypercall"))
        return check_hypercall();
    if (argc == 2 && !strcmp(argv[1], "evtchn"))
        return check_evtchn();
    if (argc == 2 && !strcmp(argv[1], "ptframes"))
        return check_ptframes();
    if (argc == 2 && !strcmp(argv[1], "grants"))
        return check_grants();
    if (argc == 5 && !strcmp(argv[1], "storm"))
        return check_storm(number(argv[2]), number(argv[3]), number(argv[4]));
    fprintf(stderr, "usage: keel-check hypercall | evtchn | ptframes | grants | "
                    "storm FORKS MIB ROUNDS\n");
    return 2;
}
