# SPDX-License-Identifier: MIT
# QEMU integration tests (tests/integration/): each test boots
# $(BUILD)/keel.elf or $(BUILD)/keel.iso in QEMU and checks the serial log.
# Logs go to $(BUILD)/test-logs/<scenario>.log. INTEGRATION_JOBS QEMUs run at
# a time; INTEGRATION_TIMEOUT bounds each boot (seconds); PYTEST_ARGS adds
# pytest options (e.g. PYTEST_ARGS="-k fault").

INTEGRATION_JOBS    ?= 2
INTEGRATION_TIMEOUT ?= 60
PYTEST_ARGS         ?=

.PHONY: integration

# pytest exits 5 when it collects nothing: a broken selection, not a pass.
integration: $(BUILD)/keel.elf $(BUILD)/keel.iso
	@mkdir -p $(BUILD)/test-logs
	@rc=0; KEEL_BUILD=$(BUILD) KEEL_TEST_JOBS=$(INTEGRATION_JOBS) \
		KEEL_TEST_TIMEOUT=$(INTEGRATION_TIMEOUT) QEMU=$(QEMU) PYTHONDONTWRITEBYTECODE=1 \
		$(PYTHON) -m pytest -v -ra -o cache_dir=$(BUILD)/pytest-cache \
		--junitxml=$(BUILD)/test-logs/integration.xml $(PYTEST_ARGS) tests/integration || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "integration: pytest collected no tests" >&2; fi; \
	exit $$rc
