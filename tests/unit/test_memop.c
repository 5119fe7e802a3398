/* SPDX-License-Identifier: MIT */
/*
 * memory_op's pure logic: memop_decode_reservation() against every check
 * Xen makes on a struct xen_memory_reservation (each failure is "nothing
 * done" to the guest), and memmap_machine_walk() against host maps as
 * loaders pass them (unsorted, unaligned ends, holes with and without
 * denied frames).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <keel/errno.h>
#include <keel/memop.h>

#include "host_shim.h"

#define MAX_PAGE 0x10000UL /* 256 MiB: get_order_from_pages = 16, 28 address bits */

static struct xen_memory_reservation resv(unsigned long nr, unsigned int order, uint32_t flags)
{
    struct xen_memory_reservation r;

    memset(&r, 0, sizeof(r));
    r.extent_start.p = (xen_pfn_t *)0x1000;
    r.nr_extents = nr;
    r.extent_order = order;
    r.mem_flags = flags;
    r.domid = DOMID_SELF;
    return r;
}

static int decode(unsigned int op, struct xen_memory_reservation r, unsigned long start,
                  bool priv, struct memop_args *a)
{
    return memop_decode_reservation(op, &r, start, priv, MAX_PAGE, a);
}

static void test_decode_plain(void **state)
{
    struct memop_args a;

    (void)state;
    assert_int_equal(decode(XENMEM_populate_physmap, resv(7, 2, 0), 3, false, &a), 0);
    assert_int_equal(a.extent_list, 0x1000);
    assert_int_equal(a.nr_extents, 7);
    assert_int_equal(a.extent_order, 2);
    assert_int_equal(a.start_extent, 3);
    assert_int_equal(a.below_mfn, 0);
    assert_int_equal(a.node, MEMOP_NO_NODE);
    assert_false(a.exact_node);
}

static void test_decode_counts(void **state)
{
    struct memop_args a;

    (void)state;
    /* The continuation must be able to carry nr_extents above the command. */
    assert_int_equal(decode(XENMEM_decrease_reservation, resv(UINT32_MAX >> 6, 0, 0), 0, false,
                            &a), 0);
    assert_int_equal(decode(XENMEM_decrease_reservation, resv((UINT32_MAX >> 6) + 1, 0, 0), 0,
                            false, &a), -EINVAL);
    assert_int_equal(decode(XENMEM_decrease_reservation, resv(~0UL, 0, 0), 0, false, &a),
                     -EINVAL);
    /* start_extent at or past the end. */
    assert_int_equal(decode(XENMEM_increase_reservation, resv(4, 0, 0), 4, false, &a), -EINVAL);
    assert_int_equal(decode(XENMEM_increase_reservation, resv(4, 0, 0), 5, false, &a), -EINVAL);
    assert_int_equal(decode(XENMEM_increase_reservation, resv(0, 0, 0), 0, false, &a), -EINVAL);
    assert_int_equal(decode(XENMEM_increase_reservation, resv(4, 0, 0), 3, false, &a), 0);
}

static void test_decode_orders(void **state)
{
    struct memop_args a;

    (void)state;
    assert_int_equal(memop_max_order(false), 9);
    assert_int_equal(memop_max_order(true), 18);
    assert_int_equal(decode(XENMEM_populate_physmap, resv(1, 9, 0), 0, false, &a), 0);
    assert_int_equal(decode(XENMEM_populate_physmap, resv(1, 10, 0), 0, false, &a), -EINVAL);
    assert_int_equal(decode(XENMEM_populate_physmap, resv(1, 18, 0), 0, true, &a), 0);
    assert_int_equal(decode(XENMEM_decrease_reservation, resv(1, 19, 0), 0, true, &a), -EINVAL);
    assert_int_equal(decode(XENMEM_decrease_reservation, resv(1, ~0U, 0), 0, true, &a), -EINVAL);
}

static void test_decode_pod(void **state)
{
    struct memop_args a;

    (void)state;
    /* Populate-on-demand is for HVM and never on oneself; others ignore the flag. */
    assert_int_equal(decode(XENMEM_populate_physmap, resv(1, 0, XENMEMF_populate_on_demand), 0,
                            true, &a), -EINVAL);
    assert_int_equal(decode(XENMEM_decrease_reservation,
                            resv(1, 0, XENMEMF_populate_on_demand), 0, true, &a), 0);
    assert_int_equal(decode(XENMEM_increase_reservation,
                            resv(1, 0, XENMEMF_populate_on_demand), 0, true, &a), 0);
}

static void test_decode_address_bits(void **state)
{
    static const struct {
        unsigned int bits;
        int rc;
        unsigned long below;
    } cases[] = {
        { 0, 0, 0 },                /* no limit */
        { 64, 0, 0 },               /* above the machine: no limit */
        { 28, 0, 0 },               /* exactly the machine: no limit */
        { 27, 0, 1UL << 15 },
        { 13, 0, 2 },
        { 12, -EINVAL, 0 },         /* a page or less */
        { 1, -EINVAL, 0 },
    };
    struct memop_args a;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = decode(XENMEM_populate_physmap,
                        resv(1, 0, XENMEMF_address_bits(cases[i].bits)), 0, false, &a);

        assert_int_equal(rc, cases[i].rc);
        if (!rc)
            assert_int_equal(a.below_mfn, cases[i].below);
    }
}

static void test_decode_nodes(void **state)
{
    struct memop_args a;

    (void)state;
    assert_int_equal(decode(XENMEM_populate_physmap, resv(1, 0, XENMEMF_node(3)), 0, true, &a), 0);
    assert_int_equal(a.node, 3);
    assert_false(a.exact_node);
    assert_int_equal(decode(XENMEM_populate_physmap, resv(1, 0, XENMEMF_exact_node(0)), 0, true,
                            &a), 0);
    assert_int_equal(a.node, 0);
    assert_true(a.exact_node);
    /* Beyond MAX_NUMNODES for the control domain. */
    assert_int_equal(decode(XENMEM_populate_physmap, resv(1, 0, XENMEMF_node(64)), 0, true, &a),
                     -EINVAL);
    /* Other domains: a wish is ignored, an exact request cannot be met. */
    assert_int_equal(decode(XENMEM_populate_physmap, resv(1, 0, XENMEMF_node(70)), 0, false, &a),
                     0);
    assert_int_equal(a.node, MEMOP_NO_NODE);
    assert_int_equal(decode(XENMEM_populate_physmap, resv(1, 0, XENMEMF_exact_node(1)), 0, false,
                            &a), -EINVAL);
    /* A virtual node: no domain has a vNUMA layout, so it is ignored. */
    assert_int_equal(decode(XENMEM_populate_physmap,
                            resv(1, 0, XENMEMF_node(70) | XENMEMF_vnode), 0, true, &a), 0);
    assert_int_equal(a.node, MEMOP_NO_NODE);
}

/* ---- memmap_machine_walk ---------------------------------------------- */

struct collected {
    struct memmap_entry e[32];
    unsigned int n;
    unsigned int fail_at;   /* return -EFAULT for this entry (0 = never) */
};

static int collect(void *ctx, const struct memmap_entry *e)
{
    struct collected *c = ctx;

    if (c->fail_at && c->n + 1 == c->fail_at)
        return -EFAULT;
    assert_true(c->n < 32);
    c->e[c->n++] = *e;
    return 0;
}

static void expect_entry(const struct collected *c, unsigned int i, uint64_t addr, uint64_t size,
                         uint32_t type)
{
    assert_true(i < c->n);
    assert_int_equal(c->e[i].addr, addr);
    assert_int_equal(c->e[i].size, size);
    assert_int_equal(c->e[i].type, type);
}

/* QEMU q35 with 256 MiB, in the order SeaBIOS reports it, shuffled. */
static const struct memmap_entry qemu_map[] = {
    { 0x100000, 0xfedf000, E820_RAM },
    { 0xb0000000, 0x10000000, E820_RESERVED },
    { 0, 0x9fc00, E820_RAM },
    { 0xfffc0000, 0x40000, E820_RESERVED },
    { 0x9fc00, 0x400, E820_RESERVED },
    { 0xf0000, 0x10000, E820_RESERVED },
};
static const unsigned long apics[] = { 0xfec00, 0xfee00 };

static void test_memmap_qemu(void **state)
{
    struct collected c = { .n = 0 };

    (void)state;
    assert_int_equal(memmap_machine_walk(qemu_map, 6, apics, 2, 1UL << 28, collect, &c), 0);
    assert_int_equal(c.n, 8);
    expect_entry(&c, 0, 0, 0x9fc00, E820_RAM);
    expect_entry(&c, 1, 0x9fc00, 0x400, E820_RESERVED);
    expect_entry(&c, 2, 0xf0000, 0x10000, E820_RESERVED);
    expect_entry(&c, 3, 0x100000, 0xfedf000, E820_RAM);
    expect_entry(&c, 4, 0xb0000000, 0x10000000, E820_RESERVED);
    expect_entry(&c, 5, 0xfec00000, 0x1000, E820_RESERVED);
    expect_entry(&c, 6, 0xfee00000, 0x1000, E820_RESERVED);
    expect_entry(&c, 7, 0xfffc0000, 0x40000, E820_RESERVED);
}

static void test_memmap_runs_and_limits(void **state)
{
    static const struct memmap_entry host[] = {
        { 0x10000, 0x10000, E820_RAM },     /* frames 0x10-0x1f */
    };
    /* A run of three in the first hole, one inside the entry, two above it
     * (the second right under the address limit), one at the limit. */
    static const unsigned long denied[] = { 0x2, 0x3, 0x4, 0x15, 0x40, 0x7e, 0x7f };
    struct collected c = { .n = 0 };

    (void)state;
    assert_int_equal(memmap_machine_walk(host, 1, denied, 7, 0x80, collect, &c), 0);
    assert_int_equal(c.n, 3);
    expect_entry(&c, 0, 0x2000, 0x3000, E820_RESERVED);
    expect_entry(&c, 1, 0x10000, 0x10000, E820_RAM);
    expect_entry(&c, 2, 0x40000, 0x1000, E820_RESERVED);
}

static void test_memmap_edges(void **state)
{
    static const struct memmap_entry overlapping[] = {
        { 0x0, 0x20000, E820_RAM },
        { 0x10000, 0x1800, E820_ACPI },     /* inside the first: no hole */
        { 0x30000, 0x1000, E820_NVS },
    };
    static const unsigned long denied[] = { 0x11, 0x25 };
    struct collected c = { .n = 0 };

    (void)state;
    /* No host map: nothing at all, as in Xen. */
    assert_int_equal(memmap_machine_walk(NULL, 0, denied, 2, 1UL << 36, collect, &c), 0);
    assert_int_equal(c.n, 0);

    assert_int_equal(memmap_machine_walk(overlapping, 3, denied, 2, 1UL << 36, collect, &c), 0);
    assert_int_equal(c.n, 4);
    expect_entry(&c, 0, 0x0, 0x20000, E820_RAM);
    expect_entry(&c, 1, 0x10000, 0x1800, E820_ACPI);
    expect_entry(&c, 2, 0x25000, 0x1000, E820_RESERVED);
    expect_entry(&c, 3, 0x30000, 0x1000, E820_NVS);

    /* The callback's error stops the walk and comes back. */
    c = (struct collected){ .n = 0, .fail_at = 3 };
    assert_int_equal(memmap_machine_walk(overlapping, 3, denied, 2, 1UL << 36, collect, &c),
                     -EFAULT);
    assert_int_equal(c.n, 2);
}

static void test_memmap_too_many(void **state)
{
    struct collected c = { .n = 0 };

    (void)state;
    expect_bug(memmap_machine_walk(qemu_map, BOOT_MAX_MEMMAP + 1, NULL, 0, 1, collect, &c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_plain),
        cmocka_unit_test(test_decode_counts),
        cmocka_unit_test(test_decode_orders),
        cmocka_unit_test(test_decode_pod),
        cmocka_unit_test(test_decode_address_bits),
        cmocka_unit_test(test_decode_nodes),
        cmocka_unit_test(test_memmap_qemu),
        cmocka_unit_test(test_memmap_runs_and_limits),
        cmocka_unit_test(test_memmap_edges),
        cmocka_unit_test(test_memmap_too_many),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
