/* SPDX-License-Identifier: MIT */
/*
 * keel/errno.h and the host libc <errno.h> coexist in the unit tests, and
 * every name the tests see has Xen's number. Here libc's header comes first
 * (keel's then defines nothing); test_frame_table.c includes them the other
 * way round (libc's then redefines each name with identical text).
 */
#include <errno.h>
#include <keel/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "host_shim.h"

/* Xen's numbering, from xen/include/public/errno.h. */
#define XEN_ERRNO_TABLE(X) \
    X(EPERM, 1) \
    X(ENOENT, 2) \
    X(ESRCH, 3) \
    X(EINTR, 4) \
    X(EIO, 5) \
    X(ENXIO, 6) \
    X(E2BIG, 7) \
    X(ENOEXEC, 8) \
    X(EBADF, 9) \
    X(ECHILD, 10) \
    X(EAGAIN, 11) \
    X(ENOMEM, 12) \
    X(EACCES, 13) \
    X(EFAULT, 14) \
    X(EBUSY, 16) \
    X(EEXIST, 17) \
    X(EXDEV, 18) \
    X(ENODEV, 19) \
    X(EINVAL, 22) \
    X(ENFILE, 23) \
    X(EMFILE, 24) \
    X(ENOSPC, 28) \
    X(EROFS, 30) \
    X(EMLINK, 31) \
    X(EDOM, 33) \
    X(ERANGE, 34) \
    X(EDEADLK, 35) \
    X(ENAMETOOLONG, 36) \
    X(ENOLCK, 37) \
    X(ENOSYS, 38) \
    X(ENOTEMPTY, 39) \
    X(ENODATA, 61) \
    X(ETIME, 62) \
    X(EBADMSG, 74) \
    X(EOVERFLOW, 75) \
    X(EILSEQ, 84) \
    X(ERESTART, 85) \
    X(ENOTSOCK, 88) \
    X(EOPNOTSUPP, 95) \
    X(EADDRINUSE, 98) \
    X(EADDRNOTAVAIL, 99) \
    X(ENOBUFS, 105) \
    X(EISCONN, 106) \
    X(ENOTCONN, 107) \
    X(ETIMEDOUT, 110) \
    X(ECONNREFUSED, 111)

#define CHECK(name, value) _Static_assert(name == value, #name " is not Xen's " #value);
XEN_ERRNO_TABLE(CHECK)
#undef CHECK

static const struct {
    const char *name;
    int value, expect;
} errnos[] = {
#define ROW(name, value) { #name, name, value },
    XEN_ERRNO_TABLE(ROW)
#undef ROW
};

static void test_errno_values(void **state)
{
    size_t i;

    (void)state;
    assert_int_equal((sizeof(errnos) / sizeof(errnos[0])), 46);
    for (i = 0; i < (sizeof(errnos) / sizeof(errnos[0])); i++)
        assert_int_equal(errnos[i].value, errnos[i].expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errno_values),
    };

    return cmocka_run_group_tests_name("errno", tests, NULL, NULL);
}
