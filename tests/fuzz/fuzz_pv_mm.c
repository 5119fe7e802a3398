/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the PV page-table engine (arch/x86/pv/pt_*.c) on the
 * real frame table. The input is a program for a small machine: 64 frames
 * in the frame table (56 RAM, 8 holes), 8 I/O frames beyond it, an
 * I/O-capable domain D0 (frames 0-23) and a plain domain D1 (24-47), eight
 * unowned frames (48-55). Each operation is a guest action: a raw store into
 * a frame it could map RW, mmu_update, pin/unpin, new_baseptr on one of four
 * root slots per domain, machphys update. After every operation the
 * invariant checker (tests/support/pv_mm_check.c) must pass, a failed
 * operation must leave every count as it was, and return codes must be
 * documented ones. At the end the roots are dropped and both domains torn
 * down: every count must be zero and every owned frame freed exactly once.
 * Any violation aborts. FUZZ_TRACE=1 in the environment prints each
 * operation and its result.
 *
 * Encoding (one operation, bytes; tests/fuzz/pv_mm_seeds.py writes seeds):
 *   op%7=0 store    frame index value[3]
 *   op%7=1 mod      dom|flags frame index value[3]
 *   op%7=2 pin      dom|level frame
 *   op%7=3 unpin    dom frame
 *   op%7=4 baseptr  dom|slot frame
 *   op%7=5 unroot   dom|slot
 *   op%7=6 m2p      dom frame pfn
 * frame = byte % 72; index = interesting slot or byte % 8 (see pick_index);
 * value = target frame byte, flags byte (bits 0-7), extra byte (bits 0-3:
 * flags 8-11, 4: NX, 5: AVL bit 52, 6: reserved bit 47, 7: frame ~0).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page_info.h>

#include <asm/pv_mm.h>

#include "pv_mm_check.h"

#define NR          64UL    /* frames in the frame table */
#define RAM_TOP     56UL    /* RAM_TOP..NR-1: holes in the table */
#define NR_MFN      72UL    /* NR..NR_MFN-1: I/O beyond the table */
#define D1_FIRST    24UL
#define FREE_FIRST  48UL
#define NR_SLOTS    4       /* root slots per domain (2 vCPUs x kernel/user) */
#define MAX_OPS     256

static struct domain doms[2] = {
    { .domain_id = 0, .has_io_caps = true },
    { .domain_id = 1 },
};

static struct page_info table[NR];
static uint64_t mem[RAM_TOP][PT_ENTRIES] __attribute__((aligned(4096)));
static unsigned long m2p[NR];
static unsigned int roots[NR];
static unsigned long root_slot[2][NR_SLOTS];    /* MFN + 1, 0 if empty */
static unsigned int frees[NR];
static unsigned int maps_out;
static uint64_t hv_slots[PV_HV_L4_SLOTS];

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* ---- the fake machine ---------------------------------------------------- */

static struct domain *owner_of(unsigned long mfn)
{
    if (mfn < D1_FIRST)
        return &doms[0];
    if (mfn < FREE_FIRST)
        return &doms[1];
    return NULL;
}

static bool iomem_ok(const struct domain *d, mfn_t mfn)
{
    unsigned long m = mfn_x(mfn);

    if (d == &doms[0])
        return (m >= RAM_TOP && m < RAM_TOP + 4) || (m >= NR && m < NR + 4);
    return m == RAM_TOP + 4;    /* granted, but D1 has no I/O caps */
}

static bool is_ram(mfn_t mfn)
{
    return mfn_x(mfn) < RAM_TOP;
}

static uint64_t *map_frame(mfn_t mfn)
{
    if (mfn_x(mfn) >= RAM_TOP)
        die("map_frame of non-RAM frame %lu", mfn_x(mfn));
    maps_out++;
    return mem[mfn_x(mfn)];
}

static void unmap_frame(uint64_t *va)
{
    if (maps_out == 0 || va < &mem[0][0] || va >= &mem[0][0] + RAM_TOP * PT_ENTRIES)
        die("unbalanced unmap_frame");
    maps_out--;
}

static void flush_tlb_all(void)
{
}

static void fake_free(struct page_info *pg)
{
    unsigned long mfn = mfn_x(page_to_mfn(pg));

    if (pg->count_info != 0)
        die("free_page of frame %lu with count %#lx", mfn, pg->count_info);
    if (owner_of(mfn) == NULL)
        die("free_page of unowned frame %lu", mfn);
    frees[mfn]++;
}

static const struct pv_mm_ops ops = {
    .map_frame = map_frame,
    .unmap_frame = unmap_frame,
    .mfn_is_ram = is_ram,
    .iomem_permitted = iomem_ok,
    .flush_tlb_all = flush_tlb_all,
    .hypervisor_l4_slots = hv_slots,
    .linear_slot = 258,
    .paddr_bits = 46,
};

static const struct pv_check_env env = { .ops = &ops, .roots = roots };

static void machine_reset(void)
{
    unsigned long m;

    memset(mem, 0, sizeof(mem));
    memset(roots, 0, sizeof(roots));
    memset(root_slot, 0, sizeof(root_slot));
    memset(frees, 0, sizeof(frees));
    maps_out = 0;
    for (unsigned int i = 0; i < PV_HV_L4_SLOTS; i++)
        hv_slots[i] = ((uint64_t)(0x100000 + i) << PAGE_SHIFT) | 0x63;
    frame_table_init(table, NR);
    m2p_init(m2p, NR);
    pv_mm_init(&ops, fake_free);
    for (m = 0; m < FREE_FIRST; m++)
        page_assign_owner(&table[m], owner_of(m));
}

/* ---- input decoding ----------------------------------------------------- */

struct input {
    const uint8_t *p;
    size_t left;
};

static uint8_t next(struct input *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

static unsigned long pick_frame(struct input *in)
{
    return next(in) % NR_MFN;
}

/* Mostly a few low slots, so entries get replaced; sometimes the edges. */
static unsigned int pick_index(struct input *in)
{
    static const unsigned int edges[] = { 255, 256, 258, 271, 272, 511, 300, 510 };
    uint8_t b = next(in);

    return b < 192 ? b % 8 : edges[b % 8];
}

static uint64_t pick_value(struct input *in)
{
    unsigned long target = next(in) % NR_MFN;
    uint8_t lo = next(in), ext = next(in);
    uint64_t v = ((uint64_t)target << PAGE_SHIFT) | lo | ((uint64_t)(ext & 0xf) << 8);

    if (ext & 0x10)
        v |= _PAGE_NX;
    if (ext & 0x20)
        v |= 1UL << 52;
    if (ext & 0x40)
        v |= 1UL << 47;
    if (ext & 0x80)
        v |= PTE_ADDR_MASK;
    return v;
}

/* ---- operations --------------------------------------------------------- */

struct counts {
    unsigned long count_info[NR];
    unsigned long type_info[NR];
};

static void save_counts(struct counts *c)
{
    for (unsigned long m = 0; m < NR; m++) {
        c->count_info[m] = table[m].count_info;
        c->type_info[m] = table[m].u.type_info;
    }
}

/* After a refused operation: every reference as it was. A frame at type
 * count 0 may have been retyped while it was checked. */
static void expect_counts_unchanged(const struct counts *c, const char *op, int rc)
{
    for (unsigned long m = 0; m < NR; m++) {
        unsigned long was = c->type_info[m], now = table[m].u.type_info;

        if (c->count_info[m] != table[m].count_info)
            die("%s failed (%d) but frame %lu count %#lx -> %#lx", op, rc, m,
                c->count_info[m], table[m].count_info);
        if ((was & PGT_COUNT_MASK) ? was != now : (now & (PGT_COUNT_MASK | PGT_PINNED)) != 0)
            die("%s failed (%d) but frame %lu type %#lx -> %#lx", op, rc, m, was, now);
    }
}

static void expect_rc(const char *op, int rc, bool cmpxchg)
{
    if (rc == 0 || rc == -EINVAL || rc == -EBUSY || rc == -EPERM || (cmpxchg && rc == -EAGAIN))
        return;
    die("%s returned undocumented %d", op, rc);
}

static bool table_in_use(unsigned long mfn)
{
    unsigned long x = table[mfn].u.type_info;

    return page_type(x) >= PGT_L1 && page_type(x) <= PGT_L4 && (x & PGT_COUNT_MASK);
}

static void op_store(struct input *in)
{
    unsigned long mfn = pick_frame(in);
    unsigned int i = pick_index(in);
    uint64_t v = pick_value(in);

    /* A guest writes frames it maps RW: never a table in use. */
    if (mfn < RAM_TOP && !table_in_use(mfn))
        mem[mfn][i] = v;
}

static int op_mod(struct input *in)
{
    uint8_t b = next(in);
    struct domain *d = &doms[b & 1];
    unsigned long mfn = pick_frame(in);
    unsigned int i = pick_index(in), flags = 0;
    uint64_t v = pick_value(in), old = 0;
    int rc;

    if (b & 2)
        flags |= PV_MOD_PRESERVE_AD;
    if (b & 4)
        flags |= PV_MOD_L1_ONLY;
    if (b & 8) {
        flags |= PV_MOD_CMPXCHG;
        /* Mostly the live value, as the emulator would pass. */
        old = (b & 16) || mfn >= RAM_TOP ? v : mem[mfn][i];
    }
    rc = pv_mod_entry(d, _mfn(mfn), i, v, flags, &old);
    expect_rc("mod", rc, flags & PV_MOD_CMPXCHG);
    return rc;
}

static int op_pin(struct input *in)
{
    uint8_t b = next(in);
    int rc = pv_pin_table(&doms[b & 1], _mfn(pick_frame(in)), (b >> 1) % 6);

    expect_rc("pin", rc, false);
    return rc;
}

static int op_unpin(struct input *in)
{
    uint8_t b = next(in);
    int rc = pv_unpin_table(&doms[b & 1], _mfn(pick_frame(in)));

    if (rc != 0 && rc != -EINVAL)
        die("unpin returned %d", rc);
    return rc;
}

/* new_baseptr: take the new root, then drop the slot's old one. */
static int op_baseptr(struct input *in)
{
    uint8_t b = next(in);
    unsigned int dom = b & 1, slot = (b >> 1) % NR_SLOTS;
    unsigned long mfn = pick_frame(in);
    int rc = pv_get_root(&doms[dom], _mfn(mfn));

    expect_rc("baseptr", rc, false);
    if (rc)
        return rc;
    roots[mfn]++;
    if (root_slot[dom][slot]) {
        unsigned long old = root_slot[dom][slot] - 1;

        roots[old]--;
        pv_put_root(_mfn(old));
    }
    root_slot[dom][slot] = mfn + 1;
    return 0;
}

static void drop_root(unsigned int dom, unsigned int slot)
{
    unsigned long mfn;

    if (!root_slot[dom][slot])
        return;
    mfn = root_slot[dom][slot] - 1;
    root_slot[dom][slot] = 0;
    roots[mfn]--;
    pv_put_root(_mfn(mfn));
}

static void op_unroot(struct input *in)
{
    uint8_t b = next(in);

    drop_root(b & 1, (b >> 1) % NR_SLOTS);
}

static int op_m2p(struct input *in)
{
    uint8_t b = next(in);
    unsigned long mfn = pick_frame(in);
    int rc = pv_machphys_update(&doms[b & 1], _mfn(mfn), next(in));

    if (rc != 0 && rc != -EINVAL)
        die("machphys returned %d", rc);
    if ((rc == 0) != (mfn < NR && owner_of(mfn) == &doms[b & 1]))
        die("machphys on frame %lu by d%u: %d", mfn, b & 1, rc);
    return rc;
}

static void check(const char *after)
{
    const char *err = pv_check_invariants(&env);

    if (err)
        die("after %s: %s", after, err);
    if (maps_out)
        die("after %s: %u frames still mapped", after, maps_out);
}

static void teardown(void)
{
    mfn_t frames[FREE_FIRST];
    const char *err;

    for (unsigned int dom = 0; dom < 2; dom++)
        for (unsigned int slot = 0; slot < NR_SLOTS; slot++)
            drop_root(dom, slot);
    check("dropping the roots");
    for (unsigned long m = 0; m < FREE_FIRST; m++)
        frames[m] = _mfn(m);
    if (pv_mm_teardown(&doms[0], frames, D1_FIRST))
        die("teardown of D0 found outside references");
    if (pv_mm_teardown(&doms[1], frames + D1_FIRST, FREE_FIRST - D1_FIRST))
        die("teardown of D1 found outside references");
    err = pv_check_all_released();
    if (err)
        die("after teardown: %s", err);
    for (unsigned long m = 0; m < NR; m++)
        if (frees[m] != (m < FREE_FIRST))
            die("frame %lu freed %u times", m, frees[m]);
    if (maps_out)
        die("after teardown: %u frames still mapped", maps_out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "store", "mod", "pin", "unpin", "baseptr", "unroot",
                                         "m2p" };
    static int trace = -1;
    struct input in = { data, size };
    unsigned int n;

    if (trace < 0)
        trace = getenv("FUZZ_TRACE") != NULL;

    machine_reset();
    for (n = 0; n < MAX_OPS && in.left; n++) {
        unsigned int op = next(&in) % 7;
        struct counts before;
        int rc = 0;

        save_counts(&before);
        switch (op) {
        case 0: op_store(&in); break;
        case 1: rc = op_mod(&in); break;
        case 2: rc = op_pin(&in); break;
        case 3: rc = op_unpin(&in); break;
        case 4: rc = op_baseptr(&in); break;
        case 5: op_unroot(&in); break;
        case 6: rc = op_m2p(&in); break;
        }
        if (trace)
            fprintf(stderr, "%3u %-7s rc %d\n", n, names[op], rc);
        if (rc)
            expect_counts_unchanged(&before, names[op], rc);
        check(names[op]);
    }
    teardown();
    return 0;
}
