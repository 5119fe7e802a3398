// SPDX-License-Identifier: MIT
/*
 * xenstore_bench: requests per second and latency percentiles of one
 * xenstored, through libxenstore. Usage:
 *
 *   xenstore_bench SOCKET CLIENTS MILLISECONDS
 *
 * CLIENTS threads, each with its own connection, run each operation in
 * turn for MILLISECONDS (after a tenth of that as warm-up, not measured):
 *
 *   read       XS_READ of the client's own 16-byte node
 *   write      XS_WRITE of 16 bytes to that node
 *   directory  XS_DIRECTORY of a node with 32 children
 *   rmw_txn    TRANSACTION_START, READ, WRITE, TRANSACTION_END of the
 *              client's own counter (no conflicts; retried if one comes)
 *
 * One line per operation:
 *   BENCH op=<op> clients=<n> ops=<total> rps=<total/s> p50_us=<> p99_us=<> retries=<>
 * rps counts operations completed by all clients over the measured wall
 * time; the percentiles are over every operation of every client. bench/
 * run-xenstore runs it against Keel's and Debian's daemons in one run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libxenstore.h"

enum bench_op { OP_READ, OP_WRITE, OP_DIRECTORY, OP_RMW_TXN, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "read", "write", "directory", "rmw_txn" };

struct bench_client {
    pthread_t thread;
    unsigned int id;
    struct xs_handle *h;
    enum bench_op op;
    double *lat_us; /* one latency per measured operation */
    size_t n, cap;
    unsigned long retries;
};

static const char *sock_path;
static unsigned int run_ms;
static pthread_barrier_t start_line;

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "xenstore_bench: %s: %s\n", what, strerror(-rc));
    exit(1);
}

static void bench_one(struct bench_client *c)
{
    char path[64], *v, buf[32];
    char **names;
    unsigned int num;
    xs_transaction_t t;
    int rc;

    switch (c->op) {
    case OP_READ:
        snprintf(path, sizeof(path), "/bench/c%u/node", c->id);
        rc = xs_read(c->h, XBT_NULL, path, &v, NULL);
        if (rc)
            die("read", rc);
        free(v);
        break;
    case OP_WRITE:
        snprintf(path, sizeof(path), "/bench/c%u/node", c->id);
        rc = xs_write(c->h, XBT_NULL, path, "0123456789abcdef", 16);
        if (rc)
            die("write", rc);
        break;
    case OP_DIRECTORY:
        rc = xs_directory(c->h, XBT_NULL, "/bench/dir", &names, &num);
        if (rc)
            die("directory", rc);
        free(names);
        break;
    default:
        snprintf(path, sizeof(path), "/bench/c%u/counter", c->id);
        for (;;) {
            rc = xs_transaction_start(c->h, &t);
            if (rc)
                die("transaction_start", rc);
            rc = xs_read(c->h, t, path, &v, NULL);
            if (rc)
                die("read in transaction", rc);
            snprintf(buf, sizeof(buf), "%lu", strtoul(v, NULL, 10) + 1);
            free(v);
            rc = xs_write(c->h, t, path, buf, (unsigned int)strlen(buf));
            if (rc)
                die("write in transaction", rc);
            rc = xs_transaction_end(c->h, t, false);
            if (rc == 0)
                break;
            if (rc != -EAGAIN)
                die("transaction_end", rc);
            c->retries++;
        }
        break;
    }
}

static void *client_main(void *p)
{
    struct bench_client *c = p;
    double warm_end, end, t0, t1;

    pthread_barrier_wait(&start_line);
    warm_end = now_us() + run_ms * 100.0;
    while (now_us() < warm_end)
        bench_one(c);
    pthread_barrier_wait(&start_line);
    end = now_us() + run_ms * 1000.0;
    do {
        t0 = now_us();
        bench_one(c);
        t1 = now_us();
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 4096;
            c->lat_us = realloc(c->lat_us, c->cap * sizeof(double));
            if (!c->lat_us)
                die("latency samples", -ENOMEM);
        }
        c->lat_us[c->n++] = t1 - t0;
    } while (t1 < end);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void setup(unsigned int clients)
{
    struct xs_handle *h = xs_open(sock_path);
    char path[64];
    unsigned int i;
    int rc;

    if (!h) {
        perror("xenstore_bench: xs_open");
        exit(1);
    }
    for (i = 0; i < 32; i++) {
        snprintf(path, sizeof(path), "/bench/dir/entry%02u", i);
        if ((rc = xs_write(h, XBT_NULL, path, "x", 1)))
            die("setup", rc);
    }
    for (i = 0; i < clients; i++) {
        snprintf(path, sizeof(path), "/bench/c%u/node", i);
        if ((rc = xs_write(h, XBT_NULL, path, "0123456789abcdef", 16)))
            die("setup", rc);
        snprintf(path, sizeof(path), "/bench/c%u/counter", i);
        if ((rc = xs_write(h, XBT_NULL, path, "0", 1)))
            die("setup", rc);
    }
    xs_close(h);
}

int main(int argc, char **argv)
{
    struct bench_client *cl;
    unsigned int clients, i;
    enum bench_op op;

    if (argc != 4 || !(clients = (unsigned int)atoi(argv[2])) || !(run_ms = (unsigned)atoi(argv[3]))) {
        fprintf(stderr, "usage: xenstore_bench SOCKET CLIENTS MILLISECONDS\n");
        return 2;
    }
    sock_path = argv[1];
    setup(clients);
    cl = calloc(clients, sizeof(*cl));
    if (!cl)
        return 1;
    for (i = 0; i < clients; i++) {
        cl[i].id = i;
        cl[i].h = xs_open(sock_path);
        if (!cl[i].h) {
            perror("xenstore_bench: xs_open");
            return 1;
        }
    }
    for (op = 0; op < OP_COUNT; op++) {
        double t_start, t_end, *all;
        size_t total = 0, k = 0;
        unsigned long retries = 0;

        pthread_barrier_init(&start_line, NULL, clients + 1);
        for (i = 0; i < clients; i++) {
            cl[i].op = op;
            cl[i].n = 0;
            cl[i].retries = 0;
            if (pthread_create(&cl[i].thread, NULL, client_main, &cl[i]))
                return 1;
        }
        pthread_barrier_wait(&start_line); /* warm-up starts */
        pthread_barrier_wait(&start_line); /* measurement starts */
        t_start = now_us();
        for (i = 0; i < clients; i++) {
            pthread_join(cl[i].thread, NULL);
            total += cl[i].n;
            retries += cl[i].retries;
        }
        t_end = now_us();
        pthread_barrier_destroy(&start_line);
        all = malloc(total * sizeof(double));
        if (!all)
            return 1;
        for (i = 0; i < clients; i++) {
            memcpy(all + k, cl[i].lat_us, cl[i].n * sizeof(double));
            k += cl[i].n;
        }
        qsort(all, total, sizeof(double), cmp_double);
        printf("BENCH op=%s clients=%u ops=%zu rps=%.0f p50_us=%.1f p99_us=%.1f retries=%lu\n",
               op_names[op], clients, total, (double)total / ((t_end - t_start) / 1e6),
               all[total / 2], all[(size_t)((double)total * 0.99)], retries);
        fflush(stdout);
        free(all);
    }
    for (i = 0; i < clients; i++) {
        xs_close(cl[i].h);
        free(cl[i].lat_us);
    }
    free(cl);
    return 0;
}
