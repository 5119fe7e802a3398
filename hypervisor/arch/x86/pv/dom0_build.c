/* SPDX-License-Identifier: MIT */
/*
 * The dom0 builder: turns multiboot module 1 (a Xen-ABI PV kernel, as an
 * ELF or as a bzImage with an XZ payload) and module 2 (its initrd) into a
 * running domain 0, with the start-of-day state a Xen guest expects.
 *
 * Layout of the initial region, from VIRT_BASE, each part page aligned
 * (the contract in Xen's public xen.h "start-of-day memory layout"):
 *   kernel | initrd (only without MOD_START_PFN) | P2M list | start_info |
 *   page tables | boot stack | padding to a 4 MiB boundary, >= 512 KiB.
 * The region is one physically contiguous allocation mapped 1:1 from PFN 0;
 * the rest of dom0's memory follows in PFN order, an unmapped initrd first
 * when the kernel takes MOD_START_PFN. Page tables are [L4][L3][L2][L1...]
 * (the libxenguest order), with every L1 entry that maps a page-table
 * frame read-only; the L4 is then pinned and made the root, which
 * validates and types the whole tree.
 */
#include <asm/config.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv/dom0_build.h>
#include <asm/pv/pv.h>
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/buddy.h>
#include <keel/elf_image.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/page_info.h>
#include <keel/xz.h>
#include <public/features.h>
#include <public/xen.h>

#define MB (1UL << 20)
#define DOM0_RESERVE_FRAMES ((16 * MB) >> PAGE_SHIFT)   /* heap kept for Keel by default */
#define L1_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_USER)
#define L2_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_USER)

/*
 * Features a dom0 kernel may require in its ELF notes. As in Xen this
 * includes writable_page_tables (PTE writes are trapped and emulated) even
 * though XENVER_get_features does not report it to a PV guest.
 */
#define DOM0_HV_FEATURES ((1u << XENFEAT_writable_page_tables) | \
                          (1u << XENFEAT_mmu_pt_update_preserve_ad) | \
                          (1u << XENFEAT_gnttab_map_avail_bits) | \
                          (1u << XENFEAT_direct_mapped) | (1u << XENFEAT_dom0) | \
                          (1u << XENFEAT_pae_pgdir_above_4gb))

struct layout {
    unsigned long v_start, v_end;
    unsigned long kern_start, kern_end;
    unsigned long initrd_start, initrd_end;     /* 0, 0 when unmapped */
    unsigned long p2m_start, p2m_end;
    unsigned long si_start, si_end;
    unsigned long pt_start, pt_end;
    unsigned long stack_start, stack_end;
    unsigned long nr_pt_frames;
    unsigned long nr_pages;                     /* all of dom0's memory */
    unsigned long region_pages;                 /* (v_end - v_start) / PAGE_SIZE */
    unsigned long initrd_pfn;                   /* first PFN of the initrd */
};

static unsigned long pages_for(unsigned long bytes)
{
    return ROUNDUP(bytes, PAGE_SIZE) >> PAGE_SHIFT;
}

/* Page-table frames needed to map [start, end) with 4 KiB pages. */
static unsigned long tables_needed(unsigned long start, unsigned long end)
{
    unsigned long last = end - 1;

    return 1 +
           ((last >> L4_SHIFT) - (start >> L4_SHIFT) + 1) +
           ((last >> L3_SHIFT) - (start >> L3_SHIFT) + 1) +
           ((last >> L2_SHIFT) - (start >> L2_SHIFT) + 1);
}

static int compute_layout(struct layout *l, const struct elf_image_info *ei,
                          unsigned long initrd_len, unsigned long nr_pages)
{
    memset(l, 0, sizeof(*l));
    l->nr_pages = nr_pages;
    l->v_start = ei->virt_base;
    l->kern_start = ei->virt_kstart;
    l->kern_end = ei->virt_kend;
    if (initrd_len && !ei->mod_start_pfn) {
        l->initrd_start = ROUNDUP(l->kern_end, PAGE_SIZE);
        l->initrd_end = l->initrd_start + initrd_len;
    }
    l->p2m_start = ROUNDUP(l->initrd_end ? l->initrd_end : l->kern_end, PAGE_SIZE);
    l->p2m_end = l->p2m_start + nr_pages * sizeof(unsigned long);
    l->si_start = ROUNDUP(l->p2m_end, PAGE_SIZE);
    l->si_end = l->si_start + sizeof(struct start_info) + sizeof(struct dom0_vga_console_info);
    l->pt_start = ROUNDUP(l->si_end, PAGE_SIZE);
    for (l->nr_pt_frames = 1;; l->nr_pt_frames++) {
        l->pt_end = l->pt_start + l->nr_pt_frames * PAGE_SIZE;
        l->stack_start = l->pt_end;
        l->stack_end = l->stack_start + PAGE_SIZE;
        l->v_end = ROUNDUP(l->stack_end, 4 * MB);
        if (l->v_end - l->stack_end < 512 * 1024)
            l->v_end += 4 * MB;
        if (tables_needed(l->v_start, l->v_end) <= l->nr_pt_frames)
            break;
        if (l->nr_pt_frames > 4096)
            return -ENOMEM;
    }
    l->region_pages = (l->v_end - l->v_start) >> PAGE_SHIFT;
    l->initrd_pfn = l->initrd_start ? (l->initrd_start - l->v_start) >> PAGE_SHIFT
                                    : l->region_pages;
    if (l->region_pages + (ei->mod_start_pfn ? pages_for(initrd_len) : 0) > nr_pages)
        return -ENOMEM;
    return 0;
}

/* A module's bytes through the direct map. */
static const uint8_t *module_bytes(const struct boot_module *m)
{
    return __va(m->start);
}

/* The dom0 command line: the module's, without its first word (the module name). */
static const char *module_args(const struct boot_module *m)
{
    const char *s = m->cmdline;

    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    return s;
}

/*
 * Find the ELF: the module itself, or the XZ payload of a bzImage unpacked
 * into fresh hypervisor pages (*scratch, order *scratch_order; caller frees).
 */
static int unpack_kernel(const struct boot_module *m, const uint8_t **elf, size_t *elf_len,
                         void **scratch, unsigned int *scratch_order)
{
    const uint8_t *image = module_bytes(m);
    size_t len = m->end - m->start, out_len, size;
    struct bzimage_info bz;
    static uint8_t work[XZ_WORKSPACE_SIZE];
    int rc;

    *scratch = NULL;
    if (bzimage_probe(image, len, &bz)) {
        /* Not a bzImage: take it as an ELF. */
        *elf = image;
        *elf_len = len;
        return 0;
    }
    if (bz.format == BZ_PAYLOAD_ELF) {
        *elf = bz.payload;
        *elf_len = bz.payload_len;
        return 0;
    }
    if (bz.format != BZ_PAYLOAD_XZ) {
        printk(LOG_ERR "dom0: bzImage payload is %s-compressed; Keel decompresses only xz\n",
               bzimage_payload_name(bz.format));
        return -EOPNOTSUPP;
    }
    /* The kernel build appends the decompressed size (4 bytes) after the stream. */
    if (bz.payload_len < 4)
        return -EINVAL;
    bz.payload_len -= 4;
    rc = xz_uncompressed_size(bz.payload, bz.payload_len, &size);
    if (rc) {
        printk(LOG_ERR "dom0: bzImage xz payload is unreadable (%d)\n", rc);
        return rc;
    }
    *scratch_order = order_for_bytes(size);
    *scratch = alloc_xenheap_pages(*scratch_order);
    if (!*scratch) {
        printk(LOG_ERR "dom0: no memory to unpack a %lu KiB kernel\n", (unsigned long)size >> 10);
        return -ENOMEM;
    }
    rc = xz_decode(bz.payload, bz.payload_len, *scratch, size, &out_len, work, sizeof(work));
    if (rc) {
        printk(LOG_ERR "dom0: bzImage xz payload failed to decompress (%d)\n", rc);
        free_xenheap_pages(*scratch, *scratch_order);
        *scratch = NULL;
        return rc;
    }
    printk("Dom0 kernel: bzImage, protocol %u.%02u, xz payload %lu KiB -> %lu KiB\n",
           bz.protocol >> 8, bz.protocol & 0xff, (unsigned long)bz.payload_len >> 10,
           (unsigned long)out_len >> 10);
    *elf = *scratch;
    *elf_len = out_len;
    return 0;
}

/*
 * Give dom0 nr_pages frames: first the initial region as one contiguous
 * block (PFN 0 upwards), then the rest in the largest blocks available.
 * Fills the P2M (hypervisor view) and the M2P.
 */
static int allocate_memory(struct domain *d, const struct layout *l, unsigned long *p2m,
                           mfn_t *region_base)
{
    unsigned int order = order_for_bytes(l->region_pages << PAGE_SHIFT);
    unsigned long pfn = 0;
    struct page_info *pg;

    d->max_pages = l->nr_pages;
    if (!domain_claim_pages(d, l->nr_pages))
        return -ENOMEM;
    pg = buddy_alloc(order);
    if (!pg)
        return -ENOMEM;
    *region_base = page_to_mfn(pg);
    for (unsigned long i = 0; i < (1UL << order); i++) {
        mfn_t mfn = mfn_add(*region_base, i);

        if (pfn == l->nr_pages) {
            buddy_free(mfn_to_page(mfn), 0);
            continue;
        }
        page_assign_owner(mfn_to_page(mfn), d);
        p2m[pfn] = mfn_x(mfn);
        set_gpfn_from_mfn(mfn, pfn++);
    }
    while (pfn < l->nr_pages) {
        unsigned long want = l->nr_pages - pfn;

        order = min((unsigned int)BUDDY_MAX_ORDER, 63u - (unsigned int)__builtin_clzl(want));
        while (!(pg = buddy_alloc(order)))
            if (!order--)
                return -ENOMEM;
        for (unsigned long i = 0; i < (1UL << order); i++) {
            mfn_t mfn = mfn_add(page_to_mfn(pg), i);

            page_assign_owner(mfn_to_page(mfn), d);
            p2m[pfn] = mfn_x(mfn);
            set_gpfn_from_mfn(mfn, pfn++);
        }
    }
    return 0;
}

/* Hypervisor view of dom0's PFN, inside the contiguous initial region. */
static void *region_va(mfn_t region_base, unsigned long va, const struct layout *l)
{
    return __va((mfn_x(region_base) << PAGE_SHIFT) + (va - l->v_start));
}

static mfn_t region_mfn(mfn_t region_base, unsigned long va, const struct layout *l)
{
    return mfn_add(region_base, (va - l->v_start) >> PAGE_SHIFT);
}

/*
 * Build the initial page tables in [pt_start, pt_end) mapping the region
 * 1:1 from PFN 0, page-table frames read-only. Returns the L4's MFN.
 */
static mfn_t build_page_tables(mfn_t base, const struct layout *l)
{
    unsigned long next_pt = l->pt_start;
    mfn_t l4_mfn = region_mfn(base, next_pt, l);
    pte_t *l4 = region_va(base, next_pt, l), *l3 = NULL, *l2 = NULL, *l1 = NULL;

    next_pt += PAGE_SIZE;
    for (unsigned long va = l->v_start; va < l->v_end; va += PAGE_SIZE) {
        mfn_t mfn = region_mfn(base, va, l);
        pte_t flags = L1_PROT;

        if (!l3 || !(va & ((1UL << L4_SHIFT) - 1))) {
            l3 = region_va(base, next_pt, l);
            l4[pt_index(va, L4_SHIFT)] = (mfn_x(region_mfn(base, next_pt, l)) << PAGE_SHIFT) | L2_PROT;
            next_pt += PAGE_SIZE;
        }
        if (!l2 || !(va & ((1UL << L3_SHIFT) - 1))) {
            l2 = region_va(base, next_pt, l);
            l3[pt_index(va, L3_SHIFT)] = (mfn_x(region_mfn(base, next_pt, l)) << PAGE_SHIFT) | L2_PROT;
            next_pt += PAGE_SIZE;
        }
        if (!l1 || !(va & ((1UL << L2_SHIFT) - 1))) {
            l1 = region_va(base, next_pt, l);
            l2[pt_index(va, L2_SHIFT)] = (mfn_x(region_mfn(base, next_pt, l)) << PAGE_SHIFT) | L2_PROT;
            next_pt += PAGE_SIZE;
        }
        if (va >= l->pt_start && va < l->pt_end)
            flags &= ~_PAGE_RW;
        l1[pt_index(va, L1_SHIFT)] = (mfn_x(mfn) << PAGE_SHIFT) | flags;
    }
    BUG_ON(next_pt > l->pt_end);
    /* The hypervisor's slots, so the tables are usable as they stand. */
    memcpy(&l4[HYPERVISOR_SLOT_FIRST], &idle_l4[HYPERVISOR_SLOT_FIRST],
           (HYPERVISOR_SLOT_LAST - HYPERVISOR_SLOT_FIRST + 1) * sizeof(pte_t));
    return l4_mfn;
}

static void fill_start_info(struct start_info *si, const struct domain *d,
                            const struct layout *l, const struct elf_image_info *ei,
                            const struct boot_module *kernel, unsigned long initrd_len)
{
    memset(si, 0, sizeof(*si));
    strlcpy(si->magic, "xen-3.0-x86_64", sizeof(si->magic));
    si->nr_pages = l->nr_pages;
    si->shared_info = pv_domain(d)->shared_info_mfn << PAGE_SHIFT;
    si->flags = SIF_PRIVILEGED | SIF_INITDOMAIN;
    si->pt_base = l->pt_start;
    si->nr_pt_frames = l->nr_pt_frames;
    si->mfn_list = l->p2m_start;
    if (initrd_len) {
        if (ei->mod_start_pfn) {
            si->flags |= SIF_MOD_START_PFN;
            si->mod_start = l->initrd_pfn;
        } else {
            si->mod_start = l->initrd_start;
        }
        si->mod_len = initrd_len;
    }
    strlcpy((char *)si->cmd_line, module_args(kernel), sizeof(si->cmd_line));
}

static unsigned long dom0_pages_wanted(void)
{
    unsigned long avail = buddy_free_frames();
    unsigned long reserve = min(DOM0_RESERVE_FRAMES, avail / 8);

    if (opt_dom0_mem.initial != CMDLINE_SIZE_UNSET)
        return min(opt_dom0_mem.initial >> PAGE_SHIFT, avail - reserve);
    return avail - reserve;
}

static void print_layout(const struct layout *l, const struct elf_image_info *ei)
{
    printk("Dom0 kernel: 64-bit PV, paddr %#lx -> %#lx, guest OS \"%s\", loader \"%s\"\n",
           (unsigned long)ei->pstart, (unsigned long)ei->pend, ei->guest_os, ei->loader);
    printk("Dom0 memory: %lu pages (%lu MiB)\n", l->nr_pages, l->nr_pages >> (20 - PAGE_SHIFT));
    printk("Dom0 virtual memory arrangement:\n");
    printk(" Loaded kernel: %016lx->%016lx\n", l->kern_start, l->kern_end);
    if (l->initrd_start)
        printk(" Init. ramdisk: %016lx->%016lx\n", l->initrd_start, l->initrd_end);
    else if (l->initrd_pfn != l->region_pages || ei->mod_start_pfn)
        printk(" Init. ramdisk: unmapped, from PFN %#lx\n", l->initrd_pfn);
    printk(" Phys-Mach map: %016lx->%016lx\n", l->p2m_start, l->p2m_end);
    printk(" Start info:    %016lx->%016lx\n", l->si_start, l->si_end);
    printk(" Page tables:   %016lx->%016lx (%lu frames)\n", l->pt_start, l->pt_end,
           l->nr_pt_frames);
    printk(" Boot stack:    %016lx->%016lx\n", l->stack_start, l->stack_end);
    printk(" TOTAL:         %016lx->%016lx\n", l->v_start, l->v_end);
    printk(" ENTRY ADDRESS: %016lx\n", (unsigned long)ei->virt_entry);
}

int dom0_build(struct vcpu **vcpu0, struct cpu_regs *regs)
{
    const struct boot_module *kernel = &boot_info.modules[0];
    const struct boot_module *initrd = boot_info.nr_modules > 1 ? &boot_info.modules[1] : NULL;
    unsigned long initrd_len = initrd ? initrd->end - initrd->start : 0;
    static struct elf_image_info ei;
    struct layout l;
    const uint8_t *elf;
    size_t elf_len;
    void *scratch;
    unsigned int scratch_order = 0;
    struct domain *d;
    struct vcpu *v;
    unsigned int nr_vcpus;
    unsigned long *p2m;
    mfn_t base, l4;
    int rc;

    rc = unpack_kernel(kernel, &elf, &elf_len, &scratch, &scratch_order);
    if (rc)
        return rc;
    rc = elf_image_parse(&ei, elf, elf_len);
    if (!rc)
        rc = elf_image_check_dom0(&ei, DOM0_HV_FEATURES);
    if (rc) {
        printk(LOG_ERR "dom0: %s\n", ei.err);
        goto out_scratch;
    }
    rc = compute_layout(&l, &ei, initrd_len, dom0_pages_wanted());
    if (rc) {
        printk(LOG_ERR "dom0: %lu MiB is not enough for this kernel and initrd\n",
               dom0_pages_wanted() >> (20 - PAGE_SHIFT));
        goto out_scratch;
    }
    print_layout(&l, &ei);

    rc = -ENOMEM;
    /* One vCPU per physical CPU unless dom0_max_vcpus= says otherwise; all in shared_info. */
    nr_vcpus = min(opt_dom0_max_vcpus ? opt_dom0_max_vcpus : arch_nr_cpus(),
                   (unsigned int)XEN_LEGACY_MAX_VCPUS);
    d = domain_create(0, true, nr_vcpus, false);
    if (!d)
        goto out_nomem;
    /* vCPUs other than 0 stay down until the guest initialises them. */
    for (unsigned int i = 0; i < nr_vcpus; i++)
        if (!vcpu_create(d, i))
            goto out_nomem;
    v = d->vcpus[0];
    dom0 = d;
    p2m = alloc_xenheap_pages(order_for_bytes(l.nr_pages * sizeof(*p2m)));
    if (!p2m || allocate_memory(d, &l, p2m, &base))
        goto out_nomem;

    /* Contents: kernel, initrd, P2M, start_info, tables, hypercall page. */
    rc = elf_image_load(&ei, region_va(base, l.kern_start, &l),
                        (l.v_end - l.kern_start));
    if (rc) {
        printk(LOG_ERR "dom0: %s\n", ei.err);
        goto out_scratch;
    }
    if (initrd_len) {
        for (unsigned long off = 0; off < initrd_len; off += PAGE_SIZE)
            memcpy(__va((p2m[l.initrd_pfn + (off >> PAGE_SHIFT)]) << PAGE_SHIFT),
                   module_bytes(initrd) + off, min(PAGE_SIZE, initrd_len - off));
    }
    memcpy(region_va(base, l.p2m_start, &l), p2m, l.nr_pages * sizeof(*p2m));
    fill_start_info(region_va(base, l.si_start, &l), d, &l, &ei, kernel, initrd_len);
    l4 = build_page_tables(base, &l);
    if (ei.has_hypercall_page) {
        pv_fill_hypercall_page(region_va(base, ei.hypercall_page, &l));
        pv_domain(d)->hypercall_page_va = ei.hypercall_page;
    }
    rc = pv_mm_dom0_take_root(d, l4);
    if (rc) {
        printk(LOG_ERR "dom0: its initial page tables do not validate (%d)\n", rc);
        goto out_scratch;
    }

    v->arch->guest_table = mfn_x(l4);
    v->arch->in_kernel = true;
    v->is_initialised = true;     /* pv_start_vcpu() brings it up */
    memset(regs, 0, sizeof(*regs));
    regs->rip = ei.virt_entry;
    regs->rsp = l.stack_end;
    regs->rsi = l.si_start;
    regs->rflags = X86_EFLAGS_IF;
    regs->cs = FLAT_KERNEL_CS;
    regs->ss = FLAT_KERNEL_SS;
    *vcpu0 = v;
    printk("Dom0 has %u vCPU%s, starting at %016lx\n", d->max_vcpus, d->max_vcpus == 1 ? "" : "s",
           (unsigned long)regs->rip);
    rc = 0;
    goto out_scratch;

out_nomem:
    printk(LOG_ERR "dom0: out of memory while building it\n");
out_scratch:
    if (scratch)
        free_xenheap_pages(scratch, scratch_order);
    return rc;
}
