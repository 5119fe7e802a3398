/* SPDX-License-Identifier: MIT */
/* Keel xenstored: the optional store journal (journal.c). */
#ifndef KEEL_XS_JOURNAL_H
#define KEEL_XS_JOURNAL_H

#include "xs_core.h"

struct xs_journal;

/* Replay @path into @xsd (if it exists), rewrite it as a snapshot and log
 * every later change to it. NULL (errno set) if the file cannot be written. */
struct xs_journal *journal_open(struct xsd *xsd, const char *path);
void journal_close(struct xs_journal *j);

#endif
