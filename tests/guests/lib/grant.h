/* SPDX-License-Identifier: MIT */
/*
 * Grant tables from a guest's side (v1), for the test guests that share
 * pages between domains: the granter's table set up and mapped, entries
 * written and ended with Linux's protocol (frame and domid, a write
 * barrier, then the flags; ending only an entry the hypervisor does not
 * mark GTF_reading/GTF_writing), and the grantee's map, unmap and copy
 * calls. Needs mmu_init(): the table is mapped at window slots
 * GRANT_WIN_SLOT.., and grant_map() maps at window slots the caller picks.
 */
#ifndef GUEST_GRANT_H
#define GUEST_GRANT_H

#include "guest.h"

/* Window slots our own grant-table frames are mapped at. */
#define GRANT_WIN_SLOT     400
#define GRANT_MAX_FRAMES   4
/* Refs 0-7 are reserved by convention (Linux's GNTTAB_NR_RESERVED_ENTRIES). */
#define GRANT_FIRST_REF    8

/* setup_table for nr_frames of our own table, and map them. 0 or the error/status. */
long grant_setup(unsigned int nr_frames);

/* Our entry ref (grant_setup() first). */
volatile grant_entry_v1_t *grant_entry(grant_ref_t ref);

/* Let domid map or copy frame mfn through ref (read-only if ro). */
void grant_access(grant_ref_t ref, domid_t domid, unsigned long mfn, bool ro);

/*
 * End ref's access, unless the hypervisor marks it in use (mapped or
 * being copied): returns false then and leaves it granted.
 */
bool grant_end(grant_ref_t ref);

/* One map_grant_ref of dom's ref at window slot slot; *handle for unmap. GNTST_*. */
int16_t grant_map(domid_t dom, grant_ref_t ref, unsigned int slot, bool ro,
                  grant_handle_t *handle);

/* unmap_grant_ref of handle mapped at window slot slot. GNTST_*. */
int16_t grant_unmap(unsigned int slot, grant_handle_t handle);

/*
 * A GNTTABOP_copy op of len bytes from src at soff to dst at doff: with
 * GNTCOPY_source_gref / GNTCOPY_dest_gref in flags that side is a grant
 * ref of domain granter, otherwise a frame of our own.
 */
struct gnttab_copy grant_copy_op(domid_t granter, uint16_t flags, uint64_t src, uint16_t soff,
                                 uint64_t dst, uint16_t doff, uint16_t len);

/* One GNTTABOP_copy op (the caller fills it); its status, or the hypercall's error. */
long grant_copy(struct gnttab_copy *op);

#endif /* GUEST_GRANT_H */
