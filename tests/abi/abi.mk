# SPDX-License-Identifier: MIT
# ABI checks for include/public (see tests/abi/abi_check.py):
#   abi-headers-build  every public header compiles standalone (gcc, clang;
#                      hosted, freestanding; guest and tools views)
#   abi-check          the above, the comparison of every struct, field and
#                      constant with Xen's installed headers, and a negative
#                      test proving the comparison catches drift

BUILD  ?= build
PYTHON ?= /usr/bin/python3

ABI_PUBLIC  := include/public
ABI_XEN     ?= /usr/include/xen
ABI_CCS     ?= gcc clang
ABI_BUILD   := $(BUILD)/abi
ABI_HEADERS := $(shell find $(ABI_PUBLIC) -name '*.h' 2>/dev/null | LC_ALL=C sort)
ABI_ALLOW   := tests/abi/keel-only.txt
ABI_ARGS     = --ours $(ABI_PUBLIC) --theirs $(ABI_XEN) --allowlist $(ABI_ALLOW)

.PHONY: abi-check abi-headers-build abi-compare abi-negative

abi-check: abi-headers-build abi-compare abi-negative

abi-headers-build: $(ABI_BUILD)/headers.stamp

$(ABI_BUILD)/headers.stamp: $(ABI_HEADERS) tests/abi/build_headers.sh
	@mkdir -p $(@D)
	tests/abi/build_headers.sh $(ABI_PUBLIC) $(ABI_BUILD)/headers $(ABI_CCS)
	@touch $@

abi-compare: abi-headers-build
	$(PYTHON) tests/abi/abi_check.py $(ABI_ARGS) --build $(ABI_BUILD)/compare

abi-negative: abi-headers-build
	$(PYTHON) tests/abi/abi_negative.py $(ABI_ARGS) --build $(ABI_BUILD)/negative
