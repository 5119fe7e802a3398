# SPDX-License-Identifier: MIT
# libFuzzer target for the writable-page-table decoder/executor:
# hypervisor/arch/x86/pv/ptwr_decode.c compiled unchanged with clang under
# ASan+UBSan. 'make fuzz-smoke-ptwr' runs it for FUZZ_PTWR_TIME seconds
# from seeds of the instructions Linux emits (tests/fuzz/ptwr_seeds.py); for
# a long run:
#   build/fuzz/fuzz_ptwr_decode -dict=tests/fuzz/ptwr.dict \
#       build/fuzz/ptwr-corpus build/fuzz/ptwr-seeds

FUZZ_PTWR_BIN    := $(BUILD)/fuzz/fuzz_ptwr_decode
FUZZ_PTWR_SEEDS  := $(BUILD)/fuzz/ptwr-seeds
FUZZ_PTWR_CORPUS := $(BUILD)/fuzz/ptwr-corpus
FUZZ_PTWR_SRCS   := tests/fuzz/fuzz_ptwr_decode.c hypervisor/arch/x86/pv/ptwr_decode.c
FUZZ_PTWR_TIME   ?= 20
FUZZ_PTWR_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror -Wshadow \
	-Wformat=2 -Wpointer-arith -Wwrite-strings -Wmissing-prototypes \
	-Ihypervisor/include -Ihypervisor/arch/x86/include

$(FUZZ_PTWR_BIN): $(FUZZ_PTWR_SRCS) hypervisor/arch/x86/include/asm/ptwr_decode.h \
		tests/fuzz/ptwr.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@clang $(FUZZ_PTWR_CFLAGS) $(FUZZ_PTWR_SRCS) -o $@

$(FUZZ_PTWR_SEEDS)/.stamp: tests/fuzz/ptwr_seeds.py
	@rm -rf $(dir $@)
	@$(PYTHON) $< $(dir $@)
	@touch $@

.PHONY: fuzz-smoke-ptwr
fuzz-smoke-ptwr: $(FUZZ_PTWR_BIN) $(FUZZ_PTWR_SEEDS)/.stamp
	@mkdir -p $(FUZZ_PTWR_CORPUS)
	@echo "  FUZZ    ptwr_decode ($(FUZZ_PTWR_TIME) s)"
	@ASAN_OPTIONS=detect_leaks=1 $(FUZZ_PTWR_BIN) -max_total_time=$(FUZZ_PTWR_TIME) \
		-max_len=64 -dict=tests/fuzz/ptwr.dict -print_final_stats=1 \
		-artifact_prefix=$(BUILD)/fuzz/ptwr- \
		$(FUZZ_PTWR_CORPUS) $(FUZZ_PTWR_SEEDS) 2>&1 | \
		grep -E '^(stat::number_of_executed_units|stat::new_units_added)|ERROR|SUMMARY|==[0-9]+==|Test unit written|fuzz_ptwr_decode:' ; \
		test $${PIPESTATUS[0]} -eq 0

FUZZ_SMOKE += fuzz-smoke-ptwr
