/* SPDX-License-Identifier: MIT */
/*
 * mmu_pinning: the type rules of the validated PV MMU, attacked through
 * mmuext_op (xen/arch/x86/mm.c: do_mmuext_op, new_guest_cr3, _get_page_type;
 * Keel: pt_update.c, frame_table.c). Each refusal carries Xen's errno and
 * leaves the frame as it was: a table that failed to pin is still an
 * ordinary writable page, a refused CLEAR_PAGE leaves the table's entries,
 * a refused NEW_BASEPTR leaves the guest on its tables.
 *
 *   bad content    pinning an L1 mapping a frame not owned, an L1 mapping
 *                  itself writable, an L1 mapping the live L4 writable, an
 *                  L2 with PSE, an L2 over a bad L1 (the nested error), an
 *                  L4 to a frame not owned: all refused, all still writable
 *   pin state      pin twice (also at another level), unpin an unpinned
 *                  table, a data page, a frame not owned
 *   parent ref     unpinning an L1 its L2 still references keeps it an L1:
 *                  its mapping works, it cannot be mapped writable, its
 *                  entries are still checked; unhooked, it is a page again
 *   alias trick    an L1 written through a writable alias cannot be pinned
 *                  or hooked while the alias exists; it pins once it is gone
 *   NEW_BASEPTR    to garbage, to an L1, to a frame not owned, to a valid
 *                  L4 copy still mapped writable; NEW_USER_BASEPTR garbage
 *   CLEAR/COPY     on page tables (refused, content kept), on frames not
 *                  owned; copying *from* a table is allowed
 *   the cascade    Linux's start of day (linux-pv-abi.md 3.3): new L4/L3/L2
 *                  over the builder's L1s, pin, unpin the builder's L4,
 *                  NEW_BASEPTR; the builder's L4, L3 and L2 are then ordinary
 *                  pages, mapped writable and written; its L1s stay L1s
 */
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "test.h"
#include "traps.h"

/* Window slots. */
#define DATA_SLOT   0   /* a spare frame mapped RW: the guest's own data */
#define TEST_SLOT   1   /* scratch mappings */
#define FILL_SLOT   2   /* mmu_fill() */
#define PEEK_SLOT   3   /* read-only views */
#define ALIAS_SLOT  4   /* the alias trick */

#define MARKER      0x5afe5afe00000000UL

static unsigned long data_mfn;
static uint64_t entries[PT_ENTRIES];

static volatile uint64_t *data(void)
{
    return mmu_win(DATA_SLOT);
}

/* A spare frame holding @entries (all zero but what the caller set). */
static unsigned long table_with(const uint64_t *e)
{
    unsigned long mfn = mmu_spare();
    long rc;

    if (!mfn)
        return 0;
    rc = mmu_fill(FILL_SLOT, mfn, e);
    check(rc == 0, "fill frame %#lx: %ld%s", mfn, rc, errno_name(rc));
    return rc ? 0 : mfn;
}

/* Frame @mfn is an ordinary page: it maps writable, takes a write, and unmaps. */
static void still_writable(const char *what, unsigned long mfn)
{
    volatile uint64_t *p = mmu_win(TEST_SLOT);
    long rc = mmu_win_map(TEST_SLOT, mfn, L1_RW | PTE_NX);

    check(rc == 0, "%s: frame %#lx no longer maps writable: %ld%s", what, mfn, rc,
          errno_name(rc));
    if (rc)
        return;
    p[100] = MARKER | 100;
    check(p[100] == (MARKER | 100), "%s: the write did not stick", what);
    p[100] = 0;
    expect_eq_what("unmap", mmu_win_unmap(TEST_SLOT), 0);
}

/* Frame @mfn is a table in use: mapping it writable is refused. */
static void not_writable(const char *what, unsigned long mfn)
{
    char how[96];

    snprintf(how, sizeof(how), "%s: map frame %#lx writable", what, mfn);
    expect_eq_what(how, mmu_win_map(TEST_SLOT, mfn, L1_RW | PTE_NX), EBUSY);
    check(mmu_win_l1()[TEST_SLOT] == 0, "%s: the entry became %#lx", how,
          mmu_win_l1()[TEST_SLOT]);
}

/* ---- pinning tables with bad content --------------------------------------- */

static void pin_refused(const char *what, unsigned int level, unsigned long mfn, long err)
{
    char how[96];

    if (!mfn)
        return;
    snprintf(how, sizeof(how), "pin %s as L%u", what, level);
    expect_eq_what(how, mmu_ext(MMUEXT_PIN_L1_TABLE + level - 1, mfn, 0), err);
    expect_eq_what("unpin it (it never was pinned)", mmu_ext(MMUEXT_UNPIN_TABLE, mfn, 0),
                   EINVAL);
    still_writable(how, mfn);
}

static void test_bad_content(void)
{
    unsigned long foreign = mmu_foreign_ram_mfn();
    unsigned long self, bad_l1;

    check(foreign != 0, "found no RAM frame outside the guest");

    memset(entries, 0, sizeof(entries));
    entries[5] = mmu_pte(KEEL_IMAGE_MFN, L1_RO);
    pin_refused("an L1 mapping Keel's image", 1, table_with(entries), EBUSY);
    if (foreign) {
        entries[5] = mmu_pte(foreign, L1_RO);
        pin_refused("an L1 mapping free RAM", 1, table_with(entries), EBUSY);
    }
    entries[5] = mmu_pte(mmu_l4_mfn, L1_RW);
    pin_refused("an L1 mapping the live L4 writable", 1, table_with(entries), EBUSY);

    /* An L1 whose entry maps the L1 itself writable. */
    self = mmu_spare();
    memset(entries, 0, sizeof(entries));
    entries[7] = mmu_pte(self, L1_RW);
    if (self && mmu_fill(FILL_SLOT, self, entries) == 0)
        pin_refused("an L1 mapping itself writable", 1, self, EBUSY);

    /* An L2 with a PSE entry; an L2 over a bad L1 (the nested validation's error). */
    memset(entries, 0, sizeof(entries));
    entries[0] = mmu_pte(mmu_mfn_of((void *)VIRT_BASE), UPPER | PTE_PSE);
    pin_refused("an L2 with PSE", 2, table_with(entries), EINVAL);
    entries[0] = mmu_pte(KEEL_IMAGE_MFN, L1_RO);
    bad_l1 = table_with(entries);
    entries[0] = mmu_pte(bad_l1, UPPER);
    pin_refused("an L2 over an L1 mapping Keel's image", 2, table_with(entries), EBUSY);
    if (bad_l1)
        still_writable("the bad L1 below the refused L2", bad_l1);

    /* An L4 with a guest slot to a frame not owned; an L3 to an L3 (wrong level). */
    memset(entries, 0, sizeof(entries));
    entries[3] = mmu_pte(KEEL_IMAGE_MFN, UPPER);
    pin_refused("an L4 to Keel's image", 4, table_with(entries), EINVAL);
    entries[3] = mmu_pte(mmu_l3_mfn, UPPER);
    pin_refused("an L3 to the live L3", 3, table_with(entries), EINVAL);

    /* Not owned at all. */
    expect_eq_what("pin Keel's image as L1", mmu_ext(MMUEXT_PIN_L1_TABLE, KEEL_IMAGE_MFN, 0),
                   EINVAL);
    if (foreign)
        expect_eq_what("pin free RAM as L4", mmu_ext(MMUEXT_PIN_L4_TABLE, foreign, 0), EINVAL);
}

/* ---- pin state ---------------------------------------------------------------- */

static void test_pin_state(void)
{
    unsigned long l1;

    memset(entries, 0, sizeof(entries));
    entries[0] = mmu_pte(data_mfn, L1_RO);
    l1 = table_with(entries);
    if (!l1)
        return;
    expect_eq_what("pin an L1", mmu_ext(MMUEXT_PIN_L1_TABLE, l1, 0), 0);
    expect_eq_what("pin it again", mmu_ext(MMUEXT_PIN_L1_TABLE, l1, 0), EINVAL);
    expect_eq_what("pin it as L2", mmu_ext(MMUEXT_PIN_L2_TABLE, l1, 0), EINVAL);
    not_writable("pinned L1", l1);
    expect_eq_what("unpin it", mmu_ext(MMUEXT_UNPIN_TABLE, l1, 0), 0);
    expect_eq_what("unpin it again", mmu_ext(MMUEXT_UNPIN_TABLE, l1, 0), EINVAL);
    still_writable("unpinned L1", l1);

    expect_eq_what("unpin a data page", mmu_ext(MMUEXT_UNPIN_TABLE, data_mfn, 0), EINVAL);
    expect_eq_what("unpin Keel's image", mmu_ext(MMUEXT_UNPIN_TABLE, KEEL_IMAGE_MFN, 0), EINVAL);
    expect_eq_what("unpin a frame past the M2P",
                   mmu_ext(MMUEXT_UNPIN_TABLE, mmu_max_mfn() + 1, 0), EINVAL);
    check(data()[0] == (MARKER | data_mfn), "the data page reads %#lx", data()[0]);
}

/* ---- unpinned but referenced ------------------------------------------------------ */

static void test_parent_ref(void)
{
    const volatile uint64_t *l2 = mmu_va_of(mmu_l2_mfn);
    unsigned int slot = mmu_win_l2_slot + 1;
    volatile uint64_t *via = (volatile uint64_t *)(VIRT_BASE + ((unsigned long)slot << L2_SHIFT));
    unsigned long l1;

    check(slot < PT_ENTRIES && !(l2[slot] & PTE_PRESENT), "L2 slot %u is not free", slot);
    memset(entries, 0, sizeof(entries));
    entries[0] = mmu_pte(data_mfn, L1_RO | PTE_NX);
    l1 = table_with(entries);
    if (!l1 || slot >= PT_ENTRIES)
        return;
    expect_eq_what("pin the L1", mmu_ext(MMUEXT_PIN_L1_TABLE, l1, 0), 0);
    expect_eq_what("hook it into the L2", mmu_set(mmu_l2_mfn, slot, mmu_pte(l1, UPPER)), 0);
    expect_eq_what("unpin it while hooked", mmu_ext(MMUEXT_UNPIN_TABLE, l1, 0), 0);

    /* Still an L1: its mapping works, it stays read-only, its entries are checked. */
    check(via[0] == (MARKER | data_mfn), "through the unpinned L1: %#lx", via[0]);
    not_writable("unpinned, still referenced L1", l1);
    expect_eq_what("map Keel's image through it", mmu_set(l1, 1, mmu_pte(KEEL_IMAGE_MFN, L1_RO)),
                   EBUSY);
    expect_eq_what("map the live L4 writable through it",
                   mmu_set(l1, 1, mmu_pte(mmu_l4_mfn, L1_RW)), EBUSY);
    expect_eq_what("map the data page writable through it (legitimate)",
                   mmu_set(l1, 1, mmu_pte(data_mfn, L1_RW | PTE_NX)), 0);
    via[512 + 1] = MARKER | 1;
    check(data()[1] == (MARKER | 1), "written through the unpinned L1: data reads %#lx",
          data()[1]);
    expect_eq_what("unpin it again", mmu_ext(MMUEXT_UNPIN_TABLE, l1, 0), EINVAL);

    /* Unhooked: the last type reference goes, and it is an ordinary page. */
    expect_eq_what("unhook it", mmu_set(mmu_l2_mfn, slot, 0), 0);
    expect_eq_what("TLB flush", mmu_ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    still_writable("unhooked L1", l1);
}

/* ---- the alias trick ---------------------------------------------------------------- */

static void test_alias(void)
{
    const volatile uint64_t *l2 = mmu_va_of(mmu_l2_mfn);
    unsigned int slot = mmu_win_l2_slot + 1;
    volatile uint64_t *alias = mmu_win(ALIAS_SLOT);
    unsigned long x = mmu_spare();
    long rc;

    if (!x)
        return;
    /* X is mapped writable; the guest writes an L1 into it. */
    rc = mmu_win_map(ALIAS_SLOT, x, L1_RW | PTE_NX);
    expect_eq_what("map X writable", rc, 0);
    if (rc)
        return;
    alias[0] = mmu_pte(data_mfn, L1_RO);
    alias[1] = mmu_pte(data_mfn, L1_RW);

    /* While the writable alias exists X cannot become a table, by pin or by hook. */
    expect_eq_what("pin X while writable", mmu_ext(MMUEXT_PIN_L1_TABLE, x, 0), EINVAL);
    expect_eq_what("hook X into the L2 while writable",
                   mmu_set(mmu_l2_mfn, slot, mmu_pte(x, UPPER)), EINVAL);
    expect_eq_what("hook X: L2 entry", l2[slot], 0);
    expect_eq_what("NEW_BASEPTR to X while writable", mmu_ext(MMUEXT_NEW_BASEPTR, x, 0), EINVAL);
    /* The alias still works, and X still holds what the guest wrote. */
    alias[2] = MARKER | 2;
    expect_eq_what("X through the alias", alias[2], MARKER | 2);
    alias[2] = 0;

    /* A read-only alias is fine: remap it so, and X pins. */
    expect_eq_what("make the alias read-only", mmu_win_map(ALIAS_SLOT, x, L1_RO | PTE_NX), 0);
    expect_eq_what("pin X (read-only alias)", mmu_ext(MMUEXT_PIN_L1_TABLE, x, 0), 0);
    expect_eq_what("X's entry 1 (USER added)", alias[1], mmu_stored(mmu_pte(data_mfn, L1_RW)));
    not_writable("pinned X", x);
    expect_eq_what("unpin X", mmu_ext(MMUEXT_UNPIN_TABLE, x, 0), 0);
    expect_eq_what("drop the alias", mmu_win_unmap(ALIAS_SLOT), 0);
    still_writable("X after the alias trick", x);
}

/* ---- NEW_BASEPTR ------------------------------------------------------------------ */

static void test_baseptr(void)
{
    const volatile uint64_t *l4 = (const volatile uint64_t *)start_info->pt_base;
    volatile uint64_t *alias = mmu_win(ALIAS_SLOT);
    unsigned long garbage, copy;
    long rc;

    for (unsigned int i = 0; i < PT_ENTRIES; i++)
        entries[i] = 0xdeadbeefdeadbeefUL;
    garbage = table_with(entries);
    if (garbage) {
        expect_eq_what("NEW_BASEPTR to garbage", mmu_ext(MMUEXT_NEW_BASEPTR, garbage, 0), EINVAL);
        expect_eq_what("NEW_USER_BASEPTR to garbage",
                       mmu_ext(MMUEXT_NEW_USER_BASEPTR, garbage, 0), EINVAL);
        still_writable("the garbage frame", garbage);
    }
    expect_eq_what("NEW_BASEPTR to the window's L1", mmu_ext(MMUEXT_NEW_BASEPTR, mmu_win_l1_mfn, 0),
                   EINVAL);
    expect_eq_what("NEW_BASEPTR to the L3", mmu_ext(MMUEXT_NEW_BASEPTR, mmu_l3_mfn, 0), EINVAL);
    expect_eq_what("NEW_BASEPTR to Keel's image", mmu_ext(MMUEXT_NEW_BASEPTR, KEEL_IMAGE_MFN, 0),
                   EINVAL);
    expect_eq_what("NEW_BASEPTR past the M2P",
                   mmu_ext(MMUEXT_NEW_BASEPTR, mmu_max_mfn() + 1, 0), EINVAL);
    expect_eq_what("NEW_BASEPTR to a data page mapped writable",
                   mmu_ext(MMUEXT_NEW_BASEPTR, data_mfn, 0), EINVAL);

    /* A valid copy of the L4, still mapped writable: refused; read-only: fine. */
    for (unsigned int i = 0; i < PT_ENTRIES; i++)
        entries[i] = l4[i];
    copy = table_with(entries);
    if (!copy)
        return;
    rc = mmu_win_map(ALIAS_SLOT, copy, L1_RW | PTE_NX);
    expect_eq_what("map the L4 copy writable", rc, 0);
    expect_eq_what("NEW_BASEPTR to the L4 copy mapped writable",
                   mmu_ext(MMUEXT_NEW_BASEPTR, copy, 0), EINVAL);
    alias[0] = 0;   /* still writable: the refusal took nothing */
    expect_eq_what("drop the writable alias", mmu_win_unmap(ALIAS_SLOT), 0);

    /* The guest is still on its own tables, which still work. */
    check(data()[0] == (MARKER | data_mfn), "after the refused switches: data reads %#lx",
          data()[0]);
    expect_eq_what("the M2P reads the L4's PFN", mmu_m2p(mmu_l4_mfn),
                   (start_info->pt_base - VIRT_BASE) >> PAGE_SHIFT);
    not_writable("the live L4 after the refused switches", mmu_l4_mfn);

    /* Legitimate round trip: to the copy and back. */
    expect_eq_what("NEW_BASEPTR to the L4 copy", mmu_ext(MMUEXT_NEW_BASEPTR, copy, 0), 0);
    check(data()[0] == (MARKER | data_mfn), "on the L4 copy: data reads %#lx", data()[0]);
    expect_eq_what("NEW_BASEPTR back", mmu_ext(MMUEXT_NEW_BASEPTR, mmu_l4_mfn, 0), 0);
    still_writable("the L4 copy once unused", copy);
}

/* ---- CLEAR_PAGE and COPY_PAGE ----------------------------------------------------------- */

static void test_page_ops(void)
{
    const volatile uint64_t *l4 = (const volatile uint64_t *)start_info->pt_base;
    const volatile uint64_t *win_l1 = mmu_win_l1();
    const volatile uint64_t *peek;
    unsigned long foreign = mmu_foreign_ram_mfn();
    unsigned long dst = mmu_spare();
    uint64_t l4_511 = l4[511], win0 = win_l1[DATA_SLOT];
    bool same;

    expect_eq_what("CLEAR_PAGE of the window's L1", mmu_ext(MMUEXT_CLEAR_PAGE, mmu_win_l1_mfn, 0),
                   EINVAL);
    expect_eq_what("the window's L1 after", win_l1[DATA_SLOT], win0);
    expect_eq_what("CLEAR_PAGE of the live L4", mmu_ext(MMUEXT_CLEAR_PAGE, mmu_l4_mfn, 0), EINVAL);
    expect_eq_what("the L4 after", l4[511], l4_511);
    expect_eq_what("COPY_PAGE onto the L2", mmu_ext(MMUEXT_COPY_PAGE, mmu_l2_mfn, data_mfn),
                   EINVAL);
    check(((const volatile uint64_t *)mmu_va_of(mmu_l2_mfn))[mmu_win_l2_slot] ==
          mmu_stored(mmu_pte(mmu_win_l1_mfn, UPPER)), "the L2 after COPY_PAGE changed");
    expect_eq_what("CLEAR_PAGE of Keel's image", mmu_ext(MMUEXT_CLEAR_PAGE, KEEL_IMAGE_MFN, 0),
                   EINVAL);
    if (foreign)
        expect_eq_what("CLEAR_PAGE of free RAM", mmu_ext(MMUEXT_CLEAR_PAGE, foreign, 0), EINVAL);
    expect_eq_what("CLEAR_PAGE past the M2P", mmu_ext(MMUEXT_CLEAR_PAGE, mmu_max_mfn() + 1, 0),
                   EINVAL);
    expect_eq_what("COPY_PAGE from Keel's image",
                   mmu_ext(MMUEXT_COPY_PAGE, data_mfn, KEEL_IMAGE_MFN), EINVAL);
    if (foreign)
        expect_eq_what("COPY_PAGE onto free RAM", mmu_ext(MMUEXT_COPY_PAGE, foreign, data_mfn),
                       EINVAL);
    check(data()[0] == (MARKER | data_mfn), "the data page after refused page ops: %#lx",
          data()[0]);

    /* Legitimate: copying *from* a table into a data page. */
    if (!dst)
        return;
    expect_eq_what("COPY_PAGE from the live L4", mmu_ext(MMUEXT_COPY_PAGE, dst, mmu_l4_mfn), 0);
    peek = mmu_peek(PEEK_SLOT, dst);
    if (peek) {
        same = true;
        for (unsigned int i = 0; i < PT_ENTRIES; i++)
            same &= peek[i] == l4[i];
        check(same, "COPY_PAGE from the L4: the copy differs");
    }
    expect_eq_what("CLEAR_PAGE of it", mmu_ext(MMUEXT_CLEAR_PAGE, dst, 0), 0);
    if (peek)
        expect_eq_what("cleared", peek[511], 0);
    expect_eq_what("unmap", mmu_win_unmap(PEEK_SLOT), 0);
}

/* ---- the start-of-day cascade ------------------------------------------------------------ */

static void test_cascade(void)
{
    const volatile uint64_t *old_l4 = (const volatile uint64_t *)start_info->pt_base;
    const volatile uint64_t *old_l3 = mmu_va_of(mmu_l3_mfn);
    const volatile uint64_t *old_l2 = mmu_va_of(mmu_l2_mfn);
    unsigned long old[3] = { mmu_l4_mfn, mmu_l3_mfn, mmu_l2_mfn };
    static const char *const names[3] = { "L4", "L3", "L2" };
    unsigned long builder_l1 = pte_mfn(old_l2[pt_index(VIRT_BASE, L2_SHIFT)]);
    unsigned long l4, l3, l2;
    char what[64];

    /* Linux's copies: a new L2 over the builder's L1s, a new L3 and L4 above. */
    for (unsigned int i = 0; i < PT_ENTRIES; i++)
        entries[i] = old_l2[i];
    l2 = table_with(entries);
    for (unsigned int i = 0; i < PT_ENTRIES; i++)
        entries[i] = old_l3[i];
    entries[pt_index(VIRT_BASE, L3_SHIFT)] = mmu_pte(l2, UPPER);
    l3 = table_with(entries);
    for (unsigned int i = 0; i < PT_ENTRIES; i++)
        entries[i] = old_l4[i];
    entries[pt_index(VIRT_BASE, L4_SHIFT)] = mmu_pte(l3, UPPER);
    l4 = table_with(entries);
    if (!l2 || !l3 || !l4)
        return;

    /* While the builder's tables are in use they stay read-only. */
    for (unsigned int i = 0; i < 3; i++)
        not_writable(names[i], old[i]);

    expect_eq_what("pin the new L4", mmu_ext(MMUEXT_PIN_L4_TABLE, l4, 0), 0);
    expect_eq_what("unpin the builder's L4", mmu_ext(MMUEXT_UNPIN_TABLE, old[0], 0), 0);
    /* Still the root: still a table. */
    not_writable("the builder's L4, unpinned but still the root", old[0]);
    expect_eq_what("NEW_BASEPTR to the new L4", mmu_ext(MMUEXT_NEW_BASEPTR, l4, 0), 0);
    check(data()[0] == (MARKER | data_mfn), "on the new tables: data reads %#lx", data()[0]);

    /* The cascade devalidated the builder's L4, L3 and L2: writable now, also in place. */
    for (unsigned int i = 0; i < 3; i++) {
        snprintf(what, sizeof(what), "the builder's %s after the cascade", names[i]);
        still_writable(what, old[i]);
    }
    {
        unsigned long va = start_info->pt_base;
        const volatile uint64_t *bl1 = mmu_peek(PEEK_SLOT, pte_mfn(old_l2[pt_index(va, L2_SHIFT)]));
        uint64_t e = bl1 ? bl1[pt_index(va, L1_SHIFT)] : 0;
        long rc;

        expect_eq_what("unmap", mmu_win_unmap(PEEK_SLOT), 0);
        rc = mmu_uvm(va, e | PTE_RW);
        expect_eq_what("make the builder's L4 writable where the builder mapped it", rc, 0);
        if (!rc) {
            *(volatile uint64_t *)(va + 8) = MARKER | 8;
            expect_eq_what("written in place", old_l4[1], MARKER | 8);
        }
    }
    /* The builder's L1s are the new L2's now: still L1s. */
    not_writable("a builder L1 under the new L2", builder_l1);
    expect_eq_what("pin the builder's L4 while it is mapped writable",
                   mmu_ext(MMUEXT_PIN_L4_TABLE, old[0], 0), EINVAL);
    mmu_l4_mfn = l4, mmu_l3_mfn = l3, mmu_l2_mfn = l2;
}

void guest_main(void)
{
    if (traps_load_rc)
        test_fail(guest_name, "set_trap_table returned %ld%s", traps_load_rc,
                  errno_name(traps_load_rc));
    if (!mmu_init())
        return;
    data_mfn = mmu_spare();
    if (!data_mfn || mmu_win_map(DATA_SLOT, data_mfn, L1_RW | PTE_NX))
        test_fail(guest_name, "cannot map a data frame");
    data()[0] = MARKER | data_mfn;

    test_bad_content();
    test_pin_state();
    test_parent_ref();
    test_alias();
    test_baseptr();
    test_page_ops();
    test_cascade();
    check(data()[0] == (MARKER | data_mfn), "the data page reads %#lx at the end", data()[0]);
}
