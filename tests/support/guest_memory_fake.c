/* SPDX-License-Identifier: MIT */
/* Guest memory of the fake machines (see guest_memory_fake.h). */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <keel/errno.h>
#include <keel/guest_access.h>

#include "guest_memory_fake.h"

uint8_t fake_ro_page[4096];

static bool overlaps(unsigned long va, size_t len, unsigned long lo, unsigned long hi)
{
    return len && va < hi && va + len > lo;
}

bool guest_range_ok(unsigned long va, size_t len)
{
    if (va + len < va)
        return false;
    return !overlaps(va, len, 0, FAKE_BAD_VA_END);
}

int copy_from_guest(void *dst, unsigned long va, size_t len)
{
    if (!guest_range_ok(va, len))
        return -EFAULT;
    memcpy(dst, (const void *)va, len);
    return 0;
}

int copy_to_guest(unsigned long va, const void *src, size_t len)
{
    unsigned long ro = (unsigned long)fake_ro_page;

    if (!guest_range_ok(va, len) || overlaps(va, len, ro, ro + sizeof(fake_ro_page)))
        return -EFAULT;
    memcpy((void *)va, src, len);
    return 0;
}
