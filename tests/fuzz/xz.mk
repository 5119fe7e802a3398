# SPDX-License-Identifier: MIT
# libFuzzer target for the XZ decoder: hypervisor/common/xz.c compiled
# unchanged with clang under ASan+UBSan, checked against liblzma when its
# headers are installed (differential: what Keel accepts, liblzma decodes
# the same). Seeds: the small vectors of the unit suite (tests/unit/
# xz_vectors.sh), copied to $(BUILD)/fuzz/xz-corpus; new inputs go to
# $(BUILD)/fuzz/xz-found.
#   make fuzz-smoke-xz             a short run (FUZZ_XZ_SMOKE_TIME, 20 s)
#   make fuzz-xz FUZZ_TIME=600     a long run, not part of 'make test'

FUZZ_XZ_BIN    := $(BUILD)/fuzz/fuzz_xz
FUZZ_XZ_SEEDS  := $(BUILD)/fuzz/xz-corpus
FUZZ_XZ_FOUND  := $(BUILD)/fuzz/xz-found
FUZZ_XZ_SRCS   := tests/fuzz/fuzz_xz.c hypervisor/common/xz.c
FUZZ_XZ_SMOKE_TIME ?= 20
FUZZ_TIME      ?= 600
FUZZ_XZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror -Wshadow \
	-Wformat=2 -Wpointer-arith -Wwrite-strings -Wmissing-prototypes -Ihypervisor/include
FUZZ_XZ_LIBS   :=
ifneq ($(wildcard /usr/include/lzma.h),)
FUZZ_XZ_CFLAGS += -DFUZZ_XZ_LIBLZMA
FUZZ_XZ_LIBS   += -llzma
endif
FUZZ_XZ_ARGS = -max_len=16384 -dict=tests/fuzz/xz.dict -artifact_prefix=$(BUILD)/fuzz/xz- \
	$(FUZZ_XZ_FOUND) $(FUZZ_XZ_SEEDS)

$(FUZZ_XZ_BIN): $(FUZZ_XZ_SRCS) hypervisor/include/keel/xz.h tests/fuzz/xz.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@clang $(FUZZ_XZ_CFLAGS) $(FUZZ_XZ_SRCS) $(FUZZ_XZ_LIBS) -o $@

# The unit suite's vectors (XZ_VECTORS, tests/unit/suites/xz.mk) up to 16 KiB
# (small inputs keep the runs fast), and its seeds for the wrapped mode.
$(FUZZ_XZ_SEEDS)/.stamp: $(XZ_VECTORS)
	@rm -rf $(dir $@)
	@mkdir -p $(dir $@)
	@find $(XZ_VECTOR_DIR) \( -name '*.xz' -o -name '*.lzma2seed' \) -size -17k \
		-exec cp {} $(dir $@) \;
	@touch $@

.PHONY: fuzz-smoke-xz fuzz-xz
fuzz-smoke-xz: $(FUZZ_XZ_BIN) $(FUZZ_XZ_SEEDS)/.stamp
	@mkdir -p $(FUZZ_XZ_FOUND)
	@echo "  FUZZ    xz ($(FUZZ_XZ_SMOKE_TIME) s)"
	@ASAN_OPTIONS=detect_leaks=1 $(FUZZ_XZ_BIN) -max_total_time=$(FUZZ_XZ_SMOKE_TIME) \
		-print_final_stats=1 $(FUZZ_XZ_ARGS) 2>&1 | \
		grep -E '^(stat::number_of_executed_units|stat::new_units_added)|ERROR|SUMMARY|==[0-9]+==|Test unit written' ; \
		test $${PIPESTATUS[0]} -eq 0

fuzz-xz: $(FUZZ_XZ_BIN) $(FUZZ_XZ_SEEDS)/.stamp
	@mkdir -p $(FUZZ_XZ_FOUND)
	ASAN_OPTIONS=detect_leaks=1 $(FUZZ_XZ_BIN) -max_total_time=$(FUZZ_TIME) \
		-print_final_stats=1 $(FUZZ_XZ_ARGS)

FUZZ_SMOKE += fuzz-smoke-xz
