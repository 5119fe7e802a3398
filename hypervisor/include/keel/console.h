/* SPDX-License-Identifier: MIT */
/* Console control beyond printk (see keel/lib.h). */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_DEFAULT_LOGLEVEL 3   /* errors, warnings, info */

/* Print messages of level <= level from now on. */
void console_set_loglevel(unsigned int level);

/*
 * Copy up to count bytes of the console ring into buf, from *index (with
 * incremental; clamped to what the ring still holds) or from the oldest
 * byte not cleared. *index becomes the next byte to read; clear makes
 * the bytes read invisible to later non-incremental reads. Returns the
 * bytes copied.
 */
uint32_t console_ring_read(char *buf, uint32_t count, uint32_t *index, bool incremental,
                           bool clear);
/*
 * Whether a message a guest can provoke may be printed now (a token
 * bucket shared by all such messages). Use as:
 *     if (printk_ratelimit()) printk(...);
 */
bool printk_ratelimit(void);

/* Take the console from whoever holds it; the panic and fatal-trap paths. */
void console_force_unlock(void);

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Write a guest's console output: dom0's text as it is, other domains'
 * lines tagged "(dN) ".
 */
void console_guest_write(uint16_t domid, const char *buf, size_t len);

/* Take one character of buffered console input if there is one. */
bool console_read_char(char *c);

/* Start polling console input for dom0 (VIRQ_CONSOLE). After timers work. */
void console_input_start(void);

#endif
