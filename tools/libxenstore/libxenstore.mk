# SPDX-License-Identifier: MIT
# Keel's xenstore client library (tools/libxenstore/): a static library,
# $(BUILD)/tools/libxenstore.a, built by 'make tools'. Users include
# tools/libxenstore/libxenstore.h. The xenstore tests compile the same
# sources again under ASan/UBSan (tests/xenstore/xenstore.mk).

LIBXS_DIR    := tools/libxenstore
LIBXS_SRCS   := $(LIBXS_DIR)/xs.c
LIBXS_BUILD  := $(BUILD)/tools/obj/libxenstore
LIBXS_OBJS   := $(patsubst $(LIBXS_DIR)/%.c,$(LIBXS_BUILD)/%.o,$(LIBXS_SRCS))
LIBXS_LIB    := $(BUILD)/tools/libxenstore.a
TOOLS_CFLAGS ?= -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wpointer-arith -Wwrite-strings -Wmissing-prototypes -MMD -MP

tools: $(LIBXS_LIB)

$(LIBXS_BUILD)/%.o: $(LIBXS_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(HOSTCC) $(TOOLS_CFLAGS) -c $< -o $@

$(LIBXS_LIB): $(LIBXS_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

-include $(LIBXS_OBJS:.o=.d)
