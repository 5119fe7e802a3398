# SPDX-License-Identifier: MIT
# Range sets (common/rangeset.c): test_rangeset.c.
UNIT_TESTS += rangeset
UNIT_HV_rangeset := hypervisor/common/rangeset.c
