/* SPDX-License-Identifier: MIT */
/*
 * Boot-time memory setup and the hypervisor's own page tables.
 *
 * Free memory starts as a list of ranges: the E820 RAM entries, page
 * aligned, minus everything not RAM, the first MiB, the image and the boot
 * modules. Until the buddy allocator exists, page tables and the big boot
 * tables are carved from the top of the highest range below 4 GiB (reachable
 * through head.S's early direct map). The idle page tables then map:
 *   - the image, page by page with W^X (text RX, rodata RO, data RW+NX);
 *   - the direct map of RAM (and ACPI memory) with 2 MiB / 1 GiB pages;
 *   - the M2P, read-write for Keel and read-only + user for guests;
 *   - the frame table.
 * Whatever remains in the free ranges goes to the buddy allocator.
 *
 * Everything here runs on the boot CPU before other CPUs start, so there is
 * no locking, except ioremap(), which is boot-CPU-only too.
 */
#include <asm/config.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <keel/bootinfo.h>
#include <keel/buddy.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/page_info.h>

#define MB (1UL << 20)
#define GB (1UL << 30)

struct range {
    uint64_t start, end;   /* page aligned, end exclusive */
};

static struct range free_ranges[BOOT_MAX_MEMMAP * 2 + 16];
static unsigned int nr_free_ranges;
static bool heap_ready;
static bool have_1g_pages;
static unsigned long fixmap_next = FIXMAP_VIRT_START;

pte_t *idle_l4;
uint64_t total_ram_bytes;
unsigned long max_page;
unsigned long trampoline_phys;

extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __image_end[];

static void add_free_range(uint64_t start, uint64_t end)
{
    BUG_ON(nr_free_ranges == ARRAY_SIZE(free_ranges));
    free_ranges[nr_free_ranges++] = (struct range){ start, end };
}

/* Remove [start, end) from every free range, splitting where needed. */
static void carve(uint64_t start, uint64_t end)
{
    start = ROUNDDOWN(start, PAGE_SIZE);
    end = ROUNDUP(end, PAGE_SIZE);
    for (unsigned int i = 0; i < nr_free_ranges; i++) {
        struct range *r = &free_ranges[i];

        if (end <= r->start || start >= r->end)
            continue;
        if (start > r->start && end < r->end) {
            add_free_range(end, r->end);
            r->end = start;
        } else if (start > r->start) {
            r->end = start;
        } else if (end < r->end) {
            r->start = end;
        } else {
            r->end = r->start; /* emptied */
        }
    }
}

static void collect_free_memory(void)
{
    for (unsigned int i = 0; i < boot_info.nr_memmap; i++) {
        const struct memmap_entry *e = &boot_info.memmap[i];

        if (e->type != E820_RAM)
            continue;
        total_ram_bytes += e->size;
        if (ROUNDUP(e->addr, PAGE_SIZE) < ROUNDDOWN(e->addr + e->size, PAGE_SIZE))
            add_free_range(ROUNDUP(e->addr, PAGE_SIZE), ROUNDDOWN(e->addr + e->size, PAGE_SIZE));
        max_page = max(max_page, (unsigned long)((e->addr + e->size) >> PAGE_SHIFT));
    }
    /* A map may list the same memory twice; non-RAM always wins. */
    for (unsigned int i = 0; i < boot_info.nr_memmap; i++)
        if (boot_info.memmap[i].type != E820_RAM)
            carve(boot_info.memmap[i].addr, boot_info.memmap[i].addr + boot_info.memmap[i].size);

    /* The AP trampoline needs one page below 1 MiB: the highest free one. */
    for (unsigned int i = 0; i < nr_free_ranges; i++) {
        const struct range *r = &free_ranges[i];
        uint64_t top = min(r->end, (uint64_t)MB);

        if (top > r->start && top - PAGE_SIZE >= 0x1000 && top - PAGE_SIZE > trampoline_phys)
            trampoline_phys = top - PAGE_SIZE;
    }
    if (!trampoline_phys)
        panic("no free page below 1 MiB for the CPU start-up trampoline");

    carve(0, MB);
    /* Split any range crossing 4 GiB, so boot allocations stay below it. */
    for (unsigned int i = 0; i < nr_free_ranges; i++)
        if (free_ranges[i].start < 4 * GB && free_ranges[i].end > 4 * GB) {
            add_free_range(4 * GB, free_ranges[i].end);
            free_ranges[i].end = 4 * GB;
        }
    carve(KEEL_PHYS_START, __pa(__image_end));
    for (unsigned int i = 0; i < boot_info.nr_modules; i++)
        carve(boot_info.modules[i].start, boot_info.modules[i].end);
}

/* Take one zeroed page from the top of the highest free range below 4 GiB. */
static unsigned long boot_alloc_page(void)
{
    struct range *best = NULL;

    for (unsigned int i = 0; i < nr_free_ranges; i++) {
        struct range *r = &free_ranges[i];

        if (r->end > r->start && r->end <= 4 * GB && (!best || r->start > best->start))
            best = r;
    }
    if (!best)
        panic("out of memory below 4 GiB while setting up page tables");
    best->end -= PAGE_SIZE;
    memset(__va(best->end), 0, PAGE_SIZE);
    return best->end;
}

static pte_t *alloc_table(void)
{
    if (heap_ready) {
        void *va = alloc_xenheap_pages(0);

        if (!va)
            panic("out of memory for hypervisor page tables");
        return va;
    }
    return __va(boot_alloc_page());
}

/* The table below entry *e, created if absent. */
static pte_t *next_table(pte_t *e, unsigned long va)
{
    if (!(*e & _PAGE_PRESENT)) {
        pte_t *t = alloc_table();
        bool guest = va >= RO_MPT_VIRT_START && va < RO_MPT_VIRT_END;

        *e = __pa(t) | (guest ? PAGE_TABLE_GUEST : PAGE_TABLE_HYPERVISOR);
    }
    BUG_ON(*e & _PAGE_PSE);
    return __va(pte_paddr(*e));
}

/* Map [va, va+size) to pa, with 1 GiB / 2 MiB pages where alignment allows. */
static void map_range(unsigned long va, unsigned long pa, unsigned long size, uint64_t flags,
                      bool large)
{
    while (size) {
        pte_t *l3 = next_table(&idle_l4[pt_index(va, L4_SHIFT)], va);
        pte_t *l2, *l1;

        if (large && have_1g_pages && !((va | pa) & (L3_PAGE_SIZE - 1)) && size >= L3_PAGE_SIZE) {
            l3[pt_index(va, L3_SHIFT)] = pa | flags | _PAGE_PSE;
            va += L3_PAGE_SIZE, pa += L3_PAGE_SIZE, size -= L3_PAGE_SIZE;
            continue;
        }
        l2 = next_table(&l3[pt_index(va, L3_SHIFT)], va);
        if (large && !((va | pa) & (L2_PAGE_SIZE - 1)) && size >= L2_PAGE_SIZE) {
            l2[pt_index(va, L2_SHIFT)] = pa | flags | _PAGE_PSE;
            va += L2_PAGE_SIZE, pa += L2_PAGE_SIZE, size -= L2_PAGE_SIZE;
            continue;
        }
        l1 = next_table(&l2[pt_index(va, L2_SHIFT)], va);
        l1[pt_index(va, L1_SHIFT)] = pa | flags;
        va += PAGE_SIZE, pa += PAGE_SIZE, size -= PAGE_SIZE;
    }
}

void map_pages(unsigned long va, unsigned long pa, unsigned long nr, uint64_t flags)
{
    BUG_ON((va | pa) & (PAGE_SIZE - 1));
    map_range(va, pa, nr << PAGE_SHIFT, flags, false);
}

/* The leaf entry mapping va in the idle page tables, or 0 if unmapped. */
static pte_t leaf_entry(unsigned long va)
{
    pte_t e = idle_l4[pt_index(va, L4_SHIFT)];

    for (unsigned int shift = L3_SHIFT;; shift -= 9) {
        if (!(e & _PAGE_PRESENT))
            return 0;
        e = ((pte_t *)__va(pte_paddr(e)))[pt_index(va, shift)];
        if (!(e & _PAGE_PRESENT))
            return 0;
        if (shift == L1_SHIFT || (e & _PAGE_PSE))
            return e;
    }
}

void *alloc_xenheap_pages(unsigned int order)
{
    return alloc_xenheap_pages_below(order, ~0UL);
}

void *alloc_xenheap_pages_below(unsigned int order, unsigned long limit_mfn)
{
    struct page_info *pg = limit_mfn == ~0UL ? buddy_alloc(order)
                                             : buddy_alloc_below(order, limit_mfn);
    void *va;

    if (!pg)
        return NULL;
    va = __va(mfn_x(page_to_mfn(pg)) << PAGE_SHIFT);
    memset(va, 0, PAGE_SIZE << order);
    return va;
}

void free_xenheap_pages(void *va, unsigned int order)
{
    if (va)
        buddy_free(mfn_to_page(_mfn(__pa(va) >> PAGE_SHIFT)), order);
}

/* True if every page of [pa, pa+size) is mapped in the direct map. */
static bool directmap_covers(unsigned long pa, unsigned long size)
{
    for (unsigned long a = ROUNDDOWN(pa, PAGE_SIZE); a < pa + size; a += PAGE_SIZE)
        if (!leaf_entry(DIRECTMAP_VIRT_START + a))
            return false;
    return true;
}

void *map_firmware(unsigned long pa, unsigned long size)
{
    return directmap_covers(pa, size) ? __va(pa) : ioremap(pa, size);
}

void *ioremap(unsigned long pa, unsigned long size)
{
    unsigned long offset = pa & (PAGE_SIZE - 1);
    unsigned long nr = (ROUNDUP(offset + size, PAGE_SIZE)) >> PAGE_SHIFT;
    unsigned long va = fixmap_next;

    if (va + (nr << PAGE_SHIFT) > FIXMAP_VIRT_END)
        panic("fixmap exhausted mapping %#lx", pa);
    fixmap_next += nr << PAGE_SHIFT;
    map_pages(va, pa - offset, nr, PAGE_HYPERVISOR_UC);
    return (void *)(va + offset);
}

static void map_image(void)
{
    unsigned long t = (unsigned long)__text_start, r = (unsigned long)__rodata_start;
    unsigned long d = (unsigned long)__data_start;

    map_pages(t, __pa(__text_start), (__text_end - __text_start) >> PAGE_SHIFT,
              PAGE_HYPERVISOR_RX);
    map_pages(r, __pa(__rodata_start), (__rodata_end - __rodata_start) >> PAGE_SHIFT,
              PAGE_HYPERVISOR_RO);
    map_pages(d, __pa(__data_start), ROUNDUP((unsigned long)(__image_end - __data_start),
              PAGE_SIZE) >> PAGE_SHIFT, PAGE_HYPERVISOR_RW);
}

/*
 * Direct-map RAM and ACPI memory, widened to 2 MiB boundaries so large
 * pages can be used; MMIO holes stay unmapped.
 */
static void map_direct(void)
{
    struct range r[BOOT_MAX_MEMMAP + 1];
    unsigned int n = 0;

    r[n++] = (struct range){ 0, 2 * MB };
    for (unsigned int i = 0; i < boot_info.nr_memmap; i++) {
        const struct memmap_entry *e = &boot_info.memmap[i];

        if (e->type != E820_RAM && e->type != E820_ACPI && e->type != E820_NVS)
            continue;
        r[n++] = (struct range){ ROUNDDOWN(e->addr, L2_PAGE_SIZE),
                                 ROUNDUP(e->addr + e->size, L2_PAGE_SIZE) };
    }
    /* Sort and merge so no 2 MiB page is mapped twice. */
    for (unsigned int i = 1; i < n; i++)
        for (unsigned int j = i; j > 0 && r[j].start < r[j - 1].start; j--) {
            struct range tmp = r[j];

            r[j] = r[j - 1];
            r[j - 1] = tmp;
        }
    for (unsigned int i = 0; i < n;) {
        uint64_t start = r[i].start, end = r[i].end;

        for (i++; i < n && r[i].start <= end; i++)
            end = max(end, r[i].end);
        if (end > DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START)
            panic("RAM above %lu TiB is not supported",
                  (DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START) >> 40);
        map_range(DIRECTMAP_VIRT_START + start, start, end - start, PAGE_HYPERVISOR_RW, true);
    }
}

/* Allocate, map (at va, and at alias_va if non-zero) and zero nr pages. */
static void *map_boot_table(unsigned long va, unsigned long alias_va, unsigned long bytes)
{
    unsigned long nr = ROUNDUP(bytes, PAGE_SIZE) >> PAGE_SHIFT;

    for (unsigned long i = 0; i < nr; i++) {
        unsigned long pa = boot_alloc_page();

        map_pages(va + (i << PAGE_SHIFT), pa, 1, PAGE_HYPERVISOR_RW);
        if (alias_va)
            map_pages(alias_va + (i << PAGE_SHIFT), pa, 1, PAGE_GUEST_RO);
    }
    return (void *)va;
}

/*
 * Check that guests will see the M2P: the alias at RO_MPT_VIRT_START must be
 * present, user-readable and read-only, and show what Keel writes to it.
 */
static void m2p_selftest(void)
{
    const volatile unsigned long *guest_view = (const unsigned long *)RO_MPT_VIRT_START;
    pte_t e = leaf_entry(RO_MPT_VIRT_START);
    mfn_t probe = _mfn(max_page - 1);

    if (!(e & _PAGE_USER) || (e & _PAGE_RW))
        panic("M2P guest view at %#lx has wrong permissions (PTE %#lx)",
              RO_MPT_VIRT_START, (unsigned long)e);
    set_gpfn_from_mfn(probe, 0x1234567);
    if (guest_view[mfn_x(probe)] != 0x1234567)
        panic("M2P guest view does not alias the M2P");
    set_gpfn_from_mfn(probe, INVALID_M2P_ENTRY);
    printk("M2P: %lu entries, read-only guest view at %#lx checked\n", max_page,
           RO_MPT_VIRT_START);
}

void mm_init(void)
{
    uint32_t a, b, c, d;
    unsigned long frames_before, *m2p;
    struct page_info *table;

    cpuid(0x80000001, &a, &b, &c, &d);
    have_1g_pages = d & (1u << 26);

    collect_free_memory();
    if (max_page > (RDWR_MPT_VIRT_END - RDWR_MPT_VIRT_START) / sizeof(unsigned long))
        panic("too much RAM for the M2P table (%lu frames)", max_page);

    idle_l4 = __va(boot_alloc_page());
    map_image();
    map_direct();
    m2p = map_boot_table(RDWR_MPT_VIRT_START, RO_MPT_VIRT_START, max_page * sizeof(*m2p));
    table = map_boot_table(FRAMETABLE_VIRT_START, 0, max_page * sizeof(*table));
    write_cr3(__pa(idle_l4));
    m2p_init(m2p, max_page);
    frame_table_init(table, max_page);

    buddy_init();
    for (unsigned int i = 0; i < nr_free_ranges; i++)
        if (free_ranges[i].end > free_ranges[i].start)
            buddy_add_range(_mfn(free_ranges[i].start >> PAGE_SHIFT),
                            (free_ranges[i].end - free_ranges[i].start) >> PAGE_SHIFT);
    heap_ready = true;
    m2p_selftest();
    frames_before = buddy_free_frames();
    printk("Memory: %lu MiB RAM, %lu MiB free for the heap and domains, frame table %lu KiB\n",
           (unsigned long)(total_ram_bytes >> 20), frames_before >> (20 - PAGE_SHIFT),
           (max_page * sizeof(struct page_info)) >> 10);
}
