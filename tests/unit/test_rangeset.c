/* SPDX-License-Identifier: MIT */
/*
 * Range sets (hypervisor/common/rangeset.c): the edge cases by hand, then
 * long random sequences of adds and removes over a small universe checked
 * element by element against a plain bitmap, with the representation
 * invariant (sorted, disjoint, non-adjacent) after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <keel/errno.h>
#include <keel/rangeset.h>

#define UNIVERSE 200

static void assert_canonical(const struct rangeset *rs)
{
    assert_true(rs->nr <= RANGESET_MAX);
    for (unsigned int i = 0; i < rs->nr; i++) {
        assert_true(rs->r[i].s <= rs->r[i].e);
        if (i + 1 < rs->nr)
            assert_true(rs->r[i].e + 1 < rs->r[i + 1].s);
    }
}

static void test_empty_and_single(void **state)
{
    struct rangeset rs;

    (void)state;
    rangeset_init(&rs);
    assert_true(rangeset_is_empty(&rs));
    assert_false(rangeset_contains(&rs, 0, 0));
    assert_int_equal(rangeset_add(&rs, 10, 20), 0);
    assert_false(rangeset_is_empty(&rs));
    assert_true(rangeset_contains(&rs, 10, 20));
    assert_true(rangeset_contains(&rs, 15, 15));
    assert_false(rangeset_contains(&rs, 9, 10));
    assert_false(rangeset_contains(&rs, 20, 21));
    assert_false(rangeset_contains(&rs, 12, 11));   /* reversed: never contained */
    assert_int_equal(rangeset_add(&rs, 21, 11), -EINVAL);
    assert_int_equal(rangeset_remove(&rs, 5, 4), -EINVAL);
    assert_int_equal(rs.nr, 1);
}

static void test_merge_adjacent_and_split(void **state)
{
    struct rangeset rs;

    (void)state;
    rangeset_init(&rs);
    assert_int_equal(rangeset_add(&rs, 10, 19), 0);
    assert_int_equal(rangeset_add(&rs, 30, 39), 0);
    assert_int_equal(rangeset_add(&rs, 20, 29), 0);    /* bridges both: one range */
    assert_int_equal(rs.nr, 1);
    assert_true(rangeset_contains(&rs, 10, 39));
    assert_int_equal(rangeset_remove(&rs, 15, 34), 0); /* splits it */
    assert_int_equal(rs.nr, 2);
    assert_true(rangeset_contains(&rs, 10, 14));
    assert_true(rangeset_contains(&rs, 35, 39));
    assert_false(rangeset_contains(&rs, 14, 15));
    assert_int_equal(rangeset_remove(&rs, 0, 100), 0);
    assert_true(rangeset_is_empty(&rs));
}

static void test_top_of_the_space(void **state)
{
    struct rangeset rs;

    (void)state;
    rangeset_init(&rs);
    assert_int_equal(rangeset_add(&rs, 0, ~0UL), 0);
    assert_true(rangeset_contains(&rs, ~0UL, ~0UL));
    assert_int_equal(rangeset_add(&rs, ~0UL - 5, ~0UL), 0);
    assert_int_equal(rs.nr, 1);
    assert_int_equal(rangeset_remove(&rs, 0xfec00, 0xfec00), 0);
    assert_int_equal(rs.nr, 2);
    assert_false(rangeset_contains(&rs, 0xfec00, 0xfec00));
    assert_true(rangeset_contains(&rs, 0xfec01, ~0UL));
    assert_int_equal(rangeset_remove(&rs, ~0UL, ~0UL), 0);
    assert_false(rangeset_contains(&rs, ~0UL - 1, ~0UL));
    assert_true(rangeset_contains(&rs, 0xfec01, ~0UL - 1));
    assert_canonical(&rs);
}

static void test_capacity(void **state)
{
    struct rangeset rs;

    (void)state;
    rangeset_init(&rs);
    for (unsigned long i = 0; i < RANGESET_MAX; i++)
        assert_int_equal(rangeset_add(&rs, i * 10, i * 10 + 1), 0);
    assert_int_equal(rs.nr, RANGESET_MAX);
    /* A new separate range does not fit; nothing changes. */
    assert_int_equal(rangeset_add(&rs, 1000, 1001), -ENOSPC);
    assert_false(rangeset_contains(&rs, 1000, 1000));
    /* Splitting one range would need another. */
    assert_int_equal(rangeset_add(&rs, 0, 5), 0);      /* 0..5: still 32 ranges */
    assert_int_equal(rangeset_remove(&rs, 2, 3), -ENOSPC);
    assert_true(rangeset_contains(&rs, 0, 5));
    /* Merging frees slots: then it fits. */
    assert_int_equal(rangeset_add(&rs, 0, 25), 0);
    assert_int_equal(rangeset_add(&rs, 1000, 1001), 0);
    assert_canonical(&rs);
}

static void test_random_against_bitmap(void **state)
{
    struct rangeset rs;
    bool model[UNIVERSE] = { false };
    unsigned int refused = 0;

    (void)state;
    srand(12345);
    rangeset_init(&rs);
    for (unsigned int step = 0; step < 20000; step++) {
        unsigned long a = (unsigned long)rand() % UNIVERSE, b = (unsigned long)rand() % UNIVERSE;
        unsigned long s = a < b ? a : b, e = a < b ? b : a;
        bool add = rand() % 2;
        struct rangeset before = rs;
        int rc;

        if (rand() % 20) {
            /* Mostly short ranges anywhere, so the set fragments and fills up. */
            unsigned long len = (unsigned long)rand() % 3;

            s = a;
            e = s + len < UNIVERSE ? s + len : s;
        }
        rc = add ? rangeset_add(&rs, s, e) : rangeset_remove(&rs, s, e);
        assert_true(rc == 0 || rc == -ENOSPC);
        if (rc == 0) {
            for (unsigned long x = s; x <= e; x++)
                model[x] = add;
        } else {
            refused++;
            assert_memory_equal(&before.r, &rs.r, sizeof(rs.r));
            assert_int_equal(before.nr, rs.nr);
        }
        assert_canonical(&rs);
        for (unsigned long x = 0; x < UNIVERSE; x++)
            assert_int_equal(rangeset_contains(&rs, x, x), model[x]);
        assert_int_equal(rangeset_is_empty(&rs), rs.nr == 0);
    }
    /* The sequence must have filled the set at times, or -ENOSPC went untested. */
    assert_true(refused > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_single),
        cmocka_unit_test(test_merge_adjacent_and_split),
        cmocka_unit_test(test_top_of_the_space),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_random_against_bitmap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
