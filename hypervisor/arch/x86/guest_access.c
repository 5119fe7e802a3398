/* SPDX-License-Identifier: MIT */
/*
 * Guest memory access for PV guests, whose page tables are live while the
 * hypervisor runs on their behalf. A guest may name the lower canonical
 * half and the upper half above the hypervisor's slots 256-271; anything
 * in the hole or non-canonical is refused before it is touched, and page
 * faults during the copy are turned into -EFAULT by raw_copy_guest's
 * fixup. SMAP is not enabled, so no STAC/CLAC is needed.
 */
#include <asm/config.h>
#include <keel/errno.h>
#include <keel/guest_access.h>

#define LOWER_HALF_END 0x0000800000000000UL

unsigned long raw_copy_guest(void *dst, const void *src, unsigned long n);

bool guest_range_ok(unsigned long va, size_t len)
{
    unsigned long end = va + len;   /* exclusive */

    if (end < va)
        return false;
    if (!len)
        return true;
    if (end <= LOWER_HALF_END)
        return true;
    return va >= HYPERVISOR_VIRT_END;
}

int copy_from_guest(void *dst, unsigned long va, size_t len)
{
    if (!guest_range_ok(va, len))
        return -EFAULT;
    return raw_copy_guest(dst, (const void *)va, len) ? -EFAULT : 0;
}

int copy_to_guest(unsigned long va, const void *src, size_t len)
{
    if (!guest_range_ok(va, len))
        return -EFAULT;
    return raw_copy_guest((void *)va, src, len) ? -EFAULT : 0;
}
