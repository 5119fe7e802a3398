# SPDX-License-Identifier: MIT
# QEMU integration tests (tests/integration/): each test boots
# $(BUILD)/keel.elf or $(BUILD)/keel.iso in QEMU and checks the serial log.
# Logs go to $(BUILD)/test-logs/<scenario>.log. INTEGRATION_JOBS QEMUs run at
# a time; INTEGRATION_TIMEOUT bounds each boot (seconds); PYTEST_ARGS adds
# pytest options (e.g. PYTEST_ARGS="-k fault").
#
# Debian's kernel as dom0 (test_linux_dom0.py): 'make linux-image' caches
# the kernel in cache/linux/ (scripts/fetch-linux.sh), 'make linux-initramfs'
# builds the busybox initramfs beside it (scripts/mkinitramfs.sh). Those
# tests carry the linux_dom0 marker and run in the default selection;
# 'make test-linux-dom0' runs them alone, each boot bounded by
# LINUX_DOM0_TIMEOUT seconds.

INTEGRATION_JOBS    ?= 2
INTEGRATION_TIMEOUT ?= 120
PYTEST_ARGS         ?=
LINUX_CACHE         := cache/linux
LINUX_DOM0_TIMEOUT  ?= 300
# A marker expression to narrow the run (e.g. "not linux_dom0"); empty runs all.
INTEGRATION_MARKS   ?=

.PHONY: integration linux-image linux-initramfs test-linux-dom0

# Both scripts are cheap when the cache is current (the first download
# takes a while).
linux-image:
	@scripts/fetch-linux.sh

# The initramfs carries the cached kernel's Xen modules.
linux-initramfs: linux-image
	@scripts/mkinitramfs.sh $(LINUX_CACHE)/initramfs.cpio.gz

# pytest exits 5 when it collects nothing: a broken selection, not a pass.
integration: $(BUILD)/keel.elf $(BUILD)/keel.iso hypervisor-clang linux-image linux-initramfs
	@mkdir -p $(BUILD)/test-logs
	@rc=0; KEEL_BUILD=$(BUILD) KEEL_TEST_JOBS=$(INTEGRATION_JOBS) \
		KEEL_TEST_TIMEOUT=$(INTEGRATION_TIMEOUT) QEMU=$(QEMU) PYTHONDONTWRITEBYTECODE=1 \
		$(PYTHON) -m pytest -v -ra -o cache_dir=$(BUILD)/pytest-cache \
		--junitxml=$(BUILD)/test-logs/integration.xml $(if $(INTEGRATION_MARKS),-m "$(INTEGRATION_MARKS)") \
		$(PYTEST_ARGS) tests/integration || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "integration: pytest collected no tests" >&2; fi; \
	exit $$rc

test-linux-dom0: $(BUILD)/keel.elf linux-image linux-initramfs
	@mkdir -p $(BUILD)/test-logs
	@rc=0; KEEL_BUILD=$(BUILD) KEEL_TEST_JOBS=1 KEEL_TEST_TIMEOUT=$(LINUX_DOM0_TIMEOUT) \
		QEMU=$(QEMU) PYTHONDONTWRITEBYTECODE=1 \
		$(PYTHON) -m pytest -v -ra -o cache_dir=$(BUILD)/pytest-cache \
		--junitxml=$(BUILD)/test-logs/linux-dom0.xml -m linux_dom0 \
		$(PYTEST_ARGS) tests/integration/test_linux_dom0.py || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "test-linux-dom0: pytest collected no tests" >&2; fi; \
	exit $$rc
