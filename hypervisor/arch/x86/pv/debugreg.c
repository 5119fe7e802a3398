/* SPDX-License-Identifier: MIT */
/*
 * set_debugreg / get_debugreg: the guest's view of DR0-DR3, DR6 and DR7.
 * Values are checked as Xen checks them and kept per vCPU; they are not
 * yet loaded into the hardware registers, so guest breakpoints do not fire
 * (docs/abi.md says so).
 */
#include <asm/pv/pv.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>

#define DR6_RESERVED_ONE  0xffff0ff0UL
#define DR6_RESERVED_ZERO 0x00001000UL   /* bit 12 reads as zero */
#define DR7_RESERVED_ONE  0x00000400UL
#define DR7_RESERVED_ZERO 0xffffffff0000d000UL  /* bits 12, 14, 15 and 32-63 */

/* set_debugreg(reg, value) */
long do_set_debugreg(unsigned long reg, unsigned long value, unsigned long unused3,
                     unsigned long unused4, unsigned long unused5)
{
    struct arch_vcpu *a = current_vcpu()->arch;

    (void)unused3, (void)unused4, (void)unused5;
    switch (reg) {
    case 0: case 1: case 2: case 3:
        /* A breakpoint may only watch guest addresses. */
        if (!guest_range_ok(value, sizeof(long)))
            return -EPERM;
        break;
    case 6:
        value = (value & ~DR6_RESERVED_ZERO) | DR6_RESERVED_ONE;
        break;
    case 7:
        if (value & DR7_RESERVED_ZERO)
            return -EINVAL;
        value |= DR7_RESERVED_ONE;
        break;
    default:
        return -EINVAL;
    }
    a->debugreg[reg] = value;
    return 0;
}

/* get_debugreg(reg) */
long do_get_debugreg(unsigned long reg, unsigned long unused2, unsigned long unused3,
                     unsigned long unused4, unsigned long unused5)
{
    const struct arch_vcpu *a = current_vcpu()->arch;

    (void)unused2, (void)unused3, (void)unused4, (void)unused5;
    if (reg > 7 || reg == 4 || reg == 5)
        return -EINVAL;
    return (long)a->debugreg[reg];
}
