# SPDX-License-Identifier: MIT
# Host unit tests: the portable hypervisor sources below, compiled unchanged
# with the host compiler under ASan+UBSan and linked against cmocka and
# tests/unit/host_shim.c. 'make unit' builds into $(BUILD)/unit/ and runs
# every test binary; 'make unit-freestanding-check' proves the same sources
# still build freestanding with the hypervisor's flags under gcc and clang.

UNIT_DIR     := tests/unit
UNIT_BUILD   := $(BUILD)/unit
UNIT_CFLAGS  := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
	-Wpointer-arith -Wwrite-strings -Wmissing-prototypes -Ihypervisor/include -I$(UNIT_DIR) -MMD -MP
UNIT_LDFLAGS := -fsanitize=address,undefined
UNIT_LDLIBS  := -lcmocka

# Portable sources under test, each listed explicitly (not every file in
# hypervisor/common/ is portable or tested here).
UNIT_HV_frame_table := hypervisor/common/frame_table.c hypervisor/common/buddy.c
UNIT_HV_buddy       := hypervisor/common/buddy.c hypervisor/common/frame_table.c
UNIT_HV_cmdline     := hypervisor/common/cmdline.c
UNIT_HV_errno       :=
UNIT_HV_timer       := hypervisor/common/timer.c
UNIT_HV_vsprintf    := hypervisor/common/vsprintf.c
UNIT_HV_string      := hypervisor/common/string.c
UNIT_HV_symbols     := hypervisor/common/symbols.c

UNIT_TESTS := frame_table buddy cmdline errno timer vsprintf string symbols
# Suites other subsystems add: each fragment appends to UNIT_TESTS and sets UNIT_HV_<name>.
-include $(wildcard $(UNIT_DIR)/suites/*.mk)
UNIT_BINS  := $(patsubst %,$(UNIT_BUILD)/test_%,$(UNIT_TESTS))
UNIT_PORTABLE_SRCS := $(sort $(foreach t,$(UNIT_TESTS),$(UNIT_HV_$(t))))

# Extra host flags for one source, keyed by its path. string.c and vsprintf.c
# define libc's own names; renamed to keel_*, they link beside libc and a test
# calls both. -fno-builtin keeps the compiler from treating the renamed
# bodies as, or turning their loops into, calls to libc's functions.
UNIT_CFLAGS_hypervisor/common/string.c := -fno-builtin -Dmemset=keel_memset \
	-Dmemcpy=keel_memcpy -Dmemmove=keel_memmove -Dmemcmp=keel_memcmp -Dstrlen=keel_strlen \
	-Dstrnlen=keel_strnlen -Dstrcmp=keel_strcmp -Dstrncmp=keel_strncmp -Dstrchr=keel_strchr \
	-Dstrlcpy=keel_strlcpy -Dstrtoul=keel_strtoul
UNIT_CFLAGS_hypervisor/common/vsprintf.c := -fno-builtin -Dsnprintf=keel_snprintf \
	-Dvsnprintf=keel_vsnprintf

.PHONY: unit unit-build unit-freestanding-check

unit: unit-freestanding-check unit-build
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $$t; done

unit-build: $(UNIT_BINS)

$(UNIT_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) $(UNIT_CFLAGS_$<) -c $< -o $@

# One link rule per test: its object, the shim and its hypervisor sources.
define UNIT_TEST_RULE
$(UNIT_BUILD)/test_$(1): $(UNIT_BUILD)/$(UNIT_DIR)/test_$(1).o $(UNIT_BUILD)/$(UNIT_DIR)/host_shim.o \
		$(patsubst %.c,$(UNIT_BUILD)/%.o,$(UNIT_HV_$(1)))
	$$(HOSTCC) $$(UNIT_LDFLAGS) $$^ $$(UNIT_LDLIBS) -o $$@
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call UNIT_TEST_RULE,$(t))))

-include $(wildcard $(UNIT_BUILD)/$(UNIT_DIR)/*.d $(UNIT_BUILD)/hypervisor/common/*.d)

# The hypervisor's freestanding flags (keep in step with hypervisor.mk),
# under both compilers; objects are discarded.
UNIT_FREESTANDING_CFLAGS := -std=gnu11 -O2 -ffreestanding -nostdlib -fpie \
	-fno-stack-protector -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx \
	-msoft-float -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wpointer-arith \
	-Wwrite-strings -Wmissing-prototypes -Ihypervisor/include

unit-freestanding-check:
	@set -e; for cc in gcc clang; do for f in $(UNIT_PORTABLE_SRCS); do \
		echo "  FREESTANDING $$cc $$f"; \
		$$cc $(UNIT_FREESTANDING_CFLAGS) -nostdinc -isystem $$($$cc -print-file-name=include) \
			-c -o /dev/null $$f; \
	done; done
