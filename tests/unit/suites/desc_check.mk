# SPDX-License-Identifier: MIT
# PV segment-descriptor rules: test_desc_check.c.
UNIT_TESTS += desc_check
UNIT_HV_desc_check := hypervisor/arch/x86/pv/desc_check.c
UNIT_CFLAGS_hypervisor/arch/x86/pv/desc_check.c := -Ihypervisor/arch/x86/include
UNIT_CFLAGS_tests/unit/test_desc_check.c := -Ihypervisor/arch/x86/include
unit-freestanding-check: UNIT_FREESTANDING_CFLAGS += -Ihypervisor/arch/x86/include
