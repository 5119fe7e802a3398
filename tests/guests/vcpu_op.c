/* SPDX-License-Identifier: MIT */
/*
 * vcpu_op: the per-vCPU operations Linux uses at boot, with Xen 4.17's
 * results and errors (common/domain.c: do_vcpu_op, map_vcpu_info).
 *
 * is_up for every id Linux asks about (-ENOENT beyond the domain's vCPUs;
 * cmd and vcpuid are 32-bit); get_runstate_info; the runstate area
 * (written at once; a bad range is -EFAULT, an unmapped VA is accepted);
 * register_vcpu_info: offset checks (-ENXIO), frames not ours or typed
 * (-EINVAL), rsvd ignored (Linux leaves it uninitialised), the old
 * contents copied with every event marked pending, Keel writing the new
 * place afterwards (CR2 of a #PF, pvclock), the frame held by Keel (it
 * cannot be given back, even unmapped by the guest), and a second
 * registration -EINVAL.
 */
#include "guest.h"
#include "mm.h"
#include "test.h"
#include "traps.h"

#define EFAULT (-XEN_EFAULT)
#define EINVAL (-XEN_EINVAL)
#define ENOENT (-XEN_ENOENT)
#define ENOSYS (-XEN_ENOSYS)
#define ENXIO  (-XEN_ENXIO)

#define VIRT_BASE   0xffffffff80000000UL
#define UNMAPPED_VA 0x10000000UL

static char info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));
static char other_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));
static struct vcpu_runstate_info runstate;

TRAP_PROBE(pf_read, "", "movq (%rdi), %rax", "");

static unsigned long mfn_of(const void *va)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;

    return p2m[((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT];
}

static void test_is_up(void)
{
    unsigned int up = 0, absent = 0;

    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
    /* What Linux's get_smp_config does: every possible id. */
    for (unsigned int id = 0; id < 8192; id++) {
        long rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, id, NULL);

        if (rc == 1)
            up++;
        else if (rc == ENOENT)
            absent++;
    }
    expect_eq(up, 1);
    expect_eq(absent, 8191);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, ~0U, NULL), ENOENT);
    /* Xen's handler takes int cmd and unsigned int vcpuid: high bits do not count. */
    expect_eq(hypercall_raw(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 1UL << 32, 0, 0, 0), 1);
    expect_eq(hypercall_raw(__HYPERVISOR_vcpu_op, (1UL << 32) | VCPUOP_is_up, 0, 0, 0, 0), 1);
    /* An absent vCPU is -ENOENT whatever the command. */
    expect_eq(HYPERVISOR_vcpu_op(99, 1, NULL), ENOENT);
    expect_eq(HYPERVISOR_vcpu_op(99, 0, NULL), ENOSYS);
    /* Bringing up a vCPU that is initialised and up already is a no-op. */
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_up, 0, NULL), 0);
}

static void test_runstate(void)
{
    struct vcpu_register_runstate_memory_area area;
    struct vcpu_runstate_info now;

    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &now), 0);
    expect_eq(now.state, RUNSTATE_running);
    check(now.time[RUNSTATE_running] > 0, "no time spent running");
    /* Before its first run the vCPU was offline, then runnable; it never blocked. */
    expect_eq(now.time[RUNSTATE_blocked], 0);
    check(now.time[RUNSTATE_running] + now.time[RUNSTATE_runnable] +
              now.time[RUNSTATE_offline] <= now.state_entry_time,
          "runstate times exceed the system time at which they were read");
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, NULL), EFAULT);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 1, &now), ENOENT);

    memset(&runstate, 0xff, sizeof(runstate));
    area.addr.v = &runstate;
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), 0);
    expect_eq(runstate.state, RUNSTATE_running);
    check(!(runstate.state_entry_time & XEN_RUNSTATE_UPDATE), "update flag left set");
    expect_eq(runstate.time[RUNSTATE_blocked], 0);
    check(runstate.time[RUNSTATE_running] >= now.time[RUNSTATE_running],
          "running time went backwards between two reads");

    /* Only the range is checked, as in Xen. */
    area.addr.p = UNMAPPED_VA;
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), 0);
    area.addr.p = 0xffff830000000000UL;
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), EFAULT);
    area.addr.p = 0x00007fffffffffe0UL; /* runs past the lower half */
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), EFAULT);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, NULL), EFAULT);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 1, &area), ENOENT);
    /* Back to a real area for the rest of the run. */
    area.addr.v = &runstate;
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), 0);
}

static long register_info(unsigned long mfn, uint32_t offset, uint32_t rsvd)
{
    struct vcpu_register_vcpu_info info = { .mfn = mfn, .offset = offset, .rsvd = rsvd };

    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &info);
}

static void test_register_vcpu_info(void)
{
    const unsigned int offset = 128;
    struct vcpu_info *old, *new = (struct vcpu_info *)(info_page + offset);
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    struct trap_record rec;
    unsigned long frame = mfn_of(info_page);
    long rc;

    rc = map_shared_info();
    expect_eq(rc, 0);
    if (rc)
        return;
    old = vcpu0_info();
    expect_eq(old->evtchn_upcall_mask, 1);

    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, NULL), EFAULT);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, (void *)0xffff830000000000UL),
              EFAULT);
    /* The whole vcpu_info must fit in the page, 8-aligned. */
    expect_eq(register_info(frame, PAGE_SIZE - 64 + 8, 0), ENXIO);
    expect_eq(register_info(frame, PAGE_SIZE, 0), ENXIO);
    expect_eq(register_info(frame, ~0U, 0), ENXIO);
    expect_eq(register_info(frame, 4, 0), ENXIO);
    /* Frames that are not ours, or are page tables. */
    expect_eq(register_info(0, 0, 0), EINVAL);
    expect_eq(register_info(~0UL >> 12, 0, 0), EINVAL);
    expect_eq(register_info(mfn_of((void *)start_info->pt_base), 0, 0), EINVAL);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 1, NULL), ENOENT);

    /* Linux leaves rsvd uninitialised: it must not matter. */
    memset(info_page, 0xa5, sizeof(info_page));
    expect_eq(register_info(frame, offset, 0xdeadbeef), 0);
    expect_eq(new->evtchn_upcall_mask, 1);
    expect_eq(new->evtchn_upcall_pending, 1);
    expect_eq(new->evtchn_pending_sel, ~0UL);
    check(!(new->time.version & 1) && new->time.tsc_to_system_mul,
          "pvclock at the new place: version %u mul %u", new->time.version,
          new->time.tsc_to_system_mul);
    /* Only the 64 bytes at the offset were written. */
    expect_eq((unsigned char)info_page[offset - 1], 0xa5);
    expect_eq((unsigned char)info_page[offset + sizeof(*new)], 0xa5);

    /* Keel writes the new place now: CR2 of a #PF. */
    check(run_probe(pf_read, UNMAPPED_VA, &rec) && rec.vector == TRAP_PF, "no #PF");
    expect_eq(new->arch.cr2, UNMAPPED_VA);

    /* Once only, even elsewhere. */
    expect_eq(register_info(mfn_of(other_page), 0, 0), EINVAL);
    expect_eq(register_info(frame, offset, 0), EINVAL);

    /*
     * Keel holds a writable reference on the frame: even unmapped by the
     * guest it cannot be given back, and it maps writable again.
     */
    expect_eq(HYPERVISOR_update_va_mapping((unsigned long)info_page, 0, UVMF_INVLPG | UVMF_LOCAL),
              0);
    set_xen_guest_handle(r.extent_start, &frame);
    expect_eq(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 0);
    expect_eq(HYPERVISOR_update_va_mapping((unsigned long)info_page,
                                           (frame << PAGE_SHIFT) | PTE_PRESENT | PTE_RW |
                                               PTE_ACCESSED | PTE_DIRTY,
                                           UVMF_INVLPG | UVMF_LOCAL),
              0);
    expect_eq(new->evtchn_pending_sel, ~0UL);
    new->evtchn_upcall_pending = 0;
    expect_eq(new->evtchn_upcall_pending, 0);
}

void guest_main(void)
{
    test_is_up();
    test_runstate();
    test_register_vcpu_info();
}
