/* SPDX-License-Identifier: MIT */
/*
 * A bounded printf: %d %i %u %x %X %o %c %s %p %%, with flags '-' '0',
 * width, precision (strings) and the h/hh/l/ll/z length modifiers.
 * Output is always NUL-terminated when size > 0; the return value is the
 * length the full output would have had, as in C99.
 */
#include <keel/lib.h>

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

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;

    if (!left)
        while (fill-- > 0)
            put(o, pad);
    while (n--)
        put(o, *s++);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

static void put_number(struct out *o, unsigned long long v, bool negative, unsigned base,
                       bool upper, int width, bool left, bool zero, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, plen = prefix ? (int)strlen(prefix) : 0;
    int pad;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    pad = width - (n + plen + negative);
    if (!left && !zero)
        for (; pad > 0; pad--)
            put(o, ' ');
    if (negative)
        put(o, '-');
    for (int i = 0; i < plen; i++)
        put(o, prefix[i]);
    if (!left && zero)
        for (; pad > 0; pad--)
            put(o, '0');
    while (n)
        put(o, tmp[--n]);
    for (; pad > 0; pad--)
        put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        bool left = false, zero = false, alt = false;
        int width = 0, prec = -1, lng = 0, shrt = 0;

        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        for (fmt++;; fmt++) {
            if (*fmt == '-')
                left = true;
            else if (*fmt == '0')
                zero = true;
            else if (*fmt == '#')
                alt = true;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
            /* As in C: a negative width is a '-' flag and its magnitude. */
            if (width < 0) {
                left = true;
                width = width < -__INT_MAX__ ? __INT_MAX__ : -width;
            }
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            prec = 0;
            fmt++;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        for (;; fmt++) {
            if (*fmt == 'l' || *fmt == 'z')
                lng++;
            else if (*fmt == 'h')
                shrt++;
            else
                break;
        }

        switch (*fmt) {
        case 'd':
        case 'i': {
            long long v = lng >= 2 ? va_arg(ap, long long) : lng ? va_arg(ap, long) : va_arg(ap, int);
            unsigned long long mag;

            /* h and hh: the argument was promoted to int; convert it back. */
            if (!lng && shrt)
                v = shrt >= 2 ? (signed char)v : (short)v;
            mag = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

            put_number(&o, mag, v < 0, 10, false, width, left, zero, NULL);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v = lng >= 2 ? va_arg(ap, unsigned long long)
                                 : lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
            const char *prefix;

            if (!lng && shrt)
                v = shrt >= 2 ? (unsigned char)v : (unsigned short)v;
            prefix = (alt && base == 16 && v) ? (*fmt == 'X' ? "0X" : "0x") : NULL;

            put_number(&o, v, false, base, *fmt == 'X', width, left, zero, prefix);
            break;
        }
        case 'p':
            put_number(&o, (unsigned long)va_arg(ap, void *), false, 16, false,
                       width ? width : 18, left, true, "0x");
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);

            put_padded(&o, &c, 1, width, left, ' ');
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);

            if (!s)
                s = "(null)";
            put_padded(&o, s, prec >= 0 ? strnlen(s, prec) : strlen(s), width, left, ' ');
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
