# SPDX-License-Identifier: MIT
# The hypervisor image: build/keel.elf (32-bit multiboot ELF wrapping the
# 64-bit image), build/keel-syms (the 64-bit ELF with symbols, for
# debugging), build/keel.iso (GRUB rescue ISO).

HV_BUILD   := $(BUILD)/hypervisor
HV_ARCH    := hypervisor/arch/x86
KEEL_VERSION := 0.1.0

HV_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -D__XEN__ \
	-isystem $(shell $(CC) -print-file-name=include) \
	-Ihypervisor/include -I$(HV_ARCH)/include -Iinclude \
	-include hypervisor/include/keel/compiler.h \
	-fpie -fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -fcf-protection=none \
	-mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx -msoft-float \
	-Wall -Wextra -Werror -Wshadow -Wformat=2 -Wpointer-arith \
	-Wwrite-strings -Wmissing-prototypes -Wno-format-nonliteral \
	-DKEEL_VERSION='"$(KEEL_VERSION)"' -MMD -MP
HV_ASFLAGS := $(filter-out -include hypervisor/include/keel/compiler.h,$(HV_CFLAGS)) -D__ASSEMBLER__
HV_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments

# Portable code shared with the host unit tests, then the x86 code.
HV_COMMON_SRCS := $(wildcard hypervisor/common/*.c)
HV_ARCH_SRCS   := $(wildcard $(HV_ARCH)/*.c $(HV_ARCH)/pv/*.c) \
	$(filter-out %.lds.S,$(wildcard $(HV_ARCH)/*.S)) \
	$(HV_ARCH)/boot/head.S
HV_OBJS := $(patsubst %,$(HV_BUILD)/%.o,$(HV_COMMON_SRCS) $(HV_ARCH_SRCS))

$(HV_BUILD)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -c $< -o $@

$(HV_BUILD)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(HV_ASFLAGS) -c $< -o $@

$(HV_BUILD)/keel.lds: $(HV_ARCH)/keel.lds.S
	@mkdir -p $(dir $@)
	@echo "  LDS     $@"
	@$(CC) $(HV_ASFLAGS) -E -P -x c $< -o $@

# Two links: the first finds the text symbols, the second embeds them for
# backtraces. The table sits at the end of .rodata, so text does not move.
$(HV_BUILD)/symbols-empty.S: scripts/gen-symbols.sh
	@mkdir -p $(dir $@)
	@scripts/gen-symbols.sh > $@

$(HV_BUILD)/keel-pass1: $(HV_OBJS) $(HV_BUILD)/keel.lds $(HV_BUILD)/symbols-empty.S.o
	@echo "  LD      $@"
	@ld $(HV_LDFLAGS) -T $(HV_BUILD)/keel.lds -o $@ $(HV_OBJS) $(HV_BUILD)/symbols-empty.S.o

$(HV_BUILD)/symbols.S: $(HV_BUILD)/keel-pass1 scripts/gen-symbols.sh
	@scripts/gen-symbols.sh $< > $@

$(HV_BUILD)/%.S.o: $(HV_BUILD)/%.S
	@$(CC) $(HV_ASFLAGS) -c $< -o $@

$(BUILD)/keel-syms: $(HV_OBJS) $(HV_BUILD)/keel.lds $(HV_BUILD)/symbols.S.o
	@echo "  LD      $@"
	@ld $(HV_LDFLAGS) -T $(HV_BUILD)/keel.lds -o $@ $(HV_OBJS) $(HV_BUILD)/symbols.S.o
	@cmp -s <(nm $(HV_BUILD)/keel-pass1 | grep -i ' t ') <(nm $@ | grep -i ' t ') || \
		{ echo "keel-syms: text moved between links; symbol table is stale" >&2; rm -f $@; exit 1; }

# The flat image from KEEL_PHYS_START, wrapped in a 32-bit ELF for the
# multiboot loaders.
$(HV_BUILD)/keel.bin: $(BUILD)/keel-syms
	@objcopy -O binary $< $@

$(BUILD)/keel.elf: $(HV_BUILD)/keel.bin $(HV_ARCH)/boot/wrap32.S $(HV_ARCH)/boot/wrap32.lds
	@echo "  WRAP32  $@"
	@$(CC) -m32 -c -D__ASSEMBLER__ -DKEEL_BIN='"$(HV_BUILD)/keel.bin"' \
		-DKEEL_BSS_SIZE=$$(( 0x$$(nm $(BUILD)/keel-syms | awk '/ __image_phys_end$$/{print $$1}') \
		- 0x$$(nm $(BUILD)/keel-syms | awk '/ __image_phys_start$$/{print $$1}') \
		- $$(stat -c %s $(HV_BUILD)/keel.bin) )) \
		$(HV_ARCH)/boot/wrap32.S -o $(HV_BUILD)/wrap32.o
	@ld -m elf_i386 -T $(HV_ARCH)/boot/wrap32.lds -z noexecstack --no-warn-rwx-segments \
		-e 0x$$(nm $(BUILD)/keel-syms | awk '/ start32$$/{print $$1}') \
		-o $@ $(HV_BUILD)/wrap32.o

-include $(HV_OBJS:.o=.d)

# The same image built with clang, which must stay warning-free too.
.PHONY: hypervisor-clang
hypervisor-clang:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/clang CC=clang $(BUILD)/clang/keel.elf

# ---- ISO and QEMU ---------------------------------------------------------

KEEL_ARGS ?= console=com1 loglvl=3
DOM0      ?=
DOM0_ARGS ?=
INITRD    ?=
QEMU      ?= qemu-system-x86_64
SMP       ?= 2
MEM       ?= 1024
QEMU_ARGS := -machine q35 -cpu max -smp $(SMP) -m $(MEM) -nographic -no-reboot \
	-serial mon:stdio -display none

# grub.cfg inside the ISO carries the arguments: rebuild when they change.
$(BUILD)/iso-args: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' "$(KEEL_ARGS)" "$(DOM0)" "$(DOM0_ARGS)" "$(INITRD)" | cmp -s - $@ || \
		printf '%s\n' "$(KEEL_ARGS)" "$(DOM0)" "$(DOM0_ARGS)" "$(INITRD)" > $@

$(BUILD)/keel.iso: $(BUILD)/keel.elf $(BUILD)/iso-args scripts/mkiso.sh $(DOM0) $(INITRD)
	scripts/mkiso.sh $@ $(BUILD)/keel.elf "$(KEEL_ARGS)" "$(DOM0)" "$(DOM0_ARGS)" "$(INITRD)"

iso: deps-build $(BUILD)/keel.iso

# 'make run' boots the whole system the way a machine would: GRUB (from
# build/run.iso) loads Keel with multiboot2 and Debian's Linux (fetched and
# cached by scripts/fetch-linux.sh) with a busybox initramfs as dom0.
# DOM0=path/to/kernel (e.g. build/guests/hello.elf) runs another dom0.
LINUX_DOM0_ARGS := console=hvc0 earlyprintk=xen loglevel=8 acpi=off xen.fifo_events=0 \
	swiotlb=noforce
RUN_DOM0      = $(or $(DOM0),cache/linux/vmlinuz)
RUN_DOM0_ARGS = $(if $(DOM0),$(DOM0_ARGS),$(LINUX_DOM0_ARGS))
RUN_INITRD    = $(if $(DOM0),$(INITRD),cache/linux/initramfs.cpio.gz)

run: deps-run
	$(MAKE) all $(if $(DOM0),,linux-image linux-initramfs)
	scripts/mkiso.sh $(BUILD)/run.iso $(BUILD)/keel.elf "$(KEEL_ARGS)" "$(RUN_DOM0)" \
		"$(RUN_DOM0_ARGS)" "$(RUN_INITRD)"
	$(QEMU) $(QEMU_ARGS) -cdrom $(BUILD)/run.iso -boot d

comma := ,
.PHONY: iso run FORCE
FORCE:
