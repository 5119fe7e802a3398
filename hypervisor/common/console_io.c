/* SPDX-License-Identifier: MIT */
/*
 * The console_io hypercall: guests write to the hypervisor console, and
 * the control domain reads console input.
 *
 * Work per call is bounded: a write copies at most CONSOLE_IO_BUDGET bytes
 * and then continues itself (the guest re-issues the hypercall with the
 * rest), so a huge count cannot hold the CPU.
 */
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/vcpu.h>
#include <public/xen.h>

#define CONSOLE_IO_CHUNK  128
#define CONSOLE_IO_BUDGET 16384

static long console_write(struct domain *d, unsigned long count, unsigned long buf)
{
    char chunk[CONSOLE_IO_CHUNK];
    unsigned long done = 0;

    if (!guest_range_ok(buf, count))
        return -EFAULT;
    while (done < count) {
        size_t n = min(count - done, (unsigned long)sizeof(chunk));

        if (done >= CONSOLE_IO_BUDGET)
            return hypercall_continue(__HYPERVISOR_console_io, CONSOLEIO_write, count - done,
                                      buf + done, 0, 0);
        if (copy_from_guest(chunk, buf + done, n))
            return -EFAULT;
        console_guest_write(d->domain_id, chunk, n);
        done += n;
    }
    return 0;
}

static long console_read(unsigned long count, unsigned long buf)
{
    char chunk[CONSOLE_IO_CHUNK];
    size_t n = 0;

    count = min(count, (unsigned long)sizeof(chunk));
    if (!guest_range_ok(buf, count))
        return -EFAULT;
    while (n < count && console_read_char(&chunk[n]))
        n++;
    if (n && copy_to_guest(buf, chunk, n))
        return -EFAULT;
    return (long)n;
}

/* console_io(cmd, count, buf) */
long do_console_io(unsigned long cmd, unsigned long count, unsigned long buf,
                   unsigned long unused4, unsigned long unused5)
{
    struct domain *d = current_vcpu()->domain;

    (void)unused4, (void)unused5;
    switch (cmd) {
    case CONSOLEIO_write:
        return console_write(d, count, buf);
    case CONSOLEIO_read:
        if (!d->is_privileged)
            return -EPERM;
        if (count > INT32_MAX)
            return -E2BIG;
        return console_read(count, buf);
    default:
        return -ENOSYS;
    }
}
