/* SPDX-License-Identifier: MIT */
/*
 * bad_pointers: hypercalls given bad guest addresses, bad lengths, unknown
 * numbers and unknown sub-ops fail with the error Xen returns, and the
 * hypervisor survives every one.
 *
 * Bad addresses: NULL, the read-only M2P view and the hypervisor's own
 * range (guest handles may never point there), non-canonical addresses,
 * an unmapped user address, and buffers that start in mapped memory and
 * run into an unmapped guard page.  OUT parameters also get a page the
 * guest maps read-only (its L4).  Expected values are Xen's (4.17+
 * common/kernel.c, drivers/char/console.c, common/sched/core.c,
 * arch/x86/pv/callback.c, arch/x86/mm.c, common/memory.c, ...), including
 * its quirks: set_trap_table(NULL) is valid (clears the table) and
 * XENMEM_increase_reservation reports 0 extents done rather than -EFAULT.
 */
#include "guest.h"
#include "mm.h"
#include "test.h"
#include "traps.h"

#define EFAULT (-XEN_EFAULT)
#define EINVAL (-XEN_EINVAL)
#define ENOSYS (-XEN_ENOSYS)
#define ENOENT (-XEN_ENOENT)
#define E2BIG  (-XEN_E2BIG)

struct bad_addr {
    const char *name;
    unsigned long va;
};

/* Hypercalls that read (or write) a structure at a guest pointer. */
enum ptr_op {
    OP_CONSOLE_WRITE,
    OP_XENVER_EXTRAVERSION,
    OP_XENVER_FEATURES,
    OP_SCHED_SHUTDOWN,
    OP_SET_TRAP_TABLE,
    OP_MMU_UPDATE,
    OP_MMUEXT_OP,
    OP_MULTICALL,
    OP_MEMORY_CURRENT_RESERVATION,
    OP_VCPU_REGISTER_INFO,
    OP_CALLBACK_REGISTER,
    OP_EVTCHN_ALLOC_UNBOUND,
    OP_PHYSDEV_SET_IOPL,
    OP_GNTTAB_QUERY_SIZE,
    NR_PTR_OPS
};

static const char *const op_names[NR_PTR_OPS] = {
    [OP_CONSOLE_WRITE] = "console_io(write, 16)",
    [OP_XENVER_EXTRAVERSION] = "xen_version(extraversion)",
    [OP_XENVER_FEATURES] = "xen_version(get_features)",
    [OP_SCHED_SHUTDOWN] = "sched_op(shutdown)",
    [OP_SET_TRAP_TABLE] = "set_trap_table",
    [OP_MMU_UPDATE] = "mmu_update(1)",
    [OP_MMUEXT_OP] = "mmuext_op(1)",
    [OP_MULTICALL] = "multicall(1)",
    [OP_MEMORY_CURRENT_RESERVATION] = "memory_op(current_reservation)",
    [OP_VCPU_REGISTER_INFO] = "vcpu_op(register_vcpu_info, 0)",
    [OP_CALLBACK_REGISTER] = "callback_op(register)",
    [OP_EVTCHN_ALLOC_UNBOUND] = "event_channel_op(alloc_unbound)",
    [OP_PHYSDEV_SET_IOPL] = "physdev_op(set_iopl)",
    [OP_GNTTAB_QUERY_SIZE] = "grant_table_op(query_size, 1)",
};

static long call_with(enum ptr_op op, unsigned long va)
{
    void *p = (void *)va;

    switch (op) {
    case OP_CONSOLE_WRITE:
        return HYPERVISOR_console_io(CONSOLEIO_write, 16, p);
    case OP_XENVER_EXTRAVERSION:
        return HYPERVISOR_xen_version(XENVER_extraversion, p);
    case OP_XENVER_FEATURES:
        return HYPERVISOR_xen_version(XENVER_get_features, p);
    case OP_SCHED_SHUTDOWN:
        return HYPERVISOR_sched_op(SCHEDOP_shutdown, p);
    case OP_SET_TRAP_TABLE:
        return HYPERVISOR_set_trap_table(p);
    case OP_MMU_UPDATE:
        return HYPERVISOR_mmu_update(p, 1, NULL, DOMID_SELF);
    case OP_MMUEXT_OP:
        return HYPERVISOR_mmuext_op(p, 1, NULL, DOMID_SELF);
    case OP_MULTICALL:
        return HYPERVISOR_multicall(p, 1);
    case OP_MEMORY_CURRENT_RESERVATION:
        return HYPERVISOR_memory_op(XENMEM_current_reservation, p);
    case OP_VCPU_REGISTER_INFO:
        return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, p);
    case OP_CALLBACK_REGISTER:
        return HYPERVISOR_callback_op(CALLBACKOP_register, p);
    case OP_EVTCHN_ALLOC_UNBOUND:
        return HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, p);
    case OP_PHYSDEV_SET_IOPL:
        return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, p);
    case OP_GNTTAB_QUERY_SIZE:
        return HYPERVISOR_grant_table_op(GNTTABOP_query_size, p, 1);
    case NR_PTR_OPS:
        break;
    }
    return 0;
}

static void test_bad_addresses(char *guard)
{
    struct bad_addr bads[] = {
        { "NULL", 0 },
        { "M2P (guest-readable, but hypervisor range)", 0xffff800000000000UL },
        { "hypervisor", 0xffff830000000000UL },
        { "last bytes of the hypervisor range", 0xffff87fffffffffcUL },
        { "non-canonical (bit 63)", 0x8000000000000000UL },
        { "non-canonical (first above user)", 0x0000800000000000UL },
        { "straddling the canonical boundary", 0x00007ffffffffffeUL },
        { "unmapped user", 0x10000000UL },
        /* The smallest argument here is a 2-byte domid_t, so one mapped
         * byte followed by the guard page is never a complete argument. */
        { "running into an unmapped page", guard ? (unsigned long)guard - 1 : 0 },
        { "unmapped guard page", guard ? (unsigned long)guard : 0 },
    };

    for (size_t b = 0; b < ARRAY_SIZE(bads); b++) {
        if (b >= ARRAY_SIZE(bads) - 2 && !guard)
            continue; /* reported by guest_main() */
        for (int op = 0; op < NR_PTR_OPS; op++) {
            char what[128];

            /* set_trap_table(NULL) clears the table: valid, not a bad pointer. */
            if (op == OP_SET_TRAP_TABLE && bads[b].va == 0)
                continue;
            snprintf(what, sizeof(what), "%s with %s pointer %#lx", op_names[op], bads[b].name,
                     bads[b].va);
            expect_eq_what(what, call_with(op, bads[b].va), EFAULT);
        }
    }

    /* OUT data into a page the guest may read but not write (its L4). */
    expect_eq_what("xen_version(extraversion) into the read-only L4",
                   HYPERVISOR_xen_version(XENVER_extraversion, (void *)start_info->pt_base),
                   EFAULT);
    expect_eq_what("xen_version(get_features) into the read-only L4",
                   HYPERVISOR_xen_version(XENVER_get_features, (void *)start_info->pt_base),
                   EFAULT);
}

/* A printable line to sit before the guard page: a hypervisor may write
 * part of it before it hits the hole. */
static void fill_before_guard(char *guard, size_t n)
{
    static const char line[] = "bad_pointers: (partial console write before the hole)\n";
    size_t len = sizeof(line) - 1;

    for (size_t i = 0; i < n; i++)
        guard[-(long)n + (long)i] = line[i % len];
    guard[-1] = '\n';
}

static void test_bad_lengths(char *guard)
{
    static struct mmu_update req;
    static struct multicall_entry call;

    if (guard) {
        fill_before_guard(guard, 4096);
        expect_eq_what("console_io(write) of 128 bytes running into the hole",
                       HYPERVISOR_console_io(CONSOLEIO_write, 128, guard - 64), EFAULT);
        expect_eq_what("console_io(write, 0xffffffff) 16 bytes before the hole",
                       HYPERVISOR_console_io(CONSOLEIO_write, 0xffffffffU, guard - 16), EFAULT);
        expect_eq_what("console_io(write, 0x80000000) 16 bytes before the hole",
                       HYPERVISOR_console_io(CONSOLEIO_write, 0x80000000U, guard - 16), EFAULT);
    }
    expect_eq_what("console_io(read, 0x80000000)",
                   HYPERVISOR_console_io(CONSOLEIO_read, 0x80000000U, (char *)&req), E2BIG);
    /* The array would run through the hypervisor's range. */
    expect_eq_what("mmu_update(count 0x10000000)",
                   HYPERVISOR_mmu_update(&req, 0x10000000, NULL, DOMID_SELF), EFAULT);
    expect_eq_what("mmuext_op(count 0x10000000)",
                   HYPERVISOR_mmuext_op((struct mmuext_op *)&req, 0x10000000, NULL, DOMID_SELF),
                   EFAULT);
    expect_eq_what("multicall(count 0x10000000)", HYPERVISOR_multicall(&call, 0x10000000),
                   EFAULT);
}

static void test_bad_values(void)
{
    struct trap_info bad_table[2] = {
        { .vector = 0x90, .cs = FLAT_KERNEL_CS, .address = 0x8000000000000000UL },
    };
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .address = 0x8000000000000000UL,
    };

    expect_eq_what("set_trap_table with a non-canonical handler",
                   HYPERVISOR_set_trap_table(bad_table), EINVAL);
    expect_eq_what("callback_op(register) with a non-canonical address",
                   HYPERVISOR_callback_op(CALLBACKOP_register, &cb), EINVAL);
    cb.type = 99;
    cb.address = (unsigned long)_text;
    expect_eq_what("callback_op(register) of unknown type 99",
                   HYPERVISOR_callback_op(CALLBACKOP_register, &cb), ENOSYS);
    expect_eq_what("set_segment_base(FS, non-canonical)",
                   HYPERVISOR_set_segment_base(SEGBASE_FS, 0x8000000000000000UL), EINVAL);
    expect_eq_what("set_segment_base(99)", HYPERVISOR_set_segment_base(99, 0), EINVAL);
    expect_eq_what("update_va_mapping of a non-canonical VA",
                   HYPERVISOR_update_va_mapping(0x8000000000000000UL, 0, UVMF_INVLPG), EINVAL);
    expect_eq_what("update_va_mapping of a hypervisor VA",
                   HYPERVISOR_update_va_mapping(0xffff830000000000UL, 0, UVMF_INVLPG), EINVAL);
    expect_eq_what("update_va_mapping of a VA without an L1",
                   HYPERVISOR_update_va_mapping(0x10000000UL, 0, UVMF_INVLPG), EINVAL);
    expect_eq_what("vcpu_op(is_up) of vCPU 4096",
                   HYPERVISOR_vcpu_op(VCPUOP_is_up, 4096, NULL), ENOENT);
    /* Xen returns the number of extents done: 0, not -EFAULT. */
    expect_eq_what("memory_op(increase_reservation, NULL)",
                   HYPERVISOR_memory_op(XENMEM_increase_reservation, NULL), 0);
    /* XENVER_version ignores its argument. */
    check(HYPERVISOR_xen_version(XENVER_version, (void *)0xffff830000000000UL) > 0,
          "xen_version(version) with an ignored bad pointer failed");
}

static void test_unknown_ops(void)
{
    static struct mmuext_op ext = { .cmd = 99 };
    static struct physdev_set_iopl iopl;
    /* Hypercall numbers Xen leaves unassigned on x86-64, and ones with
     * bits above 31 (the number is the whole of RAX). */
    static const unsigned long numbers[] = {
        11, 43, 47, 56, 63, 64, 255, 1000, 0xffffffffUL, 0x100000000UL | 17, ~0UL,
    };

    for (size_t i = 0; i < ARRAY_SIZE(numbers); i++) {
        char what[64];

        snprintf(what, sizeof(what), "hypercall %#lx", numbers[i]);
        expect_eq_what(what, hypercall_raw(numbers[i], 0, 0, 0, 0, 0), ENOSYS);
    }
    /* Through the hypercall page in that variant: its entries cover every
     * number, assigned or not. */
    expect_eq_what("hypercall 11 (via the page in the hcpage build)", _hypercall0(11), ENOSYS);

    expect_eq_what("console_io(99)", HYPERVISOR_console_io(99, 0, NULL), ENOSYS);
    expect_eq_what("xen_version(0x7fff)", HYPERVISOR_xen_version(0x7fff, NULL), ENOSYS);
    expect_eq_what("sched_op(99)", HYPERVISOR_sched_op(99, NULL), ENOSYS);
    expect_eq_what("memory_op(63)", HYPERVISOR_memory_op(63, NULL), ENOSYS);
    expect_eq_what("vcpu_op(99, 0)", HYPERVISOR_vcpu_op(99, 0, NULL), ENOSYS);
    expect_eq_what("callback_op(99)", HYPERVISOR_callback_op(99, NULL), ENOSYS);
    expect_eq_what("event_channel_op(99)", HYPERVISOR_event_channel_op(99, NULL), ENOSYS);
    expect_eq_what("physdev_op(99)", HYPERVISOR_physdev_op(99, &iopl), ENOSYS);
    expect_eq_what("grant_table_op(99, 1)", HYPERVISOR_grant_table_op(99, NULL, 1), ENOSYS);
    expect_eq_what("mmuext_op(cmd 99)", HYPERVISOR_mmuext_op(&ext, 1, NULL, DOMID_SELF), ENOSYS);
}

void guest_main(void)
{
    long rc;
    char *guard = map_guard_page(&rc);

    /* Without the hole the run-off-the-end cases cannot run. */
    expect_eq_what("update_va_mapping(guard page, PTE 0)", rc, 0);
    test_bad_addresses(guard);
    test_bad_lengths(guard);
    test_bad_values();
    test_unknown_ops();
    /* Some cases above replaced or cleared the trap table. */
    expect_eq_what("reinstalling the trap table", traps_init(), 0);
    printf("bad_pointers: the hypervisor survived every case\n");
}
