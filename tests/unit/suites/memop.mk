# SPDX-License-Identifier: MIT
# memory_op's pure parts: reservation argument decoding (memop_args.c) and
# the machine memory map (memmap.c): test_memop.c.
UNIT_TESTS += memop
UNIT_HV_memop := hypervisor/common/memop_args.c hypervisor/common/memmap.c

# keel/memop.h includes <public/memory.h> from include/, as the hypervisor
# build does (-Iinclude); see elf_image.mk for the freestanding check.
UNIT_CFLAGS_hypervisor/common/memop_args.c := -Iinclude
UNIT_CFLAGS_hypervisor/common/memmap.c := -Iinclude
UNIT_CFLAGS_tests/unit/test_memop.c := -Iinclude
unit-freestanding-check: UNIT_FREESTANDING_CFLAGS += -Iinclude
