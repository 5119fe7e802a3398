/* SPDX-License-Identifier: MIT */
/*
 * Results and expectations.
 *
 * The harness reads exactly one line per boot, on a line of its own:
 *     RESULT: PASS <name>
 *     RESULT: FAIL <name>: <why>
 *     RESULT: SKIP <name>: <why>
 * after which the guest powers the machine off (SCHEDOP_shutdown,
 * SHUTDOWN_poweroff from dom0).  A guest another test guest built as an
 * unprivileged domain (lib/builder.h) prints "domU result: ..." instead
 * and shuts its domain down: SHUTDOWN_poweroff for PASS, SHUTDOWN_crash
 * for FAIL or SKIP, which is how its builder learns the verdict.  Expectations (check(), expect_eq())
 * print each failure with its file and line and carry on, so one boot
 * reports every broken expectation; when guest_main() returns the
 * framework prints PASS if none failed, FAIL otherwise.
 */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include "guest.h"
#include "console.h"

#define __noreturn __attribute__((noreturn))

/* The name in RESULT lines: the guest's file name (the build defines
 * GUEST_NAME when it compiles a guest's own .c, never the framework). */
extern const char guest_name[];
#ifdef GUEST_NAME
const char guest_name[] = GUEST_NAME;
#endif

/*
 * A guest that must start without a trap table (crash) defines this as 0;
 * otherwise the framework installs its table before guest_main().
 */
extern const int guest_wants_trap_table;
#define GUEST_NO_TRAP_TABLE() const int guest_wants_trap_table = 0

/* Whether this guest is the initial domain (SIF_INITDOMAIN). */
bool guest_is_dom0(void);

/* Print the RESULT line, then power off.  Never return. */
void test_pass(const char *name) __noreturn;
void test_fail(const char *name, const char *fmt, ...) __noreturn __printf(2, 3);
void test_skip(const char *name, const char *why) __noreturn;

/* SCHEDOP_shutdown(SHUTDOWN_poweroff); spins if the hypervisor returns. */
void guest_poweroff(void) __noreturn;

/* Records one expectation; prints it with file:line if !ok. */
void check_record(bool ok, const char *file, int line, const char *fmt, ...) __printf(4, 5);
/* How many expectations failed so far. */
unsigned int check_failures(void);

/* The decimal value of "key=N" in the module's command line, or @dflt. */
unsigned int guest_arg_uint(const char *key, unsigned int dflt);

/* Xen's name for a negative return value ("-EFAULT"), or "" if none. */
const char *errno_name(long rc);

#define check(cond, ...) check_record(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* actual == expected, both printed (as numbers and errno names) if not. */
#define expect_eq(actual, expected)                                               \
    do {                                                                          \
        long long _a = (long long)(actual), _e = (long long)(expected);           \
        check_record(_a == _e, __FILE__, __LINE__,                                \
                     "%s is %lld%s (%#llx), expected %s = %lld%s", #actual, _a,   \
                     errno_name(_a), (unsigned long long)_a, #expected, _e,       \
                     errno_name(_e));                                             \
    } while (0)

/* Like expect_eq, prefixed with what was being done (for table loops). */
#define expect_eq_what(what, actual, expected)                                    \
    do {                                                                          \
        long long _a = (long long)(actual), _e = (long long)(expected);           \
        check_record(_a == _e, __FILE__, __LINE__, "%s: got %lld%s, expected %lld%s", \
                     (what), _a, errno_name(_a), _e, errno_name(_e));             \
    } while (0)

#endif /* GUEST_TEST_H */
