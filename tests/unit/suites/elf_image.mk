# SPDX-License-Identifier: MIT
# Kernel-image parser (bzImage, ELF64, Xen notes, loader): test_elf_image.c.
UNIT_TESTS += elf_image
UNIT_HV_elf_image := hypervisor/common/elf_image.c hypervisor/common/bzimage.c

# elf_image.c and the test include <public/elfnote.h> and <public/features.h>
# from include/, as the hypervisor build does (-Iinclude). The freestanding
# check compiles every portable source with one flag set, so the path is
# added there for all of them (harmless to the others).
UNIT_CFLAGS_hypervisor/common/elf_image.c := -Iinclude
UNIT_CFLAGS_tests/unit/test_elf_image.c := -Iinclude
unit-freestanding-check: UNIT_FREESTANDING_CFLAGS += -Iinclude
