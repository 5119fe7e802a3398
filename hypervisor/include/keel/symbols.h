/* SPDX-License-Identifier: MIT */
/* The hypervisor's own text symbols, embedded at link time for backtraces. */
#ifndef KEEL_SYMBOLS_H
#define KEEL_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Name the function containing addr: copies its name into name (bounded by
 * size) and sets *offset to addr's distance from its start. Returns false
 * if addr precedes every symbol or the table is empty.
 */
bool symbol_lookup(unsigned long addr, char *name, size_t size, unsigned long *offset);

#endif
