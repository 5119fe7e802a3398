// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: the daemon (options, the poll loop, signals).
 *
 * One thread: poll() on the listening socket and every client socket
 * (POLLIN while the core wants input, POLLOUT while output is queued), then
 * let the core read, dispatch and write, then free dead connections. Ring
 * connections (domains) are processed every iteration; the dom0 ring
 * backend (grant mapping and event channels through /dev/xen) plugs in via
 * xsd_set_ring_backend() and adds its event-channel fd here.
 *
 * SIGTERM and SIGINT end the loop cleanly: connections closed, the socket
 * removed, the journal flushed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "journal.h"
#include "unix_socket.h"

#define DEFAULT_SOCKET "/run/xenstored/socket"

static volatile sig_atomic_t stop_signal;
static bool use_syslog;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    if (use_syslog)
        syslog(LOG_ERR, "%s", line);
    else
        fprintf(stderr, "xenstored: %s\n", line);
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: xenstored [options]\n"
            "  -s, --socket PATH          listen on PATH (default " DEFAULT_SOCKET ")\n"
            "  -N, --no-fork, --foreground  stay in the foreground\n"
            "  -J, --journal FILE         keep the store in FILE across restarts\n"
            "  -F, --pid-file FILE        write the daemon's pid to FILE\n"
            "  -E, --entry-nb NB          nodes per domain (default 1000)\n"
            "  -S, --entry-size SIZE      bytes per node record (default 2048)\n"
            "  -W, --watch-nb NB          watches per domain (default 128)\n"
            "  -t, --transaction NB       open transactions per domain (default 10)\n"
            "  -A, --perm-nb NB           permissions per node (default 5)\n"
            "  -Q, --quota WHAT=NB        outstanding (20), transaction-nodes (1024),\n"
            "                             memory (2621440 bytes)\n"
            "  -q, --quota-soft memory=NB soft memory quota (2097152 bytes)\n"
            "  -K, --keep-orphans         RELEASE gives a domain's nodes to dom0\n"
            "  -V, --verbose              log to stderr\n"
            "  --unprivileged-socket DOMID:PATH\n"
            "                             (tests) also listen on PATH; its clients are\n"
            "                             domain DOMID, unprivileged, as over its ring\n"
            "  -H, -h, --help             this message\n");
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;

    fputs("xenstored: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static unsigned int opt_uint(const char *opt, const char *arg)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(arg, &end, 10);
    if (!*arg || *end || errno || v < 1 || v > INT_MAX || arg[0] == '-')
        die("invalid value '%s' for %s (a positive integer)", arg, opt);
    return (unsigned int)v;
}

static void opt_quota(struct xsd_config *cfg, const char *arg, bool soft)
{
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : 0;
    unsigned int v;

    if (!eq)
        die("%s wants WHAT=NB, not '%s'", soft ? "--quota-soft" : "--quota", arg);
    v = opt_uint(soft ? "--quota-soft" : "--quota", eq + 1);
    if (soft && n == 6 && !strncmp(arg, "memory", n))
        cfg->quota.memory_soft = v;
    else if (!soft && n == 6 && !strncmp(arg, "memory", n))
        cfg->quota.memory = v;
    else if (!soft && n == 11 && !strncmp(arg, "outstanding", n))
        cfg->quota.outstanding = v;
    else if (!soft && n == 17 && !strncmp(arg, "transaction-nodes", n))
        cfg->quota.trans_nodes = v;
    else
        die("unknown quota '%.*s'", (int)n, arg);
}

static const struct option options[] = {
    { "socket", required_argument, NULL, 's' },
    { "no-fork", no_argument, NULL, 'N' },
    { "foreground", no_argument, NULL, 'N' },
    { "journal", required_argument, NULL, 'J' },
    { "pid-file", required_argument, NULL, 'F' },
    { "entry-nb", required_argument, NULL, 'E' },
    { "entry-size", required_argument, NULL, 'S' },
    { "watch-nb", required_argument, NULL, 'W' },
    { "transaction", required_argument, NULL, 't' },
    { "perm-nb", required_argument, NULL, 'A' },
    { "quota", required_argument, NULL, 'Q' },
    { "quota-soft", required_argument, NULL, 'q' },
    { "keep-orphans", no_argument, NULL, 'K' },
    { "verbose", no_argument, NULL, 'V' },
    { "unprivileged-socket", required_argument, NULL, 'U' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
};

static void daemonize(void)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid > 0)
        _exit(0);
    setsid();
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2)
            close(fd);
    }
    openlog("xenstored", LOG_PID, LOG_DAEMON);
    use_syslog = true;
}

/*
 * The sockets clients connect to: --socket (dom0) and each
 * --unprivileged-socket (a test's stand-in for a domain's ring).
 */
#define MAX_LISTENERS 17
struct listener {
    const char *path;
    unsigned int domid;
    bool privileged;
    int fd;
};
static struct listener listeners[MAX_LISTENERS];
static unsigned int nr_listeners;

static void add_listener(const char *path, unsigned int domid, bool privileged)
{
    if (nr_listeners == MAX_LISTENERS)
        die("at most %d sockets", MAX_LISTENERS);
    listeners[nr_listeners++] = (struct listener){ path, domid, privileged, -1 };
}

/* --unprivileged-socket DOMID:PATH */
static void opt_unprivileged_socket(const char *arg)
{
    const char *colon = strchr(arg, ':');
    char id[16];

    if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(id) || !colon[1])
        die("--unprivileged-socket wants DOMID:PATH, not '%s'", arg);
    memcpy(id, arg, (size_t)(colon - arg));
    id[colon - arg] = 0;
    add_listener(colon + 1, opt_uint("--unprivileged-socket", id), false);
}

static void main_loop(struct xsd *xsd)
{
    struct pollfd *fds = NULL;
    struct xs_conn **conns = NULL, *c;
    size_t cap = 0, n, i;

    while (!stop_signal) {
        n = nr_listeners;
        for (c = xsd->conns; c; c = c->next)
            n++;
        if (n > cap) {
            struct pollfd *nf = realloc(fds, n * 2 * sizeof(*fds));
            struct xs_conn **nc = realloc(conns, n * 2 * sizeof(*conns));

            if (nf)
                fds = nf;
            if (nc)
                conns = nc;
            if (!nf || !nc)
                die("out of memory");
            cap = n * 2;
        }
        for (i = 0; i < nr_listeners; i++)
            fds[i] = (struct pollfd){ .fd = listeners[i].fd, .events = POLLIN };
        n = nr_listeners;
        for (c = xsd->conns; c; c = c->next) {
            if (!unix_is_socket_conn(c))
                continue;
            conns[n] = c;
            fds[n].fd = unix_conn_fd(c);
            fds[n].events = (xsd_conn_wants_input(c) ? POLLIN : 0) |
                            (xsd_conn_wants_output(c) ? POLLOUT : 0);
            fds[n].revents = 0;
            n++;
        }
        if (poll(fds, n, xsd->be_ops ? 100 : -1) < 0) {
            if (errno == EINTR)
                continue;
            die("poll: %s", strerror(errno));
        }
        for (i = nr_listeners; i < n; i++) {
            c = conns[i];
            if (fds[i].revents & (POLLERR | POLLNVAL))
                xsd_conn_kill(c);
            else if (fds[i].revents & (POLLIN | POLLHUP))
                xsd_conn_process(c);
            else if (fds[i].revents & POLLOUT)
                xsd_conn_flush(c);
        }
        /* Flush what requests queued for other connections (events). */
        for (c = xsd->conns; c; c = c->next)
            if (unix_is_socket_conn(c) && xsd_conn_wants_output(c))
                xsd_conn_flush(c);
        xsd_process_rings(xsd);
        for (i = 0; i < nr_listeners; i++)
            if (fds[i].revents & POLLIN)
                while (unix_accept(xsd, listeners[i].fd, listeners[i].domid,
                                   listeners[i].privileged))
                    ;
        xsd_reap(xsd);
    }
    free(fds);
    free(conns);
}

int main(int argc, char **argv)
{
    const char *sock_path = getenv("XENSTORED_PATH"), *journal_path = NULL, *pidfile = NULL;
    struct xs_journal *journal = NULL;
    bool foreground = false, verbose = false;
    struct sigaction sa = { .sa_handler = on_signal };
    struct xsd_config cfg;
    struct xsd *xsd;
    int opt;
    FILE *pf;

    xsd_config_default(&cfg);
    if (!sock_path || !*sock_path)
        sock_path = DEFAULT_SOCKET;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":s:NJ:F:E:S:W:t:A:Q:q:KVHh", options, NULL)) != -1) {
        switch (opt) {
        case 's': sock_path = optarg; break;
        case 'N': foreground = true; break;
        case 'J': journal_path = optarg; break;
        case 'F': pidfile = optarg; break;
        case 'E': cfg.quota.entry_nb = opt_uint("--entry-nb", optarg); break;
        case 'S': cfg.quota.entry_size = opt_uint("--entry-size", optarg); break;
        case 'W': cfg.quota.watch_nb = opt_uint("--watch-nb", optarg); break;
        case 't': cfg.quota.transaction = opt_uint("--transaction", optarg); break;
        case 'A': cfg.quota.perm_nb = opt_uint("--perm-nb", optarg); break;
        case 'Q': opt_quota(&cfg, optarg, false); break;
        case 'q': opt_quota(&cfg, optarg, true); break;
        case 'K': cfg.keep_orphans = true; break;
        case 'V': verbose = true; break;
        case 'U': opt_unprivileged_socket(optarg); break;
        case 'H':
        case 'h': usage(stdout); return 0;
        case ':': die("option '%s' needs a value", argv[optind - 1]);
        default: die("unknown option '%s' (try --help)", argv[optind - 1]);
        }
    }
    if (optind != argc)
        die("unexpected argument '%s' (try --help)", argv[optind]);

    xsd = xsd_create(&cfg);
    if (!xsd)
        die("out of memory");
    xsd->log = log_line;
    xsd->log_on = verbose;
    if (journal_path) {
        journal = journal_open(xsd, journal_path);
        if (!journal)
            die("cannot use journal %s: %s", journal_path, strerror(errno));
    }
    add_listener(sock_path, 0, true);
    for (unsigned int i = 0; i < nr_listeners; i++) {
        listeners[i].fd = unix_listen(listeners[i].path);
        if (listeners[i].fd < 0)
            die("cannot listen on %s: %s", listeners[i].path, strerror(errno));
    }

    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (!foreground)
        daemonize();
    if (pidfile) {
        pf = fopen(pidfile, "w");
        if (pf) {
            fprintf(pf, "%ld\n", (long)getpid());
            fclose(pf);
        }
    }
    if (verbose)
        xsd_logf(xsd, "listening on %s", sock_path);

    main_loop(xsd);

    xsd_logf(xsd, "signal %d: shutting down", (int)stop_signal);
    for (unsigned int i = 0; i < nr_listeners; i++) {
        close(listeners[i].fd);
        unlink(listeners[i].path);
    }
    journal_close(journal);
    xsd_destroy(xsd);
    if (pidfile)
        unlink(pidfile);
    return 0;
}
