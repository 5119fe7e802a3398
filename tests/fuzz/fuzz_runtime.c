/* SPDX-License-Identifier: MIT */
/*
 * keel/lib.h for the fuzz targets that link hypervisor code: printk is
 * silent unless FUZZ_TRACE is set in the environment (libFuzzer runs
 * millions of inputs), and panic and BUG abort so the fuzzer records the
 * input that reached them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <keel/lib.h>

void vprintk(const char *fmt, va_list ap)
{
    if (getenv("FUZZ_TRACE"))
        vfprintf(stderr, fmt, ap);
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
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    abort();
}

void bug_at(const char *file, int line, const char *cond)
{
    fprintf(stderr, "BUG at %s:%d: %s\n", file, line, cond);
    abort();
}
