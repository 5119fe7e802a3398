# SPDX-License-Identifier: MIT
# libFuzzer target for grant tables: hypervisor/common/grant_table.c,
# grant_map.c, grant_copy.c and frame_table.c compiled unchanged with clang
# under ASan+UBSan on the fake two-domain machine of
# tests/support/gnttab_fake.c, driven by action sequences from both domains
# and checked by tests/support/gnttab_check.c after every step.
# 'make fuzz-smoke-grant-table' runs it for FUZZ_GNTTAB_TIME seconds from
# generated seeds; for a long run:
#   build/fuzz/fuzz_grant_table build/fuzz/grant_table-corpus build/fuzz/grant_table-seeds

FUZZ_GNTTAB_BIN    := $(BUILD)/fuzz/fuzz_grant_table
FUZZ_GNTTAB_SEEDS  := $(BUILD)/fuzz/grant_table-seeds
FUZZ_GNTTAB_CORPUS := $(BUILD)/fuzz/grant_table-corpus
FUZZ_GNTTAB_SRCS   := tests/fuzz/fuzz_grant_table.c tests/fuzz/fuzz_runtime.c \
	tests/support/guest_memory_fake.c tests/support/gnttab_fake.c tests/support/gnttab_check.c \
	hypervisor/common/grant_table.c hypervisor/common/grant_map.c hypervisor/common/grant_copy.c hypervisor/common/frame_table.c
FUZZ_GNTTAB_HDRS   := hypervisor/common/grant_internal.h hypervisor/include/keel/grant_table.h \
	tests/support/gnttab_fake.h tests/support/gnttab_check.h include/public/grant_table.h \
	tests/support/guest_memory_fake.h
FUZZ_GNTTAB_TIME   ?= 20
FUZZ_GNTTAB_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror -Wshadow \
	-Wformat=2 -Wno-format-nonliteral -Wpointer-arith -Wwrite-strings -Wmissing-prototypes \
	-Ihypervisor/include -Iinclude -Ihypervisor/common -Itests/support

$(FUZZ_GNTTAB_BIN): $(FUZZ_GNTTAB_SRCS) $(FUZZ_GNTTAB_HDRS) tests/fuzz/grant_table.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@clang $(FUZZ_GNTTAB_CFLAGS) $(FUZZ_GNTTAB_SRCS) -o $@

$(FUZZ_GNTTAB_SEEDS)/.stamp: tests/fuzz/grant_table_seeds.py
	@rm -rf $(dir $@)
	@$(PYTHON) $< $(dir $@)
	@touch $@

.PHONY: fuzz-smoke-grant-table
fuzz-smoke-grant-table: $(FUZZ_GNTTAB_BIN) $(FUZZ_GNTTAB_SEEDS)/.stamp
	@mkdir -p $(FUZZ_GNTTAB_CORPUS)
	@echo "  FUZZ    grant_table ($(FUZZ_GNTTAB_TIME) s)"
	@ASAN_OPTIONS=detect_leaks=1 $(FUZZ_GNTTAB_BIN) -max_total_time=$(FUZZ_GNTTAB_TIME) \
		-max_len=2400 -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/grant_table- \
		$(FUZZ_GNTTAB_CORPUS) $(FUZZ_GNTTAB_SEEDS) 2>&1 | \
		grep -E '^(stat::number_of_executed_units|stat::new_units_added)|ERROR|SUMMARY|==[0-9]+==|Test unit written|BUG|fuzz_grant_table:|invariant|undocumented' ; \
		test $${PIPESTATUS[0]} -eq 0

FUZZ_SMOKE += fuzz-smoke-grant-table
