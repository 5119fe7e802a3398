/* SPDX-License-Identifier: MIT */
/*
 * Grant tables: how a domain offers its pages to another (common/grant_table.c).
 * What the domain lifecycle needs; the hypercall is do_grant_table_op().
 */
#ifndef KEEL_GRANT_TABLE_H
#define KEEL_GRANT_TABLE_H

struct domain;

/* Allocate d's (empty) grant table. Returns 0 or -ENOMEM. */
int grant_table_init(struct domain *d);

/*
 * d is dying: end every mapping d holds of other domains' grants (the
 * granters see them released), so only d's own table remains.
 */
void gnttab_release_mappings(struct domain *d);

/* Free d's grant table. d is unreachable. */
void grant_table_destroy(struct domain *d);

#endif
