/* SPDX-License-Identifier: MIT */
/*
 * Copying to and from the current guest's address space. Every guest
 * pointer is untrusted: the range is checked against the parts of the
 * address space a guest may name, and a fault while copying is caught.
 */
#ifndef KEEL_GUEST_ACCESS_H
#define KEEL_GUEST_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

/* True if [va, va+len) is entirely guest address space (no wrap, no hole). */
bool guest_range_ok(unsigned long va, size_t len);

/* Copy len bytes from guest va. Returns 0, or -EFAULT (dst contents then undefined). */
int copy_from_guest(void *dst, unsigned long va, size_t len);

/* Copy len bytes to guest va. Returns 0, or -EFAULT (a prefix may have been written). */
int copy_to_guest(unsigned long va, const void *src, size_t len);

#endif
