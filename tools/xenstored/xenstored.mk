# SPDX-License-Identifier: MIT
# Keel's xenstore daemon: $(BUILD)/tools/xenstored. The portable core
# (XSD_CORE_SRCS) is also compiled into the host unit tests
# (tests/unit/suites/xenstored.mk) and the fuzzer (tests/fuzz/xenstored.mk).

XSD_DIR       := tools/xenstored
XSD_CORE_SRCS := $(addprefix $(XSD_DIR)/,xsd.c path.c perms.c store.c view.c txn.c watch.c \
	ops.c domain.c control.c ring.c)
XSD_DAEMON_SRCS := $(addprefix $(XSD_DIR)/,main.c unix_socket.c journal.c)
XSD_HDRS      := $(wildcard $(XSD_DIR)/*.h) include/public/io/xs_wire.h
XSD_CFLAGS    := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wno-format-nonliteral -Wpointer-arith -Wwrite-strings -Wmissing-prototypes \
	-D_GNU_SOURCE -Iinclude -I$(XSD_DIR)

tools: $(BUILD)/tools/xenstored

$(BUILD)/tools/xenstored: $(XSD_CORE_SRCS) $(XSD_DAEMON_SRCS) $(XSD_HDRS) $(XSD_DIR)/xenstored.mk
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) $(XSD_CFLAGS) $(XSD_CORE_SRCS) $(XSD_DAEMON_SRCS) -o $@
