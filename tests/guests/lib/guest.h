/* SPDX-License-Identifier: MIT */
/*
 * The PV test-guest framework: what every guest includes.
 *
 * A guest is one C file that defines guest_main(); head.S enters the
 * framework (guest_start() in test.c), which keeps the start_info pointer,
 * installs the default trap table and calls guest_main().  When that
 * returns, the framework prints the single RESULT line and powers off.
 * Freestanding: no libc; the few string functions below are the
 * framework's own.
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypercall.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE     4096UL
#define PAGE_SHIFT    12
#define barrier()     asm volatile("" ::: "memory")

/* The guest's start_info, as the hypervisor passed it in RSI. */
extern start_info_t *start_info;

/* The guest's test; returns when done (expectations are recorded). */
void guest_main(void);

/* Linker-script symbols. */
extern char _text[], _etext[], _data[], __bss_start[], __bss_end[], _end[];

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif /* GUEST_GUEST_H */
