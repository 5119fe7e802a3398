/* SPDX-License-Identifier: MIT */
/*
 * The PV MMU's page-table engine: the rules a 64-bit PV guest's page-table
 * entries must follow, the validation and devalidation of whole tables
 * (the frame table's page_ops hooks), entry updates, pinning, root
 * (CR3) references, M2P updates and the teardown of a dying domain's
 * tables. The model is described at the top of arch/x86/pv/pt_validate.c.
 *
 * Portable: no hardware access. Frame contents are reached only through
 * struct pv_mm_ops, which the hypervisor (direct map, TLB flush, iomem
 * rangesets) and the host tests and fuzzer (an array of fake frames)
 * provide. The hypercall workers (do_mmu_update, do_mmuext_op,
 * do_update_va_mapping) decode guest requests and call the functions here.
 *
 * Errors use Xen's numbering and, per case, Xen's choice; the case list is
 * in pt_validate.c.
 */
#ifndef ASM_PV_MM_H
#define ASM_PV_MM_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/frame_types.h>
#include <keel/page_info.h>

#include <asm/config.h>
#include <asm/page.h>

struct domain;

/* The hypervisor's L4 slots (256..271), rewritten in every validated L4. */
#define PV_HV_L4_SLOTS      (HYPERVISOR_SLOT_LAST - HYPERVISOR_SLOT_FIRST + 1)
_Static_assert(PV_HV_L4_SLOTS == 16, "hypervisor L4 slots are 256..271");

/* Page-table levels as the engine names them, and their frame types. */
#define PV_LEVEL_MIN        1
#define PV_LEVEL_MAX        4
static inline unsigned long pv_level_type(unsigned int level)
{
    return (unsigned long)level << PGT_TYPE_SHIFT;
}
_Static_assert(PGT_L1 == 1UL << PGT_TYPE_SHIFT && PGT_L4 == 4UL << PGT_TYPE_SHIFT,
               "PGT_Ln must equal n << PGT_TYPE_SHIFT");

/* Whether an L4 slot belongs to the guest (0-255, 272-511). */
static inline bool pv_is_guest_l4_slot(unsigned int slot)
{
    return slot < HYPERVISOR_SLOT_FIRST || slot > HYPERVISOR_SLOT_LAST;
}

/*
 * What the engine needs from its environment. All hooks are called with no
 * engine state locked and may be called from within nested validation
 * (up to four frames mapped at once).
 */
struct pv_mm_ops {
    /* The 512 entries of machine frame @mfn (a RAM frame in the frame
     * table), readable and writable by the engine. Required. */
    uint64_t *(*map_frame)(mfn_t mfn);
    /* Undo map_frame(). Required. */
    void (*unmap_frame)(uint64_t *va);
    /* Whether @mfn (< frame_table_nr) is RAM. Frames in the frame table
     * that are not RAM (holes, MMIO below the top of RAM) are I/O frames:
     * mapped without references, by permission only. NULL: every frame in
     * the frame table is RAM. */
    bool (*mfn_is_ram)(mfn_t mfn);
    /* Whether @d may map the I/O frame @mfn (not RAM, or beyond the frame
     * table). Asked only for domains with has_io_caps (as Xen ties cache
     * attributes to I/O access); others never map I/O. Required. */
    bool (*iomem_permitted)(const struct domain *d, mfn_t mfn);
    /* Flush every CPU's TLB. Called before a frame's contents are checked
     * for a page-table or descriptor type, so no stale writable translation
     * of the frame survives its validation. Required; the hypervisor may
     * make it cheap with a per-frame flush clock. */
    void (*flush_tlb_all)(void);
    /* Validate descriptor page @pg for PGT_SEG_DESC (the GDT/LDT code's
     * check_descriptor loop). NULL: descriptor pages are refused (-EINVAL). */
    int (*validate_desc)(struct page_info *pg);
    /* PV_HV_L4_SLOTS entries for slots 256..271, copied into every L4 at
     * validation. Required. */
    const uint64_t *hypervisor_l4_slots;
    /* 0, or one hypervisor slot (256..271) that instead maps the L4 itself:
     * the L4's own address with the flags of hypervisor_l4_slots[slot - 256]
     * (a supervisor-only linear map, e.g. LINEAR_PT_VIRT_START's slot). */
    unsigned int linear_slot;
    /* Host physical-address width (32..52): address bits of a present
     * entry at or above it are reserved and must be zero. */
    unsigned int paddr_bits;
};

/*
 * Install @ops (which must outlive the engine) and the frame table's
 * page_ops: the engine's validate/devalidate with @free_page, which takes
 * back a frame whose last general reference is gone (the hypervisor passes
 * the frame to buddy_free()). Call after frame_table_init() and before any
 * domain is built. A missing required hook or a bad paddr_bits or
 * linear_slot is a BUG.
 */
void pv_mm_init(const struct pv_mm_ops *ops, void (*free_page)(struct page_info *pg));

/* Flags of pv_mod_entry(). */
#define PV_MOD_PRESERVE_AD  (1U << 0) /* MMU_PT_UPDATE_PRESERVE_AD: keep the live A/D bits */
#define PV_MOD_L1_ONLY      (1U << 1) /* update_va_mapping, PTE emulation: a validated L1 only */
#define PV_MOD_CMPXCHG      (1U << 2) /* store only if the entry equals *@old (LOCK CMPXCHG) */

/*
 * Write entry @index (< 512) of frame @table, owned by @d, with @val
 * (MMU_NORMAL_PT_UPDATE; update_va_mapping and the PTE-write emulator with
 * PV_MOD_L1_ONLY). If @table is a validated page table of level N, @val
 * is checked as a level-N entry and the references it needs are taken,
 * then the entry is replaced atomically (with the USER/ACCESSED adjustments
 * of validation), then the replaced entry's references are dropped. If
 * @table is not a table in use and can be typed writable, @val is stored
 * as is. If @old is not NULL it receives the replaced value; with
 * PV_MOD_CMPXCHG, *@old is also the expected value and a mismatch stores
 * nothing.
 * Returns 0; -EINVAL if @table is not a valid frame owned by @d, @index is
 * out of range, the frame is neither a table nor writable (e.g. a
 * descriptor page, a table being validated), PV_MOD_L1_ONLY is given and
 * the frame is not a validated L1, or @index is a hypervisor slot of an L4;
 * -EAGAIN on a PV_MOD_CMPXCHG mismatch (*@old = current value); or the
 * entry-check errors (see pt_validate.c: -EINVAL, -EPERM, -EBUSY, or a
 * nested validation's error). On error nothing changed.
 */
int pv_mod_entry(struct domain *d, mfn_t table, unsigned int index, uint64_t val,
                 unsigned int flags, uint64_t *old);

/*
 * pv_mod_entry() for a privileged foreign mapping (mmu_update with a
 * foreign domain): an L1 entry of @d's table @table may map a RAM frame
 * owned by @pg_owner instead of @d (NULL for DOMID_IO: I/O frames only,
 * under @d's permissions). Upper-level entries always name @d's own
 * tables. The caller has checked @d may act for @pg_owner. As in Xen,
 * such an entry survives while its L1 stays validated; an L1 holding one
 * does not revalidate (validation takes the table owner's frames only).
 */
int pv_mod_entry_foreign(struct domain *d, struct domain *pg_owner, mfn_t table,
                         unsigned int index, uint64_t val, unsigned int flags, uint64_t *old);

/*
 * MMUEXT_PIN_L{1..4}_TABLE: take a type reference of @level (1..4) on
 * @mfn, owned by @d, validating it if needed, and mark it pinned.
 * Returns 0; -EINVAL for a bad level, a frame not owned by @d, a frame
 * already pinned, or one in use with another type; or the validation
 * error (-EINVAL, -EPERM, -EBUSY). On error nothing changed.
 */
int pv_pin_table(struct domain *d, mfn_t mfn, unsigned int level);

/*
 * MMUEXT_UNPIN_TABLE: drop the pin of @mfn, owned by @d; the last type
 * reference going devalidates the table (the cascade).
 * Returns 0, or -EINVAL if @mfn is not owned by @d or not pinned.
 */
int pv_unpin_table(struct domain *d, mfn_t mfn);

/*
 * MMUEXT_NEW_BASEPTR / NEW_USER_BASEPTR and the builder: take the root
 * reference (a general and an L4 type reference, validating if needed)
 * that a vCPU holds on its kernel or user root @mfn, owned by @d. The
 * caller takes the new root's reference before dropping the old one
 * (pv_put_root()), so switching to the current root is harmless.
 * Returns 0, -EINVAL if @mfn is not owned by @d or is in use with another
 * type, or the validation error. On error nothing changed.
 */
int pv_get_root(struct domain *d, mfn_t mfn);

/* Drop a root reference taken by pv_get_root(); may devalidate (cascade). */
void pv_put_root(mfn_t mfn);

/*
 * MMU_MACHPHYS_UPDATE: M2P[@mfn] = @pfn for a frame owned by @d.
 * Returns 0, or -EINVAL if @mfn is not a frame owned by @d.
 */
int pv_machphys_update(struct domain *d, mfn_t mfn, unsigned long pfn);

/*
 * Relinquish the @nr frames of dying domain @d listed in @frames (entries
 * not owned by @d are skipped): unpin every pinned table (the cascades drop
 * the references all of @d's tables hold), then drop every allocation
 * reference, so frames go back through page_ops.free_page. Needs @d's
 * vCPUs to have dropped their roots (pv_put_root()) and every other
 * holder outside the page tables (descriptor pages, vcpu_info) to be gone.
 * Returns 0, or -EBUSY if some frame was still referenced from elsewhere
 * (it is freed when that holder lets go).
 */
int pv_mm_teardown(struct domain *d, const mfn_t *frames, unsigned long nr);

/*
 * Grant mappings (pt_grant.c; the grant-table code in
 * arch/x86/pv/grant_mapping.c is the only caller). A grant PTE holds
 * exactly the references an ordinary L1 entry for its frame holds: a
 * general reference, plus a PGT_WRITABLE type reference if RW. So whoever
 * replaces it (these functions, a guest's mmu_update, the devalidation of
 * its L1) drops them like any other entry's.
 */

/* The L1 entry of a grant mapping of @mfn with GNTMAP_* @gntmap_flags:
 * P A D NX, RW unless GNTMAP_readonly, US with GNTMAP_application_map (and
 * in any case after validation's adjustment, as for every PV entry), and
 * the first three guest-available GNTMAP bits in PTE bits 9-11. */
uint64_t pv_grant_l1e(mfn_t mfn, uint32_t gntmap_flags);

/*
 * Install @val (from pv_grant_l1e(), present) in entry @index of @table, a
 * validated L1 in use owned by @d, for a frame owned by @owner (@d itself
 * for a domain mapping its own grant): take the entry's references on the
 * frame, replace whatever the entry held, and drop that value's
 * references.
 * Returns 0; -EINVAL if @table is not a validated L1 of @d or @index is out
 * of range; -EPERM for an I/O frame (never granted); -EBUSY if the frame
 * is not @owner's or, for RW, cannot be typed writable (a page table or
 * descriptor page). On error nothing changed.
 */
int pv_grant_map_l1e(struct domain *d, mfn_t table, unsigned int index, uint64_t val,
                     const struct domain *owner);

/*
 * Replace entry @index of @table (a validated L1 in use owned by @d) by
 * @new if it is present, maps @mfn, and its RW bit equals @rw's; drop the
 * references of the value replaced. @new is 0 or an entry taken with
 * pv_grant_steal_l1e(), whose references pass to the table.
 * Returns 0; -EINVAL if @table is not a validated L1 of @d or @index is out
 * of range; -ESRCH if the entry does not map @mfn that way (the guest
 * changed it). On error nothing changed (the caller still holds @new's
 * references).
 */
int pv_grant_unmap_l1e(struct domain *d, mfn_t table, unsigned int index, mfn_t mfn,
                       uint64_t rw, uint64_t new);

/*
 * GNTTABOP_unmap_and_replace's "steal": clear entry @index of @table (a
 * validated L1 in use owned by @d) and return its old value in *@old, whose
 * references pass to the caller (to install elsewhere with
 * pv_grant_unmap_l1e(), or to drop with pv_put_l1e()). Returns 0, or
 * -EINVAL as above.
 */
int pv_grant_steal_l1e(struct domain *d, mfn_t table, unsigned int index, uint64_t *old);

/* Drop the references of L1 entry @e (nothing if not present). */
void pv_put_l1e(uint64_t e);

/* The present-entry rules, exposed for the invariant checker and tests. */

/* Whether @mfn is an I/O frame (outside the frame table or not RAM). */
bool pv_mfn_is_io(mfn_t mfn);

/* The value validation stores for a present level-@level entry @e
 * (USER, ACCESSED at L4, uncached attributes on I/O frames at L1). */
uint64_t pv_adjust_entry(unsigned int level, uint64_t e);

#endif
