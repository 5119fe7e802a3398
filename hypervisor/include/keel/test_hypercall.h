/* SPDX-License-Identifier: MIT */
/*
 * Keel's test-only hypercall (common/test_hypercall.c): numbers shared by
 * the hypervisor and the dom0 test helper (tests/dom0/keel-check.c), which
 * includes this file from user space, so it holds #defines only.
 *
 * Not part of Xen's ABI and not in include/public/: no guest may rely on
 * it. Without the "test_hypercalls" command-line option every call is
 * -ENOSYS, as for any number Keel does not implement.
 */
#ifndef KEEL_TEST_HYPERCALL_H
#define KEEL_TEST_HYPERCALL_H

/*
 * keel_test_op(cmd, arg): Xen leaves 43..47 unused (hypfs_op is 42, arch_0
 * is 48); Keel takes the last of them, furthest from Xen's next number.
 * Control domain only (-EPERM otherwise).
 */
#define __HYPERVISOR_keel_test_op       47

/*
 * KEEL_TESTOP_pt_frames: the number of frames whose type is PGT_L1..PGT_L4
 * with a nonzero type count, over the whole frame table, all domains; arg
 * must be 0 (-EINVAL). The count is a snapshot: frames changing type while
 * the table is walked may or may not be counted.
 */
#define KEEL_TESTOP_pt_frames           0

#endif
