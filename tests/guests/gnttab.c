/* SPDX-License-Identifier: MIT */
/*
 * gnttab: grant tables (v1) from a single domain, which grants its own
 * frames to itself (Xen allows a domain to map its own grants), with Xen's
 * GNTST_* answers (xen/common/grant_table.c, xen/arch/x86/pv/grant_table.c;
 * Keel: common/grant_*.c, arch/x86/pv/grant_mapping.c, pt_grant.c).
 *
 *   table      query_size, setup_table (MFNs the guest maps writable and
 *              writes its entries through), versions, v1 status frames
 *   host maps  by linear address and by PTE machine address, read-write
 *              and read-only, GTF_reading/GTF_writing while mapped; the
 *              frame mapped writable cannot be ballooned out nor pinned as
 *              a page table; a page table of ours can only be mapped RO
 *   device     dev_bus_addr is the machine address; unmap checks it
 *   hostile    refs beyond the table, grants to someone else, read-only
 *              grants mapped writable, frames not ours, DOMID_SELF as
 *              granter, bad host addresses, forged and stale handles, a
 *              grant ended while mapped, a PTE the guest overwrote
 *   copy       gref <-> frame, gref <-> gref, offsets and lengths at the
 *              page's edges, every refusal
 *   refused    transfer, dump_table, add_to_physmap for a PV guest
 */
#include "grant.h"
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "test.h"

#include <public/memory.h>

#define EACCES      (-XEN_EACCES)
#define ESRCH       (-XEN_ESRCH)
#define EOPNOTSUPP  (-XEN_EOPNOTSUPP)

/* Window slots. */
#define GT_SLOT     0   /* the grant-table frame, writable */
#define DATA_SLOT   1   /* the granted frame, our own view */
#define MAP_SLOT    2   /* where grant mappings go */
#define MAP2_SLOT   3
#define OTHER_SLOT  4   /* an ordinary mapping for unmap_and_replace */
#define DOM_ID      0   /* dom0's id: grants name it */

static volatile struct grant_entry_v1 *gt;
static unsigned long data_mfn, data2_mfn;

static volatile uint8_t *win8(unsigned int slot)
{
    return mmu_win(slot);
}

static void grant(grant_ref_t ref, uint16_t flags, domid_t domid, unsigned long frame)
{
    gt[ref].domid = domid;
    gt[ref].frame = (uint32_t)frame;
    __atomic_store_n(&gt[ref].flags, flags, __ATOMIC_RELEASE);
}

static struct gnttab_map_grant_ref map(grant_ref_t ref, uint32_t flags, uint64_t addr, domid_t dom)
{
    struct gnttab_map_grant_ref m = { .host_addr = addr, .flags = flags, .ref = ref, .dom = dom };

    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1), 0);
    return m;
}

static int16_t unmap(grant_handle_t h, uint64_t addr, uint64_t bus)
{
    struct gnttab_unmap_grant_ref u = { .host_addr = addr, .dev_bus_addr = bus, .handle = h };

    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1), 0);
    return u.status;
}

static uint64_t win_pte_ma(unsigned int slot)
{
    return ((uint64_t)mmu_win_l1_mfn << PAGE_SHIFT) + slot * sizeof(uint64_t);
}

static long decrease(unsigned long mfn);

/*
 * With our own view of the data frame gone, the grant mapping is its only
 * other user: the frame can neither be ballooned out nor pinned as an L1
 * (its contents are a valid L1: every entry not present).
 */
static void expect_held(bool writable, int line)
{
    long rc;

    check(mmu_win_unmap(DATA_SLOT) == 0, "line %d: unmapping our view", line);
    check(decrease(data_mfn) == 0, "line %d: decrease_reservation of a mapped grant", line);
    rc = mmu_ext(MMUEXT_PIN_L1_TABLE, data_mfn, 0);
    if (writable)
        check(rc == EINVAL, "line %d: pinned a frame mapped writable: %ld", line, rc);
    else if (rc)
        check(false, "line %d: pin under a read-only grant: %ld", line, rc);
    else
        check(mmu_ext(MMUEXT_UNPIN_TABLE, data_mfn, 0) == 0, "line %d: unpin", line);
    check(mmu_win_map(DATA_SLOT, data_mfn, L1_RW | PTE_NX) == 0, "line %d: remapping", line);
}

static long decrease(unsigned long mfn)
{
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    unsigned long list[1] = { mfn };

    set_xen_guest_handle(r.extent_start, list);
    return HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
}

static bool test_table(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 2 };
    struct gnttab_set_version sv = { .version = 2 };
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    struct gnttab_get_status_frames gs = { .nr_frames = 1, .dom = DOMID_SELF };
    xen_pfn_t frames[2] = { 0, 0 };
    uint64_t status_frames[1];

    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0);
    expect_eq(q.status, GNTST_okay);
    expect_eq(q.nr_frames, 1);
    expect_eq(q.max_nr_frames, 64);
    set_xen_guest_handle(s.frame_list, frames);
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1), 0);
    expect_eq(s.status, GNTST_okay);
    check(frames[0] && frames[1] && frames[0] != frames[1], "frames %lx %lx", frames[0],
          frames[1]);
    s.nr_frames = 65;
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1), 0);
    expect_eq(s.status, GNTST_general_error);
    s.dom = 7;
    s.nr_frames = 1;
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1), 0);
    expect_eq(s.status, GNTST_bad_domain);
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 2), EINVAL);

    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), ENOSYS);
    expect_eq(sv.version, 1);
    sv.version = 1;
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), 0);
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1), 0);
    expect_eq(gv.version, 1);
    set_xen_guest_handle(gs.frame_list, status_frames);
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_get_status_frames, &gs, 1), 0);
    expect_eq(gs.status, GNTST_general_error);

    /* Our table, mapped writable like Linux does (arch_gnttab_map_shared). */
    if (mmu_win_map(GT_SLOT, frames[0], L1_RW | PTE_NX)) {
        check(false, "cannot map the grant-table frame %lx", frames[0]);
        return false;
    }
    gt = mmu_win(GT_SLOT);
    return true;
}

static void test_host_maps(void)
{
    struct gnttab_map_grant_ref m, r;
    unsigned long va = (unsigned long)mmu_win(MAP_SLOT);

    /* A pattern that is also a valid L1: byte 0 of every entry is 0. */
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        win8(DATA_SLOT)[i] = (i % 8) ? (uint8_t)(i * 7) : 0;
    grant(10, GTF_permit_access, DOM_ID, data_mfn);

    /* By linear address, writable. */
    m = map(10, GNTMAP_host_map, va, DOM_ID);
    expect_eq(m.status, GNTST_okay);
    expect_eq(m.dev_bus_addr, (uint64_t)data_mfn << PAGE_SHIFT);
    expect_eq(gt[10].flags, GTF_permit_access | GTF_reading | GTF_writing);
    expect_eq(mmu_win_l1()[MAP_SLOT] & (PTE_ADDR | PTE_PRESENT | PTE_RW),
              mmu_pte(data_mfn, PTE_PRESENT | PTE_RW));
    expect_eq(win8(MAP_SLOT)[101], (uint8_t)707);
    win8(MAP_SLOT)[5] = 0xee;
    expect_eq(win8(DATA_SLOT)[5], 0xee);
    expect_held(true, __LINE__);
    /* Another read-only one by PTE address. */
    r = map(10, GNTMAP_host_map | GNTMAP_readonly | GNTMAP_contains_pte, win_pte_ma(MAP2_SLOT),
            DOM_ID);
    expect_eq(r.status, GNTST_okay);
    expect_eq(mmu_win_l1()[MAP2_SLOT] & (PTE_ADDR | PTE_PRESENT | PTE_RW),
              mmu_pte(data_mfn, PTE_PRESENT));
    expect_eq(win8(MAP2_SLOT)[5], 0xee);
    check(r.handle != m.handle, "handles %u %u", r.handle, m.handle);

    /* Unmap: by the wrong address first. */
    expect_eq(unmap(m.handle, (unsigned long)mmu_win(MAP2_SLOT), 0), GNTST_general_error);
    expect_eq(unmap(m.handle, va, 0), GNTST_okay);
    expect_eq(mmu_win_l1()[MAP_SLOT], 0);
    expect_eq(gt[10].flags, GTF_permit_access | GTF_reading);
    expect_eq(unmap(m.handle, va, 0), GNTST_bad_handle);
    expect_eq(unmap(r.handle, win_pte_ma(MAP2_SLOT), 0), GNTST_okay);
    expect_eq(gt[10].flags, GTF_permit_access);
    expect_eq(mmu_win_l1()[MAP2_SLOT], 0);
    expect_eq(unmap(0x7fffffff, va, 0), GNTST_bad_handle);

    /* Read-only grants. */
    grant(11, GTF_permit_access | GTF_readonly, DOM_ID, data_mfn);
    expect_eq(map(11, GNTMAP_host_map, va, DOM_ID).status, GNTST_general_error);
    expect_eq(gt[11].flags, GTF_permit_access | GTF_readonly);
    m = map(11, GNTMAP_host_map | GNTMAP_readonly | GNTMAP_application_map |
                (3U << _GNTMAP_guest_avail0), va, DOM_ID);
    expect_eq(m.status, GNTST_okay);
    expect_eq(mmu_win_l1()[MAP_SLOT] & (PTE_RW | 0xe00), 0x600);
    expect_held(false, __LINE__);
    expect_eq(unmap(m.handle, va, 0), GNTST_okay);
}

static void test_device_maps(void)
{
    struct gnttab_map_grant_ref m;
    uint64_t bus = (uint64_t)data_mfn << PAGE_SHIFT;

    grant(12, GTF_permit_access, DOM_ID, data_mfn);
    m = map(12, GNTMAP_device_map, 0, DOM_ID);
    expect_eq(m.status, GNTST_okay);
    expect_eq(m.dev_bus_addr, bus);
    expect_eq(gt[12].flags, GTF_permit_access | GTF_reading | GTF_writing);
    expect_held(true, __LINE__);
    expect_eq(unmap(m.handle, 0, bus + PAGE_SIZE), GNTST_bad_dev_addr);
    expect_eq(unmap(m.handle, 0, bus), GNTST_okay);
    expect_eq(gt[12].flags, GTF_permit_access);
}

static void test_page_table_frame(void)
{
    unsigned long va = (unsigned long)mmu_win(MAP_SLOT);
    unsigned long l1 = mmu_spare();
    struct gnttab_map_grant_ref m;

    if (!l1)
        return;
    expect_eq(mmu_ext(MMUEXT_PIN_L1_TABLE, l1, 0), 0);
    grant(13, GTF_permit_access, DOM_ID, l1);
    expect_eq(map(13, GNTMAP_host_map, va, DOM_ID).status, GNTST_general_error);
    expect_eq(map(13, GNTMAP_device_map, 0, DOM_ID).status, GNTST_general_error);
    expect_eq(gt[13].flags, GTF_permit_access);
    m = map(13, GNTMAP_host_map | GNTMAP_readonly, va, DOM_ID);
    expect_eq(m.status, GNTST_okay);
    expect_eq(unmap(m.handle, va, 0), GNTST_okay);
    /* A grant PTE needs a real L1 entry address. */
    m = map(13, GNTMAP_host_map | GNTMAP_readonly | GNTMAP_contains_pte,
            (uint64_t)data_mfn << PAGE_SHIFT, DOM_ID);
    expect_eq(m.status, GNTST_general_error);
    m = map(13, GNTMAP_host_map | GNTMAP_readonly | GNTMAP_contains_pte, win_pte_ma(MAP_SLOT) + 4,
            DOM_ID);
    expect_eq(m.status, GNTST_general_error);
    expect_eq(mmu_ext(MMUEXT_UNPIN_TABLE, l1, 0), 0);
}

static void test_hostile(void)
{
    unsigned long va = (unsigned long)mmu_win(MAP_SLOT);
    unsigned long foreign = mmu_foreign_ram_mfn();
    struct gnttab_map_grant_ref m;

    grant(14, GTF_permit_access, 7, data_mfn);       /* to someone else */
    expect_eq(map(14, GNTMAP_device_map, 0, DOM_ID).status, GNTST_general_error);
    grant(15, GTF_permit_access, DOM_ID, data_mfn);
    expect_eq(map(512 * 2, GNTMAP_device_map, 0, DOM_ID).status, GNTST_bad_gntref);
    expect_eq(map(0xffffffffU, GNTMAP_device_map, 0, DOM_ID).status, GNTST_bad_gntref);
    expect_eq(map(15, GNTMAP_readonly, 0, DOM_ID).status, GNTST_bad_gntref);
    expect_eq(map(15, GNTMAP_device_map, 0, DOMID_SELF).status, GNTST_bad_domain);
    expect_eq(map(15, GNTMAP_device_map, 0, 9).status, GNTST_bad_domain);
    expect_eq(map(15, GNTMAP_host_map, 0xffff830000000000UL, DOM_ID).status,
              GNTST_general_error);
    expect_eq(map(15, GNTMAP_host_map, 0x0000800000000000UL, DOM_ID).status,
              GNTST_general_error);
    if (foreign) {
        grant(16, GTF_permit_access, DOM_ID, foreign);
        expect_eq(map(16, GNTMAP_device_map, 0, DOM_ID).status, GNTST_bad_page);
    }
    grant(16, GTF_permit_access, DOM_ID, KEEL_IMAGE_MFN);
    expect_eq(map(16, GNTMAP_device_map, 0, DOM_ID).status, GNTST_bad_page);
    expect_eq(gt[15].flags, GTF_permit_access);
    expect_eq(gt[16].flags, GTF_permit_access);

    /* Ending a grant while mapped: our bits stay, so we must not reuse it. */
    m = map(15, GNTMAP_host_map, va, DOM_ID);
    expect_eq(m.status, GNTST_okay);
    {
        uint16_t f = gt[15].flags;

        while (!__atomic_compare_exchange_n(&gt[15].flags, &f, f & ~GTF_permit_access, false,
                                            __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            ;
    }
    expect_eq(gt[15].flags, GTF_reading | GTF_writing);
    expect_eq(unmap(m.handle, va, 0), GNTST_okay);
    expect_eq(gt[15].flags, 0);
    expect_eq(map(15, GNTMAP_device_map, 0, DOM_ID).status, GNTST_general_error);

    /* unmap_and_replace: an ordinary mapping moves into the grant's place. */
    grant(17, GTF_permit_access, DOM_ID, data_mfn);
    m = map(17, GNTMAP_host_map, va, DOM_ID);
    expect_eq(m.status, GNTST_okay);
    expect_eq(mmu_win_map(OTHER_SLOT, data2_mfn, L1_RO | PTE_NX), 0);
    {
        struct gnttab_unmap_and_replace u = {
            .host_addr = va, .new_addr = (unsigned long)mmu_win(OTHER_SLOT), .handle = m.handle,
        };

        expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_unmap_and_replace, &u, 1), 0);
        expect_eq(u.status, GNTST_okay);
    }
    expect_eq(pte_mfn(mmu_win_l1()[MAP_SLOT]), data2_mfn);
    expect_eq(mmu_win_l1()[OTHER_SLOT], 0);
    expect_eq(gt[17].flags, GTF_permit_access);
    expect_eq(mmu_win_unmap(MAP_SLOT), 0);

    /* The guest overwrites a grant PTE: unmap fails and the grant stays
     * held (Xen); Keel's pin reference keeps its frame from being freed. */
    grant(18, GTF_permit_access, DOM_ID, data2_mfn);
    m = map(18, GNTMAP_host_map, va, DOM_ID);
    expect_eq(m.status, GNTST_okay);
    expect_eq(mmu_win_unmap(MAP_SLOT), 0);
    expect_eq(unmap(m.handle, va, 0), GNTST_general_error);
    expect_eq(gt[18].flags, GTF_permit_access | GTF_reading | GTF_writing);
    expect_eq(decrease(data2_mfn), 0);
    /* The PTE's writable reference went with it: the frame may become a table. */
    expect_eq(mmu_ext(MMUEXT_PIN_L1_TABLE, data2_mfn, 0), 0);
    expect_eq(mmu_ext(MMUEXT_UNPIN_TABLE, data2_mfn, 0), 0);
}

static struct gnttab_copy copy_op(uint16_t flags, uint64_t src, uint16_t soff, uint64_t dst,
                                  uint16_t doff, uint16_t len)
{
    return grant_copy_op(DOM_ID, flags, src, soff, dst, doff, len);
}

static int16_t copy1(struct gnttab_copy c)
{
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1), 0);
    return c.status;
}

static void test_copy(void)
{
    struct gnttab_copy c[3];

    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        win8(DATA_SLOT)[i] = (uint8_t)i;
    expect_eq(mmu_win_map(OTHER_SLOT, data2_mfn, L1_RW | PTE_NX), 0);
    grant(20, GTF_permit_access, DOM_ID, data_mfn);
    grant(21, GTF_permit_access | GTF_readonly, DOM_ID, data2_mfn);

    /* gref -> frame, frame -> gref, gref -> gref, in one batch. */
    c[0] = copy_op(GNTCOPY_source_gref, 20, 10, data2_mfn, 4000, 96);
    c[1] = copy_op(GNTCOPY_dest_gref, data2_mfn, 4000, 20, 0, 1);
    c[2] = copy_op(GNTCOPY_source_gref | GNTCOPY_dest_gref, 21, 4095, 20, 4095, 1);
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_copy, c, 3), 0);
    expect_eq(c[0].status, GNTST_okay);
    expect_eq(c[1].status, GNTST_okay);
    expect_eq(c[2].status, GNTST_okay);
    expect_eq(win8(OTHER_SLOT)[4000], 10);
    expect_eq(win8(OTHER_SLOT)[4095], 105);
    expect_eq(win8(DATA_SLOT)[0], 10);
    expect_eq(win8(DATA_SLOT)[4095], 105);
    expect_eq(gt[20].flags, GTF_permit_access);
    expect_eq(gt[21].flags, GTF_permit_access | GTF_readonly);

    /* Refusals. */
    expect_eq(copy1(copy_op(GNTCOPY_source_gref, 20, 4095, data2_mfn, 0, 2)), GNTST_bad_copy_arg);
    expect_eq(copy1(copy_op(0, data_mfn, 0, data2_mfn, 1, 4096)), GNTST_bad_copy_arg);
    expect_eq(copy1(copy_op(GNTCOPY_dest_gref, data_mfn, 0, 21, 0, 8)), GNTST_general_error);
    expect_eq(copy1(copy_op(GNTCOPY_source_gref, 5000, 0, data2_mfn, 0, 8)), GNTST_bad_gntref);
    expect_eq(copy1(copy_op(0, KEEL_IMAGE_MFN, 0, data2_mfn, 0, 8)), GNTST_bad_page);
    expect_eq(copy1(copy_op(0, data_mfn, 0, mmu_l4_mfn, 0, 8)), GNTST_general_error);
    {
        struct gnttab_copy x = copy_op(0, data_mfn, 0, data2_mfn, 0, 8);

        x.source.domid = DOM_ID;    /* a frame by id, even our own */
        expect_eq(copy1(x), GNTST_permission_denied);
        x = copy_op(GNTCOPY_source_gref, 20, 0, data2_mfn, 0, 8);
        x.source.domid = 9;
        expect_eq(copy1(x), GNTST_bad_domain);
    }
    expect_eq(gt[20].flags, GTF_permit_access);
}

static void test_refused(void)
{
    struct gnttab_transfer t = { .mfn = data2_mfn, .domid = DOM_ID, .ref = 0 };
    struct gnttab_dump_table d = { .dom = DOMID_SELF };
    struct xen_add_to_physmap x = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = 0, .gpfn = 0x100000,
    };

    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_transfer, &t, 1), EOPNOTSUPP);
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_dump_table, &d, 1), ENOSYS);
    expect_eq(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, (void *)0xffff830000000000UL, 1),
              EFAULT);
    /* add_to_physmap is for translated guests: a PV one gets -EACCES (Xen 4.17). */
    expect_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), EACCES);
    x.space = XENMAPSPACE_shared_info;
    expect_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), EACCES);
    x.space = XENMAPSPACE_gmfn_foreign;
    expect_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), ENOSYS);
    x.space = XENMAPSPACE_grant_table;
    x.domid = 9;
    expect_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), ESRCH);
    expect_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, NULL), EFAULT);
}

void guest_main(void)
{
    if (!mmu_init())
        return;
    data_mfn = mmu_spare();
    data2_mfn = mmu_spare();
    if (!data_mfn || !data2_mfn || mmu_win_map(DATA_SLOT, data_mfn, L1_RW | PTE_NX))
        return;
    if (!test_table())
        return;
    test_host_maps();
    test_device_maps();
    test_page_table_frame();
    test_hostile();
    test_copy();
    test_refused();
    /* Unmapped everywhere: the data frame can go back now. */
    expect_eq(mmu_win_unmap(DATA_SLOT), 0);
    expect_eq(mmu_win_unmap(OTHER_SLOT), 0);
    expect_eq(decrease(data_mfn), 1);
}
