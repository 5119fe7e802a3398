# SPDX-License-Identifier: MIT
# The vCPU scheduler on a simulated machine: the core (schedule.c), the
# credit policy (sched_credit.c) and the software timers (timer.c) against
# fake arch hooks: test_sched_credit.c.
UNIT_TESTS += sched_credit
UNIT_HV_sched_credit := hypervisor/common/schedule.c hypervisor/common/sched_credit.c \
	hypervisor/common/timer.c

# The policy's interface is private to hypervisor/common/; the core and
# the test include <public/vcpu.h> from include/ (see elf_image.mk for the
# freestanding check).
UNIT_CFLAGS_tests/unit/test_sched_credit.c := -Ihypervisor/common -Iinclude
UNIT_CFLAGS_hypervisor/common/schedule.c := -Iinclude
UNIT_CFLAGS_hypervisor/common/sched_credit.c := -Iinclude
unit-freestanding-check: UNIT_FREESTANDING_CFLAGS += -Iinclude
