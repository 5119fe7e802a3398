/* SPDX-License-Identifier: MIT */
/* Reading system time from a vcpu_info's pvclock fields. */
#ifndef GUEST_PVCLOCK_H
#define GUEST_PVCLOCK_H

#include "guest.h"

/*
 * System time in ns from t (Linux's pvclock_clocksource_read): retried
 * while the hypervisor is updating it (odd version) or updated it meanwhile.
 */
uint64_t pvclock_ns(const volatile struct vcpu_time_info *t);

#endif
