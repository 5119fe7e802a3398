/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor command-line parser. Options are matched against an explicit
 * table; the syntax is described at the top of common/cmdline.c.
 */
#ifndef KEEL_CMDLINE_H
#define KEEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest command line parsed; bytes beyond it are ignored with a warning. */
#define CMDLINE_MAX             1024

/* A size range member the command line did not give. */
#define CMDLINE_SIZE_UNSET      UINT64_MAX

/* Xen's "dom0_mem=[min:<size>,][max:<size>,][<size>]", in bytes. */
struct cmdline_size_range {
    uint64_t min;       /* "min:" or CMDLINE_SIZE_UNSET */
    uint64_t initial;   /* bare size or CMDLINE_SIZE_UNSET */
    uint64_t max;       /* "max:" or CMDLINE_SIZE_UNSET */
};

enum cmdline_kind {
    CMDLINE_BOOL,       /* name, noname, no-name, name=<bool> */
    CMDLINE_UINT,       /* name=<number>, decimal or 0x hex, in [min, max] */
    CMDLINE_SIZE,       /* name=<size> */
    CMDLINE_SIZE_RANGE, /* name=<size range> */
    CMDLINE_STRING,     /* name=<text>, must fit the buffer with its NUL */
    CMDLINE_CUSTOM,     /* name[=<text>] handed to a callback */
};

/*
 * Callback of a CMDLINE_CUSTOM option: @value is the text after '=' (quotes
 * removed, NUL-terminated, valid during the call only), or NULL for a bare
 * "name". Returns 0, or a negative errno to have the option reported as
 * malformed.
 */
typedef int (*cmdline_custom_fn)(const char *value);

struct cmdline_param {
    const char *name;
    enum cmdline_kind kind;
    union {
        bool *b;
        unsigned int *u;
        uint64_t *size;
        struct cmdline_size_range *range;
        char *str;
        cmdline_custom_fn fn;
    } var;
    /* CMDLINE_UINT bounds, inclusive. */
    unsigned int min, max;
    /* CMDLINE_STRING buffer size, NUL included. */
    size_t size;
};

/* Table entries; the union member assignment type-checks @var. */
#define CMDLINE_PARAM_BOOL(n, v) \
    { .name = (n), .kind = CMDLINE_BOOL, .var.b = (v) }
#define CMDLINE_PARAM_UINT(n, v, lo, hi) \
    { .name = (n), .kind = CMDLINE_UINT, .var.u = (v), .min = (lo), .max = (hi) }
#define CMDLINE_PARAM_SIZE(n, v) \
    { .name = (n), .kind = CMDLINE_SIZE, .var.size = (v) }
#define CMDLINE_PARAM_SIZE_RANGE(n, v) \
    { .name = (n), .kind = CMDLINE_SIZE_RANGE, .var.range = (v) }
/* @buf must be an array (its size is taken). */
#define CMDLINE_PARAM_STRING(n, buf) \
    { .name = (n), .kind = CMDLINE_STRING, .var.str = (buf), .size = sizeof(buf) }
#define CMDLINE_PARAM_CUSTOM(n, f) \
    { .name = (n), .kind = CMDLINE_CUSTOM, .var.fn = (f) }

/*
 * Parse @cmdline (NUL-terminated; NULL or empty parses nothing) against the
 * @nr entries of @params, storing each recognised value in its variable.
 * Later occurrences of an option override earlier ones. Nothing is fatal:
 * unknown options, malformed or out-of-range values (the variable keeps its
 * previous value), an unterminated quote and text beyond CMDLINE_MAX are
 * reported with printk(LOG_WARN "cmdline: ...") and skipped. Never writes
 * outside the variables of @params. If the boot loader puts the image name
 * first, the caller skips it.
 * Returns the number of warnings printed (0 if everything was understood).
 */
unsigned int cmdline_parse(const char *cmdline, const struct cmdline_param *params,
                           size_t nr);

/*
 * Parse a size: a number (decimal, or hex with 0x) followed by an optional
 * unit B, K, M, G or T (either case, powers of 1024); no unit means KiB, as
 * in Xen. On success stores the bytes in *@bytes and the end of the size in
 * *@end, and returns 0; returns -EINVAL if there is no number and -ERANGE if
 * the value does not fit 64 bits. Exposed for custom option callbacks.
 */
int cmdline_parse_size(const char *s, const char **end, uint64_t *bytes);

#endif
