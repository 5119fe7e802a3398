# SPDX-License-Identifier: MIT
# Benchmarks (bench/), apart from the tests: 'make bench' builds what they
# need and runs bench/run, which boots each one in QEMU, prints a table of
# ratios against baselines measured in the same run and writes
# $(BUILD)/bench/results.txt; then the xenstore benchmark (bench/xenstore.mk).
# Not part of 'make test'.
#
# Bench guests (bench/guests/*.c) are PV kernels built exactly like the test
# guests (tests/guests/guests.mk: GUEST_CFLAGS, the inline-hypercall
# framework objects, guest.lds) into $(BUILD)/bench/<name>.elf; they are
# not in the tests' PASSING list.
#
# BENCH_BOOT_RUNS boots of each kind (Keel dom0, bare Linux) alternate;
# BENCH_TIMEOUT bounds each boot (seconds).

BENCH_BUILD     := $(BUILD)/bench
BENCH_GUESTS    := $(sort $(basename $(notdir $(wildcard bench/guests/*.c))))
BENCH_ELFS      := $(patsubst %,$(BENCH_BUILD)/%.elf,$(BENCH_GUESTS))
BENCH_BOOT_RUNS ?= 5
BENCH_TIMEOUT   ?= 180

.PHONY: bench bench-guests
bench-guests: $(BENCH_ELFS)

$(BENCH_BUILD)/obj/%.o: bench/guests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(GUEST_CFLAGS) -DGUEST_NAME='"$*"' -c $< -o $@

$(BENCH_BUILD)/%.elf: $(BENCH_BUILD)/obj/%.o $(call guest_lib_objs,inline) \
		$(GUEST_LIB_DIR)/guest.lds
	@echo "  LD      $@"
	@$(CC) $(GUEST_LDFLAGS) -Wl,-T,$(GUEST_LIB_DIR)/guest.lds -o $@ \
		$(filter %.o,$^) -lgcc

bench: deps-run
	$(MAKE) --no-print-directory $(BUILD)/keel.elf bench-guests $(GUEST_BUILD)/domu.elf \
		linux-image linux-initramfs
	@rc=0; KEEL_BUILD=$(BUILD) QEMU=$(QEMU) BENCH_BOOT_RUNS=$(BENCH_BOOT_RUNS) \
		BENCH_TIMEOUT=$(BENCH_TIMEOUT) LINUX_DOM0_ARGS="$(LINUX_DOM0_ARGS)" \
		KEEL_ARGS="$(KEEL_ARGS)" $(PYTHON) bench/run || rc=$$?; \
	$(MAKE) --no-print-directory bench-xenstore || rc=1; exit $$rc

.SECONDARY: $(patsubst %,$(BENCH_BUILD)/obj/%.o,$(BENCH_GUESTS))

-include $(wildcard $(BENCH_BUILD)/obj/*.d)
