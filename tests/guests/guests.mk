# SPDX-License-Identifier: MIT
# PV test guests (tests/guests/): tiny freestanding 64-bit PV kernels, one
# behaviour each, booted as dom0 by tests/integration/test_guests.py.
#
# 'make guests' builds $(BUILD)/guests/<name>.elf for every tests/guests/*.c,
# each making hypercalls with an inline 'syscall' (as current Linux does),
# and $(BUILD)/guests/<name>-hcpage.elf for the guests in GUESTS_HCPAGE,
# which declare a HYPERCALL_PAGE note and call through the page the
# hypervisor fills.  The framework (tests/guests/lib/) is compiled once per
# variant.  A guest is one .c file defining guest_main(); adding the file is
# all it takes.

GUEST_BUILD   := $(BUILD)/guests
GUEST_LIB_DIR := tests/guests/lib
GUESTS        := $(sort $(basename $(notdir $(wildcard tests/guests/*.c))))
GUESTS_HCPAGE := hello bad_pointers traps

GUEST_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdlib -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-I$(GUEST_LIB_DIR) -Iinclude \
	-fno-pie -fno-pic -mcmodel=kernel -mno-red-zone \
	-mno-mmx -mno-sse -mno-sse2 -mno-avx -msoft-float \
	-fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -fcf-protection=none -fno-builtin \
	-Wall -Wextra -Werror -Wshadow -Wformat=2 -Wpointer-arith \
	-Wwrite-strings -Wmissing-prototypes -Wno-format-nonliteral -MMD -MP
GUEST_ASFLAGS := $(filter-out -MMD -MP,$(GUEST_CFLAGS)) -D__ASSEMBLY__ -MMD -MP
# gcc defaults to PIE on Debian; clang does not know the driver flag.
GUEST_LDFLAGS := -nostdlib -static $(if $(findstring clang,$(CC)),,-no-pie) -Wl,-z,max-page-size=0x1000 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,--build-id=none

# Per variant: the defines, and the framework objects.
GUEST_VARIANTS     := inline hcpage
GUEST_DEFS_inline  :=
GUEST_DEFS_hcpage  := -DGUEST_HYPERCALL_PAGE
GUEST_LIB_SRCS     := $(wildcard $(GUEST_LIB_DIR)/*.c) $(wildcard $(GUEST_LIB_DIR)/*.S)
# The hypervisor's freestanding string, printf and ELF-loading code serves the
# guests too (the ELF loader for lib/builder.c).
GUEST_SHARED_SRCS  := hypervisor/common/string.c hypervisor/common/vsprintf.c \
	hypervisor/common/elf_image.c
guest_lib_objs      = $(patsubst $(GUEST_LIB_DIR)/%,$(GUEST_BUILD)/lib-$(1)/%.o,$(GUEST_LIB_SRCS)) \
	$(patsubst hypervisor/common/%,$(GUEST_BUILD)/lib-$(1)/shared/%.o,$(GUEST_SHARED_SRCS))

GUEST_ELFS := $(patsubst %,$(GUEST_BUILD)/%.elf,$(GUESTS)) \
	$(patsubst %,$(GUEST_BUILD)/%-hcpage.elf,$(filter $(GUESTS),$(GUESTS_HCPAGE)))

.PHONY: guests guests-check
guests: $(GUEST_ELFS)

define guest_variant_rules
$(GUEST_BUILD)/lib-$(1)/%.c.o: $(GUEST_LIB_DIR)/%.c
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$< ($(1))"
	@$$(CC) $$(GUEST_CFLAGS) $$(GUEST_DEFS_$(1)) -idirafter hypervisor/include -c $$< -o $$@

$(GUEST_BUILD)/lib-$(1)/shared/%.c.o: hypervisor/common/%.c
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$< ($(1))"
	@$$(CC) $$(GUEST_CFLAGS) -Ihypervisor/include -c $$< -o $$@

$(GUEST_BUILD)/lib-$(1)/%.S.o: $(GUEST_LIB_DIR)/%.S
	@mkdir -p $$(dir $$@)
	@echo "  AS      $$< ($(1))"
	@$$(CC) $$(GUEST_ASFLAGS) $$(GUEST_DEFS_$(1)) -c $$< -o $$@
endef
$(foreach v,$(GUEST_VARIANTS),$(eval $(call guest_variant_rules,$(v))))

# The guest's own object; GUEST_NAME is what its RESULT line says.
$(GUEST_BUILD)/obj-inline/%.o: tests/guests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(GUEST_CFLAGS) -DGUEST_NAME='"$*"' -c $< -o $@

$(GUEST_BUILD)/obj-hcpage/%.o: tests/guests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (hcpage)"
	@$(CC) $(GUEST_CFLAGS) $(GUEST_DEFS_hcpage) -DGUEST_NAME='"$*-hcpage"' -c $< -o $@

$(GUEST_BUILD)/%-hcpage.elf: $(GUEST_BUILD)/obj-hcpage/%.o $(call guest_lib_objs,hcpage) \
		$(GUEST_LIB_DIR)/guest.lds
	@echo "  LD      $@"
	@$(CC) $(GUEST_LDFLAGS) -Wl,-T,$(GUEST_LIB_DIR)/guest.lds -o $@ \
		$(filter %.o,$^) -lgcc

$(GUEST_BUILD)/%.elf: $(GUEST_BUILD)/obj-inline/%.o $(call guest_lib_objs,inline) \
		$(GUEST_LIB_DIR)/guest.lds
	@echo "  LD      $@"
	@$(CC) $(GUEST_LDFLAGS) -Wl,-T,$(GUEST_LIB_DIR)/guest.lds -o $@ \
		$(filter %.o,$^) -lgcc

# Static checks of every image: the Xen notes a loader needs, load
# addresses by paddr, no relocations left (see tests/guests/check_elf.py).
guests-check: $(GUEST_ELFS)
	@$(PYTHON) tests/guests/check_elf.py $(GUEST_ELFS)

# The integration tests boot these images (tests/integration/test_guests.py),
# so including this fragment makes 'integration' build them first.
integration: guests

.SECONDARY: $(foreach v,$(GUEST_VARIANTS),$(call guest_lib_objs,$(v))) \
	$(patsubst %,$(GUEST_BUILD)/obj-inline/%.o,$(GUESTS)) \
	$(patsubst %,$(GUEST_BUILD)/obj-hcpage/%.o,$(GUESTS))

-include $(shell find $(GUEST_BUILD) -name '*.d' 2>/dev/null)
