/* SPDX-License-Identifier: MIT */
/*
 * The small runtime every hypervisor file may use: logging, fatal stops,
 * assertions and the string functions. Pure declarations, so portable code
 * built into host unit tests links against a host shim instead.
 */
#ifndef KEEL_LIB_H
#define KEEL_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Log levels, given as a prefix of the format string:
 *     printk(LOG_WARN "bad option '%s'\n", opt);
 * A message without a prefix is LOG_INFO. "loglvl=N" on the command line
 * prints levels <= N.
 */
#define LOG_ERR     "<1>"
#define LOG_WARN    "<2>"
#define LOG_INFO    "<3>"
#define LOG_DEBUG   "<4>"

#define __printf(a, b)  __attribute__((format(printf, a, b)))
#define __noreturn      __attribute__((noreturn))
#define __unused        __attribute__((unused))
#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))

void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list ap);
/* Stop the machine with a message a person can act on. Never returns. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* Report a broken hypervisor invariant at file:line, then panic. */
void bug_at(const char *file, int line, const char *cond) __noreturn;

/* Always checked: a broken invariant stops the hypervisor. */
#define BUG_ON(cond) \
    do { if (unlikely(cond)) bug_at(__FILE__, __LINE__, #cond); } while (0)
#define BUG() bug_at(__FILE__, __LINE__, "BUG")

/* Checked in debug builds only (hot paths). */
#ifdef NDEBUG
#define ASSERT(cond) do { (void)sizeof(cond); } while (0)
#else
#define ASSERT(cond) BUG_ON(!(cond))
#endif

int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
unsigned long strtoul(const char *s, char **end, int base);

#define min(a, b) ({ __typeof__(a) _min_a = (a); __typeof__(b) _min_b = (b); \
                           _min_a < _min_b ? _min_a : _min_b; })
#define max(a, b) ({ __typeof__(a) _max_a = (a); __typeof__(b) _max_b = (b); \
                           _max_a > _max_b ? _max_a : _max_b; })
#define ROUNDUP(x, a)   (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ROUNDDOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

#endif
