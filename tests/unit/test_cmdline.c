/* SPDX-License-Identifier: MIT */
/*
 * Command-line parser: the real hypervisor/common/cmdline.c against a test
 * table with one option of every kind. Table-driven per kind: each row is a
 * command line, the value expected afterwards and the warnings expected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <keel/cmdline.h>
#include <keel/errno.h>
#include <keel/lib.h>

#include "host_shim.h"

#define UNSET CMDLINE_SIZE_UNSET
#define K 1024ULL
#define M (1024ULL * K)
#define G (1024ULL * M)
#define T (1024ULL * G)

static bool opt_flag, opt_other, opt_noreboot;
static unsigned int opt_cpus;
static uint64_t opt_size;
static struct cmdline_size_range opt_mem;
static char opt_console[16];
static unsigned int custom_calls;
static char custom_value[64];

static int custom_cb(const char *value)
{
    custom_calls++;
    if (value == NULL) {
        strcpy(custom_value, "(none)");
        return 0;
    }
    if (strcmp(value, "bad") == 0)
        return -EINVAL;
    snprintf(custom_value, sizeof(custom_value), "%s", value);
    return 0;
}

static const struct cmdline_param params[] = {
    CMDLINE_PARAM_BOOL("flag", &opt_flag),
    CMDLINE_PARAM_BOOL("other_opt", &opt_other),
    CMDLINE_PARAM_BOOL("noreboot", &opt_noreboot),
    CMDLINE_PARAM_UINT("maxcpus", &opt_cpus, 1, 64),
    CMDLINE_PARAM_SIZE("heap", &opt_size),
    CMDLINE_PARAM_SIZE_RANGE("dom0_mem", &opt_mem),
    CMDLINE_PARAM_STRING("console", opt_console),
    CMDLINE_PARAM_CUSTOM("custom", custom_cb),
};

static int setup(void **state)
{
    (void)state;
    opt_flag = false;
    opt_other = true;
    opt_noreboot = false;
    opt_cpus = 8;
    opt_size = 1234;
    opt_mem = (struct cmdline_size_range){ UNSET, UNSET, UNSET };
    strcpy(opt_console, "vga");
    custom_calls = 0;
    custom_value[0] = '\0';
    shim_log_clear();
    return 0;
}

static unsigned int parse(const char *line)
{
    return cmdline_parse(line, params, ARRAY_SIZE(params));
}

static void check_warnings(const char *line, unsigned int got, unsigned int expect)
{
    if (got != expect)
        fail_msg("'%s': %u warnings, expected %u; log:\n%s", line, got, expect, shim_log());
}

/* ---- per kind ---------------------------------------------------------- */

static const struct {
    const char *line;
    bool initial, expect;
    unsigned int warnings;
} bool_cases[] = {
    { "flag", false, true, 0 },
    { "noflag", true, false, 0 },
    { "no-flag", true, false, 0 },
    { "flag=1", false, true, 0 },
    { "flag=yes", false, true, 0 },
    { "flag=true", false, true, 0 },
    { "flag=on", false, true, 0 },
    { "flag=enable", false, true, 0 },
    { "flag=0", true, false, 0 },
    { "flag=no", true, false, 0 },
    { "flag=false", true, false, 0 },
    { "flag=off", true, false, 0 },
    { "flag=disable", true, false, 0 },
    { "flag noflag", false, false, 0 },
    { "noflag flag", false, true, 0 },
    { "flag=maybe", true, true, 1 },
    { "flag=", false, false, 1 },
    { "flag=2", false, false, 1 },
    { "noflag=1", true, true, 1 },
    { "Flag", false, false, 1 },
};

static void test_bool(void **state)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(bool_cases); i++) {
        setup(state);
        opt_flag = bool_cases[i].initial;
        check_warnings(bool_cases[i].line, parse(bool_cases[i].line), bool_cases[i].warnings);
        if (opt_flag != bool_cases[i].expect)
            fail_msg("'%s': flag is %d", bool_cases[i].line, opt_flag);
    }
}

/* A bool whose own name starts with "no": the exact name wins. */
static void test_bool_named_no(void **state)
{
    (void)state;
    check_warnings("noreboot", parse("noreboot"), 0);
    assert_true(opt_noreboot);
    check_warnings("noreboot=0", parse("noreboot=0"), 0);
    assert_false(opt_noreboot);
    check_warnings("no-noreboot", parse("no-noreboot"), 0);
    assert_false(opt_noreboot);
}

static const struct {
    const char *line;
    unsigned int expect, warnings;
} uint_cases[] = {
    { "maxcpus=4", 4, 0 },
    { "maxcpus=0x10", 16, 0 },
    { "maxcpus=0X3f", 63, 0 },
    { "maxcpus=1", 1, 0 },
    { "maxcpus=64", 64, 0 },
    { "maxcpus=007", 7, 0 },
    { "maxcpus=4 maxcpus=5", 5, 0 },
    { "maxcpus=0", 8, 1 },
    { "maxcpus=65", 8, 1 },
    { "maxcpus=4294967296", 8, 1 },
    { "maxcpus=99999999999999999999999", 8, 1 },
    { "maxcpus=abc", 8, 1 },
    { "maxcpus=4x", 8, 1 },
    { "maxcpus=0x", 8, 1 },
    { "maxcpus=-1", 8, 1 },
    { "maxcpus=+1", 8, 1 },
    { "maxcpus= 4", 8, 2 },     /* empty value, then unknown option '4' */
    { "maxcpus=", 8, 1 },
    { "maxcpus", 8, 1 },
    { "nomaxcpus", 8, 1 },
};

static void test_uint(void **state)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(uint_cases); i++) {
        setup(state);
        check_warnings(uint_cases[i].line, parse(uint_cases[i].line), uint_cases[i].warnings);
        if (opt_cpus != uint_cases[i].expect)
            fail_msg("'%s': maxcpus is %u", uint_cases[i].line, opt_cpus);
    }
}

static void test_uint_warnings_text(void **state)
{
    (void)state;
    parse("maxcpus=abc");
    assert_true(shim_log_contains(LOG_WARN "cmdline: bad value in 'maxcpus=abc' ignored\n"));
    parse("maxcpus=100");
    assert_true(shim_log_contains(LOG_WARN "cmdline: 'maxcpus=100' out of range [1, 64], ignored\n"));
}

static const struct {
    const char *line;
    uint64_t expect;
    unsigned int warnings;
} size_cases[] = {
    { "heap=512M", 512 * M, 0 },
    { "heap=512m", 512 * M, 0 },
    { "heap=1G", G, 0 },
    { "heap=3g", 3 * G, 0 },
    { "heap=2T", 2 * T, 0 },
    { "heap=2t", 2 * T, 0 },
    { "heap=4K", 4 * K, 0 },
    { "heap=4k", 4 * K, 0 },
    { "heap=100B", 100, 0 },
    { "heap=100b", 100, 0 },
    { "heap=100", 100 * K, 0 },          /* no unit: KiB, as in Xen */
    { "heap=0x10M", 16 * M, 0 },
    { "heap=0", 0, 0 },
    { "heap=16777215T", 16777215 * T, 0 },
    { "heap=18446744073709551615B", UINT64_MAX, 0 },
    { "heap=16777216T", 1234, 1 },       /* 2^64 bytes */
    { "heap=18014398509481984", 1234, 1 }, /* 2^54 KiB */
    { "heap=18446744073709551616B", 1234, 1 },
    { "heap=1Q", 1234, 1 },
    { "heap=1MB", 1234, 1 },
    { "heap=M", 1234, 1 },
    { "heap=", 1234, 1 },
    { "heap", 1234, 1 },
};

static void test_size(void **state)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(size_cases); i++) {
        setup(state);
        check_warnings(size_cases[i].line, parse(size_cases[i].line), size_cases[i].warnings);
        if (opt_size != size_cases[i].expect)
            fail_msg("'%s': heap is %llu", size_cases[i].line, (unsigned long long)opt_size);
    }
}

static void test_parse_size_api(void **state)
{
    const char *end;
    uint64_t v;

    (void)state;
    assert_int_equal(cmdline_parse_size("64M,max:1G", &end, &v), 0);
    assert_int_equal(v, 64 * M);
    assert_string_equal(end, ",max:1G");
    assert_int_equal(cmdline_parse_size("x", &end, &v), -EINVAL);
    assert_int_equal(cmdline_parse_size("16777216T", &end, &v), -ERANGE);
    assert_int_equal(cmdline_parse_size("99999999999999999999", &end, &v), -ERANGE);
}

static const struct {
    const char *line;
    struct cmdline_size_range expect;
    unsigned int warnings;
} range_cases[] = {
    { "dom0_mem=512M", { UNSET, 512 * M, UNSET }, 0 },
    { "dom0_mem=512M,max:1G", { UNSET, 512 * M, G }, 0 },
    { "dom0_mem=max:1G,512M", { UNSET, 512 * M, G }, 0 },
    { "dom0_mem=min:128M,max:1G,512M", { 128 * M, 512 * M, G }, 0 },
    { "dom0_mem=max:2G", { UNSET, UNSET, 2 * G }, 0 },
    { "dom0_mem=512M dom0_mem=max:2G", { UNSET, 512 * M, 2 * G }, 0 },
    { "dom0_mem=1G,512M", { UNSET, 512 * M, UNSET }, 0 },
    { "dom0-mem=1G", { UNSET, G, UNSET }, 0 },
    { "dom0_mem=512M,max:abc", { UNSET, UNSET, UNSET }, 1 },
    { "dom0_mem=512M,", { UNSET, UNSET, UNSET }, 1 },
    { "dom0_mem=,512M", { UNSET, UNSET, UNSET }, 1 },
    { "dom0_mem=mid:1G", { UNSET, UNSET, UNSET }, 1 },
    { "dom0_mem=512M;max:1G", { UNSET, UNSET, UNSET }, 1 },
    { "dom0_mem=max:", { UNSET, UNSET, UNSET }, 1 },
    { "dom0_mem", { UNSET, UNSET, UNSET }, 1 },
    { "dom0_mem=1G dom0_mem=2G,max:x", { UNSET, G, UNSET }, 1 },
};

static void test_size_range(void **state)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(range_cases); i++) {
        setup(state);
        check_warnings(range_cases[i].line, parse(range_cases[i].line), range_cases[i].warnings);
        if (memcmp(&opt_mem, &range_cases[i].expect, sizeof(opt_mem)) != 0)
            fail_msg("'%s': dom0_mem is %llx/%llx/%llx", range_cases[i].line,
                     (unsigned long long)opt_mem.min, (unsigned long long)opt_mem.initial,
                     (unsigned long long)opt_mem.max);
    }
}

static const struct {
    const char *line;
    const char *expect;
    unsigned int warnings;
} string_cases[] = {
    { "console=com1", "com1", 0 },
    { "console=com1,vga", "com1,vga", 0 },
    { "console=\"com1 vga\"", "com1 vga", 0 },
    { "\"console=com1 vga\"", "com1 vga", 0 },
    { "console=a\"b c\"d", "ab cd", 0 },
    { "console=a=b", "a=b", 0 },
    { "console=", "", 0 },
    { "console=\"\"", "", 0 },
    { "console=0123456789abcde", "0123456789abcde", 0 },   /* 15 + NUL fits */
    { "console=0123456789abcdef", "vga", 1 },              /* 16 + NUL does not */
    { "console=\"0123456789 abcdef\"", "vga", 1 },
    { "console", "vga", 1 },
    { "console=\"com1", "vga", 1 },
    { "console=com1 console=com2", "com2", 0 },
};

static void test_string(void **state)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(string_cases); i++) {
        setup(state);
        check_warnings(string_cases[i].line, parse(string_cases[i].line),
                       string_cases[i].warnings);
        if (strcmp(opt_console, string_cases[i].expect) != 0)
            fail_msg("'%s': console is '%s'", string_cases[i].line, opt_console);
    }
}

static void test_string_too_long_text(void **state)
{
    (void)state;
    parse("console=0123456789abcdef");
    assert_true(shim_log_contains(
        LOG_WARN "cmdline: value of 'console' longer than 15 bytes, ignored\n"));
}

static void test_custom(void **state)
{
    (void)state;
    check_warnings("custom", parse("custom"), 0);
    assert_string_equal(custom_value, "(none)");
    check_warnings("custom=x,y", parse("custom=x,y"), 0);
    assert_string_equal(custom_value, "x,y");
    check_warnings("custom=\"a b\"", parse("custom=\"a b\""), 0);
    assert_string_equal(custom_value, "a b");
    check_warnings("custom=bad", parse("custom=bad"), 1);
    assert_true(shim_log_contains(LOG_WARN "cmdline: bad value in 'custom=bad' ignored\n"));
    assert_string_equal(custom_value, "a b");
    assert_int_equal(custom_calls, 4);
}

/* ---- unknown, malformed and mixed lines ---------------------------------- */

static const struct {
    const char *line;
    const char *log;
} unknown_cases[] = {
    { "foo=bar", LOG_WARN "cmdline: unknown option 'foo=bar' ignored\n" },
    { "foo", LOG_WARN "cmdline: unknown option 'foo' ignored\n" },
    { "nofoo", LOG_WARN "cmdline: unknown option 'nofoo' ignored\n" },
    { "nomaxcpus", LOG_WARN "cmdline: unknown option 'nomaxcpus' ignored\n" },
    { "foo=\"a b\"", LOG_WARN "cmdline: unknown option 'foo=a b' ignored\n" },
    { "=5", LOG_WARN "cmdline: option without a name '=5' ignored\n" },
    { "no", LOG_WARN "cmdline: unknown option 'no' ignored\n" },
    { "no-", LOG_WARN "cmdline: unknown option 'no-' ignored\n" },
};

static void test_unknown_options_warned(void **state)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(unknown_cases); i++) {
        setup(state);
        check_warnings(unknown_cases[i].line, parse(unknown_cases[i].line), 1);
        if (!shim_log_contains(unknown_cases[i].log))
            fail_msg("'%s': log is '%s'", unknown_cases[i].line, shim_log());
        assert_int_equal(opt_cpus, 8);
        assert_string_equal(opt_console, "vga");
    }
}

static void test_mixed_line(void **state)
{
    static const char line[] =
        "  console=com1\tmaxcpus=4\n dom0_mem=512M,max:1G foo=bar noflag other-opt=0 "
        "maxcpus=abc heap=64M custom=z  ";

    (void)state;
    opt_flag = true;
    check_warnings(line, parse(line), 2);
    assert_string_equal(opt_console, "com1");
    assert_int_equal(opt_cpus, 4);
    assert_int_equal(opt_mem.initial, 512 * M);
    assert_int_equal(opt_mem.max, G);
    assert_int_equal(opt_mem.min, UNSET);
    assert_false(opt_flag);
    assert_false(opt_other);
    assert_int_equal(opt_size, 64 * M);
    assert_string_equal(custom_value, "z");
    assert_true(shim_log_contains("'foo=bar'"));
    assert_true(shim_log_contains("'maxcpus=abc'"));
}

static void test_empty_input(void **state)
{
    static const char *const lines[] = { "", " ", " \t\n\r ", "\"\"", "\"\" \"\"" };
    size_t i;

    (void)state;
    assert_int_equal(cmdline_parse(NULL, params, ARRAY_SIZE(params)), 0);
    for (i = 0; i < ARRAY_SIZE(lines); i++)
        check_warnings(lines[i], parse(lines[i]), 0);
    assert_int_equal(cmdline_parse("maxcpus=3", params, 0), 1);
    assert_int_equal(opt_cpus, 8);
    assert_string_equal(shim_log(), LOG_WARN "cmdline: unknown option 'maxcpus=3' ignored\n");
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    check_warnings("", parse("maxcpus=3 console=\"abc maxcpus=9"), 1);
    assert_int_equal(opt_cpus, 3);
    assert_string_equal(opt_console, "vga");
    assert_true(shim_log_contains("unterminated quote"));
}

/* ---- the length bound -------------------------------------------------- */

/* A line of @len bytes: @head, blanks, then @tail ending at byte @tail_end. */
static char *make_line(size_t len, const char *head, const char *tail, size_t tail_end)
{
    char *line = malloc(len + 1);

    assert_non_null(line);
    memset(line, ' ', len);
    line[len] = '\0';
    memcpy(line, head, strlen(head));
    memcpy(line + tail_end - strlen(tail), tail, strlen(tail));
    return line;
}

static void test_line_exactly_at_limit(void **state)
{
    char *line = make_line(CMDLINE_MAX, "maxcpus=5", "flag", CMDLINE_MAX);

    (void)state;
    check_warnings("exact", parse(line), 0);
    assert_int_equal(opt_cpus, 5);
    assert_true(opt_flag);
    free(line);
}

static void test_overlong_option_cut_is_dropped(void **state)
{
    char *line = make_line(CMDLINE_MAX + 3, "maxcpus=5", "heap=1234567", CMDLINE_MAX + 3);

    (void)state;
    check_warnings("cut", parse(line), 2);
    assert_int_equal(opt_cpus, 5);
    assert_int_equal(opt_size, 1234);
    assert_true(shim_log_contains(LOG_WARN "cmdline: longer than 1024 bytes, rest ignored\n"));
    assert_true(shim_log_contains("cmdline: option 'heap=1234' cut off"));
    free(line);
}

static void test_overlong_option_ending_at_limit_is_kept(void **state)
{
    char *line = make_line(CMDLINE_MAX + 20, "maxcpus=5", "flag", CMDLINE_MAX);

    (void)state;
    memcpy(line + CMDLINE_MAX + 1, "maxcpus=7", 9);
    check_warnings("at limit", parse(line), 1);
    assert_int_equal(opt_cpus, 5);
    assert_true(opt_flag);
    free(line);
}

static void test_huge_single_token(void **state)
{
    size_t len = 100000;
    char *line = malloc(len + 1);

    (void)state;
    assert_non_null(line);
    memset(line, 'a', len);
    line[len] = '\0';
    memcpy(line, "console=", 8);
    check_warnings("huge", parse(line), 2);
    assert_string_equal(opt_console, "vga");
    free(line);
}

int main(void)
{
#define TC(fn) cmocka_unit_test_setup(fn, setup)
    const struct CMUnitTest tests[] = {
        TC(test_bool),
        TC(test_bool_named_no),
        TC(test_uint),
        TC(test_uint_warnings_text),
        TC(test_size),
        TC(test_parse_size_api),
        TC(test_size_range),
        TC(test_string),
        TC(test_string_too_long_text),
        TC(test_custom),
        TC(test_unknown_options_warned),
        TC(test_mixed_line),
        TC(test_empty_input),
        TC(test_unterminated_quote),
        TC(test_line_exactly_at_limit),
        TC(test_overlong_option_cut_is_dropped),
        TC(test_overlong_option_ending_at_limit_is_kept),
        TC(test_huge_single_token),
    };
#undef TC

    return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
