/* SPDX-License-Identifier: MIT */
/* Console control beyond printk (see keel/lib.h). */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#define CONSOLE_DEFAULT_LOGLEVEL 3   /* errors, warnings, info */

/* Print messages of level <= level from now on. */
void console_set_loglevel(unsigned int level);
/* Take the console from whoever holds it; the panic and fatal-trap paths. */
void console_force_unlock(void);

#endif
