/* SPDX-License-Identifier: MIT */
/*
 * Buddy allocator: the real hypervisor/common/buddy.c over a calloc'd frame
 * table. Every test starts from an empty allocator and checks that the free
 * counters come back to their baseline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <keel/buddy.h>
#include <keel/page_info.h>

#include "host_shim.h"

#define NR_FRAMES 4096UL

static struct page_info *table;

static int setup_frames(unsigned long nr)
{
    table = calloc(nr, sizeof(*table));
    if (table == NULL)
        return -1;
    frame_table_init(table, nr);
    frame_table_set_ops(NULL);
    buddy_init();
    shim_log_clear();
    return 0;
}

static int setup(void **state)
{
    (void)state;
    return setup_frames(NR_FRAMES);
}

static int teardown(void **state)
{
    (void)state;
    free(table);
    table = NULL;
    return 0;
}

static unsigned long mfn_of(const struct page_info *pg)
{
    return mfn_x(page_to_mfn(pg));
}

/* Free blocks per order must equal @expect (orders 0..BUDDY_MAX_ORDER). */
static void assert_blocks(const unsigned long expect[BUDDY_MAX_ORDER + 1])
{
    unsigned int k;

    for (k = 0; k <= BUDDY_MAX_ORDER; k++)
        if (buddy_free_blocks(k) != expect[k])
            fail_msg("order %u: %lu free blocks, expected %lu", k,
                     buddy_free_blocks(k), expect[k]);
}

static void test_add_aligned_range_is_one_block(void **state)
{
    unsigned long expect[BUDDY_MAX_ORDER + 1] = { [10] = 1 };

    (void)state;
    buddy_add_range(_mfn(1024), 1024);
    assert_int_equal(buddy_total_frames(), 1024);
    assert_int_equal(buddy_free_frames(), 1024);
    assert_blocks(expect);
    assert_true(table[1024].count_info & PGC_FREE);
    assert_int_equal(table[1024].order, 10);
    assert_int_equal(table[1025].order, PAGE_ORDER_NONE);
}

/* Unaligned ranges split into maximal aligned blocks. */
static const struct {
    unsigned long start, nr;
    unsigned long blocks[BUDDY_MAX_ORDER + 1];
} range_cases[] = {
    /* 3 | 4-7 | 8-11 | 12 */
    { 3, 10, { [0] = 2, [2] = 2 } },
    /* 1 | 2-3 | 4-7 | 8-15 | 16-31 | 32-63 | 64-95 | 96-99 */
    { 1, 99, { [0] = 1, [1] = 1, [2] = 2, [3] = 1, [4] = 1, [5] = 2 } },
    /* 1000-1007 | 1008-1023 | 1024-2047 | 2048-2049 */
    { 1000, 1050, { [3] = 1, [4] = 1, [10] = 1, [1] = 1 } },
    { 4095, 1, { [0] = 1 } },
    { 0, 0, { 0 } },
};

static void test_add_unaligned_ranges(void **state)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(range_cases); i++) {
        teardown(state);
        assert_int_equal(setup(state), 0);
        buddy_add_range(_mfn(range_cases[i].start), range_cases[i].nr);
        assert_int_equal(buddy_total_frames(), range_cases[i].nr);
        assert_int_equal(buddy_free_frames(), range_cases[i].nr);
        assert_blocks(range_cases[i].blocks);
    }
}

/* Adjacent ranges added separately coalesce into the natural blocks. */
static void test_add_adjacent_ranges_coalesce(void **state)
{
    unsigned long expect[BUDDY_MAX_ORDER + 1] = { [12] = 1 };

    (void)state;
    buddy_add_range(_mfn(0), 5);
    buddy_add_range(_mfn(2048), 2048);
    buddy_add_range(_mfn(5), 2043);
    assert_int_equal(buddy_total_frames(), 4096);
    assert_blocks(expect);
}

static void test_alloc_splits_and_free_coalesces(void **state)
{
    unsigned long split[BUDDY_MAX_ORDER + 1] = {
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 };
    unsigned long whole[BUDDY_MAX_ORDER + 1] = { [10] = 1 };
    struct page_info *pg;

    (void)state;
    buddy_add_range(_mfn(0), 1024);
    pg = buddy_alloc(0);
    assert_non_null(pg);
    assert_int_equal(mfn_of(pg), 0);
    assert_int_equal(buddy_free_frames(), 1023);
    assert_blocks(split);

    buddy_free(pg, 0);
    assert_int_equal(buddy_free_frames(), 1024);
    assert_blocks(whole);
}

static void test_alloc_returns_clean_aligned_frames(void **state)
{
    static const unsigned int orders[] = { 0, 3, 1, 5, 2, 0, 4 };
    struct page_info *pgs[ARRAY_SIZE(orders)];
    size_t i;
    unsigned long j;

    (void)state;
    buddy_add_range(_mfn(7), 1000);
    for (i = 0; i < ARRAY_SIZE(orders); i++) {
        pgs[i] = buddy_alloc(orders[i]);
        assert_non_null(pgs[i]);
        assert_true(IS_ALIGNED(mfn_of(pgs[i]), 1UL << orders[i]));
        for (j = 0; j < (1UL << orders[i]); j++) {
            assert_int_equal(pgs[i][j].count_info, 0);
            assert_int_equal(pgs[i][j].u.type_info, 0);
            assert_null(pgs[i][j].owner);
        }
    }
    for (i = 0; i < ARRAY_SIZE(orders); i++)
        buddy_free(pgs[i], orders[i]);
    assert_int_equal(buddy_free_frames(), 1000);
    assert_int_equal(buddy_total_frames(), 1000);
}

/* A block allocated whole may be freed in pieces; they coalesce again. */
static void test_free_pieces_of_block(void **state)
{
    unsigned long whole[BUDDY_MAX_ORDER + 1] = { [4] = 1 };
    struct page_info *pg;
    unsigned int i;

    (void)state;
    buddy_add_range(_mfn(16), 16);
    pg = buddy_alloc(2);
    assert_non_null(pg);
    for (i = 0; i < 4; i++)
        buddy_free(&pg[i], 0);
    assert_blocks(whole);
}

static void test_exhaustion_returns_null(void **state)
{
    struct page_info **pgs = calloc(1024, sizeof(*pgs));
    unsigned long i;

    (void)state;
    assert_non_null(pgs);
    buddy_add_range(_mfn(0), 1024);
    assert_null(buddy_alloc(11));
    for (i = 0; i < 1024; i++) {
        pgs[i] = buddy_alloc(0);
        assert_non_null(pgs[i]);
    }
    assert_int_equal(buddy_free_frames(), 0);
    assert_null(buddy_alloc(0));
    assert_null(buddy_alloc(3));
    for (i = 0; i < 1024; i++)
        buddy_free(pgs[i], 0);
    assert_int_equal(buddy_free_frames(), 1024);
    assert_int_equal(buddy_free_blocks(10), 1);
    free(pgs);
}

static void test_order_too_large_returns_null(void **state)
{
    (void)state;
    buddy_add_range(_mfn(0), NR_FRAMES);
    assert_null(buddy_alloc(BUDDY_MAX_ORDER + 1));
    assert_null(buddy_alloc_below(BUDDY_MAX_ORDER + 1, ~0UL));
    assert_int_equal(buddy_free_frames(), NR_FRAMES);
}

/* Half the memory free in single frames, yet no pair is free. */
static void test_fragmentation(void **state)
{
    unsigned long whole[BUDDY_MAX_ORDER + 1] = { [8] = 1 };
    struct page_info *pgs[256];
    unsigned long i;

    (void)state;
    buddy_add_range(_mfn(256), 256);
    for (i = 0; i < 256; i++)
        assert_non_null(pgs[i] = buddy_alloc(0));
    for (i = 0; i < 256; i += 2)
        buddy_free(pgs[i], 0);
    assert_int_equal(buddy_free_frames(), 128);
    assert_int_equal(buddy_free_blocks(0), 128);
    assert_null(buddy_alloc(1));
    for (i = 1; i < 256; i += 2)
        buddy_free(pgs[i], 0);
    assert_blocks(whole);
}

static void test_alloc_below_limit(void **state)
{
    struct page_info *a, *b, *c;

    (void)state;
    buddy_add_range(_mfn(0), NR_FRAMES);
    /* Take the low part out of order so low blocks sit deep in the lists. */
    a = buddy_alloc_below(0, 0x100);
    assert_non_null(a);
    assert_true(mfn_of(a) < 0x100);
    b = buddy_alloc_below(7, 0x100);
    assert_non_null(b);
    assert_true(mfn_of(b) + 128 <= 0x100);
    c = buddy_alloc_below(6, 0x100);
    assert_non_null(c);
    assert_true(mfn_of(c) + 64 <= 0x100);
    /* Nothing of order 6 is left below the limit. */
    assert_null(buddy_alloc_below(6, 0x100));
    /* The free order-8 block at 0x100 straddles a limit of 0x180. */
    assert_null(buddy_alloc_below(8, 0x180));
    assert_int_equal(buddy_free_frames(), NR_FRAMES - 1 - 128 - 64);
    buddy_free(a, 0);
    buddy_free(b, 7);
    buddy_free(c, 6);
    assert_int_equal(buddy_free_frames(), NR_FRAMES);
    assert_int_equal(buddy_free_blocks(12), 1);
}

static void test_alloc_below_only_high_memory(void **state)
{
    (void)state;
    buddy_add_range(_mfn(2048), 2048);
    assert_null(buddy_alloc_below(0, 0x100));
    assert_null(buddy_alloc_below(0, 2048));
    assert_non_null(buddy_alloc_below(0, 2049));
    assert_int_equal(buddy_free_frames(), 2047);
}

/* A table whose size is not a power of two: no buddy lookups beyond it. */
static void test_table_end_not_power_of_two(void **state)
{
    struct page_info *pg;

    teardown(state);
    assert_int_equal(setup_frames(1000), 0);
    buddy_add_range(_mfn(0), 1000);
    pg = buddy_alloc(3);
    assert_non_null(pg);
    buddy_free(pg, 3);
    buddy_free(buddy_alloc_below(0, 1000), 0);
    assert_int_equal(buddy_free_frames(), 1000);
}

/* Blocks stop growing at BUDDY_MAX_ORDER. */
static void test_max_order(void **state)
{
    unsigned long nr = 2UL << BUDDY_MAX_ORDER;
    unsigned long expect[BUDDY_MAX_ORDER + 1] = { [BUDDY_MAX_ORDER] = 2 };
    struct page_info *pg;

    teardown(state);
    assert_int_equal(setup_frames(nr), 0);
    buddy_add_range(_mfn(0), nr);
    assert_blocks(expect);
    pg = buddy_alloc(BUDDY_MAX_ORDER);
    assert_non_null(pg);
    buddy_free(pg, BUDDY_MAX_ORDER);
    assert_blocks(expect);
    assert_int_equal(buddy_free_frames(), nr);
}

/* Random allocations and frees in random order: no frame lost or doubled. */
static void test_random_no_leaks(void **state)
{
    struct { struct page_info *pg; unsigned int order; } live[300];
    unsigned long seed = 12345, used = 0;
    size_t n = 0, i, round;

    (void)state;
    buddy_add_range(_mfn(3), NR_FRAMES - 3);
    for (round = 0; round < 5000; round++) {
        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        if (n < ARRAY_SIZE(live) && (seed >> 60) < 9) {
            unsigned int order = (unsigned int)((seed >> 40) % 6);
            struct page_info *pg = buddy_alloc(order);

            if (pg == NULL)
                continue;
            live[n].pg = pg;
            live[n].order = order;
            n++;
            used += 1UL << order;
        } else if (n > 0) {
            i = (size_t)((seed >> 20) % n);
            buddy_free(live[i].pg, live[i].order);
            used -= 1UL << live[i].order;
            live[i] = live[--n];
        }
        assert_int_equal(buddy_free_frames() + used, NR_FRAMES - 3);
    }
    while (n > 0) {
        n--;
        buddy_free(live[n].pg, live[n].order);
    }
    assert_int_equal(buddy_free_frames(), NR_FRAMES - 3);
    /* 3 | 4-7 | ... | 2048-4095: one block per order 0, 2..11 */
    for (i = 0; i <= BUDDY_MAX_ORDER; i++)
        assert_int_equal(buddy_free_blocks((unsigned int)i),
                         (i == 0 || (i >= 2 && i <= 11)) ? 1 : 0);
}

static void test_double_free_is_bug(void **state)
{
    struct page_info *pg;

    (void)state;
    buddy_add_range(_mfn(0), 64);
    pg = buddy_alloc(0);
    buddy_free(pg, 0);
    expect_bug(buddy_free(pg, 0));
    /* A frame inside a free block, not its head. */
    expect_bug(buddy_free(&table[5], 0));
    assert_int_equal(buddy_free_frames(), 64);
}

static void test_misaligned_free_is_bug(void **state)
{
    struct page_info *pg;

    (void)state;
    buddy_add_range(_mfn(0), 64);
    pg = buddy_alloc(2);
    expect_bug(buddy_free(pg + 1, 2));
    expect_bug(buddy_free(pg, BUDDY_MAX_ORDER + 1));
    buddy_free(pg, 2);
    assert_int_equal(buddy_free_frames(), 64);
}

static void test_free_referenced_frame_is_bug(void **state)
{
    struct page_info *pg;

    (void)state;
    buddy_add_range(_mfn(0), 64);
    pg = buddy_alloc(0);
    pg->count_info = 1;
    expect_bug(buddy_free(pg, 0));
    pg->count_info = 0;
    pg->u.type_info = PGT_WRITABLE | PGT_VALIDATED | 1;
    expect_bug(buddy_free(pg, 0));
    pg->u.type_info = PGT_WRITABLE | PGT_VALIDATED;
    buddy_free(pg, 0);
    assert_int_equal(buddy_free_frames(), 64);
}

static void test_bad_ranges_are_bugs(void **state)
{
    (void)state;
    buddy_add_range(_mfn(0), 64);
    expect_bug(buddy_add_range(_mfn(32), 64));            /* overlaps */
    expect_bug(buddy_add_range(_mfn(NR_FRAMES - 1), 2));  /* beyond table */
    expect_bug(buddy_add_range(_mfn(~0UL), 2));           /* wraps */
    assert_int_equal(buddy_total_frames(), 64);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_add_aligned_range_is_one_block),
        T(test_add_unaligned_ranges),
        T(test_add_adjacent_ranges_coalesce),
        T(test_alloc_splits_and_free_coalesces),
        T(test_alloc_returns_clean_aligned_frames),
        T(test_free_pieces_of_block),
        T(test_exhaustion_returns_null),
        T(test_order_too_large_returns_null),
        T(test_fragmentation),
        T(test_alloc_below_limit),
        T(test_alloc_below_only_high_memory),
        T(test_table_end_not_power_of_two),
        T(test_max_order),
        T(test_random_no_leaks),
        T(test_double_free_is_bug),
        T(test_misaligned_free_is_bug),
        T(test_free_referenced_frame_is_bug),
        T(test_bad_ranges_are_bugs),
    };
#undef T

    return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
