/* SPDX-License-Identifier: MIT */
/*
 * Invariant checker for the event-channel port tables
 * (hypervisor/common/event_*.c) of the fake machine (evtchn_fake.h),
 * shared by the unit tests and the fuzzer; host code.
 */
#ifndef TESTS_SUPPORT_EVTCHN_CHECK_H
#define TESTS_SUPPORT_EVTCHN_CHECK_H

/*
 * Check every port of every domain at rest (no operation running):
 *  - no lock held; the table is whole buckets, port 0 reserved;
 *  - every bound port notifies an existing vCPU; a free port notifies
 *    vCPU 0, carries no binding and is not pending;
 *  - interdomain ports come in symmetric pairs between live domains, and
 *    no port of a live domain refers to a destroyed one;
 *  - each VIRQ port is in exactly the VIRQ table slot its kind says, and
 *    each table slot names a VIRQ port of that VIRQ (so none is bound twice);
 *  - no PIRQ port; nr_polling counts the vCPUs that poll.
 * Returns NULL if all hold, else a description of the first violation.
 */
const char *evtchn_check_invariants(void);

#endif
