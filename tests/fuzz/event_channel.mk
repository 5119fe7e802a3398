# SPDX-License-Identifier: MIT
# libFuzzer target for event channels: hypervisor/common/event_channel.c,
# event_2l.c, event_wait.c and timer.c compiled unchanged with clang under
# ASan+UBSan on the fake two-domain machine of tests/support/evtchn_fake.c,
# driven by operation sequences from both domains and checked by
# tests/support/evtchn_check.c and a delivery check after every step.
# 'make fuzz-smoke-event-channel' runs it for FUZZ_EVTCHN_TIME seconds from
# generated seeds; for a long run:
#   build/fuzz/fuzz_event_channel build/fuzz/event_channel-corpus build/fuzz/event_channel-seeds

FUZZ_EVTCHN_BIN    := $(BUILD)/fuzz/fuzz_event_channel
FUZZ_EVTCHN_SEEDS  := $(BUILD)/fuzz/event_channel-seeds
FUZZ_EVTCHN_CORPUS := $(BUILD)/fuzz/event_channel-corpus
FUZZ_EVTCHN_SRCS   := tests/fuzz/fuzz_event_channel.c tests/fuzz/fuzz_runtime.c \
	tests/support/guest_memory_fake.c tests/support/evtchn_fake.c \
	tests/support/evtchn_check.c hypervisor/common/event_channel.c \
	hypervisor/common/event_2l.c hypervisor/common/event_wait.c hypervisor/common/timer.c
FUZZ_EVTCHN_HDRS   := hypervisor/common/event_internal.h hypervisor/include/keel/event.h \
	tests/support/evtchn_fake.h tests/support/evtchn_check.h include/public/event_channel.h \
	tests/support/guest_memory_fake.h
FUZZ_EVTCHN_TIME   ?= 20
FUZZ_EVTCHN_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror -Wshadow \
	-Wformat=2 -Wno-format-nonliteral -Wpointer-arith -Wwrite-strings -Wmissing-prototypes \
	-Ihypervisor/include -Iinclude -Ihypervisor/common -Itests/support

$(FUZZ_EVTCHN_BIN): $(FUZZ_EVTCHN_SRCS) $(FUZZ_EVTCHN_HDRS) tests/fuzz/event_channel.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@clang $(FUZZ_EVTCHN_CFLAGS) $(FUZZ_EVTCHN_SRCS) -o $@

$(FUZZ_EVTCHN_SEEDS)/.stamp: tests/fuzz/event_channel_seeds.py
	@rm -rf $(dir $@)
	@$(PYTHON) $< $(dir $@)
	@touch $@

.PHONY: fuzz-smoke-event-channel
fuzz-smoke-event-channel: $(FUZZ_EVTCHN_BIN) $(FUZZ_EVTCHN_SEEDS)/.stamp
	@mkdir -p $(FUZZ_EVTCHN_CORPUS)
	@echo "  FUZZ    event_channel ($(FUZZ_EVTCHN_TIME) s)"
	@ASAN_OPTIONS=detect_leaks=1 $(FUZZ_EVTCHN_BIN) -max_total_time=$(FUZZ_EVTCHN_TIME) \
		-max_len=2560 -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/event_channel- \
		$(FUZZ_EVTCHN_CORPUS) $(FUZZ_EVTCHN_SEEDS) 2>&1 | \
		grep -E '^(stat::number_of_executed_units|stat::new_units_added)|ERROR|SUMMARY|==[0-9]+==|Test unit written|BUG|fuzz_event_channel:|invariant|unexpectedly|returned' ; \
		test $${PIPESTATUS[0]} -eq 0

FUZZ_SMOKE += fuzz-smoke-event-channel
