/* SPDX-License-Identifier: MIT */
/*
 * Grant tables. A domain's table holds no state until grant_table_op is
 * implemented; its lifecycle hooks keep the domain code's contract.
 */
#include <stddef.h>

#include <keel/domain.h>
#include <keel/grant_table.h>

int grant_table_init(struct domain *d)
{
    d->grant_table = NULL;
    return 0;
}

void gnttab_release_mappings(struct domain *d)
{
    (void)d;
}

void grant_table_destroy(struct domain *d)
{
    d->grant_table = NULL;
}
