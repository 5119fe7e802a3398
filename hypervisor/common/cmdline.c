/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor command-line parser.
 *
 * Syntax: options separated by blanks (space, tab, newline). An option is
 * "name", "name=value", or for booleans "noname" / "no-name". Double quotes
 * group blanks into a value and are removed ("console=\"com1 vga\"").
 * Names compare with '-' and '_' equivalent, as in Xen. Values by kind:
 *   bool        1 yes true on enable | 0 no false off disable
 *   uint        decimal or 0x hex, within the entry's [min, max]
 *   size        number + optional unit B K M G T (x1024 steps, either case);
 *               no unit means KiB (Xen's rule, so Xen command lines mean
 *               the same here)
 *   size range  comma-separated sizes, each bare (initial) or prefixed
 *               "min:" or "max:", e.g. "dom0_mem=512M,max:1G"; members not
 *               given keep their previous value
 *   string      copied whole if it fits the buffer with its NUL
 *   custom      handed to the entry's callback
 *
 * Errors are never fatal: a warning names the option and the variable keeps
 * its value (a value is validated completely before anything is stored).
 * The line is read up to CMDLINE_MAX bytes; an option cut by that bound is
 * dropped rather than half-parsed. Tokens are copied into a stack buffer of
 * CMDLINE_MAX + 1 bytes, which no token can exceed.
 *
 * No locks: called once on the boot CPU before anything reads the options.
 */
#include <keel/cmdline.h>
#include <keel/errno.h>
#include <keel/lib.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Name comparison with '-' == '_'. */
static bool name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '-' ? '_' : *a;
        char y = *b == '-' ? '_' : *b;

        if (x != y)
            return false;
    }
    return *a == *b;
}

static const struct cmdline_param *find_param(const struct cmdline_param *params,
                                              size_t nr, const char *name)
{
    size_t i;

    for (i = 0; i < nr; i++)
        if (name_eq(params[i].name, name))
            return &params[i];
    return NULL;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/* Unsigned number, decimal or 0x hex. Returns 0, -EINVAL (no digits) or
 * -ERANGE (does not fit 64 bits). */
static int parse_u64(const char *s, const char **end, uint64_t *out)
{
    unsigned int base = 10;
    uint64_t v = 0;
    const char *p = s;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
        base = 16;
        p += 2;
    }
    if (digit_value(*p) >= (int)base)
        return -EINVAL;
    for (; digit_value(*p) < (int)base; p++) {
        unsigned int d = (unsigned int)digit_value(*p);

        if (v > (UINT64_MAX - d) / base)
            return -ERANGE;
        v = v * base + d;
    }
    *end = p;
    *out = v;
    return 0;
}

int cmdline_parse_size(const char *s, const char **end, uint64_t *bytes)
{
    const char *p;
    unsigned int shift;
    uint64_t v;
    int rc = parse_u64(s, &p, &v);

    if (rc)
        return rc;

    switch (*p) {
    case 'b': case 'B': shift = 0;  p++; break;
    case 'k': case 'K': shift = 10; p++; break;
    case 'm': case 'M': shift = 20; p++; break;
    case 'g': case 'G': shift = 30; p++; break;
    case 't': case 'T': shift = 40; p++; break;
    default:            shift = 10;      break;
    }
    if (v > (UINT64_MAX >> shift))
        return -ERANGE;

    *bytes = v << shift;
    *end = p;
    return 0;
}

static int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "1", "yes", "true", "on", "enable" };
    static const char *const no[] = { "0", "no", "false", "off", "disable" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

/* A whole size range value; commits only if every member parses. */
static int parse_size_range(const char *s, struct cmdline_size_range *range)
{
    struct cmdline_size_range r = *range;

    for (;;) {
        uint64_t *member = &r.initial;
        const char *end;
        uint64_t v;

        if (strncmp(s, "min:", 4) == 0) {
            member = &r.min;
            s += 4;
        } else if (strncmp(s, "max:", 4) == 0) {
            member = &r.max;
            s += 4;
        }
        if (cmdline_parse_size(s, &end, &v))
            return -EINVAL;
        *member = v;
        if (*end == '\0')
            break;
        if (*end != ',')
            return -EINVAL;
        s = end + 1;
    }

    *range = r;
    return 0;
}

static unsigned int warn_value(const char *name, const char *value)
{
    printk(LOG_WARN "cmdline: bad value in '%s%s%s' ignored\n", name,
           value ? "=" : "", value ? value : "");
    return 1;
}

/* One option, split into @name and @value (NULL without '=').
 * Returns the number of warnings printed. */
static unsigned int parse_option(const char *name, const char *value,
                                 const struct cmdline_param *params, size_t nr)
{
    const struct cmdline_param *p = find_param(params, nr, name);
    bool negated = false;
    const char *end;
    uint64_t v;
    bool b;

    if (p == NULL && strncmp(name, "no", 2) == 0) {
        const char *rest = name + 2 + (name[2] == '-');

        p = find_param(params, nr, rest);
        if (p != NULL && p->kind != CMDLINE_BOOL)
            p = NULL;
        negated = true;
    }
    if (p == NULL) {
        printk(LOG_WARN "cmdline: unknown option '%s%s%s' ignored\n", name,
               value ? "=" : "", value ? value : "");
        return 1;
    }

    switch (p->kind) {
    case CMDLINE_BOOL:
        if (value == NULL)
            b = !negated;
        else if (negated || parse_bool(value, &b))
            return warn_value(name, value);
        *p->var.b = b;
        return 0;

    case CMDLINE_UINT:
        if (value == NULL || parse_u64(value, &end, &v) || *end != '\0')
            return warn_value(name, value);
        if (v < p->min || v > p->max) {
            printk(LOG_WARN "cmdline: '%s=%s' out of range [%u, %u], ignored\n",
                   name, value, p->min, p->max);
            return 1;
        }
        *p->var.u = (unsigned int)v;
        return 0;

    case CMDLINE_SIZE:
        if (value == NULL || cmdline_parse_size(value, &end, &v) || *end != '\0')
            return warn_value(name, value);
        *p->var.size = v;
        return 0;

    case CMDLINE_SIZE_RANGE:
        if (value == NULL || parse_size_range(value, p->var.range))
            return warn_value(name, value);
        return 0;

    case CMDLINE_STRING:
        if (value == NULL)
            return warn_value(name, value);
        if (strlen(value) >= p->size) {
            printk(LOG_WARN "cmdline: value of '%s' longer than %zu bytes, ignored\n",
                   name, p->size - 1);
            return 1;
        }
        memcpy(p->var.str, value, strlen(value) + 1);
        return 0;

    case CMDLINE_CUSTOM:
        if (p->var.fn(value) < 0)
            return warn_value(name, value);
        return 0;
    }

    BUG();
}

unsigned int cmdline_parse(const char *cmdline, const struct cmdline_param *params,
                           size_t nr)
{
    char tok[CMDLINE_MAX + 1];
    unsigned int warnings = 0;
    size_t len, pos = 0;
    bool overlong;

    if (cmdline == NULL)
        return 0;

    len = strnlen(cmdline, CMDLINE_MAX + 1);
    overlong = len > CMDLINE_MAX;
    if (overlong) {
        printk(LOG_WARN "cmdline: longer than %u bytes, rest ignored\n",
               (unsigned int)CMDLINE_MAX);
        warnings++;
        len = CMDLINE_MAX;
    }

    for (;;) {
        bool quote = false;
        size_t t = 0;
        char *value;

        while (pos < len && is_blank(cmdline[pos]))
            pos++;
        if (pos == len)
            break;

        /* t <= pos < len <= CMDLINE_MAX: tok cannot overflow. */
        for (; pos < len && (quote || !is_blank(cmdline[pos])); pos++) {
            if (cmdline[pos] == '"')
                quote = !quote;
            else
                tok[t++] = cmdline[pos];
        }
        tok[t] = '\0';

        if (pos == len && overlong && !is_blank(cmdline[len])) {
            printk(LOG_WARN "cmdline: option '%s' cut off by the length limit, ignored\n",
                   tok);
            warnings++;
            break;
        }
        if (quote) {
            printk(LOG_WARN "cmdline: unterminated quote in '%s', ignored\n", tok);
            warnings++;
            break;
        }
        if (t == 0)
            continue;

        value = strchr(tok, '=');
        if (value != NULL)
            *value++ = '\0';
        if (tok[0] == '\0') {
            printk(LOG_WARN "cmdline: option without a name '=%s' ignored\n", value);
            warnings++;
            continue;
        }
        warnings += parse_option(tok, value, params, nr);
    }

    return warnings;
}
