# SPDX-License-Identifier: MIT
# Keel top-level build. 'make' builds the hypervisor; 'make run' boots it in
# QEMU; 'make test' runs every test. Each part keeps its rules in a fragment
# beside its sources.

SHELL      := /bin/bash
BUILD      ?= build
ifeq ($(origin CC),default)
CC         := gcc
endif
HOSTCC     ?= cc
PYTHON     := /usr/bin/python3

.DEFAULT_GOAL := all
.PHONY: all iso run test deps-build deps-run deps-test deps-xenstore-ref clean

all: $(BUILD)/keel.elf tools

# The dom0 toolstack (tools/): each tool's fragment adds its outputs to 'tools'.
.PHONY: tools
tools:

include hypervisor/hypervisor.mk
include tests/unit/unit.mk
include tests/abi/abi.mk
include tests/integration/integration.mk
include tests/guests/guests.mk
include bench/bench.mk
-include $(wildcard tools/*/*.mk)
include tests/xenstore/xenstore.mk
include bench/xenstore.mk
# Fuzz targets: each fragment appends its short smoke run to FUZZ_SMOKE.
-include $(wildcard tests/fuzz/*.mk)

.PHONY: fuzz-smoke
fuzz-smoke: $(FUZZ_SMOKE)

deps-build deps-run deps-test deps-xenstore-ref: deps-%:
	@scripts/install-deps.sh $*

test: deps-test
	$(MAKE) all iso hypervisor-clang
	$(MAKE) unit fuzz-smoke abi-check integration

clean:
	rm -rf $(BUILD)
