/* SPDX-License-Identifier: MIT */
/*
 * Host stand-ins for the hypervisor runtime (keel/lib.h) used by the unit
 * tests: printk into an inspectable buffer, and panic()/bug_at() routed to
 * cmocka's mock_assert(), so a test fails on an unexpected BUG_ON and
 * expect_bug(call) passes only if the call hits one.
 */
#ifndef TESTS_UNIT_HOST_SHIM_H
#define TESTS_UNIT_HOST_SHIM_H

#include <stdbool.h>

/* Forget everything printk() logged so far. */
void shim_log_clear(void);
/* Everything printk() logged since the last shim_log_clear(). */
const char *shim_log(void);
/* Whether the log contains @needle. */
bool shim_log_contains(const char *needle);

/* Passes if @call hits BUG_ON/ASSERT/panic, fails the test otherwise. */
#define expect_bug(call) expect_assert_failure(call)

#endif
