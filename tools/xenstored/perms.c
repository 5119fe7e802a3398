// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: node permissions, as Xen defines them.
 *
 * A node's permissions are a list of (domid, r/w/b/n) entries. The first
 * entry names the owner, and its letter is what every domain not listed
 * later gets. The owner (and a domain acting for the owner through
 * SET_TARGET) may do everything; privileged connections (dom0 tools and the
 * privileged domain) bypass permissions altogether. For any other domain the
 * first later entry naming it (or its target) decides. Text form: one entry
 * per NUL-terminated string, a letter then the decimal domid ("r0", "n5").
 */
#include <stdio.h>
#include <stdlib.h>

#include "xs_core.h"

int perm_parse(const char *s, struct xs_perm *p)
{
    unsigned long id = 0;
    const char *d;

    switch (s[0]) {
    case 'r': p->perms = XS_PERM_READ; break;
    case 'w': p->perms = XS_PERM_WRITE; break;
    case 'b': p->perms = XS_PERM_READ | XS_PERM_WRITE; break;
    case 'n': p->perms = XS_PERM_NONE; break;
    default: return EINVAL;
    }
    /* Decimal domid, at most 5 digits: no overflow possible. */
    for (d = s + 1; *d; d++) {
        if (*d < '0' || *d > '9' || d - s > 5)
            return EINVAL;
        id = id * 10 + (unsigned long)(*d - '0');
    }
    if (d == s + 1 || id >= XS_DOMID_LIMIT)
        return EINVAL;
    p->domid = (uint32_t)id;
    return 0;
}

int perm_format(const struct xs_perm *p, char *buf)
{
    char c;

    switch (p->perms & (XS_PERM_READ | XS_PERM_WRITE)) {
    case XS_PERM_READ: c = 'r'; break;
    case XS_PERM_WRITE: c = 'w'; break;
    case XS_PERM_READ | XS_PERM_WRITE: c = 'b'; break;
    default: c = 'n'; break;
    }
    return snprintf(buf, 16, "%c%u", c, p->domid);
}

static bool acts_for(const struct xs_conn *conn, const struct xs_domain *d, uint32_t domid)
{
    return domid == conn->domid || (d && d->has_target && d->target == domid);
}

unsigned int perm_for_conn(const struct xs_conn *conn, const struct xs_perm *perms,
                           uint32_t nperms)
{
    const unsigned int all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
    const struct xs_domain *d;
    uint32_t i;

    if (conn->privileged)
        return all;
    d = domain_find(conn->xsd, conn->domid);
    if (acts_for(conn, d, perms[0].domid))
        return all;
    for (i = 1; i < nperms; i++)
        if (!(perms[i].perms & XS_PERM_IGNORE) && acts_for(conn, d, perms[i].domid))
            return perms[i].perms & (XS_PERM_READ | XS_PERM_WRITE);
    return perms[0].perms & (XS_PERM_READ | XS_PERM_WRITE);
}
