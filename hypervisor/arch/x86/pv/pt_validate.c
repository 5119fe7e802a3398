/* SPDX-License-Identifier: MIT */
/*
 * PV page tables: the rules for a 64-bit PV guest's entries, and the
 * validation and devalidation of whole tables (the frame table's
 * page_ops.validate/devalidate). Xen's model (xen/arch/x86/mm.c), written
 * for Keel; entry updates, pins and roots are in pt_update.c.
 *
 * Model. A guest's page tables hold machine frame numbers. A frame becomes
 * a level-N table by acquiring the PGT_LN type; the first such reference
 * validates it: every present entry is checked and takes the references it
 * needs while installed:
 *
 *   L1 entry -> RAM frame of the domain: a general reference, plus a
 *               PGT_WRITABLE type reference if RW (so no frame is ever both
 *               writable-mapped and a page table or descriptor page);
 *            -> I/O frame (outside the frame table, or not RAM): no
 *               reference, permission only (pv_mm_ops.iomem_permitted);
 *   L2/L3/L4 entry -> a general and a PGT_L1/L2/L3 type reference on a
 *               frame of the domain (validating it: the recursion).
 *
 * Type references therefore point strictly down a level, and every page-
 * table type reference is held by a present parent entry, a pin or a
 * vCPU root. When the last one goes the frame is devalidated: every
 * present entry's references are dropped (the cascade). Because levels only
 * decrease along type references there are no cycles, so unpinning and
 * unrooting everything brings every count back to the allocation
 * reference (pv_mm_teardown() relies on it).
 *
 * Rules (Xen's, for 64-bit PV guests; errno as Xen returns it):
 *
 *   L1 present entry   allowed: P RW US A D G AVL(9-11) AVL_HIGH(52-61) NX
 *                      (bit 62 is Xen's grant-mapping marker, never a guest's);
 *                      PWT PCD PAT only with has_io_caps    else -EINVAL
 *                      address bits >= paddr_bits set: a frame
 *                      beyond the machine, I/O no one may map -EPERM
 *                      I/O frame without permission, or
 *                      the domain lacks has_io_caps          -EPERM
 *                      RAM frame not the domain's, free      -EBUSY
 *                      RW and no writable type (a table,
 *                      a descriptor page)                    -EBUSY
 *   L2/L3/L4 present   allowed: P RW US A D AVL AVL_HIGH NX (no PSE,
 *                      PWT, PCD, G)                          -EINVAL
 *                      address bits >= paddr_bits set        -EINVAL
 *                      target not RAM or not the domain's    -EINVAL
 *                      target in use with another type,
 *                      including a table of the same level
 *                      (a linear page table)                 -EINVAL
 *                      target's own validation fails         its error
 *   L4 slots 256-271   never the guest's: skipped at validation and
 *                      overwritten with pv_mm_ops.hypervisor_l4_slots;
 *                      updates refused (pt_update.c)         -EINVAL
 *   not present        accepted with any content.
 *
 * Linear page tables: Xen accepts an Ln entry pointing at a validated Ln
 * table of the domain (read-only, with nesting limits). Keel refuses them
 * (-EINVAL, from the type mismatch): Linux never builds them, and without
 * them type references cannot form cycles, which keeps devalidation and
 * teardown free of Xen's forced-invalidation pass.
 *
 * Adjustments, as Xen's adjust_guest_l*e(): present L1/L2/L3 entries get
 * US (the guest kernel runs in ring 3), L4 entries US and A. An L1 entry
 * mapping an I/O frame with a cacheable PAT type is made UC (Xen without
 * "mmio-relax"). Validation writes the adjusted value back into the table,
 * as Xen's promote_l*_table() does, so the guest reads back exactly what
 * the MMU uses; it does so only after every entry passed (validate
 * everything, then commit), so a failed validation leaves the frame's
 * contents and every count exactly as they were.
 *
 * Locks: none of its own. The frame being validated or devalidated is
 * exclusively ours (type count 1 without PGT_VALIDATED, see frame_table.c);
 * the references are the frame table's atomics. Nested validation maps at
 * most one frame per level at a time.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page_info.h>

#include <asm/msr.h>
#include <asm/pv_mm.h>

#include "pt_internal.h"

const struct pv_mm_ops *pv_ops;

/* Address bits from paddr_bits up to bit 51: reserved in a present entry. */
static uint64_t pte_reserved_mask;

#define PTE_AVL             _UL(0x0000000000000e00)
#define PTE_AVL_HIGH        _UL(0x7ff0000000000000)
#define PTE_CACHE_ATTRS     (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT)
#define PTE_UC_ATTRS        (_PAGE_PWT | _PAGE_PCD) /* PAT index 3 */

#define PTE_GNTTAB          _UL(0x4000000000000000)   /* bit 62: grant mappings only */
#define L1_GUEST_FLAGS      (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | \
                             _PAGE_DIRTY | _PAGE_GLOBAL | PTE_AVL | \
                             (PTE_AVL_HIGH & ~PTE_GNTTAB) | _PAGE_NX)
#define UPPER_GUEST_FLAGS   (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | \
                             _PAGE_DIRTY | PTE_AVL | PTE_AVL_HIGH | _PAGE_NX)

_Static_assert((L1_GUEST_FLAGS & PTE_ADDR_MASK) == 0, "flag masks overlap the address");
_Static_assert(PTE_ADDR_MASK == _UL(0x000ffffffffff000), "52-bit physical addresses");

/* PAT memory types (Intel SDM vol. 3, 11.12.2). */
#define PAT_UC              0x00
#define PAT_WC              0x01
#define PAT_UCM             0x07

static unsigned int pat_type(unsigned int index)
{
    return (KEEL_PAT >> (8 * index)) & 0xff;
}

_Static_assert(((KEEL_PAT >> 24) & 0xff) == PAT_UC, "PAT index 3 (PCD|PWT) must be UC");

static unsigned int l1e_pat_index(uint64_t e)
{
    return ((e & _PAGE_PAT) ? 4 : 0) | ((e & _PAGE_PCD) ? 2 : 0) | ((e & _PAGE_PWT) ? 1 : 0);
}

bool pv_mfn_is_io(mfn_t mfn)
{
    if (!mfn_valid(mfn))
        return true;
    return pv_ops->mfn_is_ram != NULL && !pv_ops->mfn_is_ram(mfn);
}

uint64_t pv_adjust_entry(unsigned int level, uint64_t e)
{
    unsigned int type;

    if (!pte_present(e))
        return e;
    switch (level) {
    case 1:
        e |= _PAGE_USER;
        /* MMIO is never mapped cacheable: UC, UC- and WC stay. */
        if (pv_mfn_is_io(pte_mfn(e))) {
            type = pat_type(l1e_pat_index(e));
            if (type != PAT_UC && type != PAT_UCM && type != PAT_WC)
                e = (e & ~PTE_CACHE_ATTRS) | PTE_UC_ATTRS;
        }
        return e;
    case 2:
    case 3:
        return e | _PAGE_USER;
    case 4:
        return e | _PAGE_USER | _PAGE_ACCESSED;
    default:
        BUG();
    }
}

/*
 * @d owns the L1; @pg_owner owns the frame @e may map (d itself, another
 * domain for a privileged foreign mapping, NULL for DOMID_IO: I/O frames
 * only). I/O frames are always judged by @d's own permissions.
 */
static int l1e_get_refs(struct domain *d, struct domain *pg_owner, uint64_t e)
{
    uint64_t allowed = L1_GUEST_FLAGS | (d->has_io_caps ? PTE_CACHE_ATTRS : 0);
    mfn_t mfn = pte_mfn(e);
    struct page_info *pg;

    if (e & ~(allowed | PTE_ADDR_MASK))
        return -EINVAL;
    /* Xen: the all-ones frame is "no frame", not an MMIO attempt. */
    if (mfn_x(mfn) == PADDR_MASK >> PAGE_SHIFT)
        return -EINVAL;
    /* Beyond the machine's address width: I/O memory no domain may map (Xen: -EPERM). */
    if (e & pte_reserved_mask)
        return -EPERM;

    if (pv_mfn_is_io(mfn)) {
        /* Only I/O-capable domains: the UC attributes forced on MMIO must
         * pass this domain's flag check when the table is revalidated. */
        return d->has_io_caps && pv_ops->iomem_permitted(d, mfn) ? 0 : -EPERM;
    }

    pg = mfn_to_page(mfn);
    if (!pg_owner || get_page(pg, pg_owner))
        return -EBUSY;
    if ((e & _PAGE_RW) && get_page_type(pg, PGT_WRITABLE)) {
        put_page(pg);
        return -EBUSY;
    }
    return 0;
}

static int upper_get_refs(struct domain *d, unsigned int level, uint64_t e)
{
    mfn_t mfn = pte_mfn(e);

    if (e & ~(UPPER_GUEST_FLAGS | PTE_ADDR_MASK))
        return -EINVAL;
    if (e & pte_reserved_mask)
        return -EINVAL;
    if (pv_mfn_is_io(mfn))
        return -EINVAL;
    /* A same-level target (linear page table) fails the type check. */
    return get_page_and_type(mfn_to_page(mfn), d, pv_level_type(level - 1));
}

int pv_get_entry_refs(struct domain *d, struct domain *pg_owner, unsigned int level,
                      uint64_t e)
{
    ASSERT(pte_present(e));
    ASSERT(level >= PV_LEVEL_MIN && level <= PV_LEVEL_MAX);
    return level == 1 ? l1e_get_refs(d, pg_owner, e) : upper_get_refs(d, level, e);
}

void pv_put_entry_refs(unsigned int level, uint64_t e)
{
    mfn_t mfn = pte_mfn(e);

    if (!pte_present(e))
        return;
    if (level == 1) {
        if (pv_mfn_is_io(mfn))
            return;
        if (e & _PAGE_RW)
            put_page_and_type(mfn_to_page(mfn));
        else
            put_page(mfn_to_page(mfn));
        return;
    }
    put_page_and_type(mfn_to_page(mfn));
}

/* Whether slot @i of a level-@level table is the guest's. */
static bool guest_slot(unsigned int level, unsigned int i)
{
    return level != 4 || pv_is_guest_l4_slot(i);
}

static void install_hypervisor_slots(uint64_t *t, mfn_t mfn)
{
    unsigned int i;

    for (i = 0; i < PV_HV_L4_SLOTS; i++)
        pte_write(&t[HYPERVISOR_SLOT_FIRST + i], pv_ops->hypervisor_l4_slots[i]);
    if (pv_ops->linear_slot) {
        uint64_t flags = pv_ops->hypervisor_l4_slots[pv_ops->linear_slot -
                                                     HYPERVISOR_SLOT_FIRST];

        pte_write(&t[pv_ops->linear_slot],
                  (flags & ~PTE_ADDR_MASK) | (mfn_x(mfn) << PAGE_SHIFT));
    }
}

static int pt_validate(struct page_info *pg, unsigned long type)
{
    unsigned int level = type >> PGT_TYPE_SHIFT;
    struct domain *d = page_get_owner(pg);
    mfn_t mfn = page_to_mfn(pg);
    unsigned int i;
    uint64_t *t;
    int rc = 0;

    /* No stale writable translation may outlive the check below. */
    pv_ops->flush_tlb_all();

    if (type == PGT_SEG_DESC)
        return pv_ops->validate_desc ? pv_ops->validate_desc(pg) : -EINVAL;

    BUG_ON(level < PV_LEVEL_MIN || level > PV_LEVEL_MAX);
    /* Only frames with an owner get here: every caller passed get_page(d). */
    BUG_ON(d == NULL);

    t = pv_ops->map_frame(mfn);
    for (i = 0; i < PT_ENTRIES; i++) {
        uint64_t e = pte_read(&t[i]);

        if (!guest_slot(level, i) || !pte_present(e))
            continue;
        /* As Xen: a foreign or granted entry does not revalidate. */
        rc = pv_get_entry_refs(d, d, level, e);
        if (rc)
            goto undo;
    }

    /* Commit: nothing below can fail. */
    for (i = 0; i < PT_ENTRIES; i++)
        if (guest_slot(level, i))
            pte_write(&t[i], pv_adjust_entry(level, pte_read(&t[i])));
    if (level == 4)
        install_hypervisor_slots(t, mfn);
    pv_ops->unmap_frame(t);
    return 0;

undo:
    while (i--)
        if (guest_slot(level, i))
            pv_put_entry_refs(level, pte_read(&t[i]));
    pv_ops->unmap_frame(t);
    return rc;
}

static void pt_devalidate(struct page_info *pg, unsigned long type)
{
    unsigned int level = type >> PGT_TYPE_SHIFT;
    unsigned int i;
    uint64_t *t;

    BUG_ON(level < PV_LEVEL_MIN || level > PV_LEVEL_MAX);
    t = pv_ops->map_frame(page_to_mfn(pg));
    for (i = 0; i < PT_ENTRIES; i++)
        if (guest_slot(level, i))
            pv_put_entry_refs(level, pte_read(&t[i]));
    pv_ops->unmap_frame(t);
}

static struct page_ops pt_page_ops = {
    .validate = pt_validate,
    .devalidate = pt_devalidate,
};

void pv_mm_init(const struct pv_mm_ops *ops, void (*free_page)(struct page_info *pg))
{
    BUG_ON(ops == NULL || free_page == NULL);
    BUG_ON(ops->map_frame == NULL || ops->unmap_frame == NULL);
    BUG_ON(ops->iomem_permitted == NULL || ops->flush_tlb_all == NULL);
    BUG_ON(ops->hypervisor_l4_slots == NULL);
    BUG_ON(ops->linear_slot != 0 && (ops->linear_slot < HYPERVISOR_SLOT_FIRST ||
                                     ops->linear_slot > HYPERVISOR_SLOT_LAST));
    BUG_ON(ops->paddr_bits < 32 || ops->paddr_bits > PADDR_BITS);

    pv_ops = ops;
    pte_reserved_mask = PTE_ADDR_MASK & ~((_UL(1) << ops->paddr_bits) - 1);
    pt_page_ops.free_page = free_page;
    frame_table_set_ops(&pt_page_ops);
}
