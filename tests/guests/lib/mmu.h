/* SPDX-License-Identifier: MIT */
/*
 * PV MMU helpers for the guests that attack the validated page tables
 * (mmu_hostile, mmu_pinning, mmu_batch): frame-number translation through
 * the P2M and the read-only M2P, spare frames, one-request wrappers of
 * mmu_update and mmuext_op, and a "window": a 2 MiB range of VAs whose L1
 * (a spare frame, pinned) the guest rewrites with update_va_mapping, so it
 * can map any frame it likes at a known address.
 *
 * Layout relied on (the start-of-day contract, linux-pv-abi.md section
 * 1.4): the initial region is VIRT_BASE + PFN * 4 KiB, mapped with 4 KiB
 * pages through one L2 (L4[511] -> L3[510]), page tables read-only in it;
 * PFNs from the end of the region to nr_pages are RAM the guest owns but
 * has not mapped, untyped: the spare frames.
 */
#ifndef GUEST_MMU_H
#define GUEST_MMU_H

#include "guest.h"
#include "mm.h"

#define VIRT_BASE       0xffffffff80000000UL
#define M2P_BASE        0xffff800000000000UL    /* read-only M2P, L4 slot 256 */
#define HV_START        0xffff800000000000UL    /* L4 slots 256..271 */
#define HV_END          0xffff880000000000UL
#define HV_SLOT_FIRST   256
#define HV_SLOT_LAST    271
#define L1_SHIFT        12
#define L2_SHIFT        21
#define L3_SHIFT        30
#define L4_SHIFT        39
#define PT_ENTRIES      512

#define PTE_PWT         0x008UL
#define PTE_PCD         0x010UL
#define PTE_PSE         0x080UL     /* PAT in an L1 entry */
#define PTE_GLOBAL      0x100UL
#define PTE_ADDR        0x000ffffffffff000UL
#define PTE_AVL_HIGH(n) ((uint64_t)(n) << 52)   /* n < 2048: bits 52..62 */

/* Entry flags as the builders write them (linux-pv-abi.md 1.4.1). */
#define L1_RW           (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY)
#define L1_RO           (PTE_PRESENT | PTE_ACCESSED)
#define UPPER           (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY | PTE_USER)

/* Hypercall results, as the guest sees them. */
#define EPERM           (-XEN_EPERM)
#define EFAULT          (-XEN_EFAULT)
#define EBUSY           (-XEN_EBUSY)
#define EINVAL          (-XEN_EINVAL)
#define ENOSYS          (-XEN_ENOSYS)

#define INVALID_M2P     (~0UL)
/* Keel's image: multiboot loads it at 2 MiB; never a frame of dom0. */
#define KEEL_IMAGE_MFN  0x200UL

/* A page-table level's index of @va. */
static inline unsigned int pt_index(unsigned long va, unsigned int shift)
{
    return (va >> shift) & (PT_ENTRIES - 1);
}

static inline uint64_t mmu_pte(unsigned long mfn, uint64_t flags)
{
    return (uint64_t)mfn << PAGE_SHIFT | flags;
}

static inline unsigned long pte_mfn(uint64_t e)
{
    return (e & PTE_ADDR) >> PAGE_SHIFT;
}

/* What validation stores for a present L1/L2/L3 entry: USER added. */
static inline uint64_t mmu_stored(uint64_t e)
{
    return (e & PTE_PRESENT) ? e | PTE_USER : e;
}

/* ---- frame numbers ------------------------------------------------------ */

/* MFN of a page of the initial region (through the P2M). */
unsigned long mmu_mfn_of(const void *va);
/* The initial-region VA of one of the guest's frames, or NULL. */
void *mmu_va_of(unsigned long mfn);
/* M2P[@mfn], or INVALID_M2P beyond the M2P (XENMEM_machphys_mapping). */
unsigned long mmu_m2p(unsigned long mfn);
/* Whether @mfn is one of the guest's frames (P2M[M2P[mfn]] == mfn). */
bool mmu_owned(unsigned long mfn);
/* The highest MFN the M2P covers. */
unsigned long mmu_max_mfn(void);
/* Host physical-address width (CPUID 0x80000008). */
unsigned int mmu_paddr_bits(void);
/*
 * A RAM frame (E820 RAM in XENMEM_machine_memory_map, above 1 MiB) that is
 * not the guest's and not Keel's image: a frame of Keel's heap, free or
 * the hypervisor's. 0 if none was found.
 */
unsigned long mmu_foreign_ram_mfn(void);

/* ---- spare frames ----------------------------------------------------- */

/*
 * The next spare frame: owned, unmapped, untyped, zeroed with
 * MMUEXT_CLEAR_PAGE. Records a failed check and returns 0 when none is
 * left or clearing fails.
 */
unsigned long mmu_spare(void);

/* ---- hypercall wrappers ---------------------------------------------------- */

/* One mmuext_op; @arg2 is nr_ents / src_mfn. */
long mmu_ext(unsigned int cmd, unsigned long arg1, unsigned long arg2);
/* One mmu_update request (ptr = @ptr exactly, so the command bits are the caller's). */
long mmu_update1(uint64_t ptr, uint64_t val);
/* MMU_NORMAL_PT_UPDATE of entry @index of frame @table. */
long mmu_set(unsigned long table, unsigned int index, uint64_t val);
/* update_va_mapping with UVMF_INVLPG. */
long mmu_uvm(unsigned long va, uint64_t val);

/* ---- the guest's tables ---------------------------------------------------- */

/* MFNs of the live L4, the L3 and the L2 that map VIRT_BASE. */
extern unsigned long mmu_l4_mfn, mmu_l3_mfn, mmu_l2_mfn;

/* ---- the window ---------------------------------------------------------- */

/* Window slots 0..MMU_WIN_SLOTS-1 are the caller's; the last maps the window's own L1. */
#define MMU_WIN_SLOTS   (PT_ENTRIES - 1)

extern unsigned long mmu_win_l1_mfn;    /* the window's L1 (pinned) */
extern unsigned int mmu_win_l2_slot;    /* its slot in the L2 mapping VIRT_BASE */

/*
 * Finds the tables, takes a spare frame as the window's L1, pins it, hooks
 * it into a free slot of the L2 and maps it read-only at its own last
 * slot. Returns false (with failed checks recorded) if any step failed.
 */
bool mmu_init(void);

/* VA of window slot @slot. */
static inline void *mmu_win(unsigned int slot)
{
    extern unsigned long mmu_win_base;

    return (void *)(mmu_win_base + ((unsigned long)slot << PAGE_SHIFT));
}

/* The window's L1 entries, read-only. */
static inline const volatile uint64_t *mmu_win_l1(void)
{
    return (const volatile uint64_t *)mmu_win(MMU_WIN_SLOTS);
}

/* Maps @mfn with @flags at window slot @slot (update_va_mapping). */
long mmu_win_map(unsigned int slot, unsigned long mfn, uint64_t flags);
/* Clears window slot @slot. */
long mmu_win_unmap(unsigned int slot);

/*
 * Maps frame @mfn read-only at window slot @slot and returns its entries
 * (NULL, with a failed check, if the mapping was refused).
 */
const volatile uint64_t *mmu_peek(unsigned int slot, unsigned long mfn);

/*
 * Writes the 512 entries of frame @mfn (not a table in use): maps it
 * writable at window slot @slot, copies, unmaps. Returns the first
 * update_va_mapping error, or 0.
 */
long mmu_fill(unsigned int slot, unsigned long mfn, const uint64_t *entries);

#endif /* GUEST_MMU_H */
