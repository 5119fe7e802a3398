/* SPDX-License-Identifier: MIT */
/*
 * Console output of the test guests: everything goes through
 * HYPERVISOR_console_io(CONSOLEIO_write), which a dom0 may use before it
 * has any other console.  The formatter is the guest's own (%d %i %u %x %X
 * %o %p %s %c %%, flags '-' '0' '#' ' ' '+', field width and precision
 * (also '*'), length modifiers hh h l ll z t j).
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

#define __printf(a, b) __attribute__((format(printf, a, b)))

/* Formats into buf (always NUL-terminated if size > 0); returns the length
 * the whole output would have had, like C99 vsnprintf. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Writes len bytes to the console; returns 0 or the hypercall's error. */
long console_write(const char *s, size_t len);

/* Formats and writes; lines longer than 512 bytes are cut. */
void printf(const char *fmt, ...) __printf(1, 2);
void vprintf(const char *fmt, va_list ap);

/* The first console_io error seen (0 if none). */
extern long console_error;

/* Starts a new line unless the console is already at the start of one. */
void console_newline(void);

#endif /* GUEST_CONSOLE_H */
