/* SPDX-License-Identifier: MIT */
/*
 * The multicall hypercall: a guest batches hypercalls in an array of
 * struct multicall_entry {op, result, args[6]}; each runs as if issued on
 * its own and its return value lands in its entry's result. Linux batches
 * stack_switch, update_descriptor, fpu_taskswitch and MMU operations this
 * way on every context switch.
 *
 * Semantics (Xen's common/multicall.c):
 *  - the call itself fails only when the array cannot be read or a result
 *    cannot be written (-EFAULT; entries before the fault have run); an
 *    entry's own failure is only its result;
 *  - a multicall entry inside a multicall gets -EINVAL as its result;
 *  - iret runs and ends the batch: the multicall returns iret's value and
 *    the entries after it do not run (Xen's mc_exit);
 *  - only result is written back, except for a sub-call that continued
 *    itself: then the whole entry is rewritten with the rest of its work
 *    and the multicall continues from that entry.
 *
 * Bounded: at most MC_BATCH entries run per invocation; then the
 * multicall continues itself with (&list[i], nr_calls - i), Xen's
 * continuation, so the guest re-issues it with the remaining entries.
 * Every sub-call is bounded on its own (or continues itself), so one
 * invocation does bounded work.
 *
 * State: none between invocations; the entry being run lives on this
 * CPU's stack. No locks.
 */
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/arch.h>
#include <public/xen.h>
#include <public/xen.h>

#define MC_BATCH 32

_Static_assert(sizeof(struct multicall_entry) == 64, "multicall_entry is 64 bytes");

static int write_result(unsigned long entry, const struct multicall_entry *call)
{
    return copy_to_guest(entry + __builtin_offsetof(struct multicall_entry, result),
                         &call->result, sizeof(call->result));
}

static long continue_from(unsigned long list, unsigned long i, unsigned long nr_calls)
{
    return hypercall_continue(__HYPERVISOR_multicall, list + i * sizeof(struct multicall_entry),
                              nr_calls - i, 0, 0, 0);
}

/* multicall(list, nr_calls) */
long do_multicall(unsigned long list, unsigned long nr_calls, unsigned long unused3,
                  unsigned long unused4, unsigned long unused5)
{
    (void)unused3, (void)unused4, (void)unused5;

    if (nr_calls > ~0UL / sizeof(struct multicall_entry) ||
        !guest_range_ok(list, nr_calls * sizeof(struct multicall_entry)))
        return -EFAULT;

    for (unsigned long i = 0; i < nr_calls; i++) {
        unsigned long entry = list + i * sizeof(struct multicall_entry);
        struct multicall_entry call;
        enum mc_disposition disp;

        if (i == MC_BATCH)
            return continue_from(list, i, nr_calls);
        if (copy_from_guest(&call, entry, sizeof(call)))
            return -EFAULT;

        if (call.op == __HYPERVISOR_multicall) {
            /* Xen refuses re-entry: the nested call fails, the batch goes on. */
            call.result = (unsigned long)-EINVAL;
            disp = MC_CONTINUE;
        } else {
            disp = arch_multicall_call(&call);
        }

        switch (disp) {
        case MC_EXIT:
            /* Best effort, as in Xen: the guest is already elsewhere. */
            (void)write_result(entry, &call);
            return (long)call.result;
        case MC_PREEMPTED:
            if (copy_to_guest(entry, &call, sizeof(call)))
                return -EFAULT;
            return continue_from(list, i, nr_calls);
        case MC_STOP:
            if (write_result(entry, &call))
                return -EFAULT;
            return i + 1 < nr_calls ? continue_from(list, i + 1, nr_calls) : 0;
        case MC_CONTINUE:
            if (write_result(entry, &call))
                return -EFAULT;
            break;
        }
    }
    return 0;
}
