# SPDX-License-Identifier: MIT
# Event channels (common/event_channel.c, event_2l.c, event_wait.c, with the
# real timer.c) on the fake two-domain machine and invariant checker in
# tests/support/evtchn_*.c, shared with tests/fuzz/fuzz_event_channel.c:
# test_event_channel.c.

EVTCHN_HV_SRCS := hypervisor/common/event_channel.c hypervisor/common/event_2l.c \
	hypervisor/common/event_wait.c hypervisor/common/timer.c
EVTCHN_SUPPORT_SRCS := tests/support/evtchn_fake.c tests/support/evtchn_check.c \
	tests/support/guest_memory_fake.c

UNIT_TESTS += event_channel
UNIT_HV_event_channel := $(EVTCHN_HV_SRCS)

# The sources include <public/...> from include/, as the hypervisor build
# does; the support code reads the private event_internal.h.
$(foreach f,$(EVTCHN_HV_SRCS),$(eval UNIT_CFLAGS_$(f) += -Iinclude))
$(foreach f,$(EVTCHN_SUPPORT_SRCS) tests/unit/test_event_channel.c,\
	$(eval UNIT_CFLAGS_$(f) := -Iinclude -Ihypervisor/common -Itests/support))
unit-freestanding-check: UNIT_FREESTANDING_CFLAGS += -Iinclude

# $^ in the link rule picks these up.
$(UNIT_BUILD)/test_event_channel: $(patsubst %.c,$(UNIT_BUILD)/%.o,$(EVTCHN_SUPPORT_SRCS))

-include $(wildcard $(UNIT_BUILD)/tests/support/*.d)
