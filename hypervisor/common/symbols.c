/* SPDX-License-Identifier: MIT */
/*
 * Symbol lookup over the table scripts/gen-symbols.sh generates from the
 * first link of the image: addresses sorted ascending, each with an offset
 * into one string blob. The table is read-only data; no locking.
 */
#include <keel/lib.h>
#include <keel/symbols.h>

extern const unsigned long symbols_count;
extern const unsigned long symbols_addrs[];
extern const unsigned int symbols_name_offsets[];
extern const char symbols_names[];

bool symbol_lookup(unsigned long addr, char *name, size_t size, unsigned long *offset)
{
    unsigned long lo = 0, hi = symbols_count;

    if (!hi || addr < symbols_addrs[0])
        return false;
    /* Find the last entry whose address is <= addr. */
    while (hi - lo > 1) {
        unsigned long mid = lo + (hi - lo) / 2;

        if (symbols_addrs[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    strlcpy(name, symbols_names + symbols_name_offsets[lo], size);
    *offset = addr - symbols_addrs[lo];
    return true;
}
