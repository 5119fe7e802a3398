/* SPDX-License-Identifier: MIT */
/*
 * PV page-table engine (arch/x86/pv/pt_validate.c, pt_update.c) on the real
 * frame table, with fake machine memory: NR frames of 512 entries, three
 * domains, a few non-RAM frames inside the frame table and I/O frames
 * beyond it. Every test ends by running the invariant checker
 * (tests/support/pv_mm_check.c), and teardown() tears every domain down
 * and checks that every frame came back exactly once.
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

#include <keel/domain.h>
#include <keel/page_info.h>

#include <asm/pv_mm.h>
#include <public/grant_table.h>

#include "host_shim.h"
#include "pv_mm_check.h"

#define NR          64UL    /* frames in the frame table */
#define NR_IO_TOP   72UL    /* MFNs NR..NR_IO_TOP-1: I/O beyond the table */
#define RAM_TOP     60UL    /* frames RAM_TOP..NR-1: in the table, not RAM */

/* Ownership: A 0-19, B 20-39, D (I/O capable) 40-47, free 48-59. */
#define A0          0UL
#define B0          20UL
#define D0          40UL
#define FREE0       48UL

#define P           _PAGE_PRESENT
#define RW          _PAGE_RW
#define US          _PAGE_USER
#define AC          _PAGE_ACCESSED
#define DI          _PAGE_DIRTY
#define PT          (P | RW | US | AC)

static struct domain dom_a = { .domain_id = 1 };
static struct domain dom_b = { .domain_id = 2 };
static struct domain dom_d = { .domain_id = 0, .has_io_caps = true };

static struct page_info *table;
static uint64_t (*mem)[PT_ENTRIES];
static unsigned long m2p[NR];
static unsigned int roots[NR];
static unsigned int frees[NR];
static unsigned int flushes, maps_out;
static uint64_t hv_slots[PV_HV_L4_SLOTS];

static bool iomem_ok(const struct domain *d, mfn_t mfn)
{
    unsigned long m = mfn_x(mfn);

    if (d == &dom_d)
        return m == RAM_TOP || m == RAM_TOP + 1 || (m >= NR && m < NR + 5);
    /* Granted to a domain without I/O capabilities: still refused. */
    if (d == &dom_a)
        return m == NR + 7;
    return false;
}

static bool is_ram(mfn_t mfn)
{
    return mfn_x(mfn) < RAM_TOP;
}

static uint64_t *map_frame(mfn_t mfn)
{
    assert_true(mfn_x(mfn) < RAM_TOP);
    maps_out++;
    return mem[mfn_x(mfn)];
}

static void unmap_frame(uint64_t *va)
{
    assert_true(maps_out > 0);
    assert_true(va >= mem[0] && va < mem[NR]);
    maps_out--;
}

static void flush_tlb_all(void)
{
    flushes++;
}

static int desc_rc;

static int validate_desc(struct page_info *pg)
{
    (void)pg;
    return desc_rc;
}

static void fake_free(struct page_info *pg)
{
    unsigned long mfn = mfn_x(page_to_mfn(pg));

    assert_int_equal(pg->count_info, 0);
    frees[mfn]++;
}

static struct pv_mm_ops ops = {
    .map_frame = map_frame,
    .unmap_frame = unmap_frame,
    .mfn_is_ram = is_ram,
    .iomem_permitted = iomem_ok,
    .flush_tlb_all = flush_tlb_all,
    .validate_desc = validate_desc,
    .hypervisor_l4_slots = hv_slots,
    .linear_slot = 258,
    .paddr_bits = 46,
};

static const struct pv_check_env env = { .ops = &ops, .roots = roots };
/* With grant mappings: L1 entries of other domains' frames. */
static const struct pv_check_env env_grants = { .ops = &ops, .roots = roots,
                                                .foreign_l1_ok = true };

/* ---- helpers ------------------------------------------------------------- */

static uint64_t pte(unsigned long mfn, uint64_t flags)
{
    return ((uint64_t)mfn << PAGE_SHIFT) | flags;
}

static struct page_info *pg(unsigned long mfn)
{
    return &table[mfn];
}

static unsigned long count(unsigned long mfn)
{
    return table[mfn].count_info & PGC_COUNT_MASK;
}

static unsigned long tcount(unsigned long mfn)
{
    return table[mfn].u.type_info & PGT_COUNT_MASK;
}

static unsigned long ptype(unsigned long mfn)
{
    return page_type(table[mfn].u.type_info);
}

static bool validated(unsigned long mfn)
{
    return table[mfn].u.type_info & PGT_VALIDATED;
}

static bool pinned(unsigned long mfn)
{
    return table[mfn].u.type_info & PGT_PINNED;
}

static void check(void)
{
    const char *err = pv_check_invariants(&env);

    if (err)
        fail_msg("invariant: %s", err);
    assert_int_equal(maps_out, 0);
}

static int pin(struct domain *d, unsigned long mfn, unsigned int level)
{
    return pv_pin_table(d, _mfn(mfn), level);
}

static int unpin(struct domain *d, unsigned long mfn)
{
    return pv_unpin_table(d, _mfn(mfn));
}

static int mod(struct domain *d, unsigned long mfn, unsigned int i, uint64_t val)
{
    return pv_mod_entry(d, _mfn(mfn), i, val, 0, NULL);
}

static int get_root(struct domain *d, unsigned long mfn)
{
    int rc = pv_get_root(d, _mfn(mfn));

    if (rc == 0)
        roots[mfn]++;
    return rc;
}

static void put_root(unsigned long mfn)
{
    assert_true(roots[mfn] > 0);
    roots[mfn]--;
    pv_put_root(_mfn(mfn));
}

/*
 * A snapshot of every frame's references and contents. A failed
 * validation may leave the type field of a frame at count 0 changed (Xen
 * does too: the frame was typed while it was checked), so the type field
 * itself is compared only for frames in use.
 */
struct snap {
    struct page_info table[NR];
    uint64_t mem[NR][PT_ENTRIES];
};

static struct snap *take_snap(void)
{
    struct snap *s = malloc(sizeof(*s));

    assert_non_null(s);
    memcpy(s->table, table, sizeof(s->table));
    memcpy(s->mem, mem, sizeof(s->mem));
    return s;
}

static void assert_unchanged(struct snap *s);

/* Like assert_unchanged(), but entries may have gained US (and A at L4). */
static void assert_unchanged_but_adjusted(struct snap *s)
{
    for (unsigned long m = 0; m < NR; m++)
        for (unsigned int i = 0; i < PT_ENTRIES; i++)
            if ((s->mem[m][i] ^ mem[m][i]) & ~(US | AC))
                fail_msg("frame %lu[%u]: %#lx -> %#lx", m, i, (unsigned long)s->mem[m][i],
                         (unsigned long)mem[m][i]);
    memcpy(s->mem, mem, sizeof(s->mem));
    assert_unchanged(s);
}

static void assert_unchanged(struct snap *s)
{
    for (unsigned long m = 0; m < NR; m++) {
        unsigned long was = s->table[m].u.type_info, now = table[m].u.type_info;

        if (s->table[m].count_info != table[m].count_info || s->table[m].owner != table[m].owner)
            fail_msg("frame %lu: count %#lx -> %#lx", m, s->table[m].count_info,
                     table[m].count_info);
        if ((was & PGT_COUNT_MASK) ? was != now : (now & (PGT_COUNT_MASK | PGT_PINNED)))
            fail_msg("frame %lu: type %#lx -> %#lx", m, was, now);
    }
    assert_memory_equal(s->mem, mem, sizeof(s->mem));
    free(s);
}

static void assign_range(unsigned long first, unsigned long n, struct domain *d)
{
    for (unsigned long i = first; i < first + n; i++)
        page_assign_owner(&table[i], d);
}

static int setup(void **state)
{
    (void)state;
    table = calloc(NR, sizeof(*table));
    mem = aligned_alloc(4096, NR * sizeof(*mem));
    if (table == NULL || mem == NULL)
        return -1;
    memset(mem, 0, NR * sizeof(*mem));
    memset(roots, 0, sizeof(roots));
    memset(frees, 0, sizeof(frees));
    flushes = maps_out = 0;
    desc_rc = 0;
    for (unsigned int i = 0; i < PV_HV_L4_SLOTS; i++)
        hv_slots[i] = pte(0x100000 + i, P | RW | AC | DI);
    ops.paddr_bits = 46;
    frame_table_init(table, NR);
    m2p_init(m2p, NR);
    pv_mm_init(&ops, fake_free);
    assign_range(A0, 20, &dom_a);
    assign_range(B0, 20, &dom_b);
    assign_range(D0, 8, &dom_d);
    shim_log_clear();
    return 0;
}

static void frame_list(unsigned long first, unsigned long n, mfn_t *out)
{
    for (unsigned long i = 0; i < n; i++)
        out[i] = _mfn(first + i);
}

/* Drop the harness's roots, tear every domain down, and check that every
 * owned frame came back exactly once and nothing else did. */
static int teardown(void **state)
{
    mfn_t frames[20];
    const char *err;

    (void)state;
    for (unsigned long m = 0; m < NR; m++)
        while (roots[m])
            put_root(m);
    frame_list(A0, 20, frames);
    assert_int_equal(pv_mm_teardown(&dom_a, frames, 20), 0);
    frame_list(B0, 20, frames);
    assert_int_equal(pv_mm_teardown(&dom_b, frames, 20), 0);
    frame_list(D0, 8, frames);
    assert_int_equal(pv_mm_teardown(&dom_d, frames, 8), 0);
    err = pv_check_all_released();
    if (err)
        fail_msg("teardown: %s", err);
    for (unsigned long m = 0; m < NR; m++)
        assert_int_equal(frees[m], m < FREE0 ? 1 : 0);
    assert_int_equal(maps_out, 0);
    frame_table_set_ops(NULL);
    free(table);
    free(mem);
    return 0;
}

/* An L1 at @l1 mapping @data read-write at slot 0, pinned. */
static void pinned_l1(struct domain *d, unsigned long l1, unsigned long data)
{
    mem[l1][0] = pte(data, P | RW);
    assert_int_equal(pin(d, l1, 1), 0);
}

/* A whole tree for domain A: L4 @l4 -> L3 @l3 -> L2 @l2 -> L1 @l1 -> data RW. */
static void tree(unsigned long l4, unsigned long l3, unsigned long l2, unsigned long l1,
                 unsigned long data)
{
    mem[l4][0] = pte(l3, P | RW);
    mem[l3][0] = pte(l2, P | RW);
    mem[l2][0] = pte(l1, P | RW);
    mem[l1][0] = pte(data, P | RW);
}

/* ---- initialisation ---------------------------------------------------- */

static void test_init_bad_config_is_bug(void **state)
{
    struct pv_mm_ops bad = ops;

    (void)state;
    expect_bug(pv_mm_init(NULL, fake_free));
    expect_bug(pv_mm_init(&ops, NULL));
    bad.map_frame = NULL;
    expect_bug(pv_mm_init(&bad, fake_free));
    bad = ops;
    bad.paddr_bits = 53;
    expect_bug(pv_mm_init(&bad, fake_free));
    bad = ops;
    bad.linear_slot = 255;
    expect_bug(pv_mm_init(&bad, fake_free));
    bad = ops;
    bad.hypervisor_l4_slots = NULL;
    expect_bug(pv_mm_init(&bad, fake_free));
    check();
}

/* ---- L1 rules ------------------------------------------------------------ */

static void test_l1_allowed_flags_and_adjustment(void **state)
{
    uint64_t all = P | RW | US | AC | DI | _PAGE_GLOBAL | 0xe00 | (0x3ffUL << 52) | _PAGE_NX;

    (void)state;
    mem[1][0] = pte(2, all);
    mem[1][1] = pte(3, P);                      /* supervisor: gets US */
    mem[1][2] = 0xfff0000000000ffeUL;           /* not present: any content */
    flushes = 0;
    assert_int_equal(pin(&dom_a, 1, 1), 0);
    assert_true(flushes >= 1);
    assert_int_equal(mem[1][0], pte(2, all));
    assert_int_equal(mem[1][1], pte(3, P | US));
    assert_int_equal(mem[1][2], 0xfff0000000000ffeUL);
    assert_int_equal(ptype(2), PGT_WRITABLE);
    assert_int_equal(tcount(2), 1);
    assert_int_equal(count(2), 2);
    assert_int_equal(tcount(3), 0);
    assert_int_equal(count(3), 2);
    check();
}

static void test_l1_forbidden_flags(void **state)
{
    static const struct { uint64_t bits; const char *what; } cases[] = {
        { _PAGE_PWT, "PWT" },
        { _PAGE_PCD, "PCD" },
        { _PAGE_PAT, "PAT" },
        { 1UL << 62, "bit 62 (grant mappings only)" },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct snap *s;

        mem[1][7] = pte(2, P | RW) | cases[i].bits;
        s = take_snap();
        if (pin(&dom_a, 1, 1) != -EINVAL)
            fail_msg("L1 with %s accepted at validation", cases[i].what);
        assert_unchanged(s);
        mem[1][7] = 0;
        assert_int_equal(pin(&dom_a, 1, 1), 0);
        if (mod(&dom_a, 1, 7, pte(2, P | RW) | cases[i].bits) != -EINVAL)
            fail_msg("L1 update with %s accepted", cases[i].what);
        assert_int_equal(mem[1][7], 0);
        assert_int_equal(unpin(&dom_a, 1), 0);
        check();
    }
}

static void test_l1_cache_attrs_need_io_caps(void **state)
{
    (void)state;
    mem[D0][0] = pte(D0 + 1, P | RW | _PAGE_PAT | _PAGE_PCD | _PAGE_PWT);
    assert_int_equal(pin(&dom_d, D0, 1), 0);
    assert_int_equal(mem[D0][0], pte(D0 + 1, P | RW | US | _PAGE_PAT | _PAGE_PCD | _PAGE_PWT));
    assert_int_equal(mod(&dom_d, D0, 1, pte(D0 + 2, P | _PAGE_PCD)), 0);
    mem[D0 + 3][0] = pte(NR + 1, P | RW);   /* I/O in the tree torn down */
    assert_int_equal(pin(&dom_d, D0 + 3, 1), 0);
    mem[A0][0] = pte(A0 + 1, P | _PAGE_PCD);
    assert_int_equal(pin(&dom_a, A0, 1), -EINVAL);
    check();
}

static void test_l1_paddr_bits(void **state)
{
    (void)state;
    /* With 52 address bits, bit 46 is an address bit: beyond the table, I/O. */
    ops.paddr_bits = 52;
    pv_mm_init(&ops, fake_free);
    mem[1][0] = pte(2, P) | (1UL << 46);
    assert_int_equal(pin(&dom_a, 1, 1), -EPERM);
    /* The all-ones frame is "no frame": -EINVAL, as in Xen. */
    mem[1][0] = PTE_ADDR_MASK | P;
    assert_int_equal(pin(&dom_a, 1, 1), -EINVAL);
    /* With 46, bits 46-51 name frames beyond the machine: I/O no one may map. */
    ops.paddr_bits = 46;
    pv_mm_init(&ops, fake_free);
    mem[1][0] = pte(2, P) | (1UL << 46);
    assert_int_equal(pin(&dom_a, 1, 1), -EPERM);
    mem[1][0] = pte(2, P) | (1UL << 51);
    assert_int_equal(pin(&dom_a, 1, 1), -EPERM);
    mem[1][0] = 0;
    assert_int_equal(pin(&dom_a, 1, 1), 0);
    assert_int_equal(mod(&dom_a, 1, 0, pte(2, P) | (1UL << 50)), -EPERM);
    assert_int_equal(mem[1][0], 0);
    assert_int_equal(unpin(&dom_a, 1), 0);
    check();
}

static void test_l1_foreign_frame_refused(void **state)
{
    (void)state;
    assert_int_equal(pin(&dom_a, 1, 1), 0);
    assert_int_equal(mod(&dom_a, 1, 0, pte(B0, P)), -EBUSY);
    assert_int_equal(mod(&dom_a, 1, 0, pte(B0, P | RW)), -EBUSY);
    assert_int_equal(count(B0), 1);
    assert_int_equal(tcount(B0), 0);
    mem[2][0] = pte(B0 + 1, P);
    assert_int_equal(pin(&dom_a, 2, 1), -EBUSY);
    check();
}

static void test_l1_unowned_frame_refused(void **state)
{
    (void)state;
    assert_int_equal(pin(&dom_a, 1, 1), 0);
    assert_int_equal(mod(&dom_a, 1, 0, pte(FREE0, P)), -EBUSY);
    assert_int_equal(mod(&dom_a, 1, 0, pte(FREE0 + 1, P | RW)), -EBUSY);
    assert_int_equal(count(FREE0), 0);
    assert_int_equal(count(FREE0 + 1), 0);
    check();
}

static void test_l1_io_frames(void **state)
{
    (void)state;
    assert_int_equal(pin(&dom_d, D0, 1), 0);
    assert_int_equal(pin(&dom_a, 1, 1), 0);
    /* Not RAM inside the table, and beyond the table: permission decides. */
    assert_int_equal(mod(&dom_d, D0, 0, pte(RAM_TOP, P | RW)), 0);
    assert_int_equal(mod(&dom_d, D0, 1, pte(NR, P | RW)), 0);
    assert_int_equal(mod(&dom_d, D0, 2, pte(RAM_TOP + 2, P)), -EPERM);
    assert_int_equal(mod(&dom_d, D0, 2, pte(NR + 5, P)), -EPERM);
    assert_int_equal(mod(&dom_a, 1, 0, pte(RAM_TOP, P)), -EPERM);
    assert_int_equal(mod(&dom_a, 1, 0, pte(NR + 7, P)), -EPERM); /* no I/O caps */
    mem[2][0] = pte(NR, P);
    assert_int_equal(pin(&dom_a, 2, 1), -EPERM);
    assert_int_equal(count(RAM_TOP), 0);    /* no references on I/O frames */
    /* Cacheable MMIO is made UC; UC, UC- and WC stay. */
    assert_int_equal(mem[D0][0], pte(RAM_TOP, P | RW | US | _PAGE_PCD | _PAGE_PWT));
    assert_int_equal(mod(&dom_d, D0, 2, pte(NR + 2, P | _PAGE_PAT)), 0); /* WC */
    assert_int_equal(mem[D0][2], pte(NR + 2, P | US | _PAGE_PAT));
    assert_int_equal(mod(&dom_d, D0, 3, pte(NR + 3, P | _PAGE_PCD)), 0); /* UC- */
    assert_int_equal(mem[D0][3], pte(NR + 3, P | US | _PAGE_PCD));
    assert_int_equal(mod(&dom_d, D0, 4, pte(NR + 4, P | _PAGE_PWT)), 0); /* WT -> UC */
    assert_int_equal(mem[D0][4], pte(NR + 4, P | US | _PAGE_PCD | _PAGE_PWT));
    /* Validation does the same, and the result revalidates. */
    assert_int_equal(unpin(&dom_d, D0), 0);
    mem[D0][5] = pte(RAM_TOP + 1, P | RW | _PAGE_PAT | _PAGE_PWT);   /* WP -> UC */
    assert_int_equal(pin(&dom_d, D0, 1), 0);
    assert_int_equal(mem[D0][5], pte(RAM_TOP + 1, P | RW | US | _PAGE_PCD | _PAGE_PWT));
    /* Removing an I/O mapping drops nothing. */
    assert_int_equal(mod(&dom_d, D0, 0, 0), 0);
    assert_int_equal(count(RAM_TOP), 0);
    check();
}

static void test_l1_rw_to_table_refused(void **state)
{
    (void)state;
    assert_int_equal(pin(&dom_a, 2, 1), 0);         /* frame 2: a pinned L1 */
    assert_int_equal(pin(&dom_a, 1, 1), 0);
    assert_int_equal(mod(&dom_a, 1, 0, pte(2, P | RW)), -EBUSY);
    assert_int_equal(mod(&dom_a, 1, 0, pte(2, P)), 0);  /* read-only is fine */
    assert_int_equal(ptype(2), PGT_L1);
    /* Nor the table itself, through itself. */
    assert_int_equal(mod(&dom_a, 1, 1, pte(1, P | RW)), -EBUSY);
    mem[3][0] = pte(3, P | RW);
    assert_int_equal(pin(&dom_a, 3, 1), -EBUSY);
    mem[3][0] = pte(3, P);
    assert_int_equal(pin(&dom_a, 3, 1), 0);
    check();
}

static void test_pin_table_mapping_table_rw_refused(void **state)
{
    struct snap *s;

    (void)state;
    mem[5][0] = pte(6, P | RW);
    assert_int_equal(pin(&dom_a, 5, 2), 0);      /* L2 5 -> L1 6 */
    mem[7][0] = pte(8, P | RW);
    mem[7][1] = pte(5, P | RW);                  /* RW alias of the L2 */
    s = take_snap();
    assert_int_equal(pin(&dom_a, 7, 1), -EBUSY);
    assert_unchanged(s);
    mem[7][1] = pte(6, P | RW);                  /* RW alias of the L1 */
    s = take_snap();
    assert_int_equal(pin(&dom_a, 7, 1), -EBUSY);
    assert_unchanged(s);
    check();
}

static void test_pin_rw_mapped_frame_refused(void **state)
{
    (void)state;
    pinned_l1(&dom_a, 1, 2);                     /* frame 2 mapped RW */
    assert_int_equal(pin(&dom_a, 2, 1), -EINVAL);
    assert_int_equal(pin(&dom_a, 2, 4), -EINVAL);
    assert_int_equal(pv_get_root(&dom_a, _mfn(2)), -EINVAL);
    /* Linux's order: remove the RW mapping, then pin. */
    assert_int_equal(mod(&dom_a, 1, 0, pte(2, P)), 0);
    assert_int_equal(pin(&dom_a, 2, 1), 0);
    check();
}

/* ---- pin / unpin --------------------------------------------------------- */

static void test_pin_errors(void **state)
{
    (void)state;
    assert_int_equal(pin(&dom_a, 1, 1), 0);
    assert_int_equal(pin(&dom_a, 1, 1), -EINVAL);    /* twice */
    assert_int_equal(pin(&dom_a, 1, 2), -EINVAL);    /* in use as L1 */
    assert_int_equal(tcount(1), 1);
    assert_int_equal(pin(&dom_a, 2, 0), -EINVAL);
    assert_int_equal(pin(&dom_a, 2, 5), -EINVAL);
    assert_int_equal(pin(&dom_a, B0, 1), -EINVAL);   /* not ours */
    assert_int_equal(pin(&dom_a, FREE0, 1), -EINVAL);
    assert_int_equal(pin(&dom_a, RAM_TOP, 1), -EINVAL);
    assert_int_equal(pin(&dom_a, NR + 1, 1), -EINVAL);
    assert_int_equal(unpin(&dom_a, 2), -EINVAL);     /* not pinned */
    assert_int_equal(unpin(&dom_b, 1), -EINVAL);     /* not theirs */
    assert_int_equal(unpin(&dom_a, NR + 1), -EINVAL);
    assert_true(pinned(1));
    assert_int_equal(unpin(&dom_a, 1), 0);
    assert_int_equal(unpin(&dom_a, 1), -EINVAL);
    assert_int_equal(tcount(1), 0);
    assert_false(validated(1));
    check();
}

static void test_unpin_table_in_use_stays_validated(void **state)
{
    (void)state;
    pinned_l1(&dom_a, 1, 2);
    mem[3][0] = pte(1, P | RW);
    assert_int_equal(pin(&dom_a, 3, 2), 0);
    assert_int_equal(tcount(1), 2);
    assert_int_equal(unpin(&dom_a, 1), 0);
    assert_true(validated(1));
    assert_int_equal(tcount(1), 1);
    assert_int_equal(tcount(2), 1);
    check();
    /* The last holder goes: the L1 is devalidated, its data frame freed up. */
    assert_int_equal(unpin(&dom_a, 3), 0);
    assert_false(validated(1));
    assert_int_equal(tcount(1), 0);
    assert_int_equal(tcount(2), 0);
    assert_int_equal(count(2), 1);
    assert_int_equal(count(1), 1);
    check();
}

static void test_validation_levels(void **state)
{
    (void)state;
    tree(1, 2, 3, 4, 5);
    mem[1][300] = pte(2, P);            /* second reference to the same L3 */
    assert_int_equal(pin(&dom_a, 1, 4), 0);
    assert_int_equal(ptype(2), PGT_L3);
    assert_int_equal(ptype(3), PGT_L2);
    assert_int_equal(ptype(4), PGT_L1);
    assert_int_equal(ptype(5), PGT_WRITABLE);
    assert_int_equal(tcount(2), 2);
    assert_int_equal(mem[1][0], pte(2, P | RW | US | AC));
    assert_int_equal(mem[1][300], pte(2, P | US | AC));
    assert_int_equal(mem[2][0], pte(3, P | RW | US));
    assert_int_equal(mem[3][0], pte(4, P | RW | US));
    check();
}

/* ---- upper levels ------------------------------------------------------ */

static void test_upper_forbidden_flags(void **state)
{
    static const struct { unsigned int level; uint64_t bits; } cases[] = {
        { 2, _PAGE_PSE }, { 3, _PAGE_PSE }, { 4, _PAGE_PSE },
        { 2, _PAGE_PWT }, { 2, _PAGE_PCD }, { 2, _PAGE_GLOBAL },
        { 3, _PAGE_PCD }, { 4, _PAGE_GLOBAL }, { 3, 1UL << 50 },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        unsigned int lv = cases[i].level;
        struct snap *s;

        memset(mem[1], 0, sizeof(mem[1]));
        mem[1][0] = pte(2, P | RW) | cases[i].bits;
        s = take_snap();
        assert_int_equal(pin(&dom_a, 1, lv), -EINVAL);
        assert_unchanged(s);
        mem[1][0] = 0;
        assert_int_equal(pin(&dom_a, 1, lv), 0);
        assert_int_equal(mod(&dom_a, 1, 0, pte(2, P | RW) | cases[i].bits), -EINVAL);
        assert_int_equal(tcount(2), 0);
        assert_int_equal(unpin(&dom_a, 1), 0);
        check();
    }
}

static void test_upper_targets(void **state)
{
    (void)state;
    assert_int_equal(pin(&dom_a, 1, 2), 0);
    assert_int_equal(mod(&dom_a, 1, 0, pte(B0, P)), -EINVAL);     /* foreign L1 */
    assert_int_equal(mod(&dom_a, 1, 0, pte(FREE0, P)), -EINVAL);  /* unowned */
    assert_int_equal(mod(&dom_a, 1, 0, pte(RAM_TOP, P)), -EINVAL); /* I/O, even permitted */
    assert_int_equal(mod(&dom_a, 1, 0, pte(NR, P)), -EINVAL);
    /* A data frame mapped RW cannot become the L1. */
    pinned_l1(&dom_a, 2, 3);
    assert_int_equal(mod(&dom_a, 1, 0, pte(3, P)), -EINVAL);
    /* Nested validation errors come back as they are. */
    mem[4][0] = pte(B0, P);
    assert_int_equal(mod(&dom_a, 1, 0, pte(4, P)), -EBUSY);
    mem[4][0] = pte(RAM_TOP + 1, P);
    assert_int_equal(mod(&dom_a, 1, 0, pte(4, P)), -EPERM);
    assert_int_equal(tcount(4), 0);
    assert_int_equal(count(4), 1);
    check();
}

static void test_l1_of_other_domain_via_l2_refused(void **state)
{
    (void)state;
    pinned_l1(&dom_b, B0, B0 + 1);
    mem[1][0] = pte(B0, P | RW);
    assert_int_equal(pin(&dom_a, 1, 2), -EINVAL);
    assert_int_equal(tcount(B0), 1);
    assert_int_equal(pin(&dom_a, 2, 2), 0);
    assert_int_equal(mod(&dom_a, 2, 0, pte(B0, P)), -EINVAL);
    check();
}

static void test_linear_page_tables_refused(void **state)
{
    (void)state;
    /* L2 -> itself, at validation and by update. */
    mem[1][0] = pte(1, P);
    assert_int_equal(pin(&dom_a, 1, 2), -EINVAL);
    mem[1][0] = 0;
    assert_int_equal(pin(&dom_a, 1, 2), 0);
    assert_int_equal(mod(&dom_a, 1, 5, pte(1, P)), -EINVAL);
    /* L2 -> another L2 in use. */
    assert_int_equal(pin(&dom_a, 2, 2), 0);
    assert_int_equal(mod(&dom_a, 1, 5, pte(2, P)), -EINVAL);
    /* L3 -> L3, L4 -> itself, L4 -> another L4. */
    assert_int_equal(pin(&dom_a, 3, 3), 0);
    assert_int_equal(mod(&dom_a, 3, 0, pte(3, P)), -EINVAL);
    mem[4][0] = pte(4, P);
    assert_int_equal(pin(&dom_a, 4, 4), -EINVAL);
    mem[4][0] = 0;
    assert_int_equal(pin(&dom_a, 4, 4), 0);
    assert_int_equal(mod(&dom_a, 4, 1, pte(4, P)), -EINVAL);
    assert_int_equal(get_root(&dom_a, 5), 0);
    assert_int_equal(mod(&dom_a, 4, 1, pte(5, P)), -EINVAL);
    assert_int_equal(tcount(4), 1);
    assert_int_equal(tcount(5), 1);
    check();
}

static void test_hypervisor_slots(void **state)
{
    uint64_t old;

    (void)state;
    for (unsigned int i = 0; i < PT_ENTRIES; i++)
        mem[1][i] = pte(FREE0, 0x7fe);         /* not present garbage everywhere */
    mem[1][256] = pte(B0, P | RW);             /* would be refused in a guest slot */
    mem[1][271] = pte(FREE0, P | RW | _PAGE_PSE);
    mem[1][272] = pte(2, P);                   /* guest slot */
    assert_int_equal(get_root(&dom_a, 1), 0);
    for (unsigned int i = 0; i < PV_HV_L4_SLOTS; i++) {
        uint64_t want = 256 + i == 258 ? pte(1, P | RW | AC | DI) : hv_slots[i];

        assert_int_equal(mem[1][256 + i], want);
    }
    assert_int_equal(mem[1][272], pte(2, P | US | AC));
    assert_int_equal(mem[1][255], pte(FREE0, 0x7fe));
    for (unsigned int i = 256; i <= 271; i++) {
        assert_int_equal(mod(&dom_a, 1, i, 0), -EINVAL);
        assert_int_equal(mod(&dom_a, 1, i, pte(3, P)), -EINVAL);
    }
    assert_int_equal(mem[1][257], hv_slots[1]);
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 272, 0, 0, &old), 0);
    assert_int_equal(old, pte(2, P | US | AC));
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 512, 0, 0, NULL), -EINVAL);
    check();
}

/* ---- partial failure --------------------------------------------------- */

static void test_partial_failure_leaks_nothing(void **state)
{
    struct snap *s;

    (void)state;
    /* L2 with ten good L1s (sharing data frames), then a bad one. */
    for (unsigned int i = 0; i < 10; i++) {
        mem[2 + i][0] = pte(12, P | RW);
        mem[2 + i][1] = pte(13, P);
        mem[1][i] = pte(2 + i, P | RW);
    }
    mem[1][10] = pte(14, P);
    mem[14][0] = pte(B0, P);            /* the eleventh L1 maps a foreign frame */
    mem[1][11] = pte(15, P);
    s = take_snap();
    assert_int_equal(pin(&dom_a, 1, 2), -EBUSY);
    assert_int_equal(mem[1][0], pte(2, P | RW));    /* the failed table itself: untouched */
    assert_unchanged_but_adjusted(s);
    check();

    /* Four levels deep, failing at the bottom of the second branch. */
    mem[16][0] = pte(17, P);            /* L4 16 -> L3 17 -> L2 1 (above) */
    mem[17][0] = pte(18, P);            /* and L3 17 -> L2 18 -> L1 2: fine */
    mem[17][1] = pte(1, P);
    mem[18][0] = pte(2, P);
    s = take_snap();
    assert_int_equal(pin(&dom_a, 16, 4), -EBUSY);
    assert_int_equal(get_root(&dom_a, 16), -EBUSY);
    /* Counts as they were; the L2 18 and L1 2 that validated before the
     * failure keep their adjusted entries (Xen's promote does the same). */
    assert_int_equal(mem[18][0], pte(2, P | US));
    assert_unchanged_but_adjusted(s);
    mem[14][0] = pte(19, P);
    assert_int_equal(get_root(&dom_a, 16), 0);
    assert_int_equal(tcount(12), 10);
    check();
}

/* ---- entry updates ------------------------------------------------------- */

static void test_mod_writable_frame_stores_as_is(void **state)
{
    uint64_t old = 0;

    (void)state;
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 3, pte(B0, P | _PAGE_PSE), 0, &old), 0);
    assert_int_equal(mem[1][3], pte(B0, P | _PAGE_PSE));
    assert_int_equal(old, 0);
    assert_int_equal(ptype(1), PGT_WRITABLE);
    assert_int_equal(tcount(1), 0);
    /* Compare-exchange on a plain frame. */
    old = 5;
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 3, 0, PV_MOD_CMPXCHG, &old), -EAGAIN);
    assert_int_equal(old, pte(B0, P | _PAGE_PSE));
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 3, 0, PV_MOD_CMPXCHG, &old), 0);
    assert_int_equal(mem[1][3], 0);
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 3, 0, PV_MOD_CMPXCHG, NULL), -EINVAL);
    /* Not ours, not a frame. */
    assert_int_equal(mod(&dom_b, 1, 0, 0), -EINVAL);
    assert_int_equal(mod(&dom_a, FREE0, 0, 0), -EINVAL);
    assert_int_equal(mod(&dom_a, NR + 1, 0, 0), -EINVAL);
    /* Update_va_mapping needs a validated L1. */
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 0, 0, PV_MOD_L1_ONLY, NULL), -EINVAL);
    check();
}

static void test_mod_refused_on_desc_and_busy_frames(void **state)
{
    (void)state;
    assert_int_equal(get_page_and_type(pg(1), &dom_a, PGT_SEG_DESC), 0);
    assert_int_equal(mod(&dom_a, 1, 0, 0), -EINVAL);
    put_page_and_type(pg(1));
    desc_rc = -EINVAL;
    assert_int_equal(get_page_and_type(pg(9), &dom_a, PGT_SEG_DESC), -EINVAL);
    desc_rc = 0;
    ops.validate_desc = NULL;
    assert_int_equal(get_page_and_type(pg(9), &dom_a, PGT_SEG_DESC), -EINVAL);
    ops.validate_desc = validate_desc;
    /* A frame mapped RW elsewhere is still "writable": stores go through. */
    pinned_l1(&dom_a, 2, 3);
    assert_int_equal(mod(&dom_a, 3, 0, 42), 0);
    assert_int_equal(mem[3][0], 42);
    check();
}

static void test_mod_l1_replaces_references(void **state)
{
    uint64_t old;

    (void)state;
    pinned_l1(&dom_a, 1, 2);
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 0, pte(3, P | RW), PV_MOD_L1_ONLY, &old), 0);
    assert_int_equal(old, pte(2, P | RW | US));
    assert_int_equal(mem[1][0], pte(3, P | RW | US));
    assert_int_equal(tcount(2), 0);
    assert_int_equal(count(2), 1);
    assert_int_equal(tcount(3), 1);
    /* RW -> RO of the same frame. */
    assert_int_equal(mod(&dom_a, 1, 0, pte(3, P)), 0);
    assert_int_equal(tcount(3), 0);
    assert_int_equal(count(3), 2);
    /* Same value again: references balanced. */
    assert_int_equal(mod(&dom_a, 1, 0, pte(3, P)), 0);
    assert_int_equal(count(3), 2);
    /* Failure keeps the old entry and its references. */
    assert_int_equal(mod(&dom_a, 1, 0, pte(B0, P)), -EBUSY);
    assert_int_equal(mem[1][0], pte(3, P | US));
    assert_int_equal(count(3), 2);
    /* Not present: drops the old references, stores any content. */
    assert_int_equal(mod(&dom_a, 1, 0, 0xdead0000UL), 0);
    assert_int_equal(count(3), 1);
    assert_int_equal(mem[1][0], 0xdead0000UL);
    check();
}

static void test_mod_preserve_ad_and_cmpxchg(void **state)
{
    uint64_t old;

    (void)state;
    pinned_l1(&dom_a, 1, 2);
    mem[1][0] |= AC | DI;           /* the MMU set A and D */
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 0, pte(2, P), PV_MOD_PRESERVE_AD, NULL), 0);
    assert_int_equal(mem[1][0], pte(2, P | US | AC | DI));
    assert_int_equal(mod(&dom_a, 1, 0, pte(2, P)), 0);
    assert_int_equal(mem[1][0], pte(2, P | US));
    /* Compare-exchange: a stale expected value changes nothing. */
    old = pte(2, P);
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 0, pte(3, P | RW), PV_MOD_CMPXCHG, &old),
                     -EAGAIN);
    assert_int_equal(old, pte(2, P | US));
    assert_int_equal(tcount(3), 0);
    assert_int_equal(count(3), 1);
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 0, pte(3, P | RW), PV_MOD_CMPXCHG, &old), 0);
    assert_int_equal(tcount(3), 1);
    assert_int_equal(count(2), 1);
    check();
}

static void test_mod_l2_switches_l1(void **state)
{
    (void)state;
    mem[2][0] = pte(4, P | RW);
    mem[3][0] = pte(5, P | RW);
    mem[1][0] = pte(2, P);
    assert_int_equal(pin(&dom_a, 1, 2), 0);
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(1), 0, 0, PV_MOD_L1_ONLY, NULL), -EINVAL);
    assert_int_equal(mod(&dom_a, 1, 0, pte(3, P)), 0);
    assert_false(validated(2));         /* old L1 devalidated */
    assert_int_equal(tcount(4), 0);
    assert_true(validated(3));
    assert_int_equal(tcount(5), 1);
    assert_int_equal(mem[1][0], pte(3, P | US));
    check();
}

static void test_mod_l4_entry_cascades(void **state)
{
    (void)state;
    tree(1, 2, 3, 4, 5);
    mem[4][1] = pte(5, P | RW);                 /* two RW mappings of frame 5 */
    assert_int_equal(get_root(&dom_a, 1), 0);
    assert_int_equal(tcount(5), 2);
    assert_int_equal(count(5), 3);
    check();
    /* Clearing the L4 entry takes the whole subtree down. */
    assert_int_equal(mod(&dom_a, 1, 0, 0), 0);
    assert_false(validated(2));
    assert_false(validated(3));
    assert_false(validated(4));
    assert_int_equal(tcount(5), 0);
    assert_int_equal(count(5), 1);
    for (unsigned long m = 2; m <= 5; m++)
        assert_int_equal(count(m), 1);
    assert_true(validated(1));
    /* Putting it back validates it all again. */
    assert_int_equal(mod(&dom_a, 1, 0, pte(2, P)), 0);
    assert_true(validated(4));
    assert_int_equal(tcount(5), 2);
    check();
}

static void test_machphys_update(void **state)
{
    (void)state;
    assert_int_equal(pv_machphys_update(&dom_a, _mfn(3), 0x1234), 0);
    assert_int_equal(get_gpfn_from_mfn(_mfn(3)), 0x1234);
    assert_int_equal(pv_machphys_update(&dom_a, _mfn(B0), 1), -EINVAL);
    assert_int_equal(pv_machphys_update(&dom_a, _mfn(FREE0), 1), -EINVAL);
    assert_int_equal(pv_machphys_update(&dom_a, _mfn(NR + 1), 1), -EINVAL);
    assert_int_equal(get_gpfn_from_mfn(_mfn(B0)), INVALID_M2P_ENTRY);
    check();
}

static void test_roots(void **state)
{
    (void)state;
    assert_int_equal(get_root(&dom_a, 1), 0);
    assert_int_equal(get_root(&dom_a, 1), 0);   /* kernel and user root */
    assert_int_equal(tcount(1), 2);
    assert_int_equal(get_root(&dom_b, 1), -EINVAL);
    assert_int_equal(pin(&dom_a, 2, 1), 0);
    assert_int_equal(get_root(&dom_a, 2), -EINVAL);
    assert_int_equal(pv_get_root(&dom_a, _mfn(NR + 2)), -EINVAL);
    put_root(1);
    assert_true(validated(1));
    put_root(1);
    assert_false(validated(1));
    check();
}

/* ---- the start-of-day cascade (linux-pv-abi.md 3.3) ----------------------- */

static void test_start_of_day_cascade(void **state)
{
    (void)state;
    /* The builder: L4 1 -> L3 2 -> L2 3 -> L1s 4, 5 -> data 10, 11. The
     * builder's tables are mapped read-only through L1 4. */
    mem[1][511] = pte(2, P | RW);
    mem[2][510] = pte(3, P | RW);
    mem[3][0] = pte(4, P | RW);
    mem[3][1] = pte(5, P | RW);
    mem[4][0] = pte(10, P | RW);
    for (unsigned long f = 1; f <= 5; f++)
        mem[4][f] = pte(f, P);
    mem[5][0] = pte(11, P | RW);
    assert_int_equal(pin(&dom_a, 1, 4), 0);
    assert_int_equal(get_root(&dom_a, 1), 0);
    assert_int_equal(tcount(1), 2);
    assert_int_equal(tcount(2), 1);
    assert_int_equal(tcount(3), 1);
    assert_int_equal(tcount(4), 1);
    check();

    /* Linux builds its own L4 6 -> L3 7 -> L2 8 reusing the L1s. */
    mem[8][0] = pte(4, P | RW);
    mem[8][1] = pte(5, P | RW);
    mem[7][510] = pte(8, P | RW);
    mem[6][511] = pte(7, P | RW);
    assert_int_equal(pin(&dom_a, 6, 4), 0);
    assert_int_equal(tcount(4), 2);
    assert_int_equal(unpin(&dom_a, 1), 0);
    assert_int_equal(tcount(1), 1);
    assert_true(validated(1));
    assert_int_equal(get_root(&dom_a, 6), 0);
    put_root(1);
    /* Builder L4, L3, L2 devalidated; the L1s survive through Linux's L2. */
    assert_false(validated(1));
    assert_false(validated(2));
    assert_false(validated(3));
    assert_int_equal(tcount(1), 0);
    assert_int_equal(tcount(2), 0);
    assert_int_equal(tcount(3), 0);
    assert_true(validated(4));
    assert_int_equal(tcount(4), 1);
    assert_int_equal(tcount(5), 1);
    assert_int_equal(tcount(6), 2);
    check();

    /* update_va_mapping makes the old L4/L3/L2 RW again, then clears them. */
    for (unsigned long f = 1; f <= 3; f++)
        assert_int_equal(pv_mod_entry(&dom_a, _mfn(4), f, pte(f, P | RW), PV_MOD_L1_ONLY, NULL),
                         0);
    assert_int_equal(ptype(1), PGT_WRITABLE);
    assert_int_equal(ptype(3), PGT_WRITABLE);
    assert_int_equal(mod(&dom_a, 1, 511, 0), 0);
    /* But the L1s in use cannot be. */
    assert_int_equal(pv_mod_entry(&dom_a, _mfn(4), 4, pte(4, P | RW), PV_MOD_L1_ONLY, NULL),
                     -EBUSY);
    check();
}

/* ---- teardown ------------------------------------------------------------ */

static void test_teardown_releases_everything(void **state)
{
    mfn_t frames[20];

    (void)state;
    tree(1, 2, 3, 4, 5);
    mem[4][1] = pte(6, P);
    mem[4][2] = pte(1, P);                      /* the L4 mapped read-only */
    assert_int_equal(pin(&dom_a, 1, 4), 0);
    assert_int_equal(get_root(&dom_a, 1), 0);
    pinned_l1(&dom_a, 7, 8);
    assert_int_equal(pin(&dom_a, 4, 1), 0);     /* pinned and referenced */
    tree(B0, B0 + 1, B0 + 2, B0 + 3, B0 + 4);
    assert_int_equal(get_root(&dom_b, B0), 0);
    check();

    put_root(1);
    frame_list(A0, 20, frames);
    assert_int_equal(pv_mm_teardown(&dom_a, frames, 20), 0);
    for (unsigned long m = A0; m < A0 + 20; m++) {
        assert_int_equal(frees[m], 1);
        assert_int_equal(table[m].count_info, 0);
        assert_int_equal(tcount(m), 0);
    }
    assert_int_equal(frees[B0], 0);
    check();
    /* A second teardown of the same list finds nothing. */
    assert_int_equal(pv_mm_teardown(&dom_a, frames, 20), 0);
    /* teardown() finishes B, whose root it still holds: dropped first. */
}

static void test_teardown_reports_outside_holders(void **state)
{
    mfn_t frames[20];

    (void)state;
    assert_int_equal(get_root(&dom_a, 1), 0);   /* the harness keeps its root */
    frame_list(A0, 20, frames);
    assert_int_equal(pv_mm_teardown(&dom_a, frames, 20), -EBUSY);
    assert_true(shim_log_contains("still referenced"));
    assert_int_equal(frees[1], 0);
    assert_int_equal(frees[2], 1);
    put_root(1);                                /* now it goes */
    assert_int_equal(frees[1], 1);
    /* teardown() runs teardown on A again: nothing left, 0. */
}


/* ---- Grant mappings (pt_grant.c) --------------------------------------------- */

static void check_grants(void)
{
    const char *err = pv_check_invariants(&env_grants);

    if (err)
        fail_msg("invariant: %s", err);
    assert_int_equal(maps_out, 0);
}

static void test_grant_l1e_flags(void **state)
{
    (void)state;
    assert_int_equal(pv_grant_l1e(_mfn(5), GNTMAP_host_map),
                     pte(5, P | RW | AC | DI) | _PAGE_NX);
    assert_int_equal(pv_grant_l1e(_mfn(5), GNTMAP_host_map | GNTMAP_readonly),
                     pte(5, P | AC | DI) | _PAGE_NX);
    assert_int_equal(pv_grant_l1e(_mfn(5), GNTMAP_host_map | GNTMAP_application_map),
                     pte(5, P | RW | US | AC | DI) | _PAGE_NX);
    /* Guest-available bits 16-18 land in PTE bits 9-11; higher ones are dropped. */
    assert_int_equal(pv_grant_l1e(_mfn(5), GNTMAP_host_map | (5U << _GNTMAP_guest_avail0) |
                                           (1U << 19) | (1U << 31)),
                     pte(5, P | RW | AC | DI | 0xa00) | _PAGE_NX);
}

static void test_grant_map_foreign_frame(void **state)
{
    uint64_t e = pv_grant_l1e(_mfn(B0 + 4), GNTMAP_host_map);

    (void)state;
    pinned_l1(&dom_a, 1, 2);
    /* Replaces whatever the slot held, dropping its references. */
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 0, e, &dom_b), 0);
    assert_int_equal(mem[1][0], e | US);
    assert_int_equal(count(2), 1);
    assert_int_equal(tcount(2), 0);
    assert_int_equal(count(B0 + 4), 2);
    assert_int_equal(tcount(B0 + 4), 1);
    assert_int_equal(ptype(B0 + 4), PGT_WRITABLE);
    check_grants();
    /* The frame cannot become a page table of its owner while mapped RW. */
    assert_int_equal(pin(&dom_b, B0 + 4, 1), -EINVAL);
    /* Read-only in another slot. */
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 7,
                                      pv_grant_l1e(_mfn(B0 + 4), GNTMAP_readonly), &dom_b), 0);
    assert_int_equal(count(B0 + 4), 3);
    /* Unmap checks frame and RW, then drops the PTE's references. */
    assert_int_equal(pv_grant_unmap_l1e(&dom_a, _mfn(1), 0, _mfn(B0 + 5), _PAGE_RW, 0), -ESRCH);
    assert_int_equal(pv_grant_unmap_l1e(&dom_a, _mfn(1), 0, _mfn(B0 + 4), 0, 0), -ESRCH);
    assert_int_equal(pv_grant_unmap_l1e(&dom_a, _mfn(1), 1, _mfn(B0 + 4), _PAGE_RW, 0), -ESRCH);
    assert_int_equal(count(B0 + 4), 3);
    assert_int_equal(pv_grant_unmap_l1e(&dom_a, _mfn(1), 0, _mfn(B0 + 4), _PAGE_RW, 0), 0);
    assert_int_equal(mem[1][0], 0);
    assert_int_equal(count(B0 + 4), 2);
    assert_int_equal(tcount(B0 + 4), 0);
    assert_int_equal(pv_grant_unmap_l1e(&dom_a, _mfn(1), 7, _mfn(B0 + 4), 0, 0), 0);
    assert_int_equal(count(B0 + 4), 1);
    check_grants();
}

static void test_grant_map_refusals(void **state)
{
    uint64_t e = pv_grant_l1e(_mfn(B0 + 4), GNTMAP_host_map);
    struct snap *s;

    (void)state;
    pinned_l1(&dom_a, 1, 2);
    pinned_l1(&dom_b, B0 + 1, B0 + 2);
    s = take_snap();
    /* Not a validated L1 of the caller. */
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(3), 0, e, &dom_b), -EINVAL);
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(B0 + 1), 0, e, &dom_b), -EINVAL);
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), PT_ENTRIES, e, &dom_b), -EINVAL);
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(NR + 2), 0, e, &dom_b), -EINVAL);
    /* Frames the grant may not give. */
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 0, pv_grant_l1e(_mfn(RAM_TOP), 0),
                                      &dom_b), -EPERM);
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 0, pv_grant_l1e(_mfn(NR + 1), 0),
                                      &dom_b), -EPERM);
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 0, pv_grant_l1e(_mfn(A0 + 3), 0),
                                      &dom_b), -EBUSY);
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 0, pv_grant_l1e(_mfn(FREE0), 0),
                                      &dom_b), -EBUSY);
    /* B's page table: read-only only. */
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 0, pv_grant_l1e(_mfn(B0 + 1), 0),
                                      &dom_b), -EBUSY);
    assert_unchanged(s);
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 3,
                                      pv_grant_l1e(_mfn(B0 + 1), GNTMAP_readonly), &dom_b), 0);
    check_grants();
    assert_int_equal(pv_grant_unmap_l1e(&dom_a, _mfn(1), 3, _mfn(B0 + 1), 0, 0), 0);
    /* Unmap and steal on something that is not an L1 of the caller. */
    assert_int_equal(pv_grant_unmap_l1e(&dom_a, _mfn(B0 + 1), 0, _mfn(B0 + 2), _PAGE_RW, 0),
                     -EINVAL);
    {
        uint64_t old;

        assert_int_equal(pv_grant_steal_l1e(&dom_a, _mfn(3), 0, &old), -EINVAL);
    }
    check();
}

static void test_grant_pte_overwritten_or_devalidated(void **state)
{
    uint64_t e = pv_grant_l1e(_mfn(B0 + 4), GNTMAP_host_map);

    (void)state;
    pinned_l1(&dom_a, 1, 2);
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 5, e, &dom_b), 0);
    /* The guest overwrites it: the ordinary path drops the foreign references. */
    assert_int_equal(mod(&dom_a, 1, 5, pte(3, P)), 0);
    assert_int_equal(count(B0 + 4), 1);
    assert_int_equal(tcount(B0 + 4), 0);
    /* So a later unmap finds something else there. */
    assert_int_equal(pv_grant_unmap_l1e(&dom_a, _mfn(1), 5, _mfn(B0 + 4), _PAGE_RW, 0), -ESRCH);
    check_grants();
    /* Devalidation of the L1 drops a grant PTE's references too... */
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 6, e, &dom_b), 0);
    assert_int_equal(unpin(&dom_a, 1), 0);
    assert_int_equal(count(B0 + 4), 1);
    assert_int_equal(tcount(B0 + 4), 0);
    /* ...and it does not validate again with another domain's frame in it. */
    assert_int_equal(pin(&dom_a, 1, 1), -EBUSY);
    mem[1][6] = 0;
    check();
}

static void test_grant_steal_and_replace(void **state)
{
    uint64_t e = pv_grant_l1e(_mfn(B0 + 4), GNTMAP_host_map), moved;

    (void)state;
    pinned_l1(&dom_a, 1, 2);
    assert_int_equal(pv_grant_map_l1e(&dom_a, _mfn(1), 5, e, &dom_b), 0);
    /* unmap_and_replace: slot 0's entry (A's frame 2, RW) moves into slot 5. */
    assert_int_equal(pv_grant_steal_l1e(&dom_a, _mfn(1), 0, &moved), 0);
    assert_int_equal(moved, pte(2, P | RW | US));
    assert_int_equal(mem[1][0], 0);
    assert_int_equal(pv_grant_unmap_l1e(&dom_a, _mfn(1), 5, _mfn(B0 + 4), _PAGE_RW, moved), 0);
    assert_int_equal(mem[1][5], moved);
    assert_int_equal(count(B0 + 4), 1);
    assert_int_equal(count(2), 2);
    assert_int_equal(tcount(2), 1);
    check();
    /* A failed replace leaves the stolen entry to the caller. */
    assert_int_equal(pv_grant_steal_l1e(&dom_a, _mfn(1), 5, &moved), 0);
    assert_int_equal(pv_grant_unmap_l1e(&dom_a, _mfn(1), 6, _mfn(B0 + 4), _PAGE_RW, moved),
                     -ESRCH);
    pv_put_l1e(moved);
    assert_int_equal(count(2), 1);
    assert_int_equal(tcount(2), 0);
    check();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_init_bad_config_is_bug),
        T(test_l1_allowed_flags_and_adjustment),
        T(test_l1_forbidden_flags),
        T(test_l1_cache_attrs_need_io_caps),
        T(test_l1_paddr_bits),
        T(test_l1_foreign_frame_refused),
        T(test_l1_unowned_frame_refused),
        T(test_l1_io_frames),
        T(test_l1_rw_to_table_refused),
        T(test_pin_table_mapping_table_rw_refused),
        T(test_pin_rw_mapped_frame_refused),
        T(test_pin_errors),
        T(test_unpin_table_in_use_stays_validated),
        T(test_validation_levels),
        T(test_upper_forbidden_flags),
        T(test_upper_targets),
        T(test_l1_of_other_domain_via_l2_refused),
        T(test_linear_page_tables_refused),
        T(test_hypervisor_slots),
        T(test_partial_failure_leaks_nothing),
        T(test_mod_writable_frame_stores_as_is),
        T(test_mod_refused_on_desc_and_busy_frames),
        T(test_mod_l1_replaces_references),
        T(test_mod_preserve_ad_and_cmpxchg),
        T(test_mod_l2_switches_l1),
        T(test_mod_l4_entry_cascades),
        T(test_machphys_update),
        T(test_roots),
        T(test_start_of_day_cascade),
        T(test_teardown_releases_everything),
        T(test_teardown_reports_outside_holders),
        T(test_grant_l1e_flags),
        T(test_grant_map_foreign_frame),
        T(test_grant_map_refusals),
        T(test_grant_pte_overwritten_or_devalidated),
        T(test_grant_steal_and_replace),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
