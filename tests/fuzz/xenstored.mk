# SPDX-License-Identifier: MIT
# libFuzzer target for Keel's xenstored core: the wire parser and dispatcher
# (tools/xenstored/) compiled unchanged with clang under ASan+UBSan, driven
# through three in-memory connections (one privileged) and a guest ring the
# input can scribble on, with a store invariant check after every step.
# 'make fuzz-smoke-xenstored' runs it for FUZZ_XSD_TIME seconds from
# generated seeds; for a long run:
#   build/fuzz/fuzz_xenstored build/fuzz/xenstored-corpus build/fuzz/xenstored-seeds

FUZZ_XSD_BIN    := $(BUILD)/fuzz/fuzz_xenstored
FUZZ_XSD_SEEDS  := $(BUILD)/fuzz/xenstored-seeds
FUZZ_XSD_CORPUS := $(BUILD)/fuzz/xenstored-corpus
FUZZ_XSD_SRCS   := tests/fuzz/fuzz_xenstored.c tests/support/xs_memconn.c \
	$(addprefix tools/xenstored/,xsd.c path.c perms.c store.c view.c txn.c watch.c ops.c \
	domain.c control.c ring.c)
FUZZ_XSD_HDRS   := tools/xenstored/xs_core.h tests/support/xs_memconn.h \
	include/public/io/xs_wire.h
FUZZ_XSD_TIME   ?= 20
FUZZ_XSD_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror -Wshadow \
	-Wformat=2 -Wno-format-nonliteral -Wpointer-arith -Wwrite-strings -Wmissing-prototypes \
	-D_GNU_SOURCE -Iinclude -Itools/xenstored -Itests/support

$(FUZZ_XSD_BIN): $(FUZZ_XSD_SRCS) $(FUZZ_XSD_HDRS) tests/fuzz/xenstored.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@clang $(FUZZ_XSD_CFLAGS) $(FUZZ_XSD_SRCS) -o $@

$(FUZZ_XSD_SEEDS)/.stamp: tests/fuzz/xenstored_seeds.py
	@rm -rf $(dir $@)
	@$(PYTHON) $< $(dir $@)
	@touch $@

.PHONY: fuzz-smoke-xenstored
fuzz-smoke-xenstored: $(FUZZ_XSD_BIN) $(FUZZ_XSD_SEEDS)/.stamp
	@mkdir -p $(FUZZ_XSD_CORPUS)
	@echo "  FUZZ    xenstored ($(FUZZ_XSD_TIME) s)"
	@ASAN_OPTIONS=detect_leaks=1 $(FUZZ_XSD_BIN) -max_total_time=$(FUZZ_XSD_TIME) \
		-max_len=4096 -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/xenstored- \
		$(FUZZ_XSD_CORPUS) $(FUZZ_XSD_SEEDS) 2>&1 | \
		grep -E '^(stat::number_of_executed_units|stat::new_units_added)|ERROR|SUMMARY|==[0-9]+==|Test unit written|BUG|runtime error' ; \
		test $${PIPESTATUS[0]} -eq 0

FUZZ_SMOKE += fuzz-smoke-xenstored
