# SPDX-License-Identifier: MIT
# The xenstore benchmark (bench/xenstore_bench.c, bench/run-xenstore), on
# the host: Keel's xenstored against Debian's C xenstored in the same run
# (xen-utils-4.17, installed on demand, run outside Xen through
# tests/xenstore/fake_xen.so). 'make bench-xenstore' runs it alone; 'make
# bench' runs it after the QEMU benchmarks. Included after the tools
# fragments (it links $(LIBXS_LIB)).
#
# BENCH_XS_MS: measured milliseconds per operation and client count;
# BENCH_XS_ROUNDS: rounds, alternating which daemon goes first.

BENCH_XS_MS     ?= 1000
BENCH_XS_ROUNDS ?= 3

.PHONY: bench-xenstore

$(BENCH_BUILD)/xenstore_bench: bench/xenstore_bench.c $(LIBXS_LIB)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(HOSTCC) $(TOOLS_CFLAGS) -I$(LIBXS_DIR) $< $(LIBXS_LIB) -lpthread -o $@

bench-xenstore: deps-xenstore-ref
	$(MAKE) --no-print-directory tools $(BENCH_BUILD)/xenstore_bench $(XST_BUILD)/fake_xen.so
	@KEEL_BUILD=$(BUILD) BENCH_XS_MS=$(BENCH_XS_MS) BENCH_XS_ROUNDS=$(BENCH_XS_ROUNDS) \
		$(PYTHON) bench/run-xenstore
