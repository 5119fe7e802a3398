# SPDX-License-Identifier: MIT
# Guest timers (common/vcpu_timer.c, with the real timer.c) on a fake
# machine: test_vcpu_timer.c.
UNIT_TESTS += vcpu_timer
UNIT_HV_vcpu_timer := hypervisor/common/vcpu_timer.c hypervisor/common/timer.c

# vcpu_timer.c and the test include <public/...> from include/, as the
# hypervisor build does; see elf_image.mk for the freestanding check.
UNIT_CFLAGS_hypervisor/common/vcpu_timer.c := -Iinclude
UNIT_CFLAGS_tests/unit/test_vcpu_timer.c := -Iinclude
unit-freestanding-check: UNIT_FREESTANDING_CFLAGS += -Iinclude
