# SPDX-License-Identifier: MIT
# The PV page-table engine (arch/x86/pv/pt_*.c) with the invariant checker
# shared with the fuzzer (tests/support/pv_mm_check.c).
#
# The engine's sources include <asm/...> headers, which unit.mk's
# freestanding check (-Ihypervisor/include only, no per-source flags) cannot
# find. So they are linked in as extra prerequisites rather than listed in
# UNIT_HV_pv_mm, and pv-mm-freestanding-check below checks them with the
# hypervisor's flags instead.

PV_MM_SRCS := hypervisor/arch/x86/pv/pt_validate.c hypervisor/arch/x86/pv/pt_update.c \
	hypervisor/arch/x86/pv/pt_grant.c
PV_MM_CHECK_SRCS := tests/support/pv_mm_check.c
PV_MM_HOST_CFLAGS := -Ihypervisor/arch/x86/include -Iinclude -Itests/support

UNIT_TESTS += pv_mm
UNIT_HV_pv_mm := hypervisor/common/frame_table.c hypervisor/common/buddy.c

$(foreach f,$(PV_MM_SRCS) $(PV_MM_CHECK_SRCS) tests/unit/test_pv_mm.c,\
	$(eval UNIT_CFLAGS_$(f) := $(PV_MM_HOST_CFLAGS)))

# $^ in the link rule picks these up.
$(UNIT_BUILD)/test_pv_mm: $(patsubst %.c,$(UNIT_BUILD)/%.o,$(PV_MM_SRCS) $(PV_MM_CHECK_SRCS))

-include $(wildcard $(UNIT_BUILD)/hypervisor/arch/x86/pv/*.d $(UNIT_BUILD)/tests/support/*.d)

# The engine under the hypervisor's freestanding flags, gcc and clang.
PV_MM_FREESTANDING_CFLAGS = $(UNIT_FREESTANDING_CFLAGS) -Ihypervisor/arch/x86/include -Iinclude \
	-include hypervisor/include/keel/compiler.h

.PHONY: pv-mm-freestanding-check
unit: pv-mm-freestanding-check
pv-mm-freestanding-check:
	@set -e; for cc in gcc clang; do for f in $(PV_MM_SRCS); do \
		echo "  FREESTANDING $$cc $$f"; \
		$$cc $(PV_MM_FREESTANDING_CFLAGS) -nostdinc -isystem $$($$cc -print-file-name=include) \
			-c -o /dev/null $$f; \
	done; done
