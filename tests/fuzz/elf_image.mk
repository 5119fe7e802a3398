# SPDX-License-Identifier: MIT
# libFuzzer target for the kernel-image parser: hypervisor/common/elf_image.c
# and bzimage.c compiled unchanged with clang under ASan+UBSan.
# 'make fuzz-smoke-elf-image' runs it for FUZZ_ELF_IMAGE_TIME seconds from a
# generated seed corpus; for a long run:
#   build/fuzz/fuzz_elf_image -dict=tests/fuzz/elf_image.dict \
#       build/fuzz/elf_image-corpus build/fuzz/elf_image-seeds

FUZZ_ELF_IMAGE_BIN   := $(BUILD)/fuzz/fuzz_elf_image
FUZZ_ELF_IMAGE_SEEDS := $(BUILD)/fuzz/elf_image-seeds
FUZZ_ELF_IMAGE_CORPUS := $(BUILD)/fuzz/elf_image-corpus
FUZZ_ELF_IMAGE_SRCS  := tests/fuzz/fuzz_elf_image.c hypervisor/common/elf_image.c \
	hypervisor/common/bzimage.c
FUZZ_ELF_IMAGE_TIME  ?= 20
FUZZ_ELF_IMAGE_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror -Wshadow \
	-Wformat=2 -Wpointer-arith -Wwrite-strings -Wmissing-prototypes \
	-Ihypervisor/include -Iinclude

$(FUZZ_ELF_IMAGE_BIN): $(FUZZ_ELF_IMAGE_SRCS) hypervisor/include/keel/elf_image.h \
		tests/fuzz/elf_image.mk
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@clang $(FUZZ_ELF_IMAGE_CFLAGS) $(FUZZ_ELF_IMAGE_SRCS) -o $@

$(FUZZ_ELF_IMAGE_SEEDS)/.stamp: tests/fuzz/elf_image_seeds.py
	@rm -rf $(dir $@)
	@$(PYTHON) $< $(dir $@)
	@touch $@

.PHONY: fuzz-smoke-elf-image
fuzz-smoke-elf-image: $(FUZZ_ELF_IMAGE_BIN) $(FUZZ_ELF_IMAGE_SEEDS)/.stamp
	@mkdir -p $(FUZZ_ELF_IMAGE_CORPUS)
	@echo "  FUZZ    elf_image ($(FUZZ_ELF_IMAGE_TIME) s)"
	@ASAN_OPTIONS=detect_leaks=1 $(FUZZ_ELF_IMAGE_BIN) -max_total_time=$(FUZZ_ELF_IMAGE_TIME) \
		-max_len=65536 -dict=tests/fuzz/elf_image.dict -print_final_stats=1 \
		-artifact_prefix=$(BUILD)/fuzz/elf_image- \
		$(FUZZ_ELF_IMAGE_CORPUS) $(FUZZ_ELF_IMAGE_SEEDS) 2>&1 | \
		grep -E '^(stat::number_of_executed_units|stat::new_units_added)|ERROR|SUMMARY|==[0-9]+==|Test unit written' ; \
		test $${PIPESTATUS[0]} -eq 0

FUZZ_SMOKE += fuzz-smoke-elf-image
