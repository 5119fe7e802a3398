/* SPDX-License-Identifier: MIT */
/*
 * Console output for the test guests (printf is the hypervisor's own
 * vsnprintf, hypervisor/common/vsprintf.c, compiled in by guests.mk).
 *
 * The harness reads RESULT lines from the serial log, so the console keeps
 * track of whether it is at the start of a line (console_newline()).  A
 * console_io failure cannot be reported anywhere, so it is remembered in
 * console_error for the tests that care (hello).
 */
#include "guest.h"
#include "console.h"

static bool console_at_line_start = true;
long console_error;

long console_write(const char *s, size_t len)
{
    long rc;

    if (!len)
        return 0;
    rc = HYPERVISOR_console_io(CONSOLEIO_write, (unsigned int)len, s);
    if (rc < 0 && !console_error)
        console_error = rc;
    console_at_line_start = s[len - 1] == '\n';
    return rc < 0 ? rc : 0;
}

void console_newline(void)
{
    if (!console_at_line_start)
        console_write("\n", 1);
}

void vprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    if (n >= (int)sizeof(buf))
        n = sizeof(buf) - 1;
    console_write(buf, (size_t)n);
}

void printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}
