# SPDX-License-Identifier: MIT
# libFuzzer target for the PV page-table engine: hypervisor/arch/x86/pv/pt_*.c
# and common/frame_table.c compiled unchanged with clang under ASan+UBSan,
# driven by operation sequences and checked by tests/support/pv_mm_check.c
# after every step. 'make fuzz-smoke-pv-mm' runs it for FUZZ_PV_MM_TIME
# seconds from generated seeds; for a long run:
#   build/fuzz/fuzz_pv_mm build/fuzz/pv_mm-corpus build/fuzz/pv_mm-seeds

FUZZ_PV_MM_BIN    := $(BUILD)/fuzz/fuzz_pv_mm
FUZZ_PV_MM_SEEDS  := $(BUILD)/fuzz/pv_mm-seeds
FUZZ_PV_MM_CORPUS := $(BUILD)/fuzz/pv_mm-corpus
FUZZ_PV_MM_SRCS   := tests/fuzz/fuzz_pv_mm.c tests/fuzz/fuzz_runtime.c tests/support/pv_mm_check.c \
	hypervisor/common/frame_table.c hypervisor/arch/x86/pv/pt_validate.c \
	hypervisor/arch/x86/pv/pt_update.c hypervisor/arch/x86/pv/pt_grant.c
FUZZ_PV_MM_HDRS   := hypervisor/arch/x86/include/asm/pv_mm.h hypervisor/arch/x86/pv/pt_internal.h \
	hypervisor/include/keel/page_info.h tests/support/pv_mm_check.h
FUZZ_PV_MM_TIME   ?= 20
FUZZ_PV_MM_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror -Wshadow \
	-Wformat=2 -Wno-format-nonliteral -Wpointer-arith -Wwrite-strings -Wmissing-prototypes \
	-Ihypervisor/include -Ihypervisor/arch/x86/include -Iinclude -Itests/support

$(FUZZ_PV_MM_BIN): $(FUZZ_PV_MM_SRCS) $(FUZZ_PV_MM_HDRS) tests/fuzz/pv_mm.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@clang $(FUZZ_PV_MM_CFLAGS) $(FUZZ_PV_MM_SRCS) -o $@

$(FUZZ_PV_MM_SEEDS)/.stamp: tests/fuzz/pv_mm_seeds.py
	@rm -rf $(dir $@)
	@$(PYTHON) $< $(dir $@)
	@touch $@

.PHONY: fuzz-smoke-pv-mm
fuzz-smoke-pv-mm: $(FUZZ_PV_MM_BIN) $(FUZZ_PV_MM_SEEDS)/.stamp
	@mkdir -p $(FUZZ_PV_MM_CORPUS)
	@echo "  FUZZ    pv_mm ($(FUZZ_PV_MM_TIME) s)"
	@ASAN_OPTIONS=detect_leaks=1 $(FUZZ_PV_MM_BIN) -max_total_time=$(FUZZ_PV_MM_TIME) \
		-max_len=2048 -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/pv_mm- \
		$(FUZZ_PV_MM_CORPUS) $(FUZZ_PV_MM_SEEDS) 2>&1 | \
		grep -E '^(stat::number_of_executed_units|stat::new_units_added)|ERROR|SUMMARY|==[0-9]+==|Test unit written|BUG|after|failed|freed' ; \
		test $${PIPESTATUS[0]} -eq 0

FUZZ_SMOKE += fuzz-smoke-pv-mm
