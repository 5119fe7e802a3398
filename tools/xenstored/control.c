// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: XS_CONTROL (privileged connections only).
 *
 * Commands, Xen's names and reply formats where Xen has them:
 *   help                      the command list
 *   log [on|off]              switch the daemon log (no argument: state)
 *   print <string>            write <string> to the daemon log
 *   check                     verify the store invariants ("OK" or EIO)
 *   quota                     "Quota settings:" then one line per quota
 *   quota set <name> <value>  change a quota (value >= 1)
 *   quota <domid>             that domain's current usage
 *   quota-soft [set memory N] the soft memory quota
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_core.h"

static const struct {
    const char *name;
    size_t off;
    const char *descr;
} quotas[] = {
    { "nodes", offsetof(struct xsd_quota, entry_nb), "Nodes per domain" },
    { "watches", offsetof(struct xsd_quota, watch_nb), "Watches per domain" },
    { "transactions", offsetof(struct xsd_quota, transaction), "Transactions per domain" },
    { "outstanding", offsetof(struct xsd_quota, outstanding), "Outstanding requests per domain" },
    { "transaction-nodes", offsetof(struct xsd_quota, trans_nodes),
      "Max. number of accessed nodes per transaction" },
    { "memory", offsetof(struct xsd_quota, memory),
      "Total Xenstore memory per domain (error level)" },
    { "node-size", offsetof(struct xsd_quota, entry_size), "Max. size of a node" },
    { "permissions", offsetof(struct xsd_quota, perm_nb), "Max. number of permissions per node" },
};
#define NQUOTAS (sizeof(quotas) / sizeof(quotas[0]))

static unsigned int *quota_ptr(struct xsd *xsd, size_t i)
{
    return (unsigned int *)((char *)&xsd->cfg.quota + quotas[i].off);
}

static int reply_str(struct xs_conn *c, const char *s)
{
    return conn_reply(c, XS_CONTROL, s, strlen(s) + 1);
}

static int ack(struct xs_conn *c)
{
    return conn_reply(c, XS_CONTROL, "OK", 3);
}

static int parse_val(const char *s, unsigned int *v)
{
    char *end;
    unsigned long val = strtoul(s, &end, 10);

    if (!*s || *end || val < 1 || val > 0x7fffffffUL)
        return EINVAL;
    *v = (unsigned int)val;
    return 0;
}

static int do_quota(struct xs_conn *c, const char *const *argv, unsigned int argc)
{
    struct xsd *xsd = c->xsd;
    char buf[1024];
    size_t i, o;
    unsigned int val;
    unsigned long domid;
    char *end;
    struct xs_domain *d;

    if (argc == 0) {
        o = (size_t)snprintf(buf, sizeof(buf), "Quota settings:\n");
        for (i = 0; i < NQUOTAS; i++)
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%-17s: %8u %s\n", quotas[i].name,
                                  *quota_ptr(xsd, i), quotas[i].descr);
        return reply_str(c, buf);
    }
    if (strcmp(argv[0], "set") == 0) {
        if (argc != 3 || parse_val(argv[2], &val))
            return EINVAL;
        for (i = 0; i < NQUOTAS; i++) {
            if (strcmp(argv[1], quotas[i].name) == 0) {
                *quota_ptr(xsd, i) = val;
                return ack(c);
            }
        }
        return EINVAL;
    }
    if (argc != 1)
        return EINVAL;
    domid = strtoul(argv[0], &end, 10);
    if (!*argv[0] || *end || domid >= XS_DOMID_LIMIT)
        return EINVAL;
    d = domain_find(xsd, (uint32_t)domid);
    if (!d)
        return ENOENT;
    snprintf(buf, sizeof(buf),
             "Domain %u:\nnodes            : %8u\nwatches          : %8u\n"
             "transactions     : %8u\noutstanding      : %8u\nmemory           : %8zu\n",
             d->domid, d->nodes, d->watches, d->txns, d->outstanding, d->memory);
    return reply_str(c, buf);
}

static int do_quota_soft(struct xs_conn *c, const char *const *argv, unsigned int argc)
{
    char buf[128];
    unsigned int val;

    if (argc == 0) {
        snprintf(buf, sizeof(buf), "Quota settings:\n%-17s: %8u %s\n", "memory",
                 c->xsd->cfg.quota.memory_soft, "Total Xenstore memory per domain (warning level)");
        return reply_str(c, buf);
    }
    if (argc != 3 || strcmp(argv[0], "set") || strcmp(argv[1], "memory") ||
        parse_val(argv[2], &val))
        return EINVAL;
    c->xsd->cfg.quota.memory_soft = val;
    return ack(c);
}

struct check_ctx {
    bool ok;
};

static void check_node(struct xsd *xsd, struct xs_node *n, void *arg)
{
    struct check_ctx *cc = arg;
    uint32_t off;
    char path[XENSTORE_ABS_PATH_MAX + 2];

    if (n->nperms < 1 || !path_is_valid(n->path) || n->gen > xsd->gen)
        cc->ok = false;
    for (off = 0; off < n->childlen; off += (uint32_t)strlen(n->children + off) + 1) {
        snprintf(path, sizeof(path), "%s/%s", strcmp(n->path, "/") ? n->path : "",
                 n->children + off);
        if (!store_find(xsd, path))
            cc->ok = false;
    }
}

static int do_check(struct xs_conn *c)
{
    struct check_ctx cc = { true };

    store_walk(c->xsd, store_find(c->xsd, "/"), check_node, &cc);
    return cc.ok ? ack(c) : EIO;
}

int control_handle(struct xs_conn *c, const char *const *argv, unsigned int argc)
{
    const char *cmd = argv[0];

    if (strcmp(cmd, "help") == 0)
        return reply_str(c, "Valid commands:\n"
                            "check\n"
                            "help\n"
                            "log [on|off]\n"
                            "print <string>\n"
                            "quota [set <name> <val>|<domid>]\n"
                            "quota-soft [set memory <val>]\n");
    if (strcmp(cmd, "log") == 0) {
        if (argc == 1)
            return reply_str(c, c->xsd->log_on ? "Log: on\n" : "Log: off\n");
        if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
            return EINVAL;
        c->xsd->log_on = strcmp(argv[1], "on") == 0;
        return ack(c);
    }
    if (strcmp(cmd, "print") == 0) {
        if (argc != 2)
            return EINVAL;
        xsd_logf(c->xsd, "control: %s", argv[1]);
        return ack(c);
    }
    if (strcmp(cmd, "check") == 0)
        return argc == 1 ? do_check(c) : EINVAL;
    if (strcmp(cmd, "quota") == 0)
        return do_quota(c, argv + 1, argc - 1);
    if (strcmp(cmd, "quota-soft") == 0)
        return do_quota_soft(c, argv + 1, argc - 1);
    return EINVAL;
}
