// SPDX-License-Identifier: MIT
/*
 * Keel xenstored: path rules.
 *
 * Xen's rules, which clients depend on: a node path is absolute, starts with
 * '/', has no "//" and no trailing '/' (except the root "/"), uses only
 * [A-Za-z0-9-/_@] and is at most XENSTORE_ABS_PATH_MAX characters. A path
 * without a leading '/' is relative to the connection's domain path,
 * /local/domain/<domid>, and may be at most XENSTORE_REL_PATH_MAX
 * characters. Paths starting with '@' name special nodes (watches and
 * permissions only): @introduceDomain, @releaseDomain.
 *
 * Every function here is bounded by the length of its (NUL-terminated)
 * input, which the dispatcher bounds by XENSTORE_PAYLOAD_MAX.
 */
#include <stdio.h>
#include <string.h>

#include "xs_core.h"

static bool valid_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '/' || c == '_' || c == '@';
}

bool path_is_valid(const char *path)
{
    size_t i;

    if (path[0] != '/')
        return false;
    for (i = 0; path[i]; i++) {
        if (i >= XENSTORE_ABS_PATH_MAX)
            return false;
        if (!valid_char(path[i]))
            return false;
        if (path[i] == '/' && path[i + 1] == '/')
            return false;
    }
    /* No trailing '/', except for the root. */
    return i == 1 || path[i - 1] != '/';
}

bool path_is_special(const char *path)
{
    size_t i;

    if (path[0] != '@')
        return false;
    for (i = 1; path[i]; i++)
        if (i >= XENSTORE_REL_PATH_MAX || !valid_char(path[i]))
            return false;
    return i > 1;
}

void path_domain(uint32_t domid, char *out)
{
    snprintf(out, 32, "/local/domain/%u", domid);
}

int path_canonical(const struct xs_conn *conn, const char *in, char *out)
{
    size_t len = strnlen(in, XENSTORE_ABS_PATH_MAX + 1);
    char prefix[32];
    size_t plen;

    if (in[0] == '@')
        return EINVAL; /* special: never a node */
    if (in[0] == '/') {
        if (len > XENSTORE_ABS_PATH_MAX)
            return EINVAL;
        memcpy(out, in, len + 1);
    } else {
        if (len == 0 || len > XENSTORE_REL_PATH_MAX)
            return EINVAL;
        path_domain(conn->domid, prefix);
        plen = strlen(prefix);
        /* plen + 1 + XENSTORE_REL_PATH_MAX < XENSTORE_ABS_PATH_MAX + 1. */
        memcpy(out, prefix, plen);
        out[plen] = '/';
        memcpy(out + plen + 1, in, len + 1);
    }
    return path_is_valid(out) ? 0 : EINVAL;
}

bool path_is_child(const char *child, const char *parent)
{
    size_t len;

    if (parent[0] == '/' && parent[1] == '\0')
        return child[0] == '/';
    len = strlen(parent);
    return strncmp(child, parent, len) == 0 && (child[len] == '/' || child[len] == '\0');
}

size_t path_parent_len(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash == path ? 1 : (size_t)(slash - path);
}
