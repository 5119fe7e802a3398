/* SPDX-License-Identifier: MIT */
/*
 * mmu_hostile: the mapping rules of the validated PV MMU, each attacked
 * through the hypercalls (update_va_mapping, mmu_update) by a guest that
 * wants to map what it does not own, get a writable view of a page table,
 * or reach into the hypervisor. Every refusal must carry Xen's errno
 * (xen/arch/x86/mm.c: get_page_from_l1e, get_page_from_l[234]e,
 * mod_l4_entry, do_mmu_update; Keel's cases in pt_validate.c), and must
 * change nothing: the entry reads back as before, and a legitimate
 * operation on it still works afterwards.
 *
 *   not owned     a free RAM frame of Keel's heap (M2P INVALID), Keel's own
 *                 image (MFN 0x200), the local APIC and I/O APIC (dom0 may
 *                 map MMIO, never the interrupt controllers), the all-ones
 *                 frame, a frame beyond the physical-address width; as L1
 *                 entries and as L2 targets
 *   bits          L1 bit 62 (Xen's _PAGE_GNTTAB, never the guest's); L2
 *                 PSE, PWT, PCD, G; L3 and L4 PSE; reserved address bits
 *   cache attrs   dom0 has I/O capabilities, so PCD/PWT/PAT on its own RAM
 *                 are allowed (Xen: cache_flush_permitted); the refusal for
 *                 a domain without them cannot be tried from dom0
 *   writable PTs  the pinned window L1, the live L4, the L3, the L2 and a
 *                 builder L1: by update_va_mapping and by mmu_update
 *   linear PTs    L2->L2, L3->L3, L4->L4 (read-only and writable), an L2
 *                 entry to a writable data page, to the L4 (wrong level)
 *   hypervisor    mmu_update of L4 slots 256..271; update_va_mapping of VAs
 *                 in 0xffff800000000000..0xffff87ffffffffff, non-canonical
 *                 and unmapped VAs; the M2P must read the same afterwards
 *   mmu_update    ptr with bit 2 set (Xen: command 4..7, -ENOSYS), ptr in a
 *                 frame not owned, MMU_MACHPHYS_UPDATE of a frame not owned
 */
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "test.h"
#include "traps.h"

/* Window slots. */
#define DATA_SLOT   0   /* a spare frame mapped RW: the guest's own data */
#define TEST_SLOT   1   /* the entry the L1 attacks aim at; empty between checks */
#define PEEK_SLOT   2   /* read-only views of tables */

#define MARKER      0x5afe5afe00000000UL

static unsigned long data_mfn;
static unsigned int paddr_bits;

static volatile uint64_t *data(void)
{
    return mmu_win(DATA_SLOT);
}

/* ---- the L1 attacks -------------------------------------------------------- */

/* A legitimate mapping at the test slot works, reaches the data, and goes again. */
static void l1_still_works(const char *what)
{
    volatile uint64_t *p = mmu_win(TEST_SLOT);
    long rc = mmu_uvm((unsigned long)p, mmu_pte(data_mfn, L1_RO | PTE_NX));

    check(rc == 0, "%s: then a legitimate mapping failed: %ld%s", what, rc, errno_name(rc));
    if (!rc)
        check(p[0] == (MARKER | data_mfn), "%s: then the legitimate mapping reads %#lx", what,
              p[0]);
    rc = mmu_uvm((unsigned long)p, 0);
    check(rc == 0, "%s: then unmapping failed: %ld%s", what, rc, errno_name(rc));
}

/*
 * Installing @val at the test slot must fail with @err, by update_va_mapping
 * and by mmu_update on the window's L1, and leave the entry empty.
 */
static void l1_refused(const char *what, uint64_t val, long err)
{
    const volatile uint64_t *l1 = mmu_win_l1();
    char how[96];

    snprintf(how, sizeof(how), "%s (update_va_mapping %#lx)", what, val);
    expect_eq_what(how, mmu_uvm((unsigned long)mmu_win(TEST_SLOT), val), err);
    check(l1[TEST_SLOT] == 0, "%s: the entry became %#lx", how, l1[TEST_SLOT]);
    snprintf(how, sizeof(how), "%s (mmu_update %#lx)", what, val);
    expect_eq_what(how, mmu_set(mmu_win_l1_mfn, TEST_SLOT, val), err);
    check(l1[TEST_SLOT] == 0, "%s: the entry became %#lx", how, l1[TEST_SLOT]);
    l1_still_works(what);
}

static void test_not_owned(void)
{
    unsigned long foreign = mmu_foreign_ram_mfn();
    unsigned long beyond = 1UL << (paddr_bits - PAGE_SHIFT);

    check(!mmu_owned(KEEL_IMAGE_MFN), "MFN %#lx (Keel's image) is the guest's own",
          KEEL_IMAGE_MFN);
    check(foreign != 0, "found no RAM frame outside the guest");
    printf("mmu_hostile: foreign RAM frame %#lx (M2P %#lx), Keel image %#lx, paddr_bits %u\n",
           foreign, mmu_m2p(foreign), KEEL_IMAGE_MFN, paddr_bits);

    /* RAM the domain does not own: Xen's could_not_pin. */
    if (foreign) {
        l1_refused("map free RAM read-only", mmu_pte(foreign, L1_RO), EBUSY);
        l1_refused("map free RAM writable", mmu_pte(foreign, L1_RW), EBUSY);
    }
    l1_refused("map Keel's image read-only", mmu_pte(KEEL_IMAGE_MFN, L1_RO), EBUSY);
    l1_refused("map Keel's image writable", mmu_pte(KEEL_IMAGE_MFN, L1_RW), EBUSY);

    /* MMIO outside dom0's I/O capabilities: Xen denies dom0 the interrupt controllers. */
    l1_refused("map the local APIC", mmu_pte(0xfee00, L1_RW | PTE_PCD | PTE_PWT), EPERM);
    l1_refused("map the I/O APIC", mmu_pte(0xfec00, L1_RW | PTE_PCD | PTE_PWT), EPERM);

    /* The all-ones frame is "no frame" (Xen: -EINVAL, not an MMIO attempt). */
    l1_refused("map the all-ones frame", mmu_pte(PTE_ADDR >> PAGE_SHIFT, L1_RO), EINVAL);
    /* A frame past the physical-address width: MMIO outside every I/O range (Xen: -EPERM). */
    l1_refused("map a frame beyond paddr_bits", mmu_pte(beyond, L1_RO), EPERM);
}

static void test_l1_bits(void)
{
    uint64_t ro = mmu_pte(data_mfn, L1_RO | PTE_NX);
    const volatile uint64_t *l1 = mmu_win_l1();
    volatile uint64_t *p = mmu_win(TEST_SLOT);
    uint64_t want;
    long rc;

    /* Bit 62 is Xen's _PAGE_GNTTAB: in L1_DISALLOW_MASK for every guest. */
    l1_refused("L1 entry with bit 62", ro | (1UL << 62), EINVAL);

    /* The guest's own bits are allowed: AVL 9-11, AVL_HIGH 52-61, G, NX. */
    want = ro | 0xe00 | PTE_AVL_HIGH(0x3ff) | PTE_GLOBAL;
    rc = mmu_uvm((unsigned long)p, want);
    expect_eq_what("L1 entry with AVL, AVL_HIGH 52-61 and G", rc, 0);
    expect_eq_what("L1 entry with AVL, AVL_HIGH 52-61 and G: entry", l1[TEST_SLOT],
                   mmu_stored(want));
    expect_eq_what("unmap", mmu_uvm((unsigned long)p, 0), 0);

    /* dom0 has I/O capabilities: cache attributes on its own RAM are allowed. */
    want = mmu_pte(data_mfn, L1_RO | PTE_NX | PTE_PCD | PTE_PWT | PTE_PSE);
    rc = mmu_uvm((unsigned long)p, want);
    expect_eq_what("PCD|PWT|PAT on own RAM (dom0 has I/O capabilities)", rc, 0);
    expect_eq_what("PCD|PWT|PAT on own RAM: entry (RAM is not forced UC)", l1[TEST_SLOT],
                   mmu_stored(want));
    if (!rc)
        check(p[0] == (MARKER | data_mfn), "uncached mapping reads %#lx", p[0]);
    expect_eq_what("unmap", mmu_uvm((unsigned long)p, 0), 0);
    printf("mmu_hostile: dom0 has I/O capabilities, so PCD/PWT/PAT mappings of its RAM are "
           "allowed (as Xen allows them); their refusal needs a domU\n");
}

static void test_writable_tables(void)
{
    const volatile uint64_t *l2 = mmu_va_of(mmu_l2_mfn);
    unsigned long builder_l1 = pte_mfn(l2[pt_index(VIRT_BASE, L2_SHIFT)]);
    const struct {
        const char *what;
        unsigned long mfn;
    } tables[] = {
        { "the pinned window L1", mmu_win_l1_mfn },
        { "the live L4", mmu_l4_mfn },
        { "the L3", mmu_l3_mfn },
        { "the L2", mmu_l2_mfn },
        { "a builder L1", builder_l1 },
    };
    unsigned long l4_va = start_info->pt_base;
    unsigned int pfn = (l4_va - VIRT_BASE) >> PAGE_SHIFT;
    const volatile uint64_t *l4 = (const volatile uint64_t *)l4_va;
    uint64_t l4_511 = l4[511];
    const volatile uint64_t *bl1;
    char what[96];
    long rc;

    for (unsigned int i = 0; i < ARRAY_SIZE(tables); i++) {
        snprintf(what, sizeof(what), "map %s (%#lx) writable", tables[i].what, tables[i].mfn);
        l1_refused(what, mmu_pte(tables[i].mfn, L1_RW), EBUSY);
        /* Read-only is fine: Linux maps its tables so. */
        snprintf(what, sizeof(what), "map %s read-only", tables[i].what);
        rc = mmu_win_map(TEST_SLOT, tables[i].mfn, L1_RO | PTE_NX);
        expect_eq_what(what, rc, 0);
        expect_eq_what("unmap", mmu_win_unmap(TEST_SLOT), 0);
    }

    /* The L4's own read-only mapping in the initial region, made writable. */
    bl1 = mmu_peek(PEEK_SLOT, pte_mfn(l2[pt_index(l4_va, L2_SHIFT)]));
    if (bl1) {
        uint64_t l4_pte = bl1[pt_index(l4_va, L1_SHIFT)];

        check(pte_mfn(l4_pte) == mmu_l4_mfn && !(l4_pte & PTE_RW),
              "the L4's mapping at PFN %#x is %#lx", pfn, l4_pte);
        expect_eq_what("make the L4's own mapping writable", mmu_uvm(l4_va, l4_pte | PTE_RW),
                       EBUSY);
        expect_eq_what("the L4's own mapping after", bl1[pt_index(l4_va, L1_SHIFT)], l4_pte);
        /* Legitimate: rewrite it as it is. */
        expect_eq_what("rewrite the L4's read-only mapping", mmu_uvm(l4_va, l4_pte), 0);
        expect_eq_what("the L4 reads through it", l4[511], l4_511);
    }
    expect_eq_what("unmap", mmu_win_unmap(PEEK_SLOT), 0);
}

/* ---- upper levels ---------------------------------------------------------- */

/*
 * Setting entry @index of table @mfn (read through @view) to @val must fail
 * with @err and leave the entry as it was.
 */
static void set_refused(const char *what, unsigned long table, const volatile uint64_t *view,
                        unsigned int index, uint64_t val, long err)
{
    uint64_t before = view[index];
    char how[112];

    snprintf(how, sizeof(how), "%s (table %#lx[%u] = %#lx)", what, table, index, val);
    expect_eq_what(how, mmu_set(table, index, val), err);
    check(view[index] == before, "%s: the entry became %#lx (was %#lx)", how, view[index],
          before);
}

static void test_l2(void)
{
    const volatile uint64_t *l2 = mmu_va_of(mmu_l2_mfn);
    unsigned int slot = mmu_win_l2_slot + 1;
    unsigned long alias = VIRT_BASE + ((unsigned long)slot << L2_SHIFT);
    unsigned long win = mmu_win_l1_mfn;
    unsigned long foreign = mmu_foreign_ram_mfn();

    check(slot < PT_ENTRIES && !(l2[slot] & PTE_PRESENT), "L2 slot %u is not free", slot);
    if (slot >= PT_ENTRIES)
        return;

    set_refused("L2 PSE (a 2 MiB page of the guest's own memory)", mmu_l2_mfn, l2, slot,
                mmu_pte(mmu_mfn_of((void *)VIRT_BASE), UPPER | PTE_PSE), EINVAL);
    set_refused("L2 PSE to the window L1", mmu_l2_mfn, l2, slot,
                mmu_pte(win, UPPER | PTE_PSE), EINVAL);
    set_refused("L2 PWT", mmu_l2_mfn, l2, slot, mmu_pte(win, UPPER | PTE_PWT), EINVAL);
    set_refused("L2 PCD", mmu_l2_mfn, l2, slot, mmu_pte(win, UPPER | PTE_PCD), EINVAL);
    set_refused("L2 G", mmu_l2_mfn, l2, slot, mmu_pte(win, UPPER | PTE_GLOBAL), EINVAL);
    set_refused("L2 address bit beyond paddr_bits", mmu_l2_mfn, l2, slot,
                mmu_pte(win | 1UL << (paddr_bits - PAGE_SHIFT), UPPER), EINVAL);
    set_refused("L2 to Keel's image", mmu_l2_mfn, l2, slot, mmu_pte(KEEL_IMAGE_MFN, UPPER),
                EINVAL);
    if (foreign)
        set_refused("L2 to free RAM", mmu_l2_mfn, l2, slot, mmu_pte(foreign, UPPER), EINVAL);
    /* Linear page tables: Keel refuses them all (Xen allows read-only ones). */
    set_refused("L2 -> itself (linear, read-only)", mmu_l2_mfn, l2, slot,
                mmu_pte(mmu_l2_mfn, UPPER & ~PTE_RW), EINVAL);
    set_refused("L2 -> itself (linear, writable)", mmu_l2_mfn, l2, slot,
                mmu_pte(mmu_l2_mfn, UPPER), EINVAL);
    /* A data page mapped writable cannot become an L1. */
    set_refused("L2 -> a writable-mapped data page", mmu_l2_mfn, l2, slot,
                mmu_pte(data_mfn, UPPER), EINVAL);
    set_refused("L2 -> the L4 (wrong level)", mmu_l2_mfn, l2, slot,
                mmu_pte(mmu_l4_mfn, UPPER), EINVAL);

    /* Legitimate: a second L2 entry to the window's L1 aliases the window. */
    expect_eq_what("L2 alias of the window L1", mmu_set(mmu_l2_mfn, slot, mmu_pte(win, UPPER)),
                   0);
    expect_eq_what("L2 alias: entry", l2[slot], mmu_stored(mmu_pte(win, UPPER)));
    check(*(volatile uint64_t *)alias == (MARKER | data_mfn),
          "the data page through the L2 alias reads %#lx", *(volatile uint64_t *)alias);
    expect_eq_what("L2 alias removed", mmu_set(mmu_l2_mfn, slot, 0), 0);
    expect_eq_what("TLB flush", mmu_ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
}

static void test_l3_l4(void)
{
    const volatile uint64_t *l3 = mmu_va_of(mmu_l3_mfn);
    const volatile uint64_t *l4 = (const volatile uint64_t *)start_info->pt_base;
    unsigned int l3_slot = 500, l4_slot = 300;
    unsigned long l2_new = mmu_spare(), l3_new = mmu_spare();

    check(!(l3[l3_slot] & PTE_PRESENT) && !(l4[l4_slot] & PTE_PRESENT),
          "L3 slot %u or L4 slot %u is in use", l3_slot, l4_slot);

    set_refused("L3 PSE (1 GiB page)", mmu_l3_mfn, l3, l3_slot,
                mmu_pte(l2_new, UPPER | PTE_PSE), EINVAL);
    set_refused("L3 -> itself (linear, read-only)", mmu_l3_mfn, l3, l3_slot,
                mmu_pte(mmu_l3_mfn, UPPER & ~PTE_RW), EINVAL);
    set_refused("L3 -> itself (linear, writable)", mmu_l3_mfn, l3, l3_slot,
                mmu_pte(mmu_l3_mfn, UPPER), EINVAL);
    set_refused("L3 -> Keel's image", mmu_l3_mfn, l3, l3_slot,
                mmu_pte(KEEL_IMAGE_MFN, UPPER), EINVAL);
    set_refused("L4 PSE", mmu_l4_mfn, l4, l4_slot, mmu_pte(l3_new, UPPER | PTE_PSE), EINVAL);
    set_refused("L4 -> itself (linear, read-only)", mmu_l4_mfn, l4, l4_slot,
                mmu_pte(mmu_l4_mfn, UPPER & ~PTE_RW), EINVAL);
    set_refused("L4 -> itself (linear, writable)", mmu_l4_mfn, l4, l4_slot,
                mmu_pte(mmu_l4_mfn, UPPER), EINVAL);
    set_refused("L4 -> Keel's image", mmu_l4_mfn, l4, l4_slot,
                mmu_pte(KEEL_IMAGE_MFN, UPPER), EINVAL);

    /* Legitimate: empty new tables hook in and out. */
    if (l2_new) {
        expect_eq_what("L3 -> an empty L2", mmu_set(mmu_l3_mfn, l3_slot, mmu_pte(l2_new, UPPER)),
                       0);
        expect_eq_what("unhook it", mmu_set(mmu_l3_mfn, l3_slot, 0), 0);
    }
    if (l3_new) {
        expect_eq_what("L4 -> an empty L3", mmu_set(mmu_l4_mfn, l4_slot, mmu_pte(l3_new, UPPER)),
                       0);
        expect_eq_what("L4 -> an empty L3: entry (USER and ACCESSED forced)", l4[l4_slot],
                       mmu_pte(l3_new, UPPER));
        expect_eq_what("unhook it", mmu_set(mmu_l4_mfn, l4_slot, 0), 0);
    }
}

/* ---- the hypervisor's range ----------------------------------------------------- */

static void test_hypervisor(void)
{
    const volatile uint64_t *l4 = (const volatile uint64_t *)start_info->pt_base;
    unsigned long own_pfn = (start_info->pt_base - VIRT_BASE) >> PAGE_SHIFT;
    static const unsigned long vas[] = {
        HV_START,                       /* the RO M2P */
        HV_START + 0x1000,
        0xffff810000000000UL,           /* slot 258 */
        0xffff82d040000000UL,           /* Keel's text */
        0xffff830000000000UL,           /* the direct map */
        HV_END - PAGE_SIZE,             /* the last page of slot 271 */
        0x0000800000000000UL,           /* non-canonical */
        0xfffe000000000000UL,           /* non-canonical */
    };
    const volatile uint64_t *l2 = mmu_va_of(mmu_l2_mfn);
    unsigned long unmapped = VIRT_BASE + (500UL << L2_SHIFT);
    char what[96];

    for (unsigned int s = HV_SLOT_FIRST; s <= HV_SLOT_LAST; s++) {
        snprintf(what, sizeof(what), "clear hypervisor L4 slot %u", s);
        set_refused(what, mmu_l4_mfn, l4, s, 0, EINVAL);
        snprintf(what, sizeof(what), "point hypervisor L4 slot %u at the L3", s);
        set_refused(what, mmu_l4_mfn, l4, s, mmu_pte(mmu_l3_mfn, UPPER), EINVAL);
    }
    expect_eq_what("the M2P still reads through slot 256", mmu_m2p(mmu_l4_mfn), own_pfn);

    for (unsigned int i = 0; i < ARRAY_SIZE(vas); i++) {
        snprintf(what, sizeof(what), "update_va_mapping(%#lx) to own data", vas[i]);
        expect_eq_what(what, mmu_uvm(vas[i], mmu_pte(data_mfn, L1_RW)), EINVAL);
        snprintf(what, sizeof(what), "update_va_mapping(%#lx) to clear", vas[i]);
        expect_eq_what(what, mmu_uvm(vas[i], 0), EINVAL);
    }
    expect_eq_what("the M2P still reads the L4's PFN", mmu_m2p(mmu_l4_mfn), own_pfn);

    /* A VA with no L1 (its L2 entry not present). */
    check(!(l2[500] & PTE_PRESENT), "L2 slot 500 is in use");
    expect_eq_what("update_va_mapping of a VA with no L1", mmu_uvm(unmapped, 0), EINVAL);
    l1_still_works("hypervisor VAs");
}

/* ---- mmu_update's ptr ----------------------------------------------------------- */

static void test_ptr(void)
{
    const volatile uint64_t *l1 = mmu_win_l1();
    uint64_t slot_ma = ((uint64_t)mmu_win_l1_mfn << PAGE_SHIFT) + TEST_SLOT * 8UL;
    uint64_t val = mmu_pte(data_mfn, L1_RO);
    unsigned long foreign = mmu_foreign_ram_mfn();
    unsigned long data_pfn = mmu_m2p(data_mfn);

    /* Bit 2 is part of Xen's command field (ptr & 7): commands 4..7 are -ENOSYS. */
    expect_eq_what("mmu_update ptr | 4 (misaligned slot)", mmu_update1(slot_ma | 4, val), ENOSYS);
    expect_eq_what("mmu_update ptr | 6", mmu_update1(slot_ma | 6, val), ENOSYS);
    expect_eq_what("mmu_update ptr | 7", mmu_update1(slot_ma | 7, val), ENOSYS);
    expect_eq_what("misaligned: entry", l1[TEST_SLOT], 0);
    expect_eq_what("MMU_MACHPHYS_UPDATE | 4 (command 5)",
                   mmu_update1(((uint64_t)data_mfn << PAGE_SHIFT) | 5, 0x1234), ENOSYS);
    expect_eq_what("command 5: M2P unchanged", mmu_m2p(data_mfn), data_pfn);

    /* A ptr in a frame the guest does not own. */
    expect_eq_what("mmu_update in Keel's image",
                   mmu_update1((uint64_t)KEEL_IMAGE_MFN << PAGE_SHIFT, val), EINVAL);
    if (foreign)
        expect_eq_what("mmu_update in free RAM",
                       mmu_update1((uint64_t)foreign << PAGE_SHIFT | 0x18, val), EINVAL);
    expect_eq_what("mmu_update past the end of RAM",
                   mmu_update1((uint64_t)(mmu_max_mfn() + 1) << PAGE_SHIFT, val), EINVAL);
    expect_eq_what("mmu_update at a huge machine address", mmu_update1(0xfffffffffff000UL, val),
                   EINVAL);

    /* MMU_MACHPHYS_UPDATE of a frame not owned. */
    expect_eq_what("MMU_MACHPHYS_UPDATE of Keel's image",
                   mmu_update1((uint64_t)KEEL_IMAGE_MFN << PAGE_SHIFT | MMU_MACHPHYS_UPDATE,
                               data_pfn), EINVAL);
    expect_eq_what("Keel's image: M2P unchanged", mmu_m2p(KEEL_IMAGE_MFN), INVALID_M2P);
    if (foreign) {
        expect_eq_what("MMU_MACHPHYS_UPDATE of free RAM",
                       mmu_update1((uint64_t)foreign << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, 1),
                       EINVAL);
        expect_eq_what("free RAM: M2P unchanged", mmu_m2p(foreign), INVALID_M2P);
    }

    /* Legitimate: the guest's own M2P entry, rewritten as it is; and the entry. */
    expect_eq_what("MMU_MACHPHYS_UPDATE of an own frame",
                   mmu_update1((uint64_t)data_mfn << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, data_pfn),
                   0);
    expect_eq_what("own frame: M2P", mmu_m2p(data_mfn), data_pfn);
    expect_eq_what("mmu_update of the test slot", mmu_update1(slot_ma, val), 0);
    expect_eq_what("mmu_update of the test slot: entry", l1[TEST_SLOT], mmu_stored(val));
    expect_eq_what("clear it", mmu_update1(slot_ma, 0), 0);
}

void guest_main(void)
{
    if (traps_load_rc)
        test_fail(guest_name, "set_trap_table returned %ld%s", traps_load_rc,
                  errno_name(traps_load_rc));
    paddr_bits = mmu_paddr_bits();
    if (!mmu_init())
        return;
    data_mfn = mmu_spare();
    if (!data_mfn || mmu_win_map(DATA_SLOT, data_mfn, L1_RW | PTE_NX))
        test_fail(guest_name, "cannot map a data frame");
    data()[0] = MARKER | data_mfn;

    test_not_owned();
    test_l1_bits();
    test_writable_tables();
    test_l2();
    test_l3_l4();
    test_hypervisor();
    test_ptr();

    /* Still healthy: the data page, the M2P, an ordinary hypercall. */
    check(data()[0] == (MARKER | data_mfn), "the data page reads %#lx at the end", data()[0]);
    check(mmu_owned(data_mfn), "the data frame's M2P entry at the end: %#lx",
          mmu_m2p(data_mfn));
    expect_eq_what("xen_version at the end", HYPERVISOR_xen_version(XENVER_version, NULL) > 0, 1);
}
