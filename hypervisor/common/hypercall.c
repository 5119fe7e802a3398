/* SPDX-License-Identifier: MIT */
/*
 * The hypercall table: one row per hypercall, with its handler and who may
 * call it. The dispatcher bounds-checks the number (clamped against
 * speculation), checks privilege once, and calls the handler. Everything
 * not in the table is -ENOSYS, as in Xen.
 */
#include <keel/domain.h>
#include <keel/domctl.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/nospec.h>
#include <keel/test_hypercall.h>
#include <keel/vcpu.h>
#include <public/xen.h>

#define HC(nr, f, n) [nr] = { .fn = f, .name = #f, .nargs = n }

static const struct hypercall_entry hypercall_table[64] = {
    HC(__HYPERVISOR_set_trap_table, do_set_trap_table, 1),
    HC(__HYPERVISOR_mmu_update, do_mmu_update, 4),
    HC(__HYPERVISOR_set_gdt, do_set_gdt, 2),
    HC(__HYPERVISOR_stack_switch, do_stack_switch, 2),
    HC(__HYPERVISOR_set_callbacks, do_set_callbacks, 3),
    HC(__HYPERVISOR_fpu_taskswitch, do_fpu_taskswitch, 1),
    HC(__HYPERVISOR_set_debugreg, do_set_debugreg, 2),
    HC(__HYPERVISOR_get_debugreg, do_get_debugreg, 1),
    HC(__HYPERVISOR_update_descriptor, do_update_descriptor, 2),
    HC(__HYPERVISOR_memory_op, do_memory_op, 2),
    HC(__HYPERVISOR_multicall, do_multicall, 2),
    HC(__HYPERVISOR_update_va_mapping, do_update_va_mapping, 3),
    HC(__HYPERVISOR_set_timer_op, do_set_timer_op, 1),
    HC(__HYPERVISOR_xen_version, do_xen_version, 2),
    HC(__HYPERVISOR_console_io, do_console_io, 3),
    HC(__HYPERVISOR_grant_table_op, do_grant_table_op, 3),
    HC(__HYPERVISOR_vm_assist, do_vm_assist, 2),
    HC(__HYPERVISOR_iret, do_iret, 0),
    HC(__HYPERVISOR_vcpu_op, do_vcpu_op, 3),
    HC(__HYPERVISOR_set_segment_base, do_set_segment_base, 2),
    HC(__HYPERVISOR_mmuext_op, do_mmuext_op, 4),
    HC(__HYPERVISOR_sched_op, do_sched_op, 2),
    HC(__HYPERVISOR_callback_op, do_callback_op, 2),
    HC(__HYPERVISOR_event_channel_op, do_event_channel_op, 2),
    HC(__HYPERVISOR_physdev_op, do_physdev_op, 2),
    [__HYPERVISOR_sysctl] = { .fn = do_sysctl, .name = "do_sysctl", .nargs = 1,
                              .control_only = true },
    [__HYPERVISOR_domctl] = { .fn = do_domctl, .name = "do_domctl", .nargs = 1,
                              .control_only = true },
    /* Keel-specific, test only: -ENOSYS without "test_hypercalls". */
    [__HYPERVISOR_keel_test_op] = { .fn = do_keel_test_op, .name = "do_keel_test_op",
                                    .nargs = 2, .control_only = true },
};

long hypercall_dispatch(unsigned long nr, unsigned long a1, unsigned long a2,
                        unsigned long a3, unsigned long a4, unsigned long a5)
{
    const struct hypercall_entry *e;

    if (nr >= ARRAY_SIZE(hypercall_table))
        return -ENOSYS;
    e = &hypercall_table[array_index_nospec(nr, ARRAY_SIZE(hypercall_table))];
    if (!e->fn)
        return -ENOSYS;
    if (e->control_only && !current_vcpu()->domain->is_privileged)
        return -EPERM;
    return e->fn(a1, a2, a3, a4, a5);
}
