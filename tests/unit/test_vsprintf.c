/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's bounded printf, hypervisor/common/vsprintf.c, compiled
 * with its functions renamed keel_snprintf/keel_vsnprintf (see unit.mk) so
 * every supported format can be checked against the host libc: output and
 * return value must match. %p, which Keel prints in a fixed form, and
 * truncation are tested on their own.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

/* Declare the functions under test by their renamed names. */
#define snprintf keel_snprintf
#define vsnprintf keel_vsnprintf
#include <keel/lib.h>
#undef snprintf
#undef vsnprintf

#include "host_shim.h"

#define BUF 256

/*
 * Format with Keel and with libc; both must produce the same text and the
 * same return value. Each call is one row of a table: the attribute makes
 * the compiler check every row's arguments against its format.
 */
static void __printf(2, 3) check_fmt(int line, const char *fmt, ...)
{
    char keel[BUF], libc[BUF];
    int keel_n, libc_n;
    va_list ap, aq;

    va_start(ap, fmt);
    va_copy(aq, ap);
    keel_n = keel_vsnprintf(keel, sizeof(keel), fmt, ap);
    libc_n = vsnprintf(libc, sizeof(libc), fmt, aq);
    va_end(aq);
    va_end(ap);
    if (keel_n != libc_n || strcmp(keel, libc) != 0)
        fail_msg("line %d: \"%s\": keel \"%s\" (%d), libc \"%s\" (%d)", line, fmt, keel, keel_n,
                 libc, libc_n);
}

#define CHECK(...) check_fmt(__LINE__, __VA_ARGS__)

/* ---- against libc ------------------------------------------------------ */

static void test_signed(void **state)
{
    (void)state;
    CHECK("%d", 0);
    CHECK("%d", 1);
    CHECK("%d", -1);
    CHECK("%d", 42);
    CHECK("%d", -42);
    CHECK("%d", INT_MAX);
    CHECK("%d", INT_MIN);
    CHECK("%i", 12345);
    CHECK("%i", -12345);
    CHECK("%ld", 0L);
    CHECK("%ld", LONG_MAX);
    CHECK("%ld", LONG_MIN);
    CHECK("%lld", 0LL);
    CHECK("%lld", LLONG_MAX);
    CHECK("%lld", LLONG_MIN);
    CHECK("%lli", -9876543210LL);
    CHECK("%zd", (ssize_t)-5);
    CHECK("%zd", (ssize_t)SSIZE_MAX);
    CHECK("%hd", (short)SHRT_MIN);
    CHECK("%hd", (short)SHRT_MAX);
    CHECK("%hhd", (signed char)SCHAR_MIN);
    CHECK("%hhd", (signed char)SCHAR_MAX);
    CHECK("%hhd", (signed char)-1);
}

static void test_unsigned(void **state)
{
    (void)state;
    CHECK("%u", 0U);
    CHECK("%u", 7U);
    CHECK("%u", UINT_MAX);
    CHECK("%u", 0x80000000U);
    CHECK("%lu", ULONG_MAX);
    CHECK("%llu", ULLONG_MAX);
    CHECK("%llu", 1ULL << 63);
    CHECK("%zu", (size_t)0);
    CHECK("%zu", SIZE_MAX);
    CHECK("%hu", (unsigned short)USHRT_MAX);
    CHECK("%hhu", (unsigned char)UCHAR_MAX);
    CHECK("%x", 0U);
    CHECK("%x", 0xdeadbeefU);
    CHECK("%X", 0xdeadbeefU);
    CHECK("%x", UINT_MAX);
    CHECK("%lx", 0x123456789abcdef0UL);
    CHECK("%lX", ULONG_MAX);
    CHECK("%llx", ULLONG_MAX);
    CHECK("%zx", SIZE_MAX);
    CHECK("%hx", (unsigned short)0xbeef);
    CHECK("%hhx", (unsigned char)0xa5);
    CHECK("%o", 0U);
    CHECK("%o", 8U);
    CHECK("%o", 0755U);
    CHECK("%o", UINT_MAX);
    CHECK("%lo", ULONG_MAX);
    CHECK("%llo", ULLONG_MAX);
}

/*
 * A short or char argument arrives promoted to int; h and hh convert it
 * back before printing, so a negative char in %hhx is two digits, not eight.
 */
static void test_h_hh_convert_promoted_value(void **state)
{
    (void)state;
    CHECK("%hhx", (char)-1);
    CHECK("%02hhx", (char)0x80);
    CHECK("%hhu", (signed char)-56);
    CHECK("%hhX", (signed char)-2);
    CHECK("%hho", (signed char)-1);
    CHECK("%hx", (short)-1);
    CHECK("%hu", (short)-32768);
    CHECK("%hd", (unsigned short)0xffff);
    CHECK("%hhd", (unsigned char)0xff);
    CHECK("%hhd %hd %d", (unsigned char)0x80, (unsigned short)0x8000, -3);
}

static void test_chars_and_strings(void **state)
{
    static const char unterminated[3] = { 'x', 'y', 'z' };

    (void)state;
    CHECK("%c", 'A');
    CHECK("%c%c%c", 'a', 'b', 'c');
    CHECK("%5c", 'x');
    CHECK("%-5c|", 'x');
    CHECK("%s", "");
    CHECK("%s", "hello");
    CHECK("[%s] [%s]", "a", "bc");
    CHECK("%10s", "right");
    CHECK("%-10s|", "left");
    CHECK("%3s", "longer than width");
    CHECK("%.3s", "abcdef");
    CHECK("%.0s", "abcdef");
    CHECK("%.10s", "abc");
    CHECK("%8.3s|", "abcdef");
    CHECK("%-8.3s|", "abcdef");
    CHECK("%.*s", 2, "abcdef");
    CHECK("%.*s", 0, "abcdef");
    CHECK("%.*s", -1, "abcdef");   /* negative precision: as if omitted */
    /* A precision bounds the read: ASan fails this if it goes further. */
    CHECK("%.3s", unterminated);
    CHECK("%%");
    CHECK("100%% sure, %d%%", 50);
    CHECK("no conversions at all");
    CHECK("%s=%d (%#x) at %c", "irq", 14, 14U, '!');
}

static void test_flags_and_width(void **state)
{
    (void)state;
    CHECK("%5d", 42);
    CHECK("%5d", -42);
    CHECK("%-5d|", 42);
    CHECK("%-5d|", -42);
    CHECK("%05d", 42);
    CHECK("%05d", -42);
    CHECK("%05d", 0);
    CHECK("%2d", 12345);
    CHECK("%02d", -12345);
    CHECK("%1d", 0);
    CHECK("%20lld", LLONG_MIN);
    CHECK("%025lld", LLONG_MIN);
    CHECK("%-25lld|", LLONG_MIN);
    CHECK("%8u", 123U);
    CHECK("%08x", 0xbeefU);
    CHECK("%-8x|", 0xbeefU);
    CHECK("%016lx", 0x1234UL);
    CHECK("%08X", 0xabcU);
    CHECK("%06o", 8U);
    CHECK("%#x", 0U);
    CHECK("%#x", 255U);
    CHECK("%#X", 255U);
    CHECK("%#lx", ULONG_MAX);
    CHECK("%#8x|", 255U);
    CHECK("%#08x", 255U);
    CHECK("%#-8x|", 255U);
    CHECK("%#010lx", 0xfeedUL);
    CHECK("%#2x", 0xabcdU);
}

/*
 * '0' beside '-' is ignored: defined by C, but the compiler warns about a
 * literal saying it, so these formats reach check_fmt() through a variable.
 */
static void test_zero_flag_ignored_with_minus(void **state)
{
    static const char *const fmts[] = { "%-05d|", "%0-5d|", "%-08x|", "%0-#8x|" };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
        check_fmt(__LINE__, fmts[i], -42);
        check_fmt(__LINE__, fmts[i], 42);
    }
}

static void test_star_width(void **state)
{
    (void)state;
    CHECK("%*d", 5, 42);
    CHECK("%*d", 0, 42);
    CHECK("%*d", 1, -42);
    CHECK("%-*d|", 6, 42);
    CHECK("%0*d", 6, -42);
    CHECK("%*s|", 8, "abc");
    CHECK("%*.*s|", 6, 2, "abc");
    CHECK("%*x", 10, 0xabcU);
    CHECK("%*c|", 3, 'q');
    /* A negative width is a '-' flag and its magnitude. */
    CHECK("%*d|", -5, 42);
    CHECK("%*s|", -6, "ab");
    CHECK("%0*d|", -4, 7);
}

/* ---- Keel-specific ----------------------------------------------------- */

/* %p is always "0x" and 16 hex digits, whatever the pointer. */
static void test_pointer(void **state)
{
    static const struct {
        uintptr_t p;
        const char *expect;
    } cases[] = {
        { 0, "0x0000000000000000" },
        { 1, "0x0000000000000001" },
        { 0x1234, "0x0000000000001234" },
        { 0xffff800000000000ULL, "0xffff800000000000" },
        { UINTPTR_MAX, "0xffffffffffffffff" },
    };
    char buf[BUF], expect[BUF];
    int x = 0;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        assert_int_equal(keel_snprintf(buf, sizeof(buf), "%p", (void *)cases[i].p), 18);
        assert_string_equal(buf, cases[i].expect);
    }
    /* A real pointer, amid other text. */
    snprintf(expect, sizeof(expect), "at 0x%016lx!", (unsigned long)(uintptr_t)&x);
    assert_int_equal(keel_snprintf(buf, sizeof(buf), "at %p!", (void *)&x), strlen(expect));
    assert_string_equal(buf, expect);
}

/* NULL for %s prints "(null)" rather than faulting. */
static void test_null_string(void **state)
{
    char buf[BUF];
    const char *volatile null = NULL;   /* hidden from the compiler's format checks */

    (void)state;
    assert_int_equal(keel_snprintf(buf, sizeof(buf), "<%s>", null), 8);
    assert_string_equal(buf, "<(null)>");
    assert_int_equal(keel_snprintf(buf, sizeof(buf), "<%8s>", null), 10);
    assert_string_equal(buf, "<  (null)>");
}

/* ---- truncation -------------------------------------------------------- */

/*
 * For every buffer size from 0 to past the full length: the return value is
 * the full length, the buffer holds the first size-1 characters and a NUL,
 * and nothing beyond size is written. libc must agree byte for byte.
 */
static void check_truncation(int line, const char *fmt, ...) __printf(2, 3);
static void check_truncation(int line, const char *fmt, ...)
{
    char full[BUF], keel[BUF], libc[BUF];
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(full, sizeof(full), fmt, ap);
    va_end(ap);
    assert_true(len > 0 && len + 2 < BUF);
    for (size_t size = 0; size <= (size_t)len + 2; size++) {
        int keel_n, libc_n;
        va_list aq;

        memset(keel, 0x5a, sizeof(keel));
        memset(libc, 0x5a, sizeof(libc));
        va_start(ap, fmt);
        va_copy(aq, ap);
        keel_n = keel_vsnprintf(keel, size, fmt, ap);
        libc_n = vsnprintf(libc, size, fmt, aq);
        va_end(aq);
        va_end(ap);
        if (keel_n != len || libc_n != len)
            fail_msg("line %d: size %zu: returned %d, libc %d, full length %d", line, size,
                     keel_n, libc_n, len);
        if (memcmp(keel, libc, sizeof(keel)) != 0)
            fail_msg("line %d: size %zu: buffer differs from libc", line, size);
        if (size) {
            size_t end = size - 1 < (size_t)len ? size - 1 : (size_t)len;

            assert_memory_equal(keel, full, end);
            assert_int_equal(keel[end], '\0');
        }
        for (size_t i = size; i < sizeof(keel); i++)
            if (keel[i] != 0x5a)
                fail_msg("line %d: size %zu: byte %zu written", line, size, i);
    }
}

static void test_truncation(void **state)
{
    (void)state;
    check_truncation(__LINE__, "hello world");
    check_truncation(__LINE__, "%d", INT_MIN);
    check_truncation(__LINE__, "%08x|%-6s|%5c", 0xabcU, "ab", 'z');
    check_truncation(__LINE__, "%#018llx", 0x1234ULL);
    check_truncation(__LINE__, "[%.4s] [%10s]", "truncate", "pad");
    check_truncation(__LINE__, "%lld%%", LLONG_MIN);
}

static void test_size_zero_writes_nothing(void **state)
{
    char buf[8];

    (void)state;
    memset(buf, 'X', sizeof(buf));
    assert_int_equal(keel_snprintf(buf, 0, "%s %d", "abc", 12345), 9);
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 'X');
    /* So a NULL buffer measures the output. */
    assert_int_equal(keel_snprintf(NULL, 0, "%p", (void *)buf), 18);
}

static void test_size_one_is_empty_string(void **state)
{
    char buf[4] = { 'X', 'X', 'X', 'X' };

    (void)state;
    assert_int_equal(keel_snprintf(buf, 1, "%s", "abc"), 3);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'X');
}

static void test_exact_fit(void **state)
{
    char buf[6];

    (void)state;
    memset(buf, 'X', sizeof(buf));
    assert_int_equal(keel_snprintf(buf, 6, "%d", 12345), 5);
    assert_string_equal(buf, "12345");
    memset(buf, 'X', sizeof(buf));
    assert_int_equal(keel_snprintf(buf, 5, "%d", 12345), 5);
    assert_string_equal(buf, "1234");
    assert_int_equal(buf[5], 'X');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed),
        cmocka_unit_test(test_unsigned),
        cmocka_unit_test(test_h_hh_convert_promoted_value),
        cmocka_unit_test(test_chars_and_strings),
        cmocka_unit_test(test_flags_and_width),
        cmocka_unit_test(test_zero_flag_ignored_with_minus),
        cmocka_unit_test(test_star_width),
        cmocka_unit_test(test_pointer),
        cmocka_unit_test(test_null_string),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_size_zero_writes_nothing),
        cmocka_unit_test(test_size_one_is_empty_string),
        cmocka_unit_test(test_exact_fit),
    };

    return cmocka_run_group_tests_name("vsprintf", tests, NULL, NULL);
}
