# SPDX-License-Identifier: MIT
# Xenstore tests on the host (no QEMU): libxenstore against a running
# xenstored, and Debian's xenstore-utils against Keel's xenstored. The
# pytest files are tests/integration/test_libxenstore.py and
# test_xenstore.py; 'make xenstore-test' builds what they need and runs
# just them ('make integration' runs them with the rest).
#
#   xs_client_test  the library's cases, under ASan/UBSan (xs.c built in)
#   ring_bridge     an unprivileged connection from a fake guest's store ring
#   fake_xen.so     LD_PRELOADed into Debian's xenstored (reference daemon)
#
# XENSTORE_REFERENCE=1 also runs every case against Debian's C xenstored
# (needs xen-utils-4.17: 'scripts/install-deps.sh xenstore-ref').

XST_DIR    := tests/xenstore
XST_BUILD  := $(BUILD)/tests/xenstore
XST_WARN   := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wpointer-arith -Wwrite-strings \
	-Wmissing-prototypes
XST_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer $(XST_WARN) -I$(LIBXS_DIR) -MMD -MP
XST_BINS   := $(XST_BUILD)/xs_client_test $(XST_BUILD)/ring_bridge $(XST_BUILD)/fake_xen.so
XENSTORE_REFERENCE ?=

.PHONY: xenstore-test xenstore-test-build
xenstore-test-build: $(XST_BINS) tools

# The integration run collects these tests too.
integration: xenstore-test-build

$(XST_BUILD)/%: $(XST_DIR)/%.c $(LIBXS_SRCS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(HOSTCC) $(XST_CFLAGS) $< $(LIBXS_SRCS) -lpthread -o $@

# Loaded into an uninstrumented daemon: no sanitizers. Needs libxen-dev's headers.
$(XST_BUILD)/fake_xen.so: $(XST_DIR)/fake_xen.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(HOSTCC) -std=gnu11 -O2 -g -shared -fPIC $(XST_WARN) -Wno-missing-prototypes $< -o $@

xenstore-test: deps-test xenstore-test-build
	@mkdir -p $(BUILD)/test-logs
	@KEEL_BUILD=$(BUILD) XENSTORE_REFERENCE=$(XENSTORE_REFERENCE) PYTHONDONTWRITEBYTECODE=1 \
		$(PYTHON) -m pytest -v -ra -o cache_dir=$(BUILD)/pytest-cache \
		--junitxml=$(BUILD)/test-logs/xenstore.xml $(PYTEST_ARGS) \
		tests/integration/test_libxenstore.py tests/integration/test_xenstore.py

-include $(wildcard $(XST_BUILD)/*.d)
