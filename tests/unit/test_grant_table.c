/* SPDX-License-Identifier: MIT */
/*
 * Grant tables (hypervisor/common/grant_table.c, grant_map.c, grant_copy.c)
 * on the fake machine of tests/support/gnttab_fake.h: the real frame table,
 * two domains D0 (id 0, privileged) and D1 (id 5), fake L1 slots for host
 * mappings. Every operation goes through do_grant_table_op() with its
 * argument in host memory, as a guest's would be. Each test starts from
 * fresh domains; teardown checks the invariants (gnttab_check.c), kills
 * both domains and checks every frame, heap page and domain came back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/page_info.h>
#include <public/grant_table.h>
#include <public/xen.h>

#include "gnttab_check.h"
#include "gnttab_fake.h"
#include "grant_internal.h"
#include "host_shim.h"

#define D0 FAKE_D0
#define D1 FAKE_D1
#define ID0 0
#define ID1 FAKE_D1_ID
#define BAD_VA 0x1000UL
#define PA GTF_permit_access
#define RO GTF_readonly
#define FR0 (FAKE_D0_FIRST + 3)     /* a frame of D0 */
#define FR1 (FAKE_D1_FIRST + 3)     /* a frame of D1 */

static void check(void)
{
    const char *err = gnttab_check_invariants();

    if (err)
        fail_msg("invariant: %s", err);
}

static int setup(void **state)
{
    (void)state;
    gfake_init();
    memset(gcheck_extra_general, 0, sizeof(gcheck_extra_general));
    memset(gcheck_extra_type, 0, sizeof(gcheck_extra_type));
    gcheck_skip_status = false;
    return 0;
}

static int teardown(void **state)
{
    const char *err;

    (void)state;
    check();
    err = gfake_fini();
    if (err)
        fail_msg("teardown: %s", err);
    return 0;
}

static long op(unsigned int dom, unsigned long cmd, void *arg, unsigned long count)
{
    gfake_set_current(dom);
    return do_grant_table_op(cmd, (unsigned long)arg, count, 0, 0);
}

static uint16_t flags_of(unsigned int dom, grant_ref_t ref)
{
    return gfake_entry(dom, ref)->flags;
}

static struct page_info *pg(unsigned long mfn)
{
    return &frame_table[mfn];
}

static unsigned long count(unsigned long mfn)
{
    return pg(mfn)->count_info & PGC_COUNT_MASK;
}

/* ---- Helpers for map/unmap ---- */

struct mapped {
    int16_t status;
    grant_handle_t handle;
    uint64_t bus;
};

static struct mapped map(unsigned int dom, domid_t rdom, grant_ref_t ref, uint32_t flags,
                         uint64_t addr)
{
    struct gnttab_map_grant_ref m = {
        .host_addr = addr, .flags = flags, .ref = ref, .dom = rdom,
        .status = 0x55, .handle = 0xdead, .dev_bus_addr = 0xbeef,
    };

    assert_int_equal(op(dom, GNTTABOP_map_grant_ref, &m, 1), 0);
    return (struct mapped){ m.status, m.handle, m.dev_bus_addr };
}

static int16_t unmap(unsigned int dom, grant_handle_t h, uint64_t addr, uint64_t bus)
{
    struct gnttab_unmap_grant_ref u = {
        .host_addr = addr, .dev_bus_addr = bus, .handle = h, .status = 0x55,
    };

    assert_int_equal(op(dom, GNTTABOP_unmap_grant_ref, &u, 1), 0);
    return u.status;
}

static int16_t copy(unsigned int dom, uint16_t flags, uint64_t src, domid_t sdom, uint16_t soff,
                    uint64_t dst, domid_t ddom, uint16_t doff, uint16_t len)
{
    struct gnttab_copy c = { .len = len, .flags = flags, .status = 0x55 };

    if (flags & GNTCOPY_source_gref)
        c.source.u.ref = (grant_ref_t)src;
    else
        c.source.u.gmfn = src;
    c.source.domid = sdom;
    c.source.offset = soff;
    if (flags & GNTCOPY_dest_gref)
        c.dest.u.ref = (grant_ref_t)dst;
    else
        c.dest.u.gmfn = dst;
    c.dest.domid = ddom;
    c.dest.offset = doff;
    assert_int_equal(op(dom, GNTTABOP_copy, &c, 1), 0);
    return c.status;
}

/* ---- setup_table, query_size ---- */

static void test_query_size(void **state)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF, .status = 0x55 };

    (void)state;
    assert_int_equal(op(D1, GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(q.status, GNTST_okay);
    assert_int_equal(q.nr_frames, 1);
    assert_int_equal(q.max_nr_frames, GNTTAB_DEFAULT_MAX_FRAMES);

    q.dom = ID0;    /* D1 on D0: XSM_TARGET refuses */
    assert_int_equal(op(D1, GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(q.status, GNTST_permission_denied);
    q.dom = ID1;    /* the control domain on D1: fine */
    assert_int_equal(op(D0, GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(q.status, GNTST_okay);
    q.dom = 77;
    assert_int_equal(op(D0, GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(q.status, GNTST_bad_domain);
    q.dom = DOMID_IO;
    assert_int_equal(op(D0, GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(q.status, GNTST_bad_domain);

    assert_int_equal(op(D0, GNTTABOP_query_size, &q, 2), -EINVAL);
    assert_int_equal(op(D0, GNTTABOP_query_size, &q, 0), -EINVAL);
    assert_int_equal(op(D0, GNTTABOP_query_size, (void *)BAD_VA, 1), -EFAULT);
    q.dom = DOMID_SELF;
    assert_int_equal(op(D0, GNTTABOP_query_size, fake_ro_page, 1), -EFAULT);
}

static long setup_table(unsigned int dom, domid_t target, uint32_t nr, xen_pfn_t *list,
                        int16_t *status)
{
    struct gnttab_setup_table s = { .dom = target, .nr_frames = nr, .status = 0x55 };
    long rc;

    s.frame_list.p = list;
    rc = op(dom, GNTTABOP_setup_table, &s, 1);
    *status = s.status;
    return rc;
}

static void test_setup_table(void **state)
{
    xen_pfn_t list[GNTTAB_DEFAULT_MAX_FRAMES + 1];
    struct domain *d1 = gfake_dom(D1);
    int16_t st;

    (void)state;
    assert_int_equal(setup_table(D1, DOMID_SELF, 4, list, &st), 0);
    assert_int_equal(st, GNTST_okay);
    assert_int_equal(d1->grant_table->nr_frames, 4);
    for (unsigned int i = 0; i < 4; i++) {
        assert_true(page_is_xen_heap(pg(list[i])));
        assert_ptr_equal(pg(list[i])->owner, d1);
        /* The allocation reference and the table's own. */
        assert_int_equal(count(list[i]), 2);
    }
    assert_int_equal(d1->xenheap_pages, 4);
    /* Smaller than the table: the first frames, nothing shrinks. */
    assert_int_equal(setup_table(D1, ID1, 2, list, &st), 0);
    assert_int_equal(st, GNTST_okay);
    assert_int_equal(d1->grant_table->nr_frames, 4);
    assert_int_equal(setup_table(D1, DOMID_SELF, 0, NULL, &st), 0);
    assert_int_equal(st, GNTST_okay);

    /* Limits and lookups. */
    assert_int_equal(setup_table(D1, DOMID_SELF, GNTTAB_DEFAULT_MAX_FRAMES + 1, list, &st), 0);
    assert_int_equal(st, GNTST_general_error);
    assert_int_equal(setup_table(D1, ID0, 1, list, &st), 0);
    assert_int_equal(st, GNTST_permission_denied);
    assert_int_equal(setup_table(D0, 99, 1, list, &st), 0);
    assert_int_equal(st, GNTST_bad_domain);
    assert_int_equal(setup_table(D0, ID1, 5, list, &st), 0);     /* control domain */
    assert_int_equal(st, GNTST_okay);
    assert_int_equal(d1->grant_table->nr_frames, 5);

    /* Guest memory. */
    assert_int_equal(setup_table(D1, DOMID_SELF, 1, (xen_pfn_t *)BAD_VA, &st), -EFAULT);
    assert_int_equal(setup_table(D1, DOMID_SELF, 1, (xen_pfn_t *)fake_ro_page, &st), 0);
    assert_int_equal(st, GNTST_bad_virt_addr);
    {
        struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 1 };

        s.frame_list.p = list;
        assert_int_equal(op(D1, GNTTABOP_setup_table, &s, 2), -EINVAL);
        assert_int_equal(op(D1, GNTTABOP_setup_table, (void *)BAD_VA, 1), -EFAULT);
    }

    /* Out of memory half way: nothing changes. */
    gfake_heap_fail_after = 3;
    assert_int_equal(setup_table(D1, DOMID_SELF, 8, list, &st), 0);
    assert_int_equal(st, GNTST_general_error);
    assert_int_equal(d1->grant_table->nr_frames, 5);
    assert_int_equal(d1->xenheap_pages, 5);
    gfake_heap_fail_after = 0;
    check();

    /* All the way up. */
    assert_int_equal(setup_table(D1, DOMID_SELF, GNTTAB_DEFAULT_MAX_FRAMES, list, &st), 0);
    assert_int_equal(st, GNTST_okay);
    assert_int_equal(d1->xenheap_pages, GNTTAB_DEFAULT_MAX_FRAMES);
}

/* ---- Versions, status frames, refused ops ---- */

static void test_versions(void **state)
{
    struct gnttab_set_version sv = { .version = 1 };
    struct gnttab_get_version gv = { .dom = DOMID_SELF, .version = 77 };
    struct gnttab_get_status_frames gs = { .nr_frames = 0, .dom = DOMID_SELF };
    uint64_t frames[2];

    (void)state;
    assert_int_equal(op(D1, GNTTABOP_set_version, &sv, 1), 0);
    assert_int_equal(sv.version, 1);
    sv.version = 2;     /* v2 not offered: Xen's "max-ver:1" answer */
    assert_int_equal(op(D1, GNTTABOP_set_version, &sv, 1), -ENOSYS);
    assert_int_equal(sv.version, 1);
    sv.version = 0;
    assert_int_equal(op(D1, GNTTABOP_set_version, &sv, 1), -EINVAL);
    assert_int_equal(sv.version, 1);
    sv.version = 3;
    assert_int_equal(op(D1, GNTTABOP_set_version, &sv, 0), -EINVAL);
    assert_int_equal(op(D1, GNTTABOP_set_version, (void *)BAD_VA, 1), -EFAULT);

    assert_int_equal(op(D1, GNTTABOP_get_version, &gv, 1), 0);
    assert_int_equal(gv.version, 1);
    gv.dom = ID0;
    assert_int_equal(op(D1, GNTTABOP_get_version, &gv, 1), -EPERM);
    gv.dom = 99;
    assert_int_equal(op(D0, GNTTABOP_get_version, &gv, 1), -ESRCH);
    gv.dom = ID1;
    gv.version = 0;
    assert_int_equal(op(D0, GNTTABOP_get_version, &gv, 1), 0);
    assert_int_equal(gv.version, 1);
    assert_int_equal(op(D0, GNTTABOP_get_version, (void *)BAD_VA, 1), -EFAULT);

    /* v1 has no status frames. */
    gs.frame_list.p = frames;
    assert_int_equal(op(D1, GNTTABOP_get_status_frames, &gs, 1), 0);
    assert_int_equal(gs.status, GNTST_okay);
    gs.nr_frames = 1;
    assert_int_equal(op(D1, GNTTABOP_get_status_frames, &gs, 1), 0);
    assert_int_equal(gs.status, GNTST_general_error);
    gs.dom = ID0;
    assert_int_equal(op(D1, GNTTABOP_get_status_frames, &gs, 1), 0);
    assert_int_equal(gs.status, GNTST_permission_denied);
    gs.dom = 99;
    assert_int_equal(op(D1, GNTTABOP_get_status_frames, &gs, 1), 0);
    assert_int_equal(gs.status, GNTST_bad_domain);
    assert_int_equal(op(D1, GNTTABOP_get_status_frames, &gs, 2), -EINVAL);
    gs.frame_list.p = (uint64_t *)BAD_VA;
    assert_int_equal(op(D1, GNTTABOP_get_status_frames, &gs, 1), -EFAULT);
}

static void test_refused_ops(void **state)
{
    struct gnttab_transfer t[2] = { { .mfn = FR1, .domid = ID0 } };
    struct gnttab_dump_table dt = { .dom = DOMID_SELF };

    (void)state;
    assert_int_equal(op(D1, GNTTABOP_transfer, t, 2), -EOPNOTSUPP);
    assert_int_equal(op(D1, GNTTABOP_transfer, (void *)BAD_VA, 1), -EFAULT);
    /* Gone from Xen long before 4.17. */
    assert_int_equal(op(D1, GNTTABOP_dump_table, &dt, 1), -ENOSYS);
    assert_int_equal(op(D1, 13, &dt, 1), -ENOSYS);
    assert_int_equal(op(D1, 99, NULL, 1), -ENOSYS);
    /* Count is an int in Xen: negative is -EINVAL; so are continuation bits. */
    assert_int_equal(op(D1, GNTTABOP_query_size, &dt, 0x80000000UL), -EINVAL);
    assert_int_equal(op(D1, GNTTABOP_query_size | (1 << 12), &dt, 1), -EINVAL);
    /* The whole array of a batch is checked first. */
    assert_int_equal(op(D1, GNTTABOP_map_grant_ref, (void *)BAD_VA, 1), -EFAULT);
    assert_int_equal(op(D1, GNTTABOP_copy, (void *)(FAKE_BAD_VA_END - 40), 2), -EFAULT);
    /* No elements: nothing to check or do (Xen's guest_handle_okay of 0). */
    assert_int_equal(op(D1, GNTTABOP_map_grant_ref, (void *)BAD_VA, 0), 0);
}

/* ---- Mapping ---- */

static void test_map_device_self(void **state)
{
    struct mapped m;

    (void)state;
    gfake_grant(D1, 8, PA, ID1, FR1);
    m = map(D1, ID1, 8, GNTMAP_device_map, 0);
    assert_int_equal(m.status, GNTST_okay);
    assert_int_equal(m.bus, (uint64_t)FR1 << 12);
    assert_int_equal(flags_of(D1, 8), PA | GTF_reading | GTF_writing);
    /* alloc + pin + device mapping; writable type for the device mapping */
    assert_int_equal(count(FR1), 3);
    assert_int_equal(page_type(pg(FR1)->u.type_info), PGT_WRITABLE);
    check();
    /* Wrong bus address: nothing happens. */
    assert_int_equal(unmap(D1, m.handle, 0, ((uint64_t)FR1 + 1) << 12), GNTST_bad_dev_addr);
    check();
    /* No address: nothing to undo, but fine (Xen). */
    assert_int_equal(unmap(D1, m.handle, 0, 0), GNTST_okay);
    assert_int_equal(flags_of(D1, 8), PA | GTF_reading | GTF_writing);
    assert_int_equal(unmap(D1, m.handle, 0, m.bus), GNTST_okay);
    assert_int_equal(flags_of(D1, 8), PA);
    assert_int_equal(count(FR1), 1);
    assert_int_equal(unmap(D1, m.handle, 0, m.bus), GNTST_bad_handle);
}

static void test_map_host_cross_domain(void **state)
{
    struct mapped m, r;

    (void)state;
    /* D1 grants FR1 to D0 read-only; D0 maps it by VA and by PTE address. */
    gfake_grant(D1, 9, PA | RO, ID0, FR1);
    m = map(D0, ID1, 9, GNTMAP_host_map, FAKE_VA(1));
    assert_int_equal(m.status, GNTST_general_error);   /* read-only grant, RW map */
    assert_int_equal(flags_of(D1, 9), PA | RO);
    m = map(D0, ID1, 9, GNTMAP_host_map | GNTMAP_device_map, FAKE_VA(1));
    assert_int_equal(m.status, GNTST_general_error);
    m = map(D0, ID1, 9, GNTMAP_host_map | GNTMAP_readonly, FAKE_VA(1));
    assert_int_equal(m.status, GNTST_okay);
    assert_int_equal(flags_of(D1, 9), PA | RO | GTF_reading);
    r = map(D0, ID1, 9, GNTMAP_host_map | GNTMAP_readonly | GNTMAP_contains_pte,
            FAKE_PTE_MA(2));
    assert_int_equal(r.status, GNTST_okay);
    assert_int_not_equal(r.handle, m.handle);
    /* Pinned read-only: a write pin still checks GTF_readonly. */
    assert_int_equal(map(D0, ID1, 9, GNTMAP_device_map, 0).status, GNTST_general_error);
    assert_int_equal(gfake.dom[D0].slots[1] >> 12, FR1);
    assert_int_equal(gnttab_active_entry(gfake_dom(D1)->grant_table, 9)->pin,
                     2 * GNTPIN_HSTR_INC);
    check();

    /* D1 cannot map a grant it gave to D0 while D0 holds it. */
    assert_int_equal(map(D1, ID1, 9, GNTMAP_host_map | GNTMAP_readonly, FAKE_VA(3)).status,
                     GNTST_general_error);
    /* Unmap by the wrong address: the mapping stays. */
    assert_int_equal(unmap(D0, m.handle, FAKE_VA(2) + 4096, 0), GNTST_general_error);
    assert_int_equal(unmap(D0, m.handle, FAKE_VA(1), 0), GNTST_okay);
    assert_int_equal(gfake.dom[D0].slots[1], 0);
    assert_int_equal(flags_of(D1, 9), PA | RO | GTF_reading);
    assert_int_equal(unmap(D0, r.handle, FAKE_PTE_MA(2), 0), GNTST_okay);
    assert_int_equal(flags_of(D1, 9), PA | RO);
    assert_int_equal(count(FR1), 1);
}

struct map_case {
    const char *what;
    uint16_t gflags;
    domid_t gdomid;         /* the entry's grantee */
    uint32_t frame;
    domid_t dom;            /* the op's granter */
    grant_ref_t ref;
    uint32_t mflags;
    uint64_t addr;
    int16_t status;
};

static void test_map_refusals(void **state)
{
    const struct map_case cases[] = {
        { "not granted to the caller", PA, ID1, FR1, ID1, 10, GNTMAP_device_map, 0,
          GNTST_general_error },
        { "entry invalid", 0, ID0, FR1, ID1, 10, GNTMAP_device_map, 0, GNTST_general_error },
        { "accept_transfer entry", GTF_accept_transfer, ID0, FR1, ID1, 10, GNTMAP_device_map, 0,
          GNTST_general_error },
        { "sub-page entry (v2 only)", PA | GTF_sub_page, ID0, FR1, ID1, 10, GNTMAP_device_map, 0,
          GNTST_general_error },
        { "ref beyond the table", PA, ID0, FR1, ID1, 512, GNTMAP_device_map, 0,
          GNTST_bad_gntref },
        { "huge ref", PA, ID0, FR1, ID1, 0xffffffffU, GNTMAP_device_map, 0, GNTST_bad_gntref },
        { "no host or device flag", PA, ID0, FR1, ID1, 10, GNTMAP_readonly, 0,
          GNTST_bad_gntref },
        { "DOMID_SELF as granter", PA, ID0, FR0, DOMID_SELF, 10, GNTMAP_device_map, 0,
          GNTST_bad_domain },
        { "unknown granter", PA, ID0, FR1, 77, 10, GNTMAP_device_map, 0, GNTST_bad_domain },
        { "frame not the granter's", PA, ID0, FR0, ID1, 10, GNTMAP_device_map, 0,
          GNTST_bad_page },
        { "I/O frame", PA, ID0, FAKE_IO_MFN, ID1, 10, GNTMAP_device_map, 0, GNTST_bad_page },
        { "free heap frame", PA, ID0, FAKE_IO_MFN - 1, ID1, 10, GNTMAP_device_map, 0,
          GNTST_bad_page },
        { "frame beyond the machine", PA, ID0, 0xfffffff0U, ID1, 10, GNTMAP_device_map, 0,
          GNTST_bad_page },
        { "host address not an L1 entry", PA, ID0, FR1, ID1, 10, GNTMAP_host_map,
          FAKE_VA(FAKE_BAD_SLOT), GNTST_general_error },
        { "misaligned PTE address", PA, ID0, FR1, ID1, 10,
          GNTMAP_host_map | GNTMAP_contains_pte, FAKE_PTE_MA(1) + 4, GNTST_general_error },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct map_case *c = &cases[i];
        unsigned long before = count(FR1);

        gfake_grant(D1, 10, c->gflags, c->gdomid, c->frame);
        if (c->dom == DOMID_SELF)
            gfake_grant(D0, 10, c->gflags, c->gdomid, c->frame);
        if (map(D0, c->dom, c->ref, c->mflags, c->addr).status != c->status)
            fail_msg("%s: status %d, expected %d", c->what,
                     map(D0, c->dom, c->ref, c->mflags, c->addr).status, c->status);
        /* Nothing held, the entry as it was. */
        assert_int_equal(flags_of(D1, 10), c->gflags);
        assert_int_equal(count(FR1), before);
        assert_int_equal(gfake_dom(D0)->grant_table->maptrack_in_use, 0);
        check();
    }
}

static void test_map_page_table_frame(void **state)
{
    (void)state;
    /* FR1 is one of D1's page tables: read-only mappings only. */
    assert_int_equal(get_page_and_type(pg(FR1), gfake_dom(D1), PGT_L1), 0);
    gcheck_extra_general[FR1] = 1;
    gcheck_extra_type[FR1] = 1;
    gfake_grant(D1, 11, PA, ID0, FR1);
    assert_int_equal(map(D0, ID1, 11, GNTMAP_host_map, FAKE_VA(1)).status,
                     GNTST_general_error);
    assert_int_equal(map(D0, ID1, 11, GNTMAP_device_map, 0).status, GNTST_general_error);
    assert_int_equal(flags_of(D1, 11), PA);
    check();
    assert_int_equal(map(D0, ID1, 11, GNTMAP_host_map | GNTMAP_readonly, FAKE_VA(1)).status,
                     GNTST_okay);
    check();
    /* And a frame mapped writable through a grant cannot become a page table. */
    gfake_grant(D1, 12, PA, ID0, FR1 + 1);
    assert_int_equal(map(D0, ID1, 12, GNTMAP_host_map, FAKE_VA(2)).status, GNTST_okay);
    assert_int_equal(get_page_type(pg(FR1 + 1), PGT_L1), -EINVAL);
    put_page_and_type(pg(FR1));
    gcheck_extra_general[FR1] = 0;
    gcheck_extra_type[FR1] = 0;
}

static void test_unmap_hostile(void **state)
{
    struct mapped m;
    struct gnttab_unmap_grant_ref u[2] = { { .handle = 0 }, { .handle = 0 } };

    (void)state;
    /* Forged handles. */
    assert_int_equal(unmap(D0, 0, FAKE_VA(1), 0), GNTST_bad_handle);
    assert_int_equal(unmap(D0, 0xffffffffU, FAKE_VA(1), 0), GNTST_bad_handle);
    gfake_grant(D1, 13, PA, ID0, FR1);
    m = map(D0, ID1, 13, GNTMAP_host_map, FAKE_VA(4));
    assert_int_equal(m.status, GNTST_okay);
    assert_int_equal(unmap(D0, m.handle + 1, FAKE_VA(4), 0), GNTST_bad_handle);
    assert_int_equal(unmap(D0, GNTTAB_MAPTRACK_PER_PAGE, FAKE_VA(4), 0), GNTST_bad_handle);
    /* Another domain's handle is its own maptrack's: nothing there. */
    assert_int_equal(unmap(D1, m.handle, FAKE_VA(4), 0), GNTST_bad_handle);
    /* The guest overwrote the PTE: its references went with it (Xen), the
     * unmap fails and the grant stays pinned until the domain dies. */
    gfake_pte_write(D0, 4, ((uint64_t)FR0 << 12) | 3);
    check();
    assert_int_equal(unmap(D0, m.handle, FAKE_VA(4), 0), GNTST_general_error);
    assert_int_equal(flags_of(D1, 13), PA | GTF_reading | GTF_writing);
    assert_int_equal(count(FR1), 2);    /* alloc + pin */
    check();
    /* A batch whose status cannot be written: -EFAULT, the first op done. */
    gfake_grant(D1, 14, PA, ID0, FR1 + 1);
    m = map(D0, ID1, 14, GNTMAP_device_map, 0);
    u[0].handle = m.handle;
    u[0].dev_bus_addr = m.bus;
    memcpy(fake_ro_page, u, sizeof(u));
    assert_int_equal(op(D0, GNTTABOP_unmap_grant_ref, fake_ro_page, 1), -EFAULT);
    assert_int_equal(flags_of(D1, 14), PA);
    memset(fake_ro_page, 0, sizeof(u));
    /* Killing D0 ends the stuck mapping. */
    gfake_domain_kill(D0);
    assert_int_equal(flags_of(D1, 13), PA);
    assert_int_equal(count(FR1), 1);
}

static void test_end_grant_while_mapped(void **state)
{
    struct mapped m;

    (void)state;
    gfake_grant(D1, 15, PA, ID0, FR1);
    m = map(D0, ID1, 15, GNTMAP_host_map, FAKE_VA(5));
    assert_int_equal(m.status, GNTST_okay);
    /* The granter revokes and repoints the entry (keeping the bits that are
     * ours): the pins stand, and it sees GTF_reading/GTF_writing, so it
     * must not reuse the frame. */
    gfake_grant(D1, 15, GTF_reading | GTF_writing, ID0, FR1 + 2);
    assert_int_equal(flags_of(D1, 15), GTF_reading | GTF_writing);
    /* Pinned: more mappings of the same frame by the holder (Xen). */
    assert_int_equal(map(D0, ID1, 15, GNTMAP_device_map | GNTMAP_readonly, 0).status,
                     GNTST_okay);
    assert_int_equal(gnttab_active_entry(gfake_dom(D1)->grant_table, 15)->mfn, FR1);
    check();
    assert_int_equal(unmap(D0, m.handle, FAKE_VA(5), 0), GNTST_okay);
    assert_int_equal(flags_of(D1, 15), GTF_reading);
    assert_int_equal(unmap(D0, m.handle + 1, 0, (uint64_t)FR1 << 12), GNTST_okay);
    assert_int_equal(flags_of(D1, 15), 0);
    /* Not pinned any more: the entry's flags count again. */
    assert_int_equal(map(D0, ID1, 15, GNTMAP_device_map, 0).status, GNTST_general_error);
}

static void test_guest_changes_bits(void **state)
{
    struct mapped m;

    (void)state;
    /* A hostile granter clears our status bits under a pin: the pin holds,
     * and the last unpin clears them (they are ours). */
    gfake_grant(D1, 16, PA, ID0, FR1);
    m = map(D0, ID1, 16, GNTMAP_device_map, 0);
    gcheck_skip_status = true;
    gfake_grant(D1, 16, PA | RO, ID0, FR1);
    /* A read pin added to a write-pinned entry needs no flag check. */
    assert_int_equal(map(D0, ID1, 16, GNTMAP_device_map | GNTMAP_readonly, 0).status,
                     GNTST_okay);
    check();
    assert_int_equal(unmap(D0, m.handle, 0, m.bus), GNTST_okay);
    assert_int_equal(unmap(D0, m.handle + 1, 0, m.bus), GNTST_okay);
    assert_int_equal(flags_of(D1, 16), PA | RO);
    gcheck_skip_status = false;
}

static void test_pin_overflow(void **state)
{
    unsigned int i;

    (void)state;
    gfake_grant(D1, 17, PA | RO, ID0, FR1);
    for (i = 0; i < 128; i++)
        assert_int_equal(map(D0, ID1, 17, GNTMAP_device_map | GNTMAP_readonly, 0).status,
                         GNTST_okay);
    assert_int_equal(map(D0, ID1, 17, GNTMAP_device_map | GNTMAP_readonly, 0).status,
                     GNTST_general_error);
    /* The other counters are independent. */
    assert_int_equal(map(D0, ID1, 17, GNTMAP_host_map | GNTMAP_readonly, FAKE_VA(1)).status,
                     GNTST_okay);
    check();
}

static void test_maptrack_exhaustion(void **state)
{
    (void)state;
    gfake_grant(D1, 18, PA, ID0, FR1);
    /* The first maptrack page cannot be allocated: GNTST_no_space. */
    gfake_heap_fail_after = 2;
    assert_int_equal(map(D0, ID1, 18, GNTMAP_device_map, 0).status, GNTST_no_space);
    gfake_heap_fail_after = 0;
    assert_int_equal(flags_of(D1, 18), PA);
    assert_int_equal(map(D0, ID1, 18, GNTMAP_device_map, 0).status, GNTST_okay);
}

static void test_map_batch_continues(void **state)
{
    static struct gnttab_map_grant_ref m[GNTTAB_BATCH + 3];

    (void)state;
    gfake_grant(D1, 19, PA | RO, ID0, FR1);
    for (unsigned int i = 0; i < ARRAY_SIZE(m); i++)
        m[i] = (struct gnttab_map_grant_ref){ .flags = GNTMAP_device_map | GNTMAP_readonly,
                                               .ref = 19, .dom = ID1 };
    assert_int_equal(op(D0, GNTTABOP_map_grant_ref, m, ARRAY_SIZE(m)), FAKE_CONTINUED);
    assert_int_equal(gfake.cont_nr, __HYPERVISOR_grant_table_op);
    assert_int_equal(gfake.cont_args[0], GNTTABOP_map_grant_ref);
    assert_int_equal(gfake.cont_args[1], (unsigned long)&m[GNTTAB_BATCH]);
    assert_int_equal(gfake.cont_args[2], 3);
    assert_int_equal(m[GNTTAB_BATCH - 1].status, GNTST_okay);
    assert_int_equal(op(D0, gfake.cont_args[0], (void *)gfake.cont_args[1], gfake.cont_args[2]),
                     0);
    for (unsigned int i = 0; i < ARRAY_SIZE(m); i++)
        assert_int_equal(m[i].status, GNTST_okay);
    check();
}

static void test_unmap_and_replace(void **state)
{
    struct gnttab_unmap_and_replace r = { .host_addr = FAKE_VA(1), .new_addr = FAKE_VA(2) };
    struct mapped m;

    (void)state;
    gfake_grant(D1, 20, PA, ID0, FR1);
    m = map(D0, ID1, 20, GNTMAP_host_map, FAKE_VA(1));
    gfake_pte_write(D0, 2, ((uint64_t)FR0 << 12) | 1);
    r.handle = m.handle;
    assert_int_equal(op(D0, GNTTABOP_unmap_and_replace, &r, 1), 0);
    assert_int_equal(r.status, GNTST_okay);
    assert_int_equal(gfake.dom[D0].slots[1], ((uint64_t)FR0 << 12) | 1);
    assert_int_equal(gfake.dom[D0].slots[2], 0);
    assert_int_equal(flags_of(D1, 20), PA);
    check();
    /* Not with a PTE address. */
    m = map(D0, ID1, 20, GNTMAP_host_map | GNTMAP_contains_pte, FAKE_PTE_MA(3));
    r = (struct gnttab_unmap_and_replace){ .host_addr = FAKE_PTE_MA(3), .new_addr = FAKE_VA(1),
                                           .handle = m.handle };
    assert_int_equal(op(D0, GNTTABOP_unmap_and_replace, &r, 1), 0);
    assert_int_equal(r.status, GNTST_general_error);
    r.new_addr = 0;
    assert_int_equal(op(D0, GNTTABOP_unmap_and_replace, &r, 1), 0);
    assert_int_equal(r.status, GNTST_okay);
    r.handle = 77;
    assert_int_equal(op(D0, GNTTABOP_unmap_and_replace, &r, 1), 0);
    assert_int_equal(r.status, GNTST_bad_handle);
}

/* ---- Copy ---- */

static void fill(unsigned long mfn, uint8_t seed)
{
    for (unsigned int i = 0; i < 4096; i++)
        gfake_mem[mfn][i] = (uint8_t)(seed + i);
}

static void test_copy_directions(void **state)
{
    (void)state;
    fill(FR1, 1);
    fill(FR0, 100);
    gfake_grant(D1, 21, PA, ID0, FR1);
    /* gref -> own frame */
    assert_int_equal(copy(D0, GNTCOPY_source_gref, 21, ID1, 10, FR0, DOMID_SELF, 20, 100),
                     GNTST_okay);
    assert_memory_equal(&gfake_mem[FR0][20], &gfake_mem[FR1][10], 100);
    assert_int_equal(flags_of(D1, 21), PA);
    /* own frame -> gref */
    fill(FR0, 7);
    assert_int_equal(copy(D0, GNTCOPY_dest_gref, FR0, DOMID_SELF, 0, 21, ID1, 4000, 96),
                     GNTST_okay);
    assert_memory_equal(&gfake_mem[FR1][4000], &gfake_mem[FR0][0], 96);
    /* gref -> gref, both D1's (granted to D0), overlapping within one frame */
    gfake_grant(D1, 22, PA, ID0, FR1);
    fill(FR1, 3);
    assert_int_equal(copy(D0, GNTCOPY_source_gref | GNTCOPY_dest_gref, 21, ID1, 0, 22, ID1, 1,
                          4095), GNTST_okay);
    assert_int_equal(gfake_mem[FR1][1], 3);
    assert_int_equal(gfake_mem[FR1][4095], (uint8_t)(3 + 4094));
    /* own frame -> own frame; a self grant */
    gfake_grant(D0, 23, PA, ID0, FR0 + 1);
    assert_int_equal(copy(D0, GNTCOPY_dest_gref, FR0, DOMID_SELF, 0, 23, ID0, 0, 4096),
                     GNTST_okay);
    assert_memory_equal(gfake_mem[FR0 + 1], gfake_mem[FR0], 4096);
    assert_int_equal(copy(D0, 0, FR0, DOMID_SELF, 0, FR0 + 2, DOMID_SELF, 0, 0), GNTST_okay);
    check();
}

struct copy_case {
    const char *what;
    uint16_t flags;
    uint64_t src;
    domid_t sdom;
    uint16_t soff;
    uint64_t dst;
    domid_t ddom;
    uint16_t doff;
    uint16_t len;
    int16_t status;
};

static void test_copy_refusals(void **state)
{
    const struct copy_case cases[] = {
        { "source end at the page end", GNTCOPY_source_gref, 24, ID1, 4095, FR0, DOMID_SELF, 0,
          1, GNTST_okay },
        { "source beyond the page", GNTCOPY_source_gref, 24, ID1, 4095, FR0, DOMID_SELF, 0, 2,
          GNTST_bad_copy_arg },
        { "dest beyond the page", GNTCOPY_source_gref, 24, ID1, 0, FR0, DOMID_SELF, 1, 4096,
          GNTST_bad_copy_arg },
        { "len beyond a page", 0, FR0, DOMID_SELF, 0, FR0 + 1, DOMID_SELF, 0, 4097,
          GNTST_bad_copy_arg },
        { "offset beyond the page", 0, FR0, DOMID_SELF, 5000, FR0 + 1, DOMID_SELF, 0, 0,
          GNTST_bad_copy_arg },
        { "frame of another domain by id", 0, FR1, ID1, 0, FR0, DOMID_SELF, 0, 8,
          GNTST_permission_denied },
        { "dest frame by id, even one's own", 0, FR0, DOMID_SELF, 0, FR0, ID0, 0, 8,
          GNTST_permission_denied },
        { "unknown source domain", GNTCOPY_source_gref, 24, 88, 0, FR0, DOMID_SELF, 0, 8,
          GNTST_bad_domain },
        { "unknown dest domain", GNTCOPY_dest_gref, FR0, DOMID_SELF, 0, 24, 88, 0, 8,
          GNTST_bad_domain },
        { "bad source ref", GNTCOPY_source_gref, 600, ID1, 0, FR0, DOMID_SELF, 0, 8,
          GNTST_bad_gntref },
        { "bad dest ref (order: domains, source, dest, range)", GNTCOPY_dest_gref, FR0,
          DOMID_SELF, 0, 600, ID1, 0, 9999, GNTST_bad_gntref },
        { "read-only grant as destination", GNTCOPY_dest_gref, FR0, DOMID_SELF, 0, 25, ID1, 0,
          8, GNTST_general_error },
        { "read-only grant as source", GNTCOPY_source_gref, 25, ID1, 0, FR0, DOMID_SELF, 0, 8,
          GNTST_okay },
        { "grant to someone else", GNTCOPY_source_gref, 26, ID1, 0, FR0, DOMID_SELF, 0, 8,
          GNTST_general_error },
        { "source frame not ours", 0, FR1, DOMID_SELF, 0, FR0, DOMID_SELF, 0, 8,
          GNTST_bad_page },
        { "dest frame not ours", 0, FR0, DOMID_SELF, 0, FR1, DOMID_SELF, 0, 8, GNTST_bad_page },
        { "I/O frame", 0, FAKE_IO_MFN, DOMID_SELF, 0, FR0, DOMID_SELF, 0, 8, GNTST_bad_page },
        { "frame beyond the machine", 0, 1UL << 40, DOMID_SELF, 0, FR0, DOMID_SELF, 0, 8,
          GNTST_bad_page },
        { "dest is a page table", 0, FR0, DOMID_SELF, 0, FR0 + 5, DOMID_SELF, 0, 8,
          GNTST_general_error },
        { "granted frame not the granter's", GNTCOPY_source_gref, 27, ID1, 0, FR0, DOMID_SELF,
          0, 8, GNTST_bad_page },
    };

    (void)state;
    gfake_grant(D1, 24, PA, ID0, FR1);
    gfake_grant(D1, 25, PA | RO, ID0, FR1);
    gfake_grant(D1, 26, PA, ID1, FR1);
    gfake_grant(D1, 27, PA, ID0, FR0);
    assert_int_equal(get_page_and_type(pg(FR0 + 5), gfake_dom(D0), PGT_L2), 0);
    gcheck_extra_general[FR0 + 5] = gcheck_extra_type[FR0 + 5] = 1;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const struct copy_case *c = &cases[i];
        int16_t st = copy(D0, c->flags, c->src, c->sdom, c->soff, c->dst, c->ddom, c->doff,
                          c->len);

        if (st != c->status)
            fail_msg("%s: status %d, expected %d", c->what, st, c->status);
        check();
    }
    assert_int_equal(flags_of(D1, 24), PA);
    assert_int_equal(flags_of(D1, 25), PA | RO);
    put_page_and_type(pg(FR0 + 5));
    gcheck_extra_general[FR0 + 5] = gcheck_extra_type[FR0 + 5] = 0;
}

static void test_copy_upgrades_pin(void **state)
{
    struct mapped m;

    (void)state;
    /* Mapped read-only by us: a copy into it takes a write pin, which
     * needs the entry to still name the frame. */
    gfake_grant(D1, 28, PA, ID0, FR1);
    m = map(D0, ID1, 28, GNTMAP_device_map | GNTMAP_readonly, 0);
    assert_int_equal(m.status, GNTST_okay);
    assert_int_equal(copy(D0, GNTCOPY_dest_gref, FR0, DOMID_SELF, 0, 28, ID1, 0, 16),
                     GNTST_okay);
    assert_int_equal(flags_of(D1, 28), PA | GTF_reading);
    gfake_grant(D1, 28, PA | GTF_reading, ID0, FR1 + 1);
    assert_int_equal(copy(D0, GNTCOPY_dest_gref, FR0, DOMID_SELF, 0, 28, ID1, 0, 16),
                     GNTST_general_error);
    assert_int_equal(flags_of(D1, 28), PA | GTF_reading);
    /* Reading still uses the pinned frame. */
    assert_int_equal(copy(D0, GNTCOPY_source_gref, 28, ID1, 0, FR0, DOMID_SELF, 0, 16),
                     GNTST_okay);
    check();
    assert_int_equal(unmap(D0, m.handle, 0, m.bus), GNTST_okay);
}

static void test_copy_batch(void **state)
{
    static struct gnttab_copy c[GNTTAB_BATCH + 1];

    (void)state;
    for (unsigned int i = 0; i < ARRAY_SIZE(c); i++) {
        c[i].source.u.gmfn = FR0;
        c[i].source.domid = DOMID_SELF;
        c[i].dest.u.gmfn = FR0 + 1;
        c[i].dest.domid = DOMID_SELF;
        c[i].len = 8;
    }
    assert_int_equal(op(D0, GNTTABOP_copy, c, ARRAY_SIZE(c)), FAKE_CONTINUED);
    assert_int_equal(gfake.cont_args[2], 1);
    assert_int_equal(op(D0, gfake.cont_args[0], (void *)gfake.cont_args[1], gfake.cont_args[2]),
                     0);
    assert_int_equal(c[GNTTAB_BATCH].status, GNTST_okay);
    /* Status not writable: -EFAULT. */
    memcpy(fake_ro_page, c, sizeof(c[0]));
    assert_int_equal(op(D0, GNTTABOP_copy, fake_ro_page, 1), -EFAULT);
}

/* ---- swap, cache_flush ---- */

static void test_swap(void **state)
{
    struct gnttab_swap_grant_ref s = { .ref_a = 30, .ref_b = 31 };

    (void)state;
    gfake_grant(D1, 30, PA, ID0, FR1);
    gfake_grant(D1, 31, PA | RO, 77, FR1 + 1);
    assert_int_equal(op(D1, GNTTABOP_swap_grant_ref, &s, 1), 0);
    assert_int_equal(s.status, GNTST_okay);
    assert_int_equal(gfake_entry(D1, 30)->frame, FR1 + 1);
    assert_int_equal(gfake_entry(D1, 31)->domid, ID0);
    s.ref_b = 30;
    assert_int_equal(op(D1, GNTTABOP_swap_grant_ref, &s, 1), 0);
    assert_int_equal(s.status, GNTST_okay);
    s.ref_b = 512;
    assert_int_equal(op(D1, GNTTABOP_swap_grant_ref, &s, 1), 0);
    assert_int_equal(s.status, GNTST_bad_gntref);
    assert_int_equal(map(D0, ID1, 31, GNTMAP_device_map, 0).status, GNTST_okay);
    s.ref_b = 31;
    assert_int_equal(op(D1, GNTTABOP_swap_grant_ref, &s, 1), 0);
    assert_int_equal(s.status, GNTST_eagain);
    assert_int_equal(op(D1, GNTTABOP_swap_grant_ref, (void *)BAD_VA, 1), -EFAULT);
}

static long flush(unsigned int dom, uint64_t addr, uint16_t off, uint16_t len, uint32_t o)
{
    /* Static: a continuation re-reads it. */
    static struct gnttab_cache_flush c;

    c = (struct gnttab_cache_flush){ .offset = off, .length = len, .op = o };
    c.a.dev_bus_addr = addr;
    return op(dom, GNTTABOP_cache_flush, &c, 1);
}

static void test_cache_flush(void **state)
{
    uint64_t own = (uint64_t)FR0 << 12, other = (uint64_t)FR1 << 12;

    (void)state;
    assert_int_equal(flush(D0, own, 4096, 0, GNTTAB_CACHE_CLEAN), -EINVAL);
    assert_int_equal(flush(D0, own, 0, 4097, GNTTAB_CACHE_CLEAN), -EINVAL);
    assert_int_equal(flush(D0, own, 4000, 97, GNTTAB_CACHE_CLEAN), -EINVAL);
    assert_int_equal(flush(D0, own, 0, 8, 4), -EINVAL);
    assert_int_equal(flush(D0, own, 0, 8, GNTTAB_CACHE_SOURCE_GREF | GNTTAB_CACHE_CLEAN),
                     -EINVAL);
    assert_int_equal(flush(D0, own, 0, 0, GNTTAB_CACHE_CLEAN), 0);
    assert_int_equal(flush(D0, own, 0, 8, 0), 0);
    assert_int_equal(gfake.cache_cleans, 0);
    assert_int_equal(flush(D0, own, 0, 8, GNTTAB_CACHE_CLEAN), 0);
    assert_int_equal(flush(D0, own, 0, 8, GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL), 0);
    assert_int_equal(gfake.cache_cleans, 2);
    assert_int_equal(flush(D0, own, 0, 8, GNTTAB_CACHE_INVAL), -EOPNOTSUPP);
    assert_int_equal(flush(D0, (uint64_t)FAKE_NR_FRAMES << 12, 0, 8, GNTTAB_CACHE_CLEAN),
                     -EINVAL);
    assert_int_equal(flush(D0, (uint64_t)(FAKE_IO_MFN - 1) << 12, 0, 8, GNTTAB_CACHE_CLEAN),
                     -EPERM);
    /* Another domain's frame: only one granted to and mapped by us. */
    assert_int_equal(flush(D0, other, 0, 8, GNTTAB_CACHE_CLEAN), -EINVAL);
    gfake_grant(D1, 32, PA, ID0, FR1);
    assert_int_equal(map(D0, ID1, 32, GNTMAP_device_map, 0).status, GNTST_okay);
    assert_int_equal(flush(D0, other, 0, 8, GNTTAB_CACHE_CLEAN), 0);
    /* A continuation argument with nothing to do is out of sequence. */
    gfake_set_current(D0);
    {
        struct gnttab_cache_flush c = { .length = 0, .op = GNTTAB_CACHE_CLEAN };

        assert_int_equal(do_grant_table_op(GNTTABOP_cache_flush | (5 << 12), (unsigned long)&c,
                                           1, 0, 0), -EILSEQ);
    }
    assert_int_equal(op(D0, GNTTABOP_cache_flush, (void *)BAD_VA, 1), -EFAULT);
}

static void test_cache_flush_scan_continues(void **state)
{
    xen_pfn_t list[16];
    int16_t st;

    (void)state;
    /* A grant beyond the first 4096 refs: the scan continues itself. */
    assert_int_equal(setup_table(D1, DOMID_SELF, 10, list, &st), 0);
    gfake_grant(D1, 5000, PA, ID0, FR1);
    assert_int_equal(map(D0, ID1, 5000, GNTMAP_device_map, 0).status, GNTST_okay);
    assert_int_equal(flush(D0, (uint64_t)FR1 << 12, 0, 8, GNTTAB_CACHE_CLEAN), FAKE_CONTINUED);
    assert_int_equal(gfake.cont_args[0], GNTTABOP_cache_flush | (4096 << 12));
    assert_int_equal(gfake.cont_args[2], 1);
    assert_int_equal(op(D0, gfake.cont_args[0], (void *)gfake.cont_args[1], gfake.cont_args[2]),
                     0);
    assert_int_equal(gfake.cache_cleans, 1);
}

/* ---- Teardown ---- */

static void test_grantee_dies(void **state)
{
    (void)state;
    gfake_grant(D0, 33, PA, ID1, FR0);
    gfake_grant(D0, 34, PA | RO, ID1, FR0 + 1);
    assert_int_equal(map(D1, ID0, 33, GNTMAP_host_map | GNTMAP_device_map, FAKE_VA(1)).status,
                     GNTST_okay);
    assert_int_equal(map(D1, ID0, 34, GNTMAP_host_map | GNTMAP_readonly, FAKE_VA(2)).status,
                     GNTST_okay);
    assert_int_equal(gfake_dom(D0)->refcnt, 2 + 2);
    check();
    gfake_domain_kill(D1);
    assert_true(gfake.dom[D1].freed);
    assert_int_equal(flags_of(D0, 33), PA);
    assert_int_equal(flags_of(D0, 34), PA | RO);
    assert_int_equal(count(FR0), 1);
    assert_int_equal(gfake_dom(D0)->refcnt, 2);
    check();
}

static void test_granter_dies(void **state)
{
    struct mapped m, d;

    (void)state;
    gfake_grant(D1, 35, PA, ID0, FR1);
    m = map(D0, ID1, 35, GNTMAP_host_map, FAKE_VA(1));
    d = map(D0, ID1, 35, GNTMAP_device_map, 0);
    gfake_domain_kill(D1);
    /* D1 stays (its frame is referenced, its table pinned), dead. */
    assert_false(gfake.dom[D1].freed);
    assert_true(gfake_dom(D1)->grant_table->released);
    assert_int_equal(count(FR1), 3);    /* pin + device + PTE */
    check();
    /* No new mappings of a dead domain's grants; the old ones unmap. */
    assert_int_equal(map(D0, ID1, 35, GNTMAP_device_map, 0).status, GNTST_general_error);
    assert_int_equal(unmap(D0, m.handle, FAKE_VA(1), 0), GNTST_okay);
    check();
    assert_int_equal(unmap(D0, d.handle, 0, d.bus), GNTST_okay);
    assert_true(gfake.dom[D1].freed);
    assert_int_equal(pg(FR1)->count_info, 0);
}

static void test_self_maps_die_with_domain(void **state)
{
    (void)state;
    gfake_grant(D1, 36, PA, ID1, FR1);
    assert_int_equal(map(D1, ID1, 36, GNTMAP_host_map | GNTMAP_device_map, FAKE_VA(1)).status,
                     GNTST_okay);
    assert_int_equal(map(D1, ID1, 36, GNTMAP_host_map | GNTMAP_contains_pte, FAKE_PTE_MA(2))
                     .status, GNTST_okay);
    check();
    gfake_domain_kill(D1);
    assert_true(gfake.dom[D1].freed);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_query_size),
        T(test_setup_table),
        T(test_versions),
        T(test_refused_ops),
        T(test_map_device_self),
        T(test_map_host_cross_domain),
        T(test_map_refusals),
        T(test_map_page_table_frame),
        T(test_unmap_hostile),
        T(test_end_grant_while_mapped),
        T(test_guest_changes_bits),
        T(test_pin_overflow),
        T(test_maptrack_exhaustion),
        T(test_map_batch_continues),
        T(test_unmap_and_replace),
        T(test_copy_directions),
        T(test_copy_refusals),
        T(test_copy_upgrades_pin),
        T(test_copy_batch),
        T(test_swap),
        T(test_cache_flush),
        T(test_cache_flush_scan_continues),
        T(test_grantee_dies),
        T(test_granter_dies),
        T(test_self_maps_die_with_domain),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
