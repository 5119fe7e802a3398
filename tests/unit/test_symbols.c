/* SPDX-License-Identifier: MIT */
/*
 * Symbol lookup: the real hypervisor/common/symbols.c over tables the test
 * installs. In the image, scripts/gen-symbols.sh emits the table in
 * assembly; here it is defined writable, in the same layout, so each test
 * can install its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <keel/lib.h>
#include <keel/symbols.h>

#include "host_shim.h"

#define MAX_SYMS 40

unsigned long symbols_count;
unsigned long symbols_addrs[MAX_SYMS];
unsigned int symbols_name_offsets[MAX_SYMS];
char symbols_names[MAX_SYMS * 32];

struct sym {
    unsigned long addr;
    const char *name;
};

/* Lay syms (sorted by address) out as gen-symbols.sh does. */
static void install(const struct sym *syms, size_t n)
{
    unsigned int off = 0;

    assert_true(n <= MAX_SYMS);
    memset(symbols_names, 0, sizeof(symbols_names));
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(syms[i].name) + 1;

        assert_true(off + len <= sizeof(symbols_names));
        symbols_addrs[i] = syms[i].addr;
        symbols_name_offsets[i] = off;
        memcpy(symbols_names + off, syms[i].name, len);
        off += (unsigned int)len;
    }
    symbols_count = n;
}

static int setup(void **state)
{
    (void)state;
    install(NULL, 0);
    return 0;
}

static const struct sym table[] = {
    { 0x1000, "start" },
    { 0x1010, "do_domctl" },
    { 0x1080, "a" },
    { 0x1081, "next_to_a" },
    { 0x2000, "a_rather_long_function_name" },
};

static void test_empty_table(void **state)
{
    char name[32] = "untouched";
    unsigned long offset = 99;

    (void)state;
    assert_false(symbol_lookup(0, name, sizeof(name), &offset));
    assert_false(symbol_lookup(0x1000, name, sizeof(name), &offset));
    assert_false(symbol_lookup(~0UL, name, sizeof(name), &offset));
    assert_string_equal(name, "untouched");
    assert_int_equal(offset, 99);
}

static void test_before_first_symbol(void **state)
{
    char name[32] = "untouched";
    unsigned long offset = 99;

    (void)state;
    install(table, ARRAY_SIZE(table));
    assert_false(symbol_lookup(0, name, sizeof(name), &offset));
    assert_false(symbol_lookup(0xfff, name, sizeof(name), &offset));
    assert_string_equal(name, "untouched");
    assert_int_equal(offset, 99);
}

static void test_lookup(void **state)
{
    static const struct {
        unsigned long addr;
        const char *name;
        unsigned long offset;
    } cases[] = {
        { 0x1000, "start", 0 },                        /* exact, first */
        { 0x1001, "start", 1 },
        { 0x100f, "start", 0xf },                      /* just before the next */
        { 0x1010, "do_domctl", 0 },                    /* exact, middle */
        { 0x1042, "do_domctl", 0x32 },
        { 0x1080, "a", 0 },
        { 0x1081, "next_to_a", 0 },                    /* one byte after the last */
        { 0x1fff, "next_to_a", 0xf7e },
        { 0x2000, "a_rather_long_function_name", 0 },  /* exact, last */
        { 0x2345, "a_rather_long_function_name", 0x345 }, /* after the last */
        { ~0UL, "a_rather_long_function_name", ~0UL - 0x2000 },
    };

    (void)state;
    install(table, ARRAY_SIZE(table));
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char name[64];
        unsigned long offset;

        memset(name, 'X', sizeof(name));
        if (!symbol_lookup(cases[i].addr, name, sizeof(name), &offset))
            fail_msg("%#lx: not found", cases[i].addr);
        if (strcmp(name, cases[i].name) != 0 || offset != cases[i].offset)
            fail_msg("%#lx: %s+%#lx, expected %s+%#lx", cases[i].addr, name, offset,
                     cases[i].name, cases[i].offset);
    }
}

/* The name is cut to fit the buffer, and always terminated. */
static void test_name_truncated(void **state)
{
    static const struct {
        size_t size;
        const char *expect;
    } cases[] = {
        { 28, "a_rather_long_function_name" },   /* exact fit */
        { 27, "a_rather_long_function_nam" },
        { 10, "a_rather_" },
        { 2, "a" },
        { 1, "" },
    };

    (void)state;
    install(table, ARRAY_SIZE(table));
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char name[40];
        unsigned long offset = 0;

        memset(name, 'X', sizeof(name));
        assert_true(symbol_lookup(0x2004, name, cases[i].size, &offset));
        assert_string_equal(name, cases[i].expect);
        assert_int_equal(offset, 4);
        for (size_t j = cases[i].size; j < sizeof(name); j++)
            if (name[j] != 'X')
                fail_msg("size %zu: byte %zu written", cases[i].size, j);
    }
}

/* A zero-sized buffer is left alone; the offset is still reported. */
static void test_name_size_zero(void **state)
{
    char name[4] = "abc";
    unsigned long offset = 0;

    (void)state;
    install(table, ARRAY_SIZE(table));
    assert_true(symbol_lookup(0x1012, name, 0, &offset));
    assert_string_equal(name, "abc");
    assert_int_equal(offset, 2);
}

/*
 * The binary search against a linear scan, for every table size from one
 * to MAX_SYMS and every address around each symbol.
 */
static void test_every_table_size(void **state)
{
    struct sym syms[MAX_SYMS];
    char names[MAX_SYMS][8];

    (void)state;
    for (size_t i = 0; i < MAX_SYMS; i++) {
        snprintf(names[i], sizeof(names[i]), "f%zu", i);
        syms[i].addr = 0x10000 + i * i * 16 + i;    /* uneven gaps */
        syms[i].name = names[i];
    }
    for (size_t n = 1; n <= MAX_SYMS; n++) {
        install(syms, n);
        for (size_t i = 0; i < n; i++) {
            for (long d = -2; d <= 2; d++) {
                unsigned long addr = syms[i].addr + (unsigned long)d;
                size_t expect = n;
                char name[8];
                unsigned long offset;
                bool found;

                for (size_t k = 0; k < n && syms[k].addr <= addr; k++)
                    expect = k;
                found = symbol_lookup(addr, name, sizeof(name), &offset);
                if (found != (expect < n))
                    fail_msg("n %zu: %#lx found %d", n, addr, found);
                if (found && (strcmp(name, syms[expect].name) != 0 ||
                              offset != addr - syms[expect].addr))
                    fail_msg("n %zu: %#lx is %s+%#lx, expected %s", n, addr, name, offset,
                             syms[expect].name);
            }
        }
    }
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
    const struct CMUnitTest tests[] = {
        T(test_empty_table),
        T(test_before_first_symbol),
        T(test_lookup),
        T(test_name_truncated),
        T(test_name_size_zero),
        T(test_every_table_size),
    };
#undef T

    return cmocka_run_group_tests_name("symbols", tests, NULL, NULL);
}
