/* SPDX-License-Identifier: MIT */
/*
 * Console output for the test guests, and a small vsnprintf.
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

/* The output cursor of vsnprintf: counts everything, stores what fits. */
struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_repeat(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

#define F_LEFT  1
#define F_ZERO  2
#define F_ALT   4
#define F_SPACE 8
#define F_PLUS  16

static void put_number(struct out *o, unsigned long long v, bool negative, unsigned int base,
                       bool upper, int flags, int width, int prec)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, pad;
    char sign = 0;
    const char *prefix = "";

    if (negative)
        sign = '-';
    else if (flags & F_PLUS)
        sign = '+';
    else if (flags & F_SPACE)
        sign = ' ';
    if ((flags & F_ALT) && v) {
        if (base == 16)
            prefix = upper ? "0X" : "0x";
        else if (base == 8)
            prefix = "0";
    }
    while (v) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    if (prec < 0)
        prec = 1;
    else
        flags &= ~F_ZERO;
    pad = width - (prec > n ? prec : n) - (int)strlen(prefix) - (sign ? 1 : 0);
    if (!(flags & (F_LEFT | F_ZERO)))
        put_repeat(o, ' ', pad);
    if (sign)
        put(o, sign);
    for (const char *p = prefix; *p; p++)
        put(o, *p);
    if (flags & F_ZERO)
        put_repeat(o, '0', pad);
    put_repeat(o, '0', prec - n);
    while (n)
        put(o, tmp[--n]);
    if (flags & F_LEFT)
        put_repeat(o, ' ', pad);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        int flags = 0, width = 0, prec = -1, lng = 0;
        unsigned long long u;
        long long s;

        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        for (;;) {
            switch (*++fmt) {
            case '-': flags |= F_LEFT; continue;
            case '0': flags |= F_ZERO; continue;
            case '#': flags |= F_ALT; continue;
            case ' ': flags |= F_SPACE; continue;
            case '+': flags |= F_PLUS; continue;
            }
            break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            prec = 0;
            if (*++fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        /* lng: -2 hh, -1 h, 0 int, 1 long (and z, t, j), 2 long long */
        for (;; fmt++) {
            if (*fmt == 'h')
                lng--;
            else if (*fmt == 'l')
                lng++;
            else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
                lng = 1;
            else
                break;
        }
        if (flags & F_LEFT)
            flags &= ~F_ZERO;

        switch (*fmt) {
        case 'd':
        case 'i':
            if (lng >= 2)
                s = va_arg(ap, long long);
            else if (lng == 1)
                s = va_arg(ap, long);
            else
                s = va_arg(ap, int);
            if (lng == -1)
                s = (short)s;
            else if (lng <= -2)
                s = (signed char)s;
            put_number(&o, s < 0 ? 0ULL - (unsigned long long)s : (unsigned long long)s,
                       s < 0, 10, false, flags, width, prec);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (lng >= 2)
                u = va_arg(ap, unsigned long long);
            else if (lng == 1)
                u = va_arg(ap, unsigned long);
            else
                u = va_arg(ap, unsigned int);
            if (lng == -1)
                u = (unsigned short)u;
            else if (lng <= -2)
                u = (unsigned char)u;
            put_number(&o, u, false, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16, *fmt == 'X',
                       flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        case 'p':
            put_number(&o, (unsigned long)va_arg(ap, void *), false, 16, false,
                       (flags | F_ALT | F_ZERO) & ~F_LEFT, 18, -1);
            break;
        case 'c':
            if (!(flags & F_LEFT))
                put_repeat(&o, ' ', width - 1);
            put(&o, (char)va_arg(ap, int));
            if (flags & F_LEFT)
                put_repeat(&o, ' ', width - 1);
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            int n;

            if (!str)
                str = "(null)";
            n = (int)strnlen(str, prec < 0 ? (size_t)-1 : (size_t)prec);
            if (!(flags & F_LEFT))
                put_repeat(&o, ' ', width - n);
            for (int i = 0; i < n; i++)
                put(&o, str[i]);
            if (flags & F_LEFT)
                put_repeat(&o, ' ', width - n);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            put(&o, '%');
            put(&o, *fmt);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
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
