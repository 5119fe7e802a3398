/* SPDX-License-Identifier: MIT */
/*
 * Host implementation of the keel/lib.h runtime for unit tests; libc
 * provides the string functions, except strlcpy(), which glibc only has
 * from 2.38. See host_shim.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <keel/lib.h>

#include "host_shim.h"

static char log_buf[1 << 16];
static size_t log_len;

void shim_log_clear(void)
{
    log_len = 0;
    log_buf[0] = '\0';
}

const char *shim_log(void)
{
    return log_buf;
}

bool shim_log_contains(const char *needle)
{
    return strstr(log_buf, needle) != NULL;
}

void vprintk(const char *fmt, va_list ap)
{
    char line[2048];
    size_t n;

    vsnprintf(line, sizeof(line), fmt, ap);
    n = strlen(line);
    if (n > sizeof(log_buf) - 1 - log_len)
        n = sizeof(log_buf) - 1 - log_len;
    memcpy(log_buf + log_len, line, n);
    log_len += n;
    log_buf[log_len] = '\0';
    if (getenv("SHIM_VERBOSE"))
        fputs(line, stderr);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    static char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mock_assert(0, msg, "panic", 0);
    abort();
}

void bug_at(const char *file, int line, const char *cond)
{
    mock_assert(0, cond, file, line);
    abort();
}

/* Same contract as keel/lib.h; defining it here also overrides a libc's own. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
