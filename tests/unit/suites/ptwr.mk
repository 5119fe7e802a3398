# SPDX-License-Identifier: MIT
# Writable page tables: the instruction decoder/executor
# (arch/x86/pv/ptwr_decode.c) checked against the CPU running the test
# (test_ptwr_decode.c executes every generated instruction natively).
#
# Like the page-table engine (suites/pv_mm.mk) the source includes <asm/...>,
# so it is linked in as an extra prerequisite rather than listed in
# UNIT_HV_ptwr_decode, and checked freestanding below with the arch include path.

PTWR_SRCS := hypervisor/arch/x86/pv/ptwr_decode.c

UNIT_TESTS += ptwr_decode
UNIT_HV_ptwr_decode :=

$(foreach f,$(PTWR_SRCS) tests/unit/test_ptwr_decode.c,\
	$(eval UNIT_CFLAGS_$(f) := -Ihypervisor/arch/x86/include))

$(UNIT_BUILD)/test_ptwr_decode: $(patsubst %.c,$(UNIT_BUILD)/%.o,$(PTWR_SRCS))

-include $(wildcard $(UNIT_BUILD)/hypervisor/arch/x86/pv/*.d)

.PHONY: ptwr-freestanding-check
unit: ptwr-freestanding-check
ptwr-freestanding-check:
	@set -e; for cc in gcc clang; do for f in $(PTWR_SRCS); do \
		echo "  FREESTANDING $$cc $$f"; \
		$$cc $(UNIT_FREESTANDING_CFLAGS) -Ihypervisor/arch/x86/include \
			-include hypervisor/include/keel/compiler.h \
			-nostdinc -isystem $$($$cc -print-file-name=include) -c -o /dev/null $$f; \
	done; done
