/* SPDX-License-Identifier: MIT */
/*
 * memory_op sub-ops that describe the x86 machine: the memory maps and
 * where the read-only M2P table is mapped (Xen's arch/x86/mm.c:
 * arch_memory_op). E820 entries go to the guest packed, 20 bytes each.
 *
 * XENMEM_machine_memory_map (control domain only, -EPERM otherwise) is the
 * host's map, as in Xen: the loader's E820 entries, sorted, plus reserved
 * entries for the frames in its holes dom0 may not map (the local APIC
 * and I/O APIC pages; see iomem_permitted() in arch/x86/pv/mm.c). Keel
 * allocates dom0's memory from anywhere in RAM, but dom0's pseudo-physical
 * layout does not depend on where: as under Xen, Linux lays its PFNs over
 * the host map, identity-maps the PFNs of non-RAM ranges (firmware, ACPI,
 * MMIO, which it may map because they are not RAM) and moves the RAM
 * pages behind them above; the kernel and its initial page tables sit at
 * PFNs from 16 MiB up (the ELF's physical addresses), inside host RAM on
 * any PC. Keel's own memory is RAM the domain does not own, so the PV MMU
 * refuses every mapping of it whatever the map says. A synthetic map
 * would hide the real device holes from dom0's PCI resource allocator.
 *
 * XENMEM_memory_map (any domain) is the caller's pseudo-physical map: one
 * RAM range over its max_pages. Xen 4.17 answers -ENOSYS for a PV dom0
 * (only a toolstack-set map exists there, and Linux's dom0 never asks);
 * Keel has no toolstack to set one, so it answers what a PV toolstack
 * would set. Xen's in/out nr_entries: at most nr_entries entries are
 * written, nr_entries returns how many.
 */
#include <asm/apic.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/memop.h>
#include <public/memory.h>
#include <public/xen.h>

/* The E820 record as guests read it. */
struct e820_guest_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct e820_guest_entry) == 20, "E820 records are 20 bytes");


struct map_out {
    unsigned long buffer;       /* guest VA, 0 = only count */
    unsigned int n;             /* entries so far */
};

static int emit_entry(void *ctx, const struct memmap_entry *e)
{
    struct map_out *out = ctx;
    struct e820_guest_entry g = { .addr = e->addr, .size = e->size, .type = e->type };

    if (out->buffer && copy_to_guest(out->buffer + out->n * sizeof(g), &g, sizeof(g)))
        return -EFAULT;
    out->n++;
    return 0;
}

static unsigned long paddr_limit_frame(void)
{
    uint32_t a, b, c, d;

    cpuid(0x80000008, &a, &b, &c, &d);
    return 1UL << ((a & 0xff) - PAGE_SHIFT);
}

static long machine_memory_map(unsigned long arg)
{
    unsigned long limit = paddr_limit_frame();
    struct xen_memory_map map;
    struct map_out out = { 0, 0 };
    int rc;

    if (!current_vcpu()->domain->is_privileged)
        return -EPERM;
    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    if (map.buffer.p) {
        /* Xen's checks: room for the host entries and one more, then the whole buffer. */
        if (map.nr_entries < boot_info.nr_memmap + 1)
            return -EINVAL;
        if (!guest_range_ok((unsigned long)map.buffer.p,
                            (size_t)map.nr_entries * sizeof(struct e820_guest_entry)))
            return -EFAULT;
        /* Count first: a map that does not fit is -EINVAL, as in Xen. */
        rc = memmap_machine_walk(boot_info.memmap, boot_info.nr_memmap, pv_denied_iomem_frames,
                                 pv_nr_denied_iomem_frames, limit, emit_entry, &out);
        if (rc)
            return rc;
        if (map.nr_entries < out.n + 1)
            return -EINVAL;
        out = (struct map_out){ (unsigned long)map.buffer.p, 0 };
    }
    rc = memmap_machine_walk(boot_info.memmap, boot_info.nr_memmap, pv_denied_iomem_frames,
                             pv_nr_denied_iomem_frames, limit, emit_entry, &out);
    if (rc)
        return rc;
    map.nr_entries = out.n;
    return copy_to_guest(arg, &map, sizeof(map));
}

static long pseudo_physical_map(unsigned long arg)
{
    const struct domain *d = current_vcpu()->domain;
    struct e820_guest_entry ram = {
        .addr = 0,
        .size = (uint64_t)d->max_pages << PAGE_SHIFT,
        .type = E820_RAM,
    };
    struct xen_memory_map map;

    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    map.nr_entries = min(map.nr_entries, 1u);
    if ((map.nr_entries && copy_to_guest((unsigned long)map.buffer.p, &ram, sizeof(ram))) ||
        copy_to_guest(arg, &map, sizeof(map)))
        return -EFAULT;
    return 0;
}

static long machphys_mapping(unsigned long arg)
{
    struct xen_machphys_mapping mapping = {
        .v_start = MACH2PHYS_VIRT_START,
        .v_end = MACH2PHYS_VIRT_END,
        .max_mfn = MACH2PHYS_NR_ENTRIES - 1,
    };

    /* No memory hotplug: the hardware domain learns the real top (as Xen). */
    if (current_vcpu()->domain->is_privileged)
        mapping.max_mfn = max_page - 1;
    return copy_to_guest(arg, &mapping, sizeof(mapping));
}

long arch_memory_op(unsigned long cmd, unsigned long arg)
{
    switch (cmd) {
    case XENMEM_memory_map:
        return pseudo_physical_map(arg);
    case XENMEM_machine_memory_map:
        return machine_memory_map(arg);
    case XENMEM_machphys_mapping:
        return machphys_mapping(arg);
    default:
        return -ENOSYS;
    }
}
