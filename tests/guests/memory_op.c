/* SPDX-License-Identifier: MIT */
/*
 * memory_op: the sub-ops a PV dom0 uses, with Xen's results and errors
 * (common/memory.c, arch/x86/mm.c), and Keel's documented choices.
 *
 * maximum_ram_page, machphys_mapping, current/maximum_reservation
 * (DOMID_SELF, own id, others -ESRCH); memory_map (one RAM range over
 * max_pages, in/out nr_entries); machine_memory_map (the host map: sorted,
 * kernel and page tables in RAM, the interrupt controllers' pages
 * reserved, Xen's "one spare slot" -EINVAL); the reservation ops as a
 * round trip that keeps tot_pages and the M2P consistent: decrease and
 * populate of single frames, a frame in use refused, order-9 extents, a
 * batch large enough to continue itself, increase_reservation, and every
 * argument error answered with "start_extent extents done".
 */
#include "guest.h"
#include "mm.h"
#include "test.h"

#define EFAULT (-XEN_EFAULT)
#define EINVAL (-XEN_EINVAL)
#define ENOSYS (-XEN_ENOSYS)
#define ESRCH  (-XEN_ESRCH)

#define VIRT_BASE  0xffffffff80000000UL
#define M2P        ((const volatile unsigned long *)0xffff800000000000UL)
#define BIG        5000    /* frames: more than one invocation handles */
#define E820_RAM      1
#define E820_RESERVED 2

struct e820 {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));

static unsigned long list[BIG];
static struct e820 map[160];
static char slot[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));

static long reservation(unsigned int cmd, unsigned long *extents, unsigned long nr,
                        unsigned int order, unsigned int flags, domid_t domid)
{
    struct xen_memory_reservation r = {
        .nr_extents = nr, .extent_order = order, .mem_flags = flags, .domid = domid,
    };

    set_xen_guest_handle(r.extent_start, extents);
    return HYPERVISOR_memory_op(cmd, &r);
}

static long tot_pages(void)
{
    domid_t self = DOMID_SELF;

    return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

static void test_machine_info(void)
{
    long max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    struct xen_machphys_mapping mm;
    unsigned long top = 0;

    for (unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++)
        if (p2m[pfn] > top)
            top = p2m[pfn];
    check(max > 0 && (unsigned long)max > top, "maximum_ram_page %ld, top MFN %#lx", max, top);
    expect_eq(HYPERVISOR_memory_op(XENMEM_maximum_ram_page | (1 << 6), NULL), EINVAL);

    expect_eq(HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mm), 0);
    expect_eq(mm.v_start, 0xffff800000000000UL);
    expect_eq(mm.v_end, 0xffff804000000000UL);
    expect_eq(mm.max_mfn, max - 1);
    expect_eq(HYPERVISOR_memory_op(XENMEM_machphys_mapping, NULL), EFAULT);
    expect_eq(HYPERVISOR_memory_op(XENMEM_machphys_mapping, (void *)start_info->pt_base), EFAULT);
}

static void test_reservation_queries(void)
{
    domid_t self = DOMID_SELF, zero = 0, one = 1, io = DOMID_IO;

    expect_eq(HYPERVISOR_memory_op(XENMEM_current_reservation, &self), start_info->nr_pages);
    expect_eq(HYPERVISOR_memory_op(XENMEM_current_reservation, &zero), start_info->nr_pages);
    expect_eq(HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self), start_info->nr_pages);
    expect_eq(HYPERVISOR_memory_op(XENMEM_maximum_reservation, &zero), start_info->nr_pages);
    expect_eq(HYPERVISOR_memory_op(XENMEM_current_reservation, &one), ESRCH);
    expect_eq(HYPERVISOR_memory_op(XENMEM_maximum_reservation, &io), ESRCH);
    expect_eq(HYPERVISOR_memory_op(XENMEM_current_reservation, NULL), EFAULT);
    expect_eq(HYPERVISOR_memory_op(XENMEM_maximum_reservation, (void *)0xffff830000000000UL),
              EFAULT);
    expect_eq(HYPERVISOR_memory_op(XENMEM_current_reservation | (1 << 6), &self), EINVAL);
}

static void test_memory_map(void)
{
    struct xen_memory_map mm;

    mm.nr_entries = ARRAY_SIZE(map);
    set_xen_guest_handle(mm.buffer, map);
    expect_eq(HYPERVISOR_memory_op(XENMEM_memory_map, &mm), 0);
    expect_eq(mm.nr_entries, 1);
    expect_eq(map[0].addr, 0);
    expect_eq(map[0].size, start_info->nr_pages * PAGE_SIZE);
    expect_eq(map[0].type, E820_RAM);

    /* nr_entries is the capacity: 0 writes nothing, even to a bad buffer. */
    mm.nr_entries = 0;
    set_xen_guest_handle(mm.buffer, (void *)0xffff830000000000UL);
    expect_eq(HYPERVISOR_memory_op(XENMEM_memory_map, &mm), 0);
    expect_eq(mm.nr_entries, 0);
    mm.nr_entries = 4;
    expect_eq(HYPERVISOR_memory_op(XENMEM_memory_map, &mm), EFAULT);
    expect_eq(HYPERVISOR_memory_op(XENMEM_memory_map, NULL), EFAULT);
}

static bool in_ram(const struct e820 *m, unsigned int n, unsigned long pa)
{
    for (unsigned int i = 0; i < n; i++)
        if (m[i].type == E820_RAM && pa >= m[i].addr && pa < m[i].addr + m[i].size)
            return true;
    return false;
}

static bool reserved_page(const struct e820 *m, unsigned int n, unsigned long pa)
{
    for (unsigned int i = 0; i < n; i++)
        if (m[i].type != E820_RAM && pa >= m[i].addr && pa < m[i].addr + m[i].size)
            return true;
    return false;
}

static void test_machine_memory_map(void)
{
    struct xen_memory_map mm = { .nr_entries = 0 };
    unsigned int n;

    /* No buffer: just the count. */
    expect_eq(HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm), 0);
    n = mm.nr_entries;
    check(n > 1 && n < ARRAY_SIZE(map), "machine map has %u entries", n);
    if (n <= 1 || n >= ARRAY_SIZE(map))
        return;

    /* Xen wants one slot more than it fills. */
    set_xen_guest_handle(mm.buffer, map);
    mm.nr_entries = n;
    expect_eq(HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm), EINVAL);
    mm.nr_entries = 1;
    expect_eq(HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm), EINVAL);
    mm.nr_entries = n + 1;
    expect_eq(HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm), 0);
    expect_eq(mm.nr_entries, n);

    for (unsigned int i = 1; i < n; i++)
        check(map[i].addr >= map[i - 1].addr, "entry %u at %#lx before entry %u at %#lx", i,
              (unsigned long)map[i].addr, i - 1, (unsigned long)map[i - 1].addr);
    /* Linux BUGs unless the kernel and its initial page tables are in RAM. */
    check(in_ram(map, n, (unsigned long)_text - VIRT_BASE), "kernel PFNs not in E820 RAM");
    check(in_ram(map, n, start_info->pt_base - VIRT_BASE), "page-table PFNs not in E820 RAM");
    /* Frames dom0 may not map are reserved (QEMU leaves both in a hole). */
    check(reserved_page(map, n, 0xfee00000UL), "local APIC page not reserved");
    check(reserved_page(map, n, 0xfec00000UL), "I/O APIC page not reserved");
    for (unsigned int i = 0; i < n; i++)
        printf("memory_op: machine map %016lx-%016lx type %u\n", (unsigned long)map[i].addr,
               (unsigned long)(map[i].addr + map[i].size), map[i].type);

    mm.nr_entries = n + 1;
    set_xen_guest_handle(mm.buffer, (void *)0xffff830000000000UL);
    expect_eq(HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm), EFAULT);
    expect_eq(HYPERVISOR_memory_op(XENMEM_machine_memory_map, NULL), EFAULT);
    /* The start-extent bits are not a continuation for the arch ops. */
    expect_eq(HYPERVISOR_memory_op(XENMEM_machine_memory_map | (1 << 6), &mm), ENOSYS);
}

/* Every argument error is "start_extent extents done", never an errno. */
static void test_reservation_errors(unsigned long victim)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    long tot = tot_pages();
    unsigned long one = victim;
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };

    expect_eq(HYPERVISOR_memory_op(XENMEM_decrease_reservation, NULL), 0);
    expect_eq(HYPERVISOR_memory_op(XENMEM_populate_physmap, (void *)0xffff830000000000UL), 0);
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1, 0, 0, 1), 0);
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1, 0, 0, DOMID_IO), 0);
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1, 19, 0, DOMID_SELF), 0);
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1UL << 26, 0, 0, DOMID_SELF), 0);
    expect_eq(reservation(XENMEM_decrease_reservation, (void *)0xffff830000000000UL, 1, 0, 0,
                          DOMID_SELF), 0);
    expect_eq(reservation(XENMEM_decrease_reservation, NULL, 1, 0, 0, DOMID_SELF), 0);
    /* address_bits of a page or less cannot be met. */
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1, 0, XENMEMF_address_bits(12),
                          DOMID_SELF), 0);
    /* Node numbers beyond MAX_NUMNODES; populate-on-demand on oneself. */
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1, 0, XENMEMF_node(70),
                          DOMID_SELF), 0);
    expect_eq(reservation(XENMEM_populate_physmap, &one, 1, 0, XENMEMF_populate_on_demand,
                          DOMID_SELF), 0);
    /* A continuation point at or past the end: that many "done". */
    set_xen_guest_handle(r.extent_start, &one);
    expect_eq(HYPERVISOR_memory_op(XENMEM_decrease_reservation | (1 << 6), &r), 1);
    expect_eq(HYPERVISOR_memory_op(XENMEM_decrease_reservation | (5 << 6), &r), 5);

    /* Frames that are not ours, or in use, are not removed. */
    one = p2m[((unsigned long)_text - VIRT_BASE) >> PAGE_SHIFT]; /* our mapped text */
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1, 0, 0, DOMID_SELF), 0);
    one = p2m[(start_info->pt_base - VIRT_BASE) >> PAGE_SHIFT];   /* our pinned L4 */
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1, 0, 0, DOMID_SELF), 0);
    one = start_info->shared_info >> PAGE_SHIFT; /* ours, but Keel's page */
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1, 0, 0, DOMID_SELF), 0);
    one = 0;                                     /* not ours */
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1, 0, 0, DOMID_SELF), 0);
    one = ~0UL >> 12;                            /* beyond the machine */
    expect_eq(reservation(XENMEM_decrease_reservation, &one, 1, 0, 0, DOMID_SELF), 0);

    /* At max_pages nothing more can be had. */
    expect_eq(reservation(XENMEM_populate_physmap, &one, 1, 0, 0, DOMID_SELF), 0);
    expect_eq(reservation(XENMEM_increase_reservation, NULL, 1, 0, 0, DOMID_SELF), 0);
    expect_eq(tot_pages(), tot);
}

/* Decrease one unused frame, populate it back, with the frame mapped in between. */
static void test_single_round_trip(unsigned long pfn)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    long tot = tot_pages(), rc;
    unsigned long frame = p2m[pfn], fresh;
    bool zero = true;

    expect_eq(reservation(XENMEM_decrease_reservation, &frame, 1, 0, 0, DOMID_SELF), 1);
    expect_eq(tot_pages(), tot - 1);
    expect_eq(M2P[frame], ~0UL);
    /* Gone: a second release does nothing. */
    expect_eq(reservation(XENMEM_decrease_reservation, &frame, 1, 0, 0, 0), 0);
    expect_eq(tot_pages(), tot - 1);

    fresh = pfn;
    expect_eq(reservation(XENMEM_populate_physmap, &fresh, 1, 0, 0, DOMID_SELF), 1);
    expect_eq(tot_pages(), tot);
    check(fresh != pfn && fresh < (unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page,
                                                                      NULL),
          "populate returned MFN %#lx", fresh);
    expect_eq(M2P[fresh], pfn);

    /* Map it: it is ours and zeroed; mapped, it is in use and stays. */
    rc = HYPERVISOR_update_va_mapping((unsigned long)slot,
                                      (fresh << PAGE_SHIFT) | PTE_PRESENT | PTE_RW |
                                          PTE_ACCESSED | PTE_DIRTY,
                                      UVMF_INVLPG | UVMF_LOCAL);
    expect_eq(rc, 0);
    if (!rc) {
        for (unsigned int i = 0; i < PAGE_SIZE; i++)
            zero &= slot[i] == 0;
        check(zero, "populated frame is not zeroed");
        expect_eq(reservation(XENMEM_decrease_reservation, &fresh, 1, 0, 0, DOMID_SELF), 0);
        expect_eq(HYPERVISOR_update_va_mapping((unsigned long)slot, 0, UVMF_INVLPG | UVMF_LOCAL),
                  0);
    }
    /* Unmapped, it can go, and come back through increase_reservation. */
    expect_eq(reservation(XENMEM_decrease_reservation, &fresh, 1, 0, 0, DOMID_SELF), 1);
    expect_eq(tot_pages(), tot - 1);
    expect_eq(reservation(XENMEM_increase_reservation, &fresh, 1, 0, 0, DOMID_SELF), 1);
    expect_eq(tot_pages(), tot);
    expect_eq(reservation(XENMEM_decrease_reservation, &fresh, 1, 0, 0, DOMID_SELF), 1);
    fresh = pfn;
    expect_eq(reservation(XENMEM_populate_physmap, &fresh, 1, 0, XENMEMF_address_bits(32),
                          DOMID_SELF), 1);
    check(fresh < (1UL << 20), "address_bits(32) gave MFN %#lx", fresh);
    expect_eq(M2P[fresh], pfn);
    expect_eq(tot_pages(), tot);
}

/* Many frames, more than one invocation does, then order-9 extents. */
static void test_big_round_trip(unsigned long first_pfn)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    long tot = tot_pages();
    unsigned int wrong = 0;

    for (unsigned long i = 0; i < BIG; i++)
        list[i] = p2m[first_pfn + i];
    expect_eq(reservation(XENMEM_decrease_reservation, list, BIG, 0, 0, DOMID_SELF), BIG);
    expect_eq(tot_pages(), tot - BIG);

    /* Two 2 MiB extents, then the rest as single frames. */
    list[0] = first_pfn;
    list[1] = first_pfn + 512;
    expect_eq(reservation(XENMEM_populate_physmap, list, 2, 9, 0, DOMID_SELF), 2);
    expect_eq(tot_pages(), tot - BIG + 1024);
    for (unsigned long e = 0; e < 2; e++) {
        check(!(list[e] & 511), "order-9 extent at MFN %#lx is not aligned", list[e]);
        for (unsigned long j = 0; j < 512; j++)
            if (M2P[list[e] + j] != first_pfn + e * 512 + j)
                wrong++;
    }
    expect_eq(wrong, 0);
    /* And back, by extent. */
    expect_eq(reservation(XENMEM_decrease_reservation, list, 2, 9, 0, DOMID_SELF), 2);
    expect_eq(tot_pages(), tot - BIG);

    for (unsigned long i = 0; i < BIG; i++)
        list[i] = first_pfn + i;
    expect_eq(reservation(XENMEM_populate_physmap, list, BIG, 0, 0, DOMID_SELF), BIG);
    expect_eq(tot_pages(), tot);
    wrong = 0;
    for (unsigned long i = 0; i < BIG; i++)
        if (M2P[list[i]] != first_pfn + i)
            wrong++;
    expect_eq(wrong, 0);
}

static void test_unknown(void)
{
    expect_eq(HYPERVISOR_memory_op(XENMEM_exchange, NULL), ENOSYS);
    /* Implemented (-EACCES for a PV guest, tests/guests/gnttab.c): reads its argument. */
    expect_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, NULL), EFAULT);
    expect_eq(HYPERVISOR_memory_op(63, NULL), ENOSYS);
}

void guest_main(void)
{
    unsigned long nr = start_info->nr_pages;

    test_machine_info();
    test_reservation_queries();
    test_memory_map();
    test_machine_memory_map();
    if (nr < BIG + 2048) {
        check(false, "only %lu pages", nr);
        return;
    }
    /* The top of our memory: past the initial mapping, never touched. */
    test_reservation_errors(((const unsigned long *)start_info->mfn_list)[nr - 1]);
    test_single_round_trip(nr - 1);
    test_big_round_trip(nr - 1 - BIG);
    test_unknown();
    expect_eq(tot_pages(), nr);
}
