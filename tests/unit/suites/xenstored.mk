# SPDX-License-Identifier: MIT
# Keel's xenstored core (tools/xenstored/, the portable part) driven through
# in-memory connections (tests/support/xs_memconn.c): test_xenstored.c.
# The core is host C (malloc, stdio), not hypervisor code, so it is linked
# in like support code rather than listed in UNIT_HV_ (which the
# freestanding check compiles).

XSD_UNIT_SRCS := $(addprefix tools/xenstored/,xsd.c path.c perms.c store.c view.c txn.c \
	watch.c ops.c domain.c control.c ring.c) tests/support/xs_memconn.c

UNIT_TESTS += xenstored
UNIT_HV_xenstored :=

$(foreach f,$(XSD_UNIT_SRCS) tests/unit/test_xenstored.c,\
	$(eval UNIT_CFLAGS_$(f) := -D_GNU_SOURCE -Iinclude -Itools/xenstored -Itests/support))

$(UNIT_BUILD)/test_xenstored: $(patsubst %.c,$(UNIT_BUILD)/%.o,$(XSD_UNIT_SRCS))

-include $(wildcard $(UNIT_BUILD)/tools/xenstored/*.d)
