/* SPDX-License-Identifier: MIT */
/*
 * The hypercall table and the handlers it names. Handlers take the five
 * argument registers as unsigned longs and return a value for the guest's
 * RAX: >= 0 on success, a negative Xen errno on failure.
 */
#ifndef KEEL_HYPERCALL_H
#define KEEL_HYPERCALL_H

#include <stdbool.h>

typedef long hypercall_fn_t(unsigned long a1, unsigned long a2, unsigned long a3,
                            unsigned long a4, unsigned long a5);

struct hypercall_entry {
    hypercall_fn_t *fn;
    const char *name;
    unsigned char nargs;        /* argument registers the handler reads */
    bool control_only;          /* only the control domain (dom0) may call it */
};

/*
 * Call hypercall nr for the current vCPU. Unknown or absent numbers give
 * -ENOSYS; control-only ones from other domains give -EPERM.
 */
long hypercall_dispatch(unsigned long nr, unsigned long a1, unsigned long a2,
                        unsigned long a3, unsigned long a4, unsigned long a5);

/*
 * Make the current hypercall re-issue itself as nr(a1..a5) when the guest
 * resumes (it has more work than one call may do). The handler returns
 * this function's value as its own.
 */
long hypercall_continue(unsigned long nr, unsigned long a1, unsigned long a2,
                        unsigned long a3, unsigned long a4, unsigned long a5);

/* Common handlers. */
hypercall_fn_t do_console_io;
hypercall_fn_t do_xen_version;
hypercall_fn_t do_sched_op;
hypercall_fn_t do_vm_assist;
hypercall_fn_t do_memory_op;
hypercall_fn_t do_multicall;
hypercall_fn_t do_vcpu_op;
hypercall_fn_t do_event_channel_op;
hypercall_fn_t do_set_timer_op;
hypercall_fn_t do_grant_table_op;

/* Architecture handlers (x86 PV). */
hypercall_fn_t do_set_trap_table;
hypercall_fn_t do_iret;
hypercall_fn_t do_set_segment_base;
hypercall_fn_t do_stack_switch;
hypercall_fn_t do_fpu_taskswitch;
hypercall_fn_t do_callback_op;
hypercall_fn_t do_set_callbacks;
hypercall_fn_t do_physdev_op;
hypercall_fn_t do_mmu_update;
hypercall_fn_t do_set_gdt;
hypercall_fn_t do_set_debugreg;
hypercall_fn_t do_get_debugreg;
hypercall_fn_t do_update_descriptor;
hypercall_fn_t do_mmuext_op;
hypercall_fn_t do_update_va_mapping;

/* Test only (common/test_hypercall.c, keel/test_hypercall.h). */
hypercall_fn_t do_keel_test_op;
/* "test_hypercalls" on the command line: keel_test_op answers (else -ENOSYS). */
extern bool opt_test_hypercalls;

#endif
