/* SPDX-License-Identifier: MIT */
/*
 * The framework's main line and result reporting.
 *
 * guest_start() is called by head.S on the guest's own stack: it keeps
 * start_info, installs the framework's trap table (unless the guest opts
 * out), runs guest_main() and reports.  Reporting always ends in
 * guest_poweroff(), so exactly one RESULT line is printed per boot; a
 * second test_*() call (e.g. from a trap handler while reporting) is
 * turned into a note rather than a second RESULT line.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"

start_info_t *start_info;
__attribute__((weak)) const int guest_wants_trap_table = 1;

static unsigned int checks_total, checks_failed;
static char first_failure[160];
static bool result_printed;

void guest_start(start_info_t *si);

bool guest_is_dom0(void)
{
    return start_info->flags & SIF_INITDOMAIN;
}

/* Shut the domain down for reason; does not return. */
static __noreturn void guest_shutdown(unsigned int reason)
{
    struct sched_shutdown shutdown = { .reason = reason };
    long rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, &shutdown);

    console_newline();
    printf("guest: SCHEDOP_shutdown(%u) returned %ld%s; spinning\n", reason, rc, errno_name(rc));
    for (;;)
        asm volatile("pause");
}

void guest_poweroff(void)
{
    guest_shutdown(SHUTDOWN_poweroff);
}

/*
 * Prints the result line's start; false if a result was printed already.
 * Only dom0 prints "RESULT:" (the harness reads one per boot); a domain
 * built by a test guest prints "domU result:" and its builder reads the
 * verdict from its shutdown reason instead (test.h).
 */
static bool result_begin(void)
{
    if (result_printed) {
        console_newline();
        printf("guest: a second result was reported; ignored\n");
        return false;
    }
    result_printed = true;
    console_newline();
    printf(guest_is_dom0() ? "RESULT: " : "domU result: ");
    return true;
}

void test_pass(const char *name)
{
    if (result_begin())
        printf("PASS %s\n", name);
    guest_shutdown(SHUTDOWN_poweroff);
}

void test_fail(const char *name, const char *fmt, ...)
{
    char why[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    /* The reason must not break the one-line contract. */
    for (char *p = why; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (result_begin())
        printf("FAIL %s: %s\n", name, why);
    guest_shutdown(guest_is_dom0() ? SHUTDOWN_poweroff : SHUTDOWN_crash);
}

void test_skip(const char *name, const char *why)
{
    if (result_begin())
        printf("SKIP %s: %s\n", name, why);
    guest_shutdown(guest_is_dom0() ? SHUTDOWN_poweroff : SHUTDOWN_crash);
}

void check_record(bool ok, const char *file, int line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    bool first;

    /* Atomic: SMP guests check from every vCPU (smp.h). */
    __atomic_fetch_add(&checks_total, 1, __ATOMIC_RELAXED);
    if (ok)
        return;
    first = __atomic_fetch_add(&checks_failed, 1, __ATOMIC_RELAXED) == 0;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    console_newline();
    printf("check failed at %s:%d: %s\n", file, line, msg);
    if (first)
        snprintf(first_failure, sizeof(first_failure), "%s:%d: %s", file, line, msg);
}

unsigned int check_failures(void)
{
    return checks_failed;
}

const char *errno_name(long rc)
{
    static const struct {
        long err;
        const char *name;
    } names[] = {
        { XEN_EPERM, " (-EPERM)" },   { XEN_ENOENT, " (-ENOENT)" }, { XEN_ESRCH, " (-ESRCH)" },
        { XEN_ENOMEM, " (-ENOMEM)" }, { XEN_EACCES, " (-EACCES)" }, { XEN_EFAULT, " (-EFAULT)" },
        { XEN_EBUSY, " (-EBUSY)" },   { XEN_EEXIST, " (-EEXIST)" }, { XEN_EINVAL, " (-EINVAL)" },
        { XEN_ENOSPC, " (-ENOSPC)" }, { XEN_E2BIG, " (-E2BIG)" },   { XEN_ENOSYS, " (-ENOSYS)" },
        { XEN_EDOM, " (-EDOM)" },     { XEN_ERANGE, " (-ERANGE)" }, { XEN_EAGAIN, " (-EAGAIN)" },
        { XEN_EOPNOTSUPP, " (-EOPNOTSUPP)" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (rc == -names[i].err)
            return names[i].name;
    return "";
}

unsigned int guest_arg_uint(const char *key, unsigned int dflt)
{
    const char *line = (const char *)start_info->cmd_line;
    size_t klen = strlen(key);

    for (const char *s = line; *s; s++) {
        unsigned int v = 0;

        if ((s != line && s[-1] != ' ') || strncmp(s, key, klen) || s[klen] != '=')
            continue;
        for (s += klen + 1; *s >= '0' && *s <= '9'; s++)
            v = v * 10 + (unsigned int)(*s - '0');
        return v;
    }
    return dflt;
}

void guest_start(start_info_t *si)
{
    start_info = si;
    /* Read through volatile: gcc folds a weak const's own initialiser. */
    if (*(const volatile int *)&guest_wants_trap_table)
        traps_init();
    guest_main();
    if (checks_failed)
        test_fail(guest_name, "%u of %u checks failed; first at %s", checks_failed,
                  checks_total, first_failure);
    test_pass(guest_name);
}
