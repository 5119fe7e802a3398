# SPDX-License-Identifier: MIT
# XZ decoder suite: hypervisor/common/xz.c against vectors made by the host's
# xz (xz-utils) from seeded data, regenerated when the generator changes.
# tests/fuzz/xz.mk seeds its corpus from the same vectors.

UNIT_TESTS += xz
UNIT_HV_xz := hypervisor/common/xz.c

XZ_VECTOR_DIR := $(UNIT_BUILD)/xz-vectors
XZ_VECTORS    := $(XZ_VECTOR_DIR)/manifest.txt
UNIT_CFLAGS_tests/unit/test_xz.c := -DXZ_VECTOR_DIR='"$(XZ_VECTOR_DIR)"'

$(XZ_VECTORS): tests/unit/xz_vectors.sh
	@echo "  XZVEC   $(XZ_VECTOR_DIR)"
	@PYTHON=$(PYTHON) tests/unit/xz_vectors.sh $(XZ_VECTOR_DIR)

# Order-only: the vectors are data the test reads, not part of its link.
$(UNIT_BUILD)/test_xz: | $(XZ_VECTORS)
