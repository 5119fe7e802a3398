/* SPDX-License-Identifier: MIT */
/*
 * Grant tables: how a domain offers its pages to another (common/grant_table.c,
 * grant_map.c, grant_copy.c; the model is described in grant_table.c). What
 * the domain lifecycle needs, and the hooks the portable code calls into the
 * architecture for; the hypercall is do_grant_table_op() (keel/hypercall.h).
 */
#ifndef KEEL_GRANT_TABLE_H
#define KEEL_GRANT_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/frame_types.h>

struct domain;

/* Xen's default limit on a domain's grant-table frames (gnttab_max_frames=). */
#define GNTTAB_DEFAULT_MAX_FRAMES   64U
/* The largest gnttab_max_frames= accepted. */
#define GNTTAB_MAX_FRAMES_LIMIT     1024U

/* Frames of a new domain's table (gnttab_max_frames=, default 64). */
extern unsigned int opt_gnttab_max_frames;

/*
 * Allocate d's grant table with one (empty) frame shared with d, growing
 * up to opt_gnttab_max_frames frames. Returns 0 or -ENOMEM (nothing held).
 */
int grant_table_init(struct domain *d);

/*
 * d is dying (its vCPUs stopped for good): end every mapping d holds of
 * grants (the granters see GTF_reading/GTF_writing go), free d's maptrack,
 * and give back the hypervisor's reference on d's own table frames, which
 * go with d's other frames. A PV host mapping's page-table references are
 * not dropped here: they belong to the PTE, and d's page-table teardown
 * (arch_domain_relinquish()) drops them. Grants of d that other domains
 * still map stay pinned (their frames referenced) until those unmap.
 */
void gnttab_release_mappings(struct domain *d);

/* Free d's grant table. d is unreachable: nothing pins its grants. */
void grant_table_destroy(struct domain *d);

/* ---- Architecture hooks (x86: arch/x86/pv/grant_mapping.c) ---- */

/* The hypervisor's mapping of RAM frame @mfn, and its undoing. */
void *arch_gnttab_map_frame(mfn_t mfn);
void arch_gnttab_unmap_frame(void *va);

/* The MFN of a page from alloc_xenheap_pages(). */
mfn_t arch_gnttab_virt_to_mfn(const void *va);

/* Whether @mfn may be granted at all: a RAM frame in the frame table. */
bool arch_gnttab_frame_ok(mfn_t mfn);

/*
 * GNTMAP_host_map for the current vCPU: install the mapping of @mfn, owned
 * by @owner, described by @addr and GNTMAP_* @flags (a linear address, or
 * with GNTMAP_contains_pte the machine address of an L1 entry). The
 * mapping takes its own frame references (a PTE's). Returns GNTST_okay or
 * GNTST_general_error (bad address, no L1 there, frame refused); nothing
 * changed on error.
 */
int arch_gnttab_create_host_mapping(uint64_t addr, mfn_t mfn, const struct domain *owner,
                                    uint32_t flags);

/*
 * Remove the host mapping of @mfn at @addr made with @flags, if it is
 * still there (else GNTST_general_error, nothing changed), dropping its
 * references; with @new_addr (GNTTABOP_unmap_and_replace, linear mappings
 * only) the entry mapping @new_addr moves into its place instead. Returns
 * GNTST_okay or GNTST_general_error.
 */
int arch_gnttab_replace_host_mapping(uint64_t addr, mfn_t mfn, uint64_t new_addr,
                                     uint32_t flags);

/* Flush every CPU's TLB (after host mappings went, before their frames are released). */
void arch_gnttab_flush_tlb(void);

/* GNTTAB_CACHE_CLEAN of @len bytes at @offset of frame @mfn. */
void arch_gnttab_cache_clean(mfn_t mfn, unsigned int offset, unsigned int len);

#endif
