# SPDX-License-Identifier: MIT
# Grant tables (common/grant_table.c, grant_map.c, grant_copy.c, with the
# real frame_table.c) on the fake machine and invariant checker in
# tests/support/gnttab_*.c, shared with tests/fuzz/fuzz_grant_table.c:
# test_grant_table.c.

GNTTAB_HV_SRCS := hypervisor/common/grant_table.c hypervisor/common/grant_map.c \
	hypervisor/common/grant_copy.c hypervisor/common/frame_table.c
GNTTAB_SUPPORT_SRCS := tests/support/gnttab_fake.c tests/support/gnttab_check.c \
	tests/support/guest_memory_fake.c

UNIT_TESTS += grant_table
UNIT_HV_grant_table := $(GNTTAB_HV_SRCS)

# The sources include <public/...> from include/; the support code and the
# test read the private grant_internal.h.
$(foreach f,$(GNTTAB_HV_SRCS),$(eval UNIT_CFLAGS_$(f) += -Iinclude))
$(foreach f,$(GNTTAB_SUPPORT_SRCS) tests/unit/test_grant_table.c,\
	$(eval UNIT_CFLAGS_$(f) := -Iinclude -Ihypervisor/common -Itests/support))
unit-freestanding-check: UNIT_FREESTANDING_CFLAGS += -Iinclude

# $^ in the link rule picks these up.
$(UNIT_BUILD)/test_grant_table: $(patsubst %.c,$(UNIT_BUILD)/%.o,$(GNTTAB_SUPPORT_SRCS))

-include $(wildcard $(UNIT_BUILD)/tests/support/*.d)
