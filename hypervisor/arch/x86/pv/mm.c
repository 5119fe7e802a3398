/* SPDX-License-Identifier: MIT */
/*
 * Glue between the portable PV page-table engine (pt_validate.c,
 * pt_update.c) and this machine: how frames are reached (the direct map),
 * which frames are RAM (the E820 map), which I/O frames a domain may map,
 * and the hypervisor slots every guest L4 carries.
 */
#include <asm/apic.h>
#include <asm/config.h>
#include <asm/ipi.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv/dom0_build.h>
#include <asm/pv/pv.h>
#include <asm/pv_mm.h>
#include <keel/bootinfo.h>
#include <keel/buddy.h>
#include <keel/domain.h>
#include <keel/lib.h>

#define IOAPIC_DEFAULT_MFN 0xfec00UL

/* Device frames dom0 may never map: the interrupt controllers Keel drives. Sorted. */
const unsigned long pv_denied_iomem_frames[] = {
    IOAPIC_DEFAULT_MFN,
    APIC_DEFAULT_PHYS_BASE >> PAGE_SHIFT,
};
const unsigned int pv_nr_denied_iomem_frames = ARRAY_SIZE(pv_denied_iomem_frames);

static uint64_t *map_frame(mfn_t mfn)
{
    return __va(mfn_x(mfn) << PAGE_SHIFT);
}

static void unmap_frame(uint64_t *va)
{
    (void)va;   /* the direct map needs no teardown */
}

static bool mfn_is_ram(mfn_t mfn)
{
    uint64_t pa = (uint64_t)mfn_x(mfn) << PAGE_SHIFT;

    for (unsigned int i = 0; i < boot_info.nr_memmap; i++) {
        const struct memmap_entry *e = &boot_info.memmap[i];

        if (e->type == E820_RAM && pa >= e->addr && pa + PAGE_SIZE <= e->addr + e->size)
            return true;
    }
    return false;
}

/*
 * I/O memory: a domain may map the device frames in its iomem_caps (all
 * for dom0), but never the interrupt controllers Keel drives itself.
 */
static bool iomem_permitted(const struct domain *d, mfn_t mfn)
{
    unsigned long m = mfn_x(mfn);

    if (!rangeset_contains(&d->iomem_caps, m, m))
        return false;
    for (unsigned int i = 0; i < pv_nr_denied_iomem_frames; i++)
        if (m == pv_denied_iomem_frames[i])
            return false;
    return true;
}

static void flush_tlb_all(void)
{
    flush_tlb_all_cpus();
}

/* The last reference to a frame went: forget it in its owner's accounting and free it. */
static void free_domain_page(struct page_info *pg)
{
    struct domain *d = page_get_owner(pg);
    bool xen_heap = page_is_xen_heap(pg);

    set_gpfn_from_mfn(page_to_mfn(pg), INVALID_M2P_ENTRY);
    pg->owner = NULL;
    pg->count_info = 0;     /* PGC_XEN_HEAP; the count is 0, nobody else looks */
    buddy_free(pg, 0);
    if (d)
        domain_release_pages(d, 1, xen_heap);   /* may free d */
}

static struct pv_mm_ops machine_ops = {
    .map_frame = map_frame,
    .unmap_frame = unmap_frame,
    .mfn_is_ram = mfn_is_ram,
    .iomem_permitted = iomem_permitted,
    .flush_tlb_all = flush_tlb_all,
    .validate_desc = pv_validate_desc_page,
};

void pv_mm_setup(void)
{
    uint32_t a, b, c, d;

    cpuid(0x80000008, &a, &b, &c, &d);
    machine_ops.paddr_bits = a & 0xff;
    machine_ops.hypervisor_l4_slots = &idle_l4[HYPERVISOR_SLOT_FIRST];
    pv_mm_init(&machine_ops, free_domain_page);
}

int pv_mm_dom0_take_root(struct domain *d, mfn_t l4)
{
    int rc = pv_pin_table(d, l4, 4);

    if (rc)
        return rc;
    rc = pv_get_root(d, l4);
    if (rc)
        pv_unpin_table(d, l4);
    return rc;
}
