/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's freestanding string and memory functions,
 * hypervisor/common/string.c, compiled with every function renamed keel_*
 * (see unit.mk) so they run beside libc's. Buffers carry guard bytes, and
 * ASan checks that nothing reads or writes past what it was given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Declare the functions under test by their renamed names. */
#define memset keel_memset
#define memcpy keel_memcpy
#define memmove keel_memmove
#define memcmp keel_memcmp
#define strlen keel_strlen
#define strnlen keel_strnlen
#define strcmp keel_strcmp
#define strncmp keel_strncmp
#define strchr keel_strchr
#define strlcpy keel_strlcpy
#define strtoul keel_strtoul
#include <keel/lib.h>
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strlcpy
#undef strtoul

#include "host_shim.h"

#define GUARD 0xa5

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* Fill buf with a pattern that differs at every offset. */
static void pattern(unsigned char *buf, size_t n, unsigned char seed)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(seed + i * 7);
}

/* ---- memory ------------------------------------------------------------ */

static void test_memset(void **state)
{
    static const struct {
        size_t off, n;
        int c;
        unsigned char expect;
    } cases[] = {
        { 0, 0, 'x', 'x' },
        { 0, 1, 'x', 'x' },
        { 3, 17, 0, 0 },
        { 1, 62, 0xff, 0xff },
        { 0, 64, 'z', 'z' },
        { 5, 9, 0x1ab, 0xab },      /* only the low byte of c */
        { 2, 4, -1, 0xff },
    };
    unsigned char buf[64];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        memset(buf, GUARD, sizeof(buf));
        assert_ptr_equal(keel_memset(buf + cases[i].off, cases[i].c, cases[i].n),
                         buf + cases[i].off);
        for (size_t j = 0; j < sizeof(buf); j++) {
            bool inside = j >= cases[i].off && j < cases[i].off + cases[i].n;

            if (buf[j] != (inside ? cases[i].expect : GUARD))
                fail_msg("case %zu: byte %zu is %#x", i, j, buf[j]);
        }
    }
}

static void test_memcpy(void **state)
{
    unsigned char src[80], dst[80];

    (void)state;
    pattern(src, sizeof(src), 1);
    for (size_t n = 0; n <= 64; n++) {
        for (size_t off = 0; off < 8; off++) {
            memset(dst, GUARD, sizeof(dst));
            assert_ptr_equal(keel_memcpy(dst + off, src + 8 - off, n), dst + off);
            assert_memory_equal(dst + off, src + 8 - off, n);
            for (size_t j = 0; j < sizeof(dst); j++)
                if ((j < off || j >= off + n) && dst[j] != GUARD)
                    fail_msg("n %zu off %zu: byte %zu written", n, off, j);
        }
    }
}

/* Within one buffer, dst and src may overlap either way. */
static void test_memmove(void **state)
{
    static const struct {
        size_t dst, src, n;
    } cases[] = {
        { 0, 0, 16 },       /* same place */
        { 0, 32, 16 },      /* disjoint, dst below */
        { 32, 0, 16 },      /* disjoint, dst above */
        { 0, 1, 40 },       /* overlap, dst below by one */
        { 1, 0, 40 },       /* overlap, dst above by one */
        { 4, 12, 30 },
        { 12, 4, 30 },
        { 0, 63, 1 },
        { 63, 0, 1 },
        { 10, 20, 0 },
        { 0, 8, 56 },
        { 8, 0, 56 },
    };
    unsigned char buf[64], expect[64];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        pattern(buf, sizeof(buf), (unsigned char)i);
        memcpy(expect, buf, sizeof(buf));
        memmove(expect + cases[i].dst, expect + cases[i].src, cases[i].n);
        assert_ptr_equal(keel_memmove(buf + cases[i].dst, buf + cases[i].src, cases[i].n),
                         buf + cases[i].dst);
        if (memcmp(buf, expect, sizeof(buf)) != 0)
            fail_msg("case %zu: dst %zu src %zu n %zu", i, cases[i].dst, cases[i].src,
                     cases[i].n);
    }
}

static void test_memcmp(void **state)
{
    static const struct {
        const char *a, *b;
        size_t n;
        int sign;
    } cases[] = {
        { "", "", 0, 0 },
        { "abc", "xyz", 0, 0 },
        { "abc", "abc", 3, 0 },
        { "abc", "abd", 3, -1 },
        { "abd", "abc", 3, 1 },
        { "abc", "abd", 2, 0 },         /* difference past n */
        { "xbc", "abc", 3, 1 },         /* first byte */
        { "a\0c", "a\0d", 3, -1 },      /* NUL is just a byte */
        { "\x80", "\x01", 1, 1 },       /* bytes compare unsigned */
        { "\x01", "\xff", 1, -1 },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int got = keel_memcmp(cases[i].a, cases[i].b, cases[i].n);

        if (sign(got) != cases[i].sign)
            fail_msg("case %zu: memcmp is %d, expected sign %d", i, got, cases[i].sign);
    }
}

/* ---- strings ----------------------------------------------------------- */

static void test_strlen_strnlen(void **state)
{
    static const struct {
        const char *s;
        size_t max, len, nlen;
    } cases[] = {
        { "", 0, 0, 0 },
        { "", 5, 0, 0 },
        { "a", 0, 1, 0 },
        { "a", 1, 1, 1 },
        { "hello", 3, 5, 3 },
        { "hello", 5, 5, 5 },
        { "hello", 6, 5, 5 },
        { "hello", SIZE_MAX, 5, 5 },
        { "ab\0cd", 5, 2, 2 },
    };
    static const char unterminated[4] = { 'a', 'b', 'c', 'd' };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        assert_int_equal(keel_strlen(cases[i].s), cases[i].len);
        assert_int_equal(keel_strnlen(cases[i].s, cases[i].max), cases[i].nlen);
    }
    /* strnlen reads no further than max: ASan fails this otherwise. */
    assert_int_equal(keel_strnlen(unterminated, sizeof(unterminated)), 4);
    assert_int_equal(keel_strnlen(unterminated, 2), 2);
}

static const struct {
    const char *a, *b;
} cmp_cases[] = {
    { "", "" },
    { "a", "" },
    { "", "a" },
    { "abc", "abc" },
    { "abc", "abd" },
    { "abd", "abc" },
    { "abc", "ab" },
    { "ab", "abc" },
    { "\x80", "\x7f" },     /* chars compare unsigned */
    { "a\xff", "a\x01" },
    { "Zebra", "apple" },
};

static void test_strcmp(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cmp_cases); i++) {
        int got = keel_strcmp(cmp_cases[i].a, cmp_cases[i].b);
        int expect = strcmp(cmp_cases[i].a, cmp_cases[i].b);

        if (sign(got) != sign(expect))
            fail_msg("\"%s\" vs \"%s\": %d, libc %d", cmp_cases[i].a, cmp_cases[i].b, got, expect);
    }
}

static void test_strncmp(void **state)
{
    static const struct {
        const char *a, *b;
        size_t n;
        int sign;
    } cases[] = {
        { "abc", "xyz", 0, 0 },
        { "abc", "abd", 2, 0 },
        { "abc", "abd", 3, -1 },
        { "abc", "ab", 2, 0 },
        { "abc", "ab", 3, 1 },
        { "ab", "abc", 3, -1 },
        { "abc", "abc", 100, 0 },       /* stops at the NUL, not n */
        { "ab\0x", "ab\0y", 4, 0 },
        { "\x80", "\x7f", 1, 1 },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int got = keel_strncmp(cases[i].a, cases[i].b, cases[i].n);

        if (sign(got) != cases[i].sign)
            fail_msg("case %zu: strncmp is %d, expected sign %d", i, got, cases[i].sign);
    }
    /* Every strcmp case agrees with libc's strncmp for every n. */
    for (size_t i = 0; i < ARRAY_SIZE(cmp_cases); i++)
        for (size_t n = 0; n <= 6; n++)
            assert_int_equal(sign(keel_strncmp(cmp_cases[i].a, cmp_cases[i].b, n)),
                             sign(strncmp(cmp_cases[i].a, cmp_cases[i].b, n)));
}

static void test_strchr(void **state)
{
    static const char s[] = "hello, w\xe9rld";
    static const struct {
        int c;
        ptrdiff_t at;           /* -1: not found */
    } cases[] = {
        { 'h', 0 },
        { 'l', 2 },             /* the first of several */
        { 'd', 11 },
        { 'z', -1 },
        { '\0', 12 },           /* the terminator itself */
        { 0xe9, 8 },            /* c is converted to char */
        { (char)0xe9, 8 },
        { 'h' + 0x100, 0 },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const char *got = keel_strchr(s, cases[i].c);

        if (cases[i].at < 0)
            assert_null(got);
        else
            assert_ptr_equal(got, s + cases[i].at);
    }
    assert_null(keel_strchr("", 'a'));
}

static void test_strlcpy(void **state)
{
    static const struct {
        const char *src;
        size_t size;
        const char *expect;     /* NULL: dst untouched */
    } cases[] = {
        { "hello", 16, "hello" },
        { "hello", 6, "hello" },        /* exact fit */
        { "hello", 5, "hell" },
        { "hello", 2, "h" },
        { "hello", 1, "" },
        { "hello", 0, NULL },
        { "", 4, "" },
        { "", 0, NULL },
    };
    char dst[24];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t len;

        memset(dst, GUARD, sizeof(dst));
        assert_int_equal(keel_strlcpy(dst, cases[i].src, cases[i].size), strlen(cases[i].src));
        len = cases[i].expect ? strlen(cases[i].expect) + 1 : 0;
        if (cases[i].expect)
            assert_string_equal(dst, cases[i].expect);
        for (size_t j = len; j < sizeof(dst); j++)
            if ((unsigned char)dst[j] != GUARD)
                fail_msg("case %zu: byte %zu written", i, j);
    }
}

/* A destination of exactly size bytes: ASan fails any write past it. */
static void test_strlcpy_exact_buffer(void **state)
{
    char *dst = malloc(4);

    (void)state;
    assert_non_null(dst);
    assert_int_equal(keel_strlcpy(dst, "truncated", 4), 9);
    assert_string_equal(dst, "tru");
    free(dst);
}

/* ---- strtoul ----------------------------------------------------------- */

static void test_strtoul(void **state)
{
    static const struct {
        const char *s;
        int base;
        unsigned long value;
        size_t end;             /* characters consumed */
    } cases[] = {
        /* base 10 */
        { "0", 10, 0, 1 },
        { "123", 10, 123, 3 },
        { "123abc", 10, 123, 3 },
        { "017", 10, 17, 3 },
        { "18446744073709551615", 10, ~0UL, 20 },
        /* base 16 */
        { "ff", 16, 255, 2 },
        { "DeadBeef", 16, 0xdeadbeef, 8 },
        { "0x1f", 16, 31, 4 },
        { "0X1F", 16, 31, 4 },
        { "0x", 16, 0, 1 },             /* no digit after 0x: just the 0 */
        { "0xg", 16, 0, 1 },
        { "ffffffffffffffff", 16, ~0UL, 16 },
        { "12g", 16, 0x12, 2 },
        /* base 8 */
        { "777", 8, 511, 3 },
        { "0777", 8, 511, 4 },
        { "78", 8, 7, 1 },
        { "0x10", 8, 0, 1 },            /* no 0x prefix in base 8 */
        /* base 0: 0x is hex, a leading 0 is octal, else decimal */
        { "0x1f", 0, 31, 4 },
        { "0XaB", 0, 0xab, 4 },
        { "017", 0, 15, 3 },
        { "08", 0, 0, 1 },
        { "0", 0, 0, 1 },
        { "0x", 0, 0, 1 },
        { "42", 0, 42, 2 },
        { "42 ", 0, 42, 2 },
        /* other bases */
        { "1010", 2, 10, 4 },
        { "zZ", 36, 35 * 36 + 35, 2 },
        /* no digits: nothing consumed */
        { "", 10, 0, 0 },
        { "", 0, 0, 0 },
        { "abc", 10, 0, 0 },
        { "g", 16, 0, 0 },
        { "8", 8, 0, 0 },
        { "x1", 0, 0, 0 },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *end = NULL;
        unsigned long v = keel_strtoul(cases[i].s, &end, cases[i].base);

        if (v != cases[i].value || end != cases[i].s + cases[i].end)
            fail_msg("\"%s\" base %d: %lu ending at %td, expected %lu ending at %zu",
                     cases[i].s, cases[i].base, v, end - cases[i].s, cases[i].value,
                     cases[i].end);
        /* libc agrees on these inputs. */
        assert_int_equal(v, strtoul(cases[i].s, NULL, cases[i].base));
    }
}

static void test_strtoul_null_end(void **state)
{
    (void)state;
    assert_int_equal(keel_strtoul("0x10", NULL, 0), 16);
    assert_int_equal(keel_strtoul("zz", NULL, 10), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memset),
        cmocka_unit_test(test_memcpy),
        cmocka_unit_test(test_memmove),
        cmocka_unit_test(test_memcmp),
        cmocka_unit_test(test_strlen_strnlen),
        cmocka_unit_test(test_strcmp),
        cmocka_unit_test(test_strncmp),
        cmocka_unit_test(test_strchr),
        cmocka_unit_test(test_strlcpy),
        cmocka_unit_test(test_strlcpy_exact_buffer),
        cmocka_unit_test(test_strtoul),
        cmocka_unit_test(test_strtoul_null_end),
    };

    return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
