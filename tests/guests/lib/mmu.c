/* SPDX-License-Identifier: MIT */
/*
 * PV MMU helpers (see mmu.h). State: the tables found at mmu_init(), the
 * window, and the next spare PFN; guests are single-vCPU, so no locking.
 * Every helper reports a failed legitimate step with check(), so a broken
 * setup shows in the guest's output rather than as a confusing later
 * failure.
 */
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "test.h"

unsigned long mmu_l4_mfn, mmu_l3_mfn, mmu_l2_mfn;
unsigned long mmu_win_l1_mfn, mmu_win_base;
unsigned int mmu_win_l2_slot;

static unsigned long next_spare_pfn, max_mfn;

/* ---- frame numbers ------------------------------------------------------ */

static const unsigned long *p2m(void)
{
    return (const unsigned long *)start_info->mfn_list;
}

unsigned long mmu_mfn_of(const void *va)
{
    return p2m()[((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT];
}

void *mmu_va_of(unsigned long mfn)
{
    unsigned long pfn = mmu_m2p(mfn);

    if (pfn >= start_info->nr_pages || p2m()[pfn] != mfn)
        return NULL;
    if (next_spare_pfn && pfn >= next_spare_pfn)
        return NULL;
    return (void *)(VIRT_BASE + (pfn << PAGE_SHIFT));
}

unsigned long mmu_max_mfn(void)
{
    struct xen_machphys_mapping mm;

    if (!max_mfn) {
        long rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mm);

        check(rc == 0, "XENMEM_machphys_mapping: %ld%s", rc, errno_name(rc));
        max_mfn = rc ? 0 : mm.max_mfn;
    }
    return max_mfn;
}

unsigned long mmu_m2p(unsigned long mfn)
{
    if (mfn > mmu_max_mfn())
        return INVALID_M2P;
    return ((const volatile unsigned long *)M2P_BASE)[mfn];
}

bool mmu_owned(unsigned long mfn)
{
    unsigned long pfn = mmu_m2p(mfn);

    return pfn < start_info->nr_pages && p2m()[pfn] == mfn;
}

unsigned int mmu_paddr_bits(void)
{
    uint32_t a, b, c, d;

    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000008U), "c"(0));
    return a & 0xff;
}

/* One packed E820 record, as XENMEM_machine_memory_map returns them. */
struct e820_rec {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));

unsigned long mmu_foreign_ram_mfn(void)
{
    static struct e820_rec map[128];
    struct xen_memory_map mm = { .nr_entries = ARRAY_SIZE(map) };
    long rc;

    set_xen_guest_handle(mm.buffer, map);
    rc = HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm);
    check(rc == 0, "XENMEM_machine_memory_map: %ld%s", rc, errno_name(rc));
    if (rc)
        return 0;
    /* From the top of each RAM range down: Keel's heap, past dom0's memory. */
    for (unsigned int i = mm.nr_entries; i-- > 0;) {
        unsigned long first = (map[i].addr + PAGE_SIZE - 1) >> PAGE_SHIFT;
        unsigned long end = (map[i].addr + map[i].size) >> PAGE_SHIFT;

        if (map[i].type != 1 || end <= 0x100)
            continue;
        if (first < 0x100)
            first = 0x100;
        for (unsigned long mfn = end; mfn-- > first;)
            if (mfn != KEEL_IMAGE_MFN && mfn <= mmu_max_mfn() &&
                mmu_m2p(mfn) == INVALID_M2P && !mmu_owned(mfn))
                return mfn;
    }
    return 0;
}

/* ---- hypercall wrappers ---------------------------------------------------- */

long mmu_ext(unsigned int cmd, unsigned long arg1, unsigned long arg2)
{
    struct mmuext_op op = { .cmd = cmd };

    op.arg1.mfn = arg1;
    op.arg2.src_mfn = arg2;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long mmu_update1(uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { .ptr = ptr, .val = val };

    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

long mmu_set(unsigned long table, unsigned int index, uint64_t val)
{
    return mmu_update1((((uint64_t)table << PAGE_SHIFT) + index * 8UL) | MMU_NORMAL_PT_UPDATE,
                       val);
}

long mmu_uvm(unsigned long va, uint64_t val)
{
    return HYPERVISOR_update_va_mapping(va, val, UVMF_INVLPG | UVMF_LOCAL);
}

/* ---- spare frames ----------------------------------------------------- */

/* The first PFN past the initial region: its L2 entries run contiguously from VIRT_BASE. */
static unsigned long region_end_pfn(const volatile uint64_t *l2)
{
    unsigned int i = pt_index(VIRT_BASE, L2_SHIFT);

    while (i < PT_ENTRIES && (l2[i] & PTE_PRESENT))
        i++;
    return (unsigned long)(i - pt_index(VIRT_BASE, L2_SHIFT)) << (L2_SHIFT - PAGE_SHIFT);
}

static bool in_initrd(unsigned long pfn)
{
    unsigned long first = start_info->mod_start;

    if (!(start_info->flags & SIF_MOD_START_PFN) || !start_info->mod_len)
        return false;
    return pfn >= first && pfn < first + (start_info->mod_len + PAGE_SIZE - 1) / PAGE_SIZE;
}

unsigned long mmu_spare(void)
{
    unsigned long mfn;
    long rc;

    while (next_spare_pfn < start_info->nr_pages && in_initrd(next_spare_pfn))
        next_spare_pfn++;
    check(next_spare_pfn && next_spare_pfn < start_info->nr_pages,
          "no spare frame left (next PFN %#lx, nr_pages %#lx)", next_spare_pfn,
          start_info->nr_pages);
    if (!next_spare_pfn || next_spare_pfn >= start_info->nr_pages)
        return 0;
    mfn = p2m()[next_spare_pfn];
    check(mmu_m2p(mfn) == next_spare_pfn, "spare PFN %#lx: M2P[%#lx] is %#lx", next_spare_pfn,
          mfn, mmu_m2p(mfn));
    next_spare_pfn++;
    rc = mmu_ext(MMUEXT_CLEAR_PAGE, mfn, 0);
    check(rc == 0, "MMUEXT_CLEAR_PAGE of spare frame %#lx: %ld%s", mfn, rc, errno_name(rc));
    return rc ? 0 : mfn;
}

/* ---- the window ---------------------------------------------------------- */

bool mmu_init(void)
{
    const volatile uint64_t *l4 = (const volatile uint64_t *)start_info->pt_base, *l3, *l2;
    long rc;

    mmu_l4_mfn = mmu_mfn_of((const void *)start_info->pt_base);
    mmu_l3_mfn = pte_mfn(l4[pt_index(VIRT_BASE, L4_SHIFT)]);
    l3 = mmu_va_of(mmu_l3_mfn);
    check(l3 != NULL, "the L3 mapping VIRT_BASE (%#lx) is not in the initial region",
          mmu_l3_mfn);
    if (!l3)
        return false;
    mmu_l2_mfn = pte_mfn(l3[pt_index(VIRT_BASE, L3_SHIFT)]);
    l2 = mmu_va_of(mmu_l2_mfn);
    check(l2 != NULL, "the L2 mapping VIRT_BASE (%#lx) is not in the initial region",
          mmu_l2_mfn);
    if (!l2)
        return false;
    next_spare_pfn = region_end_pfn(l2);

    /* A free 2 MiB slot well above the region (ptwr takes the first from 256). */
    for (mmu_win_l2_slot = 384; mmu_win_l2_slot < PT_ENTRIES; mmu_win_l2_slot++)
        if (!(l2[mmu_win_l2_slot] & PTE_PRESENT))
            break;
    check(mmu_win_l2_slot < PT_ENTRIES, "no free L2 slot for the window");
    if (mmu_win_l2_slot >= PT_ENTRIES)
        return false;
    mmu_win_base = VIRT_BASE + ((unsigned long)mmu_win_l2_slot << L2_SHIFT);

    mmu_win_l1_mfn = mmu_spare();
    if (!mmu_win_l1_mfn)
        return false;
    rc = mmu_ext(MMUEXT_PIN_L1_TABLE, mmu_win_l1_mfn, 0);
    check(rc == 0, "pin the window's L1: %ld%s", rc, errno_name(rc));
    if (rc)
        return false;
    rc = mmu_set(mmu_l2_mfn, mmu_win_l2_slot, mmu_pte(mmu_win_l1_mfn, UPPER));
    check(rc == 0, "hook the window's L1 into the L2: %ld%s", rc, errno_name(rc));
    if (rc)
        return false;
    rc = mmu_win_map(MMU_WIN_SLOTS, mmu_win_l1_mfn, L1_RO | PTE_NX);
    check(rc == 0, "map the window's L1 read-only in itself: %ld%s", rc, errno_name(rc));
    if (rc)
        return false;
    printf("%s: L4 %#lx L3 %#lx L2 %#lx; window L1 %#lx at %#lx (L2 slot %u); spare PFNs "
           "%#lx..%#lx\n", guest_name, mmu_l4_mfn, mmu_l3_mfn, mmu_l2_mfn, mmu_win_l1_mfn,
           mmu_win_base, mmu_win_l2_slot, next_spare_pfn, start_info->nr_pages - 1);
    return true;
}

long mmu_win_map(unsigned int slot, unsigned long mfn, uint64_t flags)
{
    return mmu_uvm((unsigned long)mmu_win(slot), mmu_pte(mfn, flags));
}

long mmu_win_unmap(unsigned int slot)
{
    return mmu_uvm((unsigned long)mmu_win(slot), 0);
}

const volatile uint64_t *mmu_peek(unsigned int slot, unsigned long mfn)
{
    long rc = mmu_win_map(slot, mfn, L1_RO | PTE_NX);

    check(rc == 0, "map frame %#lx read-only at window slot %u: %ld%s", mfn, slot, rc,
          errno_name(rc));
    return rc ? NULL : (const volatile uint64_t *)mmu_win(slot);
}

long mmu_fill(unsigned int slot, unsigned long mfn, const uint64_t *entries)
{
    volatile uint64_t *p = mmu_win(slot);
    long rc = mmu_win_map(slot, mfn, L1_RW | PTE_NX);

    if (rc)
        return rc;
    for (unsigned int i = 0; i < PT_ENTRIES; i++)
        p[i] = entries[i];
    return mmu_win_unmap(slot);
}
