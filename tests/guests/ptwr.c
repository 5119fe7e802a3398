/* SPDX-License-Identifier: MIT */
/*
 * ptwr: writable page tables. The guest kernel writes the entries of its
 * own pinned L1 table with ordinary instructions through a read-only
 * mapping, and the hypervisor emulates each store as an mmu_update would.
 *
 * Setup: a page of .bss becomes a new L1 (mapped read-only, pinned with
 * MMUEXT_PIN_L1_TABLE) and is hooked into a free slot of the L2 that maps
 * the guest, giving a 2 MiB window whose pages the entries map. Each
 * instruction form Linux uses on PTEs is then executed on an entry (MOV of
 * 8, 4 and 1 bytes and of an immediate, XCHG, LOCK AND/OR/BTR/BTS with an
 * immediate or a register bit offset reaching into the next or previous
 * entry, DS-prefixed AND as Linux patches LOCK on one CPU, LOCK CMPXCHG
 * succeeding and failing, r8-r15 operands): the entry must read back as
 * written (with the USER bit the hypervisor adds), registers and flags
 * must be what the CPU would give, and the mapping must take effect: a
 * data page mapped RW through the window is written there and read at its
 * usual address, and after clearing RW a write through the window faults.
 *
 * Hostile stores must not take effect and must come back as the guest's
 * own #PF (error code present|write, CR2 the address): mapping a frame the
 * guest does not own (the hypervisor's image), a writable mapping of a
 * page-table frame (the L1 itself, the L4), a store straddling two
 * entries, an instruction outside the subset, and a write to the read-only
 * L4 (a page table, but not an L1). A write to a read-only page that is no
 * page table is a plain #PF. Finally the table is unhooked and unpinned,
 * and its frame can be mapped writable again.
 */
#include "guest.h"
#include "mm.h"
#include "test.h"
#include "traps.h"

#define VIRT_BASE     0xffffffff80000000UL
#define L2_SHIFT      21
#define L3_SHIFT      30
#define L4_SHIFT      39
#define PTE_ADDR      0x000ffffffffff000UL
#define PTE_GLOBAL    0x100UL
#define RFLAGS_CF     0x001UL
#define RFLAGS_ZF     0x040UL
#define PF_WRITE_PRESENT (PFEC_PRESENT | PFEC_WRITE)
/* Keel's image: multiboot loads it at 2 MiB; never a frame of dom0. */
#define FOREIGN_MFN   0x200UL

#define PAGE_ALIGNED_BSS __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")))
static uint8_t l1_page[PAGE_SIZE] PAGE_ALIGNED_BSS;
static uint8_t data_page[PAGE_SIZE] PAGE_ALIGNED_BSS;
static uint8_t ro_page[PAGE_SIZE] PAGE_ALIGNED_BSS;

static volatile uint64_t *const pte = (volatile uint64_t *)l1_page;
static unsigned long window;        /* VA mapped by pte[0] */
static unsigned long l1_mfn, l2_mfn, data_mfn;
static unsigned int l2_slot;

/* ---- memory helpers (the framework has none for these) ----------------- */

static unsigned long mfn_of(const void *va)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;

    return p2m[((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT];
}

/* The VA of one of the guest's own frames in the initial mapping, or NULL. */
static void *va_of(unsigned long mfn)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;

    for (unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++)
        if (p2m[pfn] == mfn)
            return (void *)(VIRT_BASE + (pfn << PAGE_SHIFT));
    return NULL;
}

static const uint64_t *table_at(uint64_t entry)
{
    return va_of((entry & PTE_ADDR) >> PAGE_SHIFT);
}

static long mmuext(unsigned int cmd, unsigned long arg)
{
    struct mmuext_op op = { .cmd = cmd };

    op.arg1.mfn = arg;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static void invlpg(unsigned long va)
{
    expect_eq_what("INVLPG_LOCAL", mmuext(MMUEXT_INVLPG_LOCAL, va), 0);
}

static uint64_t entry_to(unsigned long mfn, uint64_t flags)
{
    return (uint64_t)mfn << PAGE_SHIFT | flags;
}

/* What a validated present L1 entry reads back as: USER added. */
static uint64_t stored(uint64_t e)
{
    return (e & PTE_PRESENT) ? e | PTE_USER : e;
}

#define DATA_RW   (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY)
#define DATA_RO   (PTE_PRESENT | PTE_ACCESSED)

/* ---- probes: stores that must fault (RDI = the target) ----------------- */

/* The value probe_movq stores (the probes take only RDI). */
uint64_t ptwr_probe_value;
TRAP_PROBE(probe_movq, "mov ptwr_probe_value(%rip), %rax", "mov %rax, (%rdi)", "");
TRAP_PROBE(probe_movl_straddle, "mov $0x12345678, %eax", "mov %eax, 6(%rdi)", "");
TRAP_PROBE(probe_movq_straddle, "mov $0x67, %eax", "mov %rax, 4(%rdi)", "");
TRAP_PROBE(probe_lock_add, "", "lock addq $2, (%rdi)", "");
TRAP_PROBE(probe_write_byte, "", "movb $0x5a, (%rdi)", "");

/* Runs a store probe on @target (probe_movq stores @value); expects Keel to bounce it. */
static void expect_pf(const char *what, const char *probe, const char *fault, const char *resume,
                      unsigned long target, uint64_t value)
{
    struct trap_record r;

    ptwr_probe_value = value;
    barrier();
    trap_probe(probe, target, resume, &r);
    check(r.taken, "%s: no #PF (the store was emulated)", what);
    if (!r.taken)
        return;
    expect_eq_what(what, r.vector, TRAP_PF);
    expect_eq_what(what, r.error_code, PF_WRITE_PRESENT);
    check(r.rip == (uint64_t)fault, "%s: #PF at RIP %#lx, expected %p", what, r.rip,
          (const void *)fault);
    check(r.cr2 >= target && r.cr2 < target + 8, "%s: CR2 %#lx, expected about %#lx", what, r.cr2,
          target);
}

/* ---- setup ---------------------------------------------------------------- */

static bool setup(void)
{
    const uint64_t *l4 = (const uint64_t *)start_info->pt_base, *l3, *l2;
    unsigned long base = (unsigned long)_end;
    struct mmu_update u;
    long rc;

    l3 = table_at(l4[(VIRT_BASE >> L4_SHIFT) & 511]);
    l2 = l3 ? table_at(l3[(VIRT_BASE >> L3_SHIFT) & 511]) : NULL;
    check(l2 != NULL, "cannot find the L2 mapping VIRT_BASE");
    if (!l2)
        return false;
    l2_mfn = mfn_of(l2);
    /* A free 2 MiB slot well above the initial mapping. */
    for (l2_slot = 256; l2_slot < 512 && (l2[l2_slot] & PTE_PRESENT); l2_slot++)
        ;
    check(l2_slot < 512 && VIRT_BASE + ((unsigned long)l2_slot << L2_SHIFT) > base,
          "no free L2 slot for the window");
    if (l2_slot >= 512)
        return false;
    window = VIRT_BASE + ((unsigned long)l2_slot << L2_SHIFT);

    l1_mfn = mfn_of(l1_page);
    data_mfn = mfn_of(data_page);
    rc = HYPERVISOR_update_va_mapping((unsigned long)l1_page, entry_to(l1_mfn, DATA_RO),
                                      UVMF_INVLPG | UVMF_LOCAL);
    expect_eq_what("map the new L1 read-only", rc, 0);
    rc = mmuext(MMUEXT_PIN_L1_TABLE, l1_mfn);
    expect_eq_what("pin the new L1", rc, 0);
    if (rc)
        return false;
    u.ptr = (l2_mfn << PAGE_SHIFT) + l2_slot * 8UL;
    u.val = entry_to(l1_mfn, PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY | PTE_USER);
    rc = HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
    expect_eq_what("hook the L1 into the L2", rc, 0);
    rc |= HYPERVISOR_update_va_mapping((unsigned long)ro_page,
                                       entry_to(mfn_of(ro_page), DATA_RO | PTE_NX),
                                       UVMF_INVLPG | UVMF_LOCAL);
    expect_eq_what("map a data page read-only", rc, 0);
    printf("ptwr: L1 mfn %#lx in L2 %#lx slot %u, window %#lx\n", l1_mfn, l2_mfn, l2_slot,
           window);
    return rc == 0;
}

static volatile uint64_t *win64(unsigned int index, unsigned int off)
{
    return (volatile uint64_t *)(window + ((unsigned long)index << PAGE_SHIFT) + off);
}

/* The mapping through pte[index] reaches data_page, in both directions. */
static void check_data_mapping(const char *what, unsigned int index, uint64_t marker)
{
    volatile uint64_t *data = (volatile uint64_t *)data_page;

    *win64(index, 64) = marker;
    barrier();
    check(data[8] == marker, "%s: written through the window, data page has %#lx, expected %#lx",
          what, data[8], marker);
    data[9] = ~marker;
    barrier();
    check(*win64(index, 72) == ~marker, "%s: read through the window %#lx, expected %#lx", what,
          *win64(index, 72), ~marker);
}

/* ---- the instruction forms -------------------------------------------------- */

static void test_mov(void)
{
    uint64_t v = entry_to(data_mfn, DATA_RW);

    /* native_set_pte: a 64-bit MOV from a register. */
    asm volatile("mov %1, (%0)" : : "r"(&pte[0]), "r"(v) : "memory");
    expect_eq_what("mov r64: entry", pte[0], stored(v));
    check_data_mapping("mov r64", 0, 0x1122334455667788UL);

    /* An r8-r15 source and base, 32-bit halves: low half first, then high. */
    asm volatile("mov %0, %%r10; mov %1, %%r9; movl %%r9d, (%%r10)"
                 : : "r"(&pte[1]), "r"((uint64_t)(uint32_t)v) : "r9", "r10", "memory");
    expect_eq_what("mov r32 (low half): entry", pte[1], stored(v));
    asm volatile("mov %0, %%r10; mov %1, %%r11; movl %%r11d, 4(%%r10)"
                 : : "r"(&pte[1]), "r"(0x80000000UL) : "r10", "r11", "memory");
    expect_eq_what("mov r32 (high half, r8-r15): entry", pte[1], stored(v | PTE_NX));
    check_data_mapping("mov r32", 1, 0xa5a5a5a5a5a5a5a5UL);

    /* A byte at offset 7 and a MOV immediate clearing the entry. */
    asm volatile("movb $0x80, 7(%0)" : : "r"(&pte[0]) : "memory");
    expect_eq_what("mov imm8 at offset 7: entry", pte[0], stored(v | PTE_NX));
    asm volatile("movq $0, (%0)" : : "r"(&pte[1]) : "memory");
    expect_eq_what("mov imm32 (pte_clear): entry", pte[1], 0);
    invlpg(window + PAGE_SIZE);
}

static void test_xchg(void)
{
    uint64_t v = entry_to(data_mfn, DATA_RW);
    uint64_t r = v;

    /* native_ptep_get_and_clear's XCHG, first installing, then clearing. */
    asm volatile("xchg %0, (%1)" : "+r"(r) : "r"(&pte[2]) : "memory");
    expect_eq_what("xchg install: old value in the register", r, 0);
    expect_eq_what("xchg install: entry", pte[2], stored(v));
    check_data_mapping("xchg", 2, 0x0102030405060708UL);

    r = 0x5555;
    asm volatile("xor %%r13d, %%r13d; xchg %%r13, (%1); mov %%r13, %0"
                 : "=r"(r) : "r"(&pte[2]) : "r13", "memory");
    expect_eq_what("xchg clear (r13): old value in the register", r, stored(v));
    expect_eq_what("xchg clear: entry", pte[2], 0);
    invlpg(window + 2 * PAGE_SIZE);
}

static uint64_t rflags_after_btr(volatile uint64_t *p, unsigned int bit)
{
    uint64_t f;

    asm volatile("lock btrq %2, (%1); pushfq; pop %0" : "=r"(f) : "r"(p), "Ir"((uint64_t)bit)
                 : "memory", "cc");
    return f;
}

static void test_bit_ops(void)
{
    uint64_t v = entry_to(data_mfn, DATA_RW), f;
    struct trap_record r;

    asm volatile("mov %1, (%0)" : : "r"(&pte[3]), "r"(v) : "memory");
    check_data_mapping("before wrprotect", 3, 0x600dUL);

    /* ptep_set_wrprotect: clear_bit(_PAGE_BIT_RW) is LOCK ANDB with a constant. */
    asm volatile("lock andb $0xfd, (%0)" : : "r"(&pte[3]) : "memory", "cc");
    expect_eq_what("lock andb: entry", pte[3], stored(v & ~PTE_RW));
    invlpg(window + 3 * PAGE_SIZE);
    check(*win64(3, 64) == 0x600dUL, "read through the write-protected window");
    trap_probe(probe_write_byte, (unsigned long)win64(3, 0), probe_write_byte_resume, &r);
    check(r.taken && r.vector == TRAP_PF && r.error_code == PF_WRITE_PRESENT,
          "write through the write-protected window: no #PF (vector %u error %#lx)", r.vector,
          r.error_code);

    /* set_bit: LOCK ORB gives RW back. */
    asm volatile("lock orb $0x02, (%0)" : : "r"(&pte[3]) : "memory", "cc");
    expect_eq_what("lock orb: entry", pte[3], stored(v));
    invlpg(window + 3 * PAGE_SIZE);
    check_data_mapping("lock orb", 3, 0xfeedUL);

    /* The same with DS instead of LOCK (Linux on one CPU) and a 32-bit form. */
    asm volatile("ds; andl $0xfffffffd, (%0)" : : "r"(&pte[3]) : "memory", "cc");
    expect_eq_what("ds andl: entry", pte[3], stored(v & ~PTE_RW));
    asm volatile("lock orq $0x2, (%0)" : : "r"(&pte[3]) : "memory", "cc");
    expect_eq_what("lock orq imm8: entry", pte[3], stored(v));

    /* ptep_test_and_clear_young: LOCK BTR with an immediate; CF = old bit. */
    f = rflags_after_btr(&pte[3], 5);
    expect_eq_what("lock btr $5: entry", pte[3], stored(v & ~PTE_ACCESSED));
    check(f & RFLAGS_CF, "lock btr $5: CF clear, the bit was set");
    f = rflags_after_btr(&pte[3], 5);
    check(!(f & RFLAGS_CF), "lock btr $5 again: CF set, the bit was clear");

    /* LOCK BTS $5 sets it back. */
    asm volatile("lock btsq $5, (%1); pushfq; pop %0" : "=r"(f) : "r"(&pte[3]) : "memory", "cc");
    expect_eq_what("lock bts $5: entry", pte[3], stored(v));
    check(!(f & RFLAGS_CF), "lock bts $5: CF set, the bit was clear");

    /* Register bit offsets reach other entries: 65 from pte[3] is bit 1 of
     * pte[4]; -63 from pte[5] is bit 1 of pte[4] too. */
    asm volatile("mov %1, (%0)" : : "r"(&pte[4]), "r"(v) : "memory");
    asm volatile("mov $65, %%r14; lock btrq %%r14, (%1); pushfq; pop %0"
                 : "=r"(f) : "r"(&pte[3]) : "r14", "memory", "cc");
    expect_eq_what("lock btr %r14=65 from pte[3]: pte[4]", pte[4], stored(v & ~PTE_RW));
    expect_eq_what("lock btr %r14=65 from pte[3]: pte[3] untouched", pte[3], stored(v));
    check(f & RFLAGS_CF, "lock btr reg: CF clear, the bit was set");
    asm volatile("mov $-63, %%r14; lock btsq %%r14, (%1); pushfq; pop %0"
                 : "=r"(f) : "r"(&pte[5]) : "r14", "memory", "cc");
    expect_eq_what("lock bts %r14=-63 from pte[5]: pte[4]", pte[4], stored(v));
    expect_eq_what("lock bts %r14=-63 from pte[5]: pte[5] untouched", pte[5], 0);
    check(!(f & RFLAGS_CF), "lock bts reg: CF set, the bit was clear");
    invlpg(window + 3 * PAGE_SIZE);
    invlpg(window + 4 * PAGE_SIZE);
    check_data_mapping("after the bit operations", 4, 0xb175UL);
}

/* LOCK CMPXCHG of @nv (from R8) at @p with RAX = *@rax; returns RFLAGS. */
static uint64_t cmpxchg64(volatile uint64_t *p, uint64_t *rax, uint64_t nv)
{
    uint64_t f;

    asm volatile("mov %3, %%r8; lock cmpxchg %%r8, (%2); pushfq; pop %1"
                 : "+a"(*rax), "=r"(f) : "r"(p), "r"(nv) : "r8", "memory", "cc");
    return f;
}

static void test_cmpxchg(void)
{
    uint64_t v = entry_to(data_mfn, DATA_RW), want = stored(v), ro = entry_to(data_mfn, DATA_RO);
    uint64_t rax, f;
    uint32_t eax;

    asm volatile("mov %1, (%0)" : : "r"(&pte[6]), "r"(v) : "memory");

    /* Success: ZF set, RAX unchanged, entry replaced. */
    rax = want;
    f = cmpxchg64(&pte[6], &rax, ro);
    check(f & RFLAGS_ZF, "lock cmpxchg (equal): ZF clear");
    expect_eq_what("lock cmpxchg (equal): RAX", rax, want);
    expect_eq_what("lock cmpxchg (equal): entry", pte[6], stored(ro));

    /* Failure: ZF clear, RAX = the entry, nothing stored. */
    rax = want;
    f = cmpxchg64(&pte[6], &rax, 0);
    check(!(f & RFLAGS_ZF), "lock cmpxchg (unequal): ZF set");
    expect_eq_what("lock cmpxchg (unequal): RAX = the entry", rax, stored(ro));
    expect_eq_what("lock cmpxchg (unequal): entry unchanged", pte[6], stored(ro));

    /* A 32-bit compare on the high half, r9d source: sets NX. */
    eax = 0;
    asm volatile("mov $0x80000000, %%r9d; lock cmpxchg %%r9d, 4(%2); pushfq; pop %1"
                 : "+a"(eax), "=r"(f) : "r"(&pte[6]) : "r9", "memory", "cc");
    check(f & RFLAGS_ZF, "lock cmpxchg32 high half: ZF clear");
    expect_eq_what("lock cmpxchg32 high half: entry", pte[6], stored(ro | PTE_NX));
    invlpg(window + 6 * PAGE_SIZE);
    check(*win64(6, 0) == *(volatile uint64_t *)data_page,
          "read through the cmpxchg-installed mapping");
}

/* ---- hostile stores ------------------------------------------------------------ */

static void test_hostile(void)
{
    const uint64_t *l4 = (const uint64_t *)start_info->pt_base;
    unsigned long l4_mfn = mfn_of(l4);
    uint64_t v = entry_to(data_mfn, DATA_RW);

    check(va_of(FOREIGN_MFN) == NULL, "MFN %#lx is the guest's own", FOREIGN_MFN);
    expect_pf("map a frame not owned", probe_movq, probe_movq_fault, probe_movq_resume,
              (unsigned long)&pte[7], entry_to(FOREIGN_MFN, DATA_RO));
    expect_eq_what("map a frame not owned: entry", pte[7], 0);

    expect_pf("map the L1 itself writable", probe_movq, probe_movq_fault, probe_movq_resume,
              (unsigned long)&pte[7], entry_to(l1_mfn, DATA_RW));
    expect_pf("map the L4 writable", probe_movq, probe_movq_fault, probe_movq_resume,
              (unsigned long)&pte[7], entry_to(l4_mfn, DATA_RW));
    expect_eq_what("writable page-table mappings: entry", pte[7], 0);

    /* Read-only mappings of page tables are fine (Linux maps them so). */
    asm volatile("mov %1, (%0)" : : "r"(&pte[7]), "r"(entry_to(l1_mfn, DATA_RO)) : "memory");
    expect_eq_what("map the L1 read-only: entry", pte[7], stored(entry_to(l1_mfn, DATA_RO)));
    check(*win64(7, 8 * 6) == pte[6], "the L1 read through its own window");
    asm volatile("movq $0, (%0)" : : "r"(&pte[7]) : "memory");
    invlpg(window + 7 * PAGE_SIZE);

    /* Straddling two entries: 4 bytes at offset 6, 8 bytes at offset 4. */
    asm volatile("mov %1, (%0)" : : "r"(&pte[8]), "r"(v) : "memory");
    expect_pf("movl straddling entries", probe_movl_straddle, probe_movl_straddle_fault,
              probe_movl_straddle_resume, (unsigned long)&pte[8], 0);
    expect_pf("movq straddling entries", probe_movq_straddle, probe_movq_straddle_fault,
              probe_movq_straddle_resume, (unsigned long)&pte[8], 0);
    expect_eq_what("straddling stores: pte[8]", pte[8], stored(v));
    expect_eq_what("straddling stores: pte[9]", pte[9], 0);

    /* An instruction outside the subset (the hypervisor logs it). */
    expect_pf("lock add (not emulated)", probe_lock_add, probe_lock_add_fault,
              probe_lock_add_resume, (unsigned long)&pte[8], 0);
    expect_eq_what("lock add: entry", pte[8], stored(v));

    /* A page table that is not an L1: the read-only L4 (an unused slot). */
    expect_pf("store to the L4", probe_movq, probe_movq_fault, probe_movq_resume,
              (unsigned long)&l4[300], 0);
    expect_eq_what("store to the L4: slot 300", l4[300], 0);

    /* A read-only page that is no page table: a plain #PF. */
    expect_pf("store to a read-only data page", probe_write_byte, probe_write_byte_fault,
              probe_write_byte_resume, (unsigned long)ro_page + 24, 0);
    check(ro_page[24] == 0, "the read-only data page was written");
}

/* Unhook, unpin, and the frame is an ordinary page again. */
static void test_teardown(void)
{
    struct mmu_update u = { .ptr = (l2_mfn << PAGE_SHIFT) + l2_slot * 8UL, .val = 0 };

    for (unsigned int i = 0; i < 16; i++)
        if (pte[i])
            asm volatile("movq $0, (%0)" : : "r"(&pte[i]) : "memory");
    expect_eq_what("unhook the L1", HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF), 0);
    expect_eq_what("unpin the L1", mmuext(MMUEXT_UNPIN_TABLE, l1_mfn), 0);
    expect_eq_what("map the old L1 writable again",
                   HYPERVISOR_update_va_mapping((unsigned long)l1_page,
                                                entry_to(l1_mfn, DATA_RW | PTE_NX),
                                                UVMF_INVLPG | UVMF_LOCAL), 0);
    l1_page[0] = 1;
}

void guest_main(void)
{
    if (traps_load_rc)
        test_fail(guest_name, "set_trap_table returned %ld%s", traps_load_rc,
                  errno_name(traps_load_rc));
    expect_eq_what("map_shared_info (needed for CR2)", map_shared_info(), 0);
    if (!setup())
        return;
    test_mov();
    test_xchg();
    test_bit_ops();
    test_cmpxchg();
    test_hostile();
    test_teardown();
}
