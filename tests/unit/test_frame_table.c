/* SPDX-License-Identifier: MIT */
/*
 * Frame table: general and type reference counting, validation and the
 * devalidation cascade, pinning, and the M2P helpers, from the real
 * hypervisor/common/frame_table.c. Page tables are faked: each test frame
 * has a list of child MFNs, and the fake validate hook takes on each child
 * what the PV MMU will (a general reference plus a type reference one level
 * down; L1 entries take writable references on data frames).
 */
#include <keel/errno.h>
#include <errno.h>  /* after keel's: libc redefines each name identically */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <keel/buddy.h>
#include <keel/page_info.h>

#include "host_shim.h"

/* Opaque to the frame table; the tests only compare pointers. */
struct domain {
    int id;
};

static struct domain dom_a = { 1 }, dom_b = { 2 };

#define NR          64UL
#define MAX_CHILD   4
#define MAX_LOG     64

static struct page_info *table;

static struct {
    unsigned long child[NR][MAX_CHILD];
    unsigned int nr_child[NR];
    unsigned long fail_mfn;     /* validate of this frame fails ... */
    int fail_rc;                /* ... with this */
    unsigned int validates, devalidates, frees;
    struct { unsigned long mfn, type; } validate_log[MAX_LOG], devalidate_log[MAX_LOG];
    unsigned long free_log[MAX_LOG];
} fake;

static unsigned long mfn_of(const struct page_info *pg)
{
    return mfn_x(page_to_mfn(pg));
}

static struct page_info *pg_of(unsigned long mfn)
{
    return mfn_to_page(_mfn(mfn));
}

static unsigned long child_type(unsigned long type)
{
    return type == PGT_L1 ? PGT_WRITABLE : type - (1UL << PGT_TYPE_SHIFT);
}

static int fake_validate(struct page_info *pg, unsigned long type)
{
    unsigned long mfn = mfn_of(pg);
    unsigned int i;
    int rc;

    assert_true(fake.validates < MAX_LOG);
    fake.validate_log[fake.validates].mfn = mfn;
    fake.validate_log[fake.validates].type = type;
    fake.validates++;

    /* The frame is in the "being validated" state while we run. */
    assert_int_equal(pg->u.type_info, type | 1);

    if (mfn == fake.fail_mfn)
        return fake.fail_rc;
    if (type == PGT_SEG_DESC)
        return 0;
    for (i = 0; i < fake.nr_child[mfn]; i++) {
        rc = get_page_and_type(pg_of(fake.child[mfn][i]), page_get_owner(pg),
                               child_type(type));
        if (rc) {
            while (i--)
                put_page_and_type(pg_of(fake.child[mfn][i]));
            return rc;
        }
    }
    return 0;
}

static void fake_devalidate(struct page_info *pg, unsigned long type)
{
    unsigned long mfn = mfn_of(pg);
    unsigned int i;

    assert_true(fake.devalidates < MAX_LOG);
    fake.devalidate_log[fake.devalidates].mfn = mfn;
    fake.devalidate_log[fake.devalidates].type = type;
    fake.devalidates++;

    assert_int_equal(pg->u.type_info, type | 1);
    for (i = 0; i < fake.nr_child[mfn]; i++)
        put_page_and_type(pg_of(fake.child[mfn][i]));
}

static void fake_free(struct page_info *pg)
{
    assert_true(fake.frees < MAX_LOG);
    assert_int_equal(pg->count_info, 0);
    fake.free_log[fake.frees++] = mfn_of(pg);
}

static const struct page_ops fake_ops = {
    .validate = fake_validate,
    .devalidate = fake_devalidate,
    .free_page = fake_free,
};

static void set_children(unsigned long mfn, unsigned int n, const unsigned long *children)
{
    assert_true(n <= MAX_CHILD);
    memcpy(fake.child[mfn], children, n * sizeof(*children));
    fake.nr_child[mfn] = n;
}

static unsigned long count(unsigned long mfn)
{
    return table[mfn].count_info & PGC_COUNT_MASK;
}

static unsigned long tcount(unsigned long mfn)
{
    return table[mfn].u.type_info & PGT_COUNT_MASK;
}

/* Every frame owned by dom_a, holding only its allocation reference. */
static int setup(void **state)
{
    unsigned long i;

    (void)state;
    table = calloc(NR, sizeof(*table));
    if (table == NULL)
        return -1;
    frame_table_init(table, NR);
    memset(&fake, 0, sizeof(fake));
    fake.fail_mfn = ~0UL;
    frame_table_set_ops(&fake_ops);
    for (i = 0; i < NR; i++)
        page_assign_owner(&table[i], &dom_a);
    shim_log_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    frame_table_set_ops(NULL);
    free(table);
    table = NULL;
    return 0;
}

/* ---- table and lookups ------------------------------------------------ */

static void test_init_and_lookup(void **state)
{
    (void)state;
    memset(table, 0xa5, NR * sizeof(*table));
    frame_table_init(table, NR);
    assert_int_equal(table[7].count_info, 0);
    assert_int_equal(table[7].u.type_info, 0);
    assert_null(table[7].owner);
    assert_true(mfn_valid(_mfn(0)));
    assert_true(mfn_valid(_mfn(NR - 1)));
    assert_false(mfn_valid(_mfn(NR)));
    assert_false(mfn_valid(INVALID_MFN));
    assert_ptr_equal(mfn_to_page(_mfn(5)), &table[5]);
    assert_int_equal(mfn_x(page_to_mfn(&table[NR - 1])), NR - 1);
}

static void test_init_bad_arguments_are_bugs(void **state)
{
    (void)state;
    expect_bug(frame_table_init(NULL, 1));
    expect_bug(frame_table_init(table, 0));
    expect_bug(frame_table_init(table, FRAME_TABLE_MAX_FRAMES + 1));
    assert_ptr_equal(frame_table, table);
    assert_int_equal(frame_table_nr, NR);
}

static void test_mfn_to_page_invalid_is_bug(void **state)
{
    (void)state;
    expect_bug(mfn_to_page(_mfn(NR)));
}

/* ---- general references ----------------------------------------------- */

static void test_assign_owner(void **state)
{
    (void)state;
    assert_int_equal(table[3].count_info, PGC_ALLOCATED | 1);
    assert_ptr_equal(page_get_owner(&table[3]), &dom_a);
    assert_int_equal(table[3].u.type_info, 0);
    expect_bug(page_assign_owner(&table[3], &dom_b));
}

static void test_get_put_page(void **state)
{
    (void)state;
    assert_int_equal(get_page(&table[3], &dom_a), 0);
    assert_int_equal(get_page(&table[3], &dom_a), 0);
    assert_int_equal(count(3), 3);
    put_page(&table[3]);
    put_page(&table[3]);
    assert_int_equal(table[3].count_info, PGC_ALLOCATED | 1);
    assert_int_equal(fake.frees, 0);
}

static const struct {
    const char *what;
    unsigned long count_info;
    const struct domain *owner;
} get_page_errors[] = {
    { "wrong owner", PGC_ALLOCATED | 1, &dom_b },
    { "not allocated", 0, &dom_a },
    { "in the free lists", PGC_FREE, &dom_a },
    { "count would overflow", PGC_ALLOCATED | PGC_COUNT_MASK, &dom_a },
    { "NULL owner asked", PGC_ALLOCATED | 1, NULL },
};

static void test_get_page_errors(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(get_page_errors); i++) {
        table[9].count_info = get_page_errors[i].count_info;
        if (get_page(&table[9], get_page_errors[i].owner) != -EINVAL)
            fail_msg("get_page '%s' did not fail with -EINVAL", get_page_errors[i].what);
        if (table[9].count_info != get_page_errors[i].count_info)
            fail_msg("get_page '%s' changed count_info", get_page_errors[i].what);
    }
    assert_int_equal(fake.frees, 0);
}

static void test_release_frees_after_last_reference(void **state)
{
    (void)state;
    assert_int_equal(get_page(&table[4], &dom_a), 0);
    assert_int_equal(page_release(&table[4]), 0);
    assert_int_equal(table[4].count_info, 1);
    assert_int_equal(fake.frees, 0);
    /* The allocation reference is gone: no second release, no new refs... */
    assert_int_equal(page_release(&table[4]), -EINVAL);
    /* ... well, a transient one is fine while someone still holds one. */
    assert_int_equal(get_page(&table[4], &dom_a), 0);
    put_page(&table[4]);
    assert_int_equal(fake.frees, 0);
    put_page(&table[4]);
    assert_int_equal(fake.frees, 1);
    assert_int_equal(fake.free_log[0], 4);
    assert_int_equal(get_page(&table[4], &dom_a), -EINVAL);
}

static void test_release_without_other_refs_frees_at_once(void **state)
{
    (void)state;
    assert_int_equal(page_release(&table[6]), 0);
    assert_int_equal(fake.frees, 1);
    assert_int_equal(fake.free_log[0], 6);
}

static void test_put_page_unheld_is_bug(void **state)
{
    (void)state;
    assert_int_equal(page_release(&table[6]), 0);
    expect_bug(put_page(&table[6]));
}

static void test_last_put_with_type_ref_is_bug(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(&table[6], PGT_WRITABLE), 0);
    expect_bug(page_release(&table[6]));
}

/* ---- type references -------------------------------------------------- */

static void test_writable_needs_no_validation(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(&table[5], PGT_WRITABLE), 0);
    assert_int_equal(get_page_type(&table[5], PGT_WRITABLE), 0);
    assert_int_equal(table[5].u.type_info, PGT_WRITABLE | PGT_VALIDATED | 2);
    put_page_type(&table[5]);
    put_page_type(&table[5]);
    assert_int_equal(table[5].u.type_info, PGT_WRITABLE | PGT_VALIDATED);
    assert_int_equal(fake.validates, 0);
    assert_int_equal(fake.devalidates, 0);
}

static const struct {
    unsigned long held, wanted;
} type_conflicts[] = {
    { PGT_WRITABLE, PGT_L1 }, { PGT_WRITABLE, PGT_L4 }, { PGT_WRITABLE, PGT_SEG_DESC },
    { PGT_L1, PGT_WRITABLE }, { PGT_L1, PGT_L2 }, { PGT_L2, PGT_L1 },
    { PGT_L3, PGT_L4 }, { PGT_L4, PGT_L3 }, { PGT_SEG_DESC, PGT_WRITABLE },
    { PGT_SEG_DESC, PGT_L1 },
};

static void test_type_conflict_fails_while_count_nonzero(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(type_conflicts); i++) {
        struct page_info *pg = &table[10 + i];
        unsigned long before;

        assert_int_equal(get_page_type(pg, type_conflicts[i].held), 0);
        before = pg->u.type_info;
        if (get_page_type(pg, type_conflicts[i].wanted) != -EINVAL)
            fail_msg("row %zu: conflict not refused with -EINVAL", i);
        assert_int_equal(pg->u.type_info, before);
        put_page_type(pg);
        /* At count 0 the type may change. */
        assert_int_equal(get_page_type(pg, type_conflicts[i].wanted), 0);
        assert_int_equal(page_type(pg->u.type_info), type_conflicts[i].wanted);
        put_page_type(pg);
    }
}

static void test_type_count_overflow(void **state)
{
    unsigned long full = PGT_WRITABLE | PGT_VALIDATED | PGT_COUNT_MASK;

    (void)state;
    table[5].u.type_info = full;
    assert_int_equal(get_page_type(&table[5], PGT_WRITABLE), -EINVAL);
    assert_int_equal(table[5].u.type_info, full);
}

static void test_validate_on_first_use_only(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(&table[8], PGT_L1), 0);
    assert_int_equal(get_page_type(&table[8], PGT_L1), 0);
    assert_int_equal(get_page_type(&table[8], PGT_L1), 0);
    assert_int_equal(fake.validates, 1);
    assert_int_equal(fake.validate_log[0].mfn, 8);
    assert_int_equal(fake.validate_log[0].type, PGT_L1);
    assert_int_equal(table[8].u.type_info, PGT_L1 | PGT_VALIDATED | 3);
}

static void test_devalidate_exactly_at_zero(void **state)
{
    static const unsigned long data[] = { 40, 41 };

    (void)state;
    set_children(8, 2, data);
    assert_int_equal(get_page_type(&table[8], PGT_L1), 0);
    assert_int_equal(get_page_type(&table[8], PGT_L1), 0);
    assert_int_equal(get_page_type(&table[8], PGT_L1), 0);
    assert_int_equal(tcount(40), 1);
    put_page_type(&table[8]);
    put_page_type(&table[8]);
    assert_int_equal(fake.devalidates, 0);
    put_page_type(&table[8]);
    assert_int_equal(fake.devalidates, 1);
    assert_int_equal(fake.devalidate_log[0].mfn, 8);
    assert_int_equal(fake.devalidate_log[0].type, PGT_L1);
    assert_int_equal(table[8].u.type_info, PGT_L1);
    assert_int_equal(tcount(40), 0);
    assert_int_equal(count(40), 1);
    /* Revalidated on next use. */
    assert_int_equal(get_page_type(&table[8], PGT_L1), 0);
    assert_int_equal(fake.validates, 2);
    put_page_type(&table[8]);
    assert_int_equal(fake.devalidates, 2);
}

static const struct {
    const char *what;
    unsigned long type_info;    /* of the frame being validated, at count 0 */
    int rc;
} validate_failures[] = {
    { "never typed", 0, -EINVAL },
    { "was writable", PGT_WRITABLE | PGT_VALIDATED, -EINVAL },
    { "was an L1", PGT_L1, -EFAULT },
    { "same type, devalidated", PGT_L2, -EBADMSG },
};

/*
 * L2 frame 20 -> L1s 21 (fine) and 22 (fails): frame 20 and every count are
 * as before. Frame 21 was validated and, when the fake undid its reference,
 * devalidated: it is left an L1 with type count 0, which is as good as
 * untyped.
 */
static void test_validate_failure_leaves_no_state(void **state)
{
    static const unsigned long l1s[] = { 21, 22 };
    size_t i;

    (void)state;
    set_children(20, 2, l1s);
    fake.fail_mfn = 22;
    for (i = 0; i < ARRAY_SIZE(validate_failures); i++) {
        unsigned long c20, c21, c22;

        fake.fail_rc = validate_failures[i].rc;
        table[20].u.type_info = validate_failures[i].type_info;
        c20 = table[20].count_info;
        c21 = table[21].count_info;
        c22 = table[22].count_info;

        if (get_page_type(&table[20], PGT_L2) != validate_failures[i].rc)
            fail_msg("'%s': validate's error not returned", validate_failures[i].what);
        assert_int_equal(table[20].u.type_info, validate_failures[i].type_info);
        assert_int_equal(table[21].u.type_info, PGT_L1);
        assert_int_equal(table[22].u.type_info, 0);
        assert_int_equal(table[20].count_info, c20);
        assert_int_equal(table[21].count_info, c21);
        assert_int_equal(table[22].count_info, c22);
        assert_int_equal(fake.devalidates, i + 1);
        assert_int_equal(fake.devalidate_log[i].mfn, 21);
    }
}

/* An L2 naming itself as its L1: the nested request sees the frame mid-
 * validation with another type and fails, without waiting forever. */
static void test_self_reference_fails_cleanly(void **state)
{
    static const unsigned long self[] = { 20 };

    (void)state;
    set_children(20, 1, self);
    assert_int_equal(get_page_type(&table[20], PGT_L2), -EINVAL);
    assert_int_equal(table[20].u.type_info, 0);
    assert_int_equal(count(20), 1);
}

static void test_seg_desc_validated_not_devalidated(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(&table[30], PGT_SEG_DESC), 0);
    assert_int_equal(fake.validates, 1);
    put_page_type(&table[30]);
    assert_int_equal(fake.devalidates, 0);
    assert_int_equal(table[30].u.type_info, PGT_SEG_DESC | PGT_VALIDATED);
    /* Same type again: still valid, no new validation. */
    assert_int_equal(get_page_type(&table[30], PGT_SEG_DESC), 0);
    assert_int_equal(fake.validates, 1);
    put_page_type(&table[30]);
    /* After being writable it must be checked again. */
    assert_int_equal(get_page_type(&table[30], PGT_WRITABLE), 0);
    put_page_type(&table[30]);
    assert_int_equal(get_page_type(&table[30], PGT_SEG_DESC), 0);
    assert_int_equal(fake.validates, 2);
    put_page_type(&table[30]);
}

static void test_put_page_type_unheld_is_bug(void **state)
{
    (void)state;
    expect_bug(put_page_type(&table[5]));
}

static void test_bad_types_are_bugs(void **state)
{
    (void)state;
    expect_bug(get_page_type(&table[5], PGT_NONE));
    expect_bug(get_page_type(&table[5], 6UL << PGT_TYPE_SHIFT));
    expect_bug(get_page_type(&table[5], PGT_L1 | 1));
    expect_bug(page_pin(&table[5], PGT_WRITABLE));
    expect_bug(page_pin(&table[5], PGT_SEG_DESC));
    assert_int_equal(table[5].u.type_info, 0);
    assert_int_equal(count(5), 1);
}

static void test_get_page_and_type(void **state)
{
    (void)state;
    assert_int_equal(get_page_and_type(&table[5], &dom_b, PGT_WRITABLE), -EINVAL);
    assert_int_equal(count(5), 1);
    assert_int_equal(get_page_type(&table[5], PGT_L1), 0);
    assert_int_equal(get_page_and_type(&table[5], &dom_a, PGT_WRITABLE), -EINVAL);
    assert_int_equal(count(5), 1);
    assert_int_equal(get_page_and_type(&table[5], &dom_a, PGT_L1), 0);
    assert_int_equal(count(5), 2);
    assert_int_equal(tcount(5), 2);
    put_page_and_type(&table[5]);
    put_page_type(&table[5]);
    assert_int_equal(count(5), 1);
    assert_int_equal(tcount(5), 0);
}

/* ---- pinning and the cascade ------------------------------------------ */

/* L4 10 -> L3 11 -> L2 12 -> L1 13 -> data 14, 15 */
static void build_tree(void)
{
    static const unsigned long l3[] = { 11 }, l2[] = { 12 }, l1[] = { 13 },
                               data[] = { 14, 15 };

    set_children(10, 1, l3);
    set_children(11, 1, l2);
    set_children(12, 1, l1);
    set_children(13, 2, data);
}

static void test_pin_cascade_validates_whole_tree(void **state)
{
    static const struct { unsigned long mfn, type; } order[] = {
        { 10, PGT_L4 }, { 11, PGT_L3 }, { 12, PGT_L2 }, { 13, PGT_L1 },
    };
    unsigned long i;

    (void)state;
    build_tree();
    assert_int_equal(page_pin(&table[10], PGT_L4), 0);
    assert_true(table[10].u.type_info & PGT_PINNED);
    assert_int_equal(fake.validates, 4);
    for (i = 0; i < 4; i++) {
        assert_int_equal(fake.validate_log[i].mfn, order[i].mfn);
        assert_int_equal(fake.validate_log[i].type, order[i].type);
        assert_int_equal(table[order[i].mfn].u.type_info & ~PGT_PINNED,
                         order[i].type | PGT_VALIDATED | 1);
        assert_int_equal(count(order[i].mfn), 2);
    }
    assert_int_equal(table[14].u.type_info, PGT_WRITABLE | PGT_VALIDATED | 1);
    assert_int_equal(count(15), 2);

    /* Unpinning the root devalidates the whole tree, top down. */
    assert_int_equal(page_unpin(&table[10]), 0);
    assert_int_equal(fake.devalidates, 4);
    for (i = 0; i < 4; i++) {
        assert_int_equal(fake.devalidate_log[i].mfn, order[i].mfn);
        assert_int_equal(fake.devalidate_log[i].type, order[i].type);
        assert_int_equal(table[order[i].mfn].u.type_info, order[i].type);
    }
    for (i = 10; i <= 15; i++) {
        assert_int_equal(tcount(i), 0);
        assert_int_equal(table[i].count_info, PGC_ALLOCATED | 1);
    }
    /* Everything may now be mapped writable. */
    for (i = 10; i <= 13; i++) {
        assert_int_equal(get_page_type(&table[i], PGT_WRITABLE), 0);
        put_page_type(&table[i]);
    }
    assert_int_equal(fake.frees, 0);
}

/*
 * linux-pv-abi.md section 3.3: the builder's L4 (pinned + CR3, type count 2)
 * is replaced by Linux's own; when its last reference goes, it and its L3
 * and L2 are devalidated, the shared L1s survive, and the old frames can be
 * made writable.
 */
static void test_start_of_day_cascade(void **state)
{
    static const unsigned long l3a[] = { 21 }, l2a[] = { 22 }, l3b[] = { 31 },
                               l2b[] = { 32 }, l1s[] = { 23, 24 };
    unsigned long i;

    (void)state;
    set_children(20, 1, l3a);
    set_children(21, 1, l2a);
    set_children(22, 2, l1s);
    set_children(30, 1, l3b);
    set_children(31, 1, l2b);
    set_children(32, 2, l1s);

    /* Builder: pin + CR3. */
    assert_int_equal(page_pin(&table[20], PGT_L4), 0);
    assert_int_equal(get_page_and_type(&table[20], &dom_a, PGT_L4), 0);
    assert_int_equal(tcount(20), 2);
    assert_int_equal(fake.validates, 5);

    /* Linux pins its L4; the L1s are already valid. */
    assert_int_equal(page_pin(&table[30], PGT_L4), 0);
    assert_int_equal(fake.validates, 8);
    assert_int_equal(tcount(23), 2);

    /* Unpin the builder L4: still the CR3. */
    assert_int_equal(page_unpin(&table[20]), 0);
    assert_int_equal(tcount(20), 1);
    assert_int_equal(fake.devalidates, 0);

    /* NEW_BASEPTR: take the new root, drop the old one. */
    assert_int_equal(get_page_and_type(&table[30], &dom_a, PGT_L4), 0);
    put_page_and_type(&table[20]);
    assert_int_equal(fake.devalidates, 3);
    assert_int_equal(fake.devalidate_log[0].mfn, 20);
    assert_int_equal(fake.devalidate_log[1].mfn, 21);
    assert_int_equal(fake.devalidate_log[2].mfn, 22);
    assert_int_equal(table[23].u.type_info, PGT_L1 | PGT_VALIDATED | 1);
    assert_int_equal(table[24].u.type_info, PGT_L1 | PGT_VALIDATED | 1);

    /* update_va_mapping making the old L4/L3/L2 RW must succeed. */
    for (i = 20; i <= 22; i++) {
        assert_int_equal(get_page_and_type(&table[i], &dom_a, PGT_WRITABLE), 0);
        assert_int_equal(table[i].u.type_info, PGT_WRITABLE | PGT_VALIDATED | 1);
    }
    /* The shared L1s cannot: Linux's tree still uses them. */
    assert_int_equal(get_page_and_type(&table[23], &dom_a, PGT_WRITABLE), -EINVAL);
}

static void test_pin_errors(void **state)
{
    unsigned long before_t, before_c;

    (void)state;
    /* Pinning a pinned frame. */
    assert_int_equal(page_pin(&table[8], PGT_L1), 0);
    before_t = table[8].u.type_info;
    before_c = table[8].count_info;
    assert_int_equal(page_pin(&table[8], PGT_L1), -EINVAL);
    assert_int_equal(table[8].u.type_info, before_t);
    assert_int_equal(table[8].count_info, before_c);
    /* ... or as another type. */
    assert_int_equal(page_pin(&table[8], PGT_L2), -EINVAL);
    assert_int_equal(table[8].u.type_info, before_t);
    assert_int_equal(page_unpin(&table[8]), 0);

    /* Unpinning an unpinned frame, typed or not. */
    assert_int_equal(page_unpin(&table[8]), -EINVAL);
    assert_int_equal(get_page_type(&table[8], PGT_L1), 0);
    assert_int_equal(page_unpin(&table[8]), -EINVAL);
    assert_int_equal(table[8].u.type_info, PGT_L1 | PGT_VALIDATED | 1);
    put_page_type(&table[8]);

    /* A frame in use with another type. */
    assert_int_equal(get_page_type(&table[9], PGT_WRITABLE), 0);
    assert_int_equal(page_pin(&table[9], PGT_L1), -EINVAL);
    assert_int_equal(table[9].u.type_info, PGT_WRITABLE | PGT_VALIDATED | 1);
    assert_int_equal(count(9), 1);
    put_page_type(&table[9]);

    /* Content that does not validate. */
    fake.fail_mfn = 7;
    fake.fail_rc = -EINVAL;
    assert_int_equal(page_pin(&table[7], PGT_L3), -EINVAL);
    assert_int_equal(table[7].u.type_info, 0);
    assert_int_equal(table[7].count_info, PGC_ALLOCATED | 1);

    /* General count would overflow. */
    table[6].count_info = PGC_ALLOCATED | PGC_COUNT_MASK;
    assert_int_equal(page_pin(&table[6], PGT_L1), -EINVAL);
    assert_int_equal(table[6].u.type_info, 0);
    assert_int_equal(table[6].count_info, PGC_ALLOCATED | PGC_COUNT_MASK);
    /* Only the two L1 drops to zero of frame 8 devalidated anything. */
    assert_int_equal(fake.devalidates, 2);
}

static void test_last_type_put_while_pinned_is_bug(void **state)
{
    (void)state;
    assert_int_equal(page_pin(&table[8], PGT_L1), 0);
    expect_bug(put_page_type(&table[8]));
}

/* ---- M2P ---------------------------------------------------------------- */

static void test_m2p(void **state)
{
    static unsigned long m2p[16];
    static const struct {
        unsigned long mfn, pfn;
        int rc;
    } sets[] = {
        { 0, 100, 0 }, { 15, 7, 0 }, { 3, INVALID_M2P_ENTRY, 0 },
        { 16, 1, -EINVAL }, { ~0UL, 1, -EINVAL },
    };
    size_t i;

    (void)state;
    memset(m2p, 0, sizeof(m2p));
    m2p_init(m2p, ARRAY_SIZE(m2p));
    for (i = 0; i < ARRAY_SIZE(m2p); i++)
        assert_int_equal(get_gpfn_from_mfn(_mfn(i)), INVALID_M2P_ENTRY);
    for (i = 0; i < ARRAY_SIZE(sets); i++) {
        assert_int_equal(set_gpfn_from_mfn(_mfn(sets[i].mfn), sets[i].pfn), sets[i].rc);
        assert_int_equal(get_gpfn_from_mfn(_mfn(sets[i].mfn)),
                         sets[i].rc ? INVALID_M2P_ENTRY : sets[i].pfn);
    }
    assert_int_equal(m2p[0], 100);
    assert_int_equal(m2p[15], 7);
}

/* ---- with the real allocator behind free_page ---------------------------- */

static void free_to_buddy(struct page_info *pg)
{
    buddy_free(pg, 0);
}

static const struct page_ops buddy_ops = {
    .validate = fake_validate,
    .devalidate = fake_devalidate,
    .free_page = free_to_buddy,
};

/* Build, pin, unpin and release a tree: every frame returns to the heap. */
static void test_no_leak_through_allocator(void **state)
{
    struct page_info *pg[6];
    unsigned long baseline, i;

    (void)state;
    frame_table_init(table, NR);
    frame_table_set_ops(&buddy_ops);
    buddy_init();
    buddy_add_range(_mfn(0), NR);
    baseline = buddy_free_frames();

    for (i = 0; i < 6; i++) {
        pg[i] = buddy_alloc(0);
        assert_non_null(pg[i]);
        page_assign_owner(pg[i], &dom_b);
    }
    for (i = 0; i < 3; i++)
        set_children(mfn_of(pg[i]), 1, (unsigned long[]){ mfn_of(pg[i + 1]) });
    set_children(mfn_of(pg[3]), 2, (unsigned long[]){ mfn_of(pg[4]), mfn_of(pg[5]) });
    assert_int_equal(buddy_free_frames(), baseline - 6);

    assert_int_equal(page_pin(pg[0], PGT_L4), 0);
    /* The guest gives its memory back while the tree is still pinned. */
    for (i = 0; i < 6; i++)
        assert_int_equal(page_release(pg[i]), 0);
    assert_int_equal(buddy_free_frames(), baseline - 6);
    /* Domain teardown unpins: the cascade frees every frame. */
    assert_int_equal(get_page(pg[0], &dom_b), 0);
    assert_int_equal(page_unpin(pg[0]), 0);
    put_page(pg[0]);
    assert_int_equal(buddy_free_frames(), baseline);
    assert_int_equal(buddy_free_blocks(6), 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_init_and_lookup),
        T(test_init_bad_arguments_are_bugs),
        T(test_mfn_to_page_invalid_is_bug),
        T(test_assign_owner),
        T(test_get_put_page),
        T(test_get_page_errors),
        T(test_release_frees_after_last_reference),
        T(test_release_without_other_refs_frees_at_once),
        T(test_put_page_unheld_is_bug),
        T(test_last_put_with_type_ref_is_bug),
        T(test_writable_needs_no_validation),
        T(test_type_conflict_fails_while_count_nonzero),
        T(test_type_count_overflow),
        T(test_validate_on_first_use_only),
        T(test_devalidate_exactly_at_zero),
        T(test_validate_failure_leaves_no_state),
        T(test_self_reference_fails_cleanly),
        T(test_seg_desc_validated_not_devalidated),
        T(test_put_page_type_unheld_is_bug),
        T(test_bad_types_are_bugs),
        T(test_get_page_and_type),
        T(test_pin_cascade_validates_whole_tree),
        T(test_start_of_day_cascade),
        T(test_pin_errors),
        T(test_last_type_put_while_pinned_is_bug),
        T(test_m2p),
        T(test_no_leak_through_allocator),
    };
#undef T

    return cmocka_run_group_tests_name("frame_table", tests, NULL, NULL);
}
