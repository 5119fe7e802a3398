/* SPDX-License-Identifier: MIT */
/*
 * physdev_op, the PV interface to physical-device resources. Only the
 * virtual IOPL exists so far; interrupt routing comes with dom0 drivers.
 */
#include <asm/pv/pv.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <public/physdev.h>

/* physdev_op(cmd, arg) */
long do_physdev_op(unsigned long cmd, unsigned long arg, unsigned long unused3,
                   unsigned long unused4, unsigned long unused5)
{
    (void)unused3, (void)unused4, (void)unused5;
    switch (cmd) {
    case PHYSDEVOP_set_iopl: {
        struct physdev_set_iopl s;

        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (s.iopl > 3)
            return -EINVAL;
        current_vcpu()->arch->iopl = s.iopl;
        return 0;
    }
    default:
        return -ENOSYS;
    }
}
