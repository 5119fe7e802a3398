/* SPDX-License-Identifier: MIT */
/*
 * keel_test_op: a hypercall for integration tests only, so a test running
 * in dom0 can read hypervisor state it has no other way to see. Numbers
 * and ops are in keel/test_hypercall.h; docs/abi.md lists the call as
 * Keel-specific. It exists only when the "test_hypercalls" command-line
 * option is given: otherwise it is -ENOSYS like any unimplemented number,
 * so production boots expose nothing new.
 *
 * KEEL_TESTOP_pt_frames walks the whole frame table without locks (the
 * frame table has none; its words are read atomically). The walk is
 * O(frames), about a millisecond per GiB of RAM, and bounded by the
 * machine, not by the guest. The result is a snapshot: a test reads it
 * while the domain is quiet (tests/integration/test_linux_dom0.py compares
 * counts before and after process storms, to find leaked page-table types).
 */
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/page_info.h>
#include <keel/test_hypercall.h>

bool opt_test_hypercalls;

/*
 * Frames typed PGT_L1..PGT_L4 with a nonzero type count. A free frame's
 * type_info word holds free-list links, so free frames are skipped first;
 * a frame freed or allocated during the walk may be miscounted, which the
 * snapshot contract allows.
 */
static unsigned long count_page_table_frames(void)
{
    unsigned long n = 0;

    for (unsigned long i = 0; i < frame_table_nr; i++) {
        const struct page_info *pg = &frame_table[i];
        unsigned long count = __atomic_load_n(&pg->count_info, __ATOMIC_ACQUIRE);
        unsigned long type;

        if ((count & PGC_FREE) || !(count & PGC_COUNT_MASK))
            continue;
        type = __atomic_load_n(&pg->u.type_info, __ATOMIC_RELAXED);
        if (page_type(type) >= PGT_L1 && page_type(type) <= PGT_L4 &&
            (type & PGT_COUNT_MASK))
            n++;
    }
    return n;
}

/* keel_test_op(cmd, arg): -ENOSYS unless enabled, -EINVAL bad cmd or arg. */
long do_keel_test_op(unsigned long cmd, unsigned long arg, unsigned long unused3,
                     unsigned long unused4, unsigned long unused5)
{
    (void)unused3, (void)unused4, (void)unused5;
    if (!opt_test_hypercalls)
        return -ENOSYS;
    switch (cmd) {
    case KEEL_TESTOP_pt_frames:
        if (arg)
            return -EINVAL;
        return (long)count_page_table_frames();
    default:
        return -EINVAL;
    }
}
