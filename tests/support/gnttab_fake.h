/* SPDX-License-Identifier: MIT */
/*
 * A fake machine for the grant-table code (hypervisor/common/grant_*.c) on
 * the real frame table, shared by the unit tests and the fuzzer; host code,
 * not in the hypervisor build.
 *
 * Memory: FAKE_NR_FRAMES frames of 4 KiB. D0 (id 0, privileged) owns
 * frames [FAKE_D0_FIRST, +FAKE_DOM_FRAMES), D1 (id FAKE_D1_ID) the next
 * FAKE_DOM_FRAMES; the rest is the hypervisor heap: order-0 heap pages
 * (grant-table frames, active and maptrack pages) are frames of it, so
 * they have MFNs; larger allocations are host memory. Frame FAKE_IO_MFN is
 * "I/O": in the frame table, never grantable. Page-table types validate
 * trivially (nothing is a real page table here).
 *
 * Host mappings: each domain has FAKE_NR_SLOTS fake L1 entries. A linear
 * host_addr names slot s as FAKE_VA(s); with GNTMAP_contains_pte the
 * "machine address" FAKE_PTE_MA(s) does. A present slot holds the
 * references of an ordinary L1 entry (general, + writable type if RW),
 * exactly as the engine's pt_grant.c does; fake_pte_write() is the guest
 * overwriting the entry (dropping them). Slot FAKE_BAD_SLOT is "not an L1":
 * every mapping there fails.
 *
 * Domains are reference counted as keel/domain.h says: the existence
 * reference, one while they own frames, and whatever the grant code takes;
 * fake_domain_kill() is domain_kill() (release the grant mappings, the page
 * tables = the fake slots, the allocation references), and the last
 * put_domain() runs grant_table_destroy() and marks the domain freed.
 * Guest memory is host memory; [0, FAKE_BAD_VA_END) fails every copy and
 * fake_ro_page fails copies to the guest. hypercall_continue() records its
 * arguments and returns FAKE_CONTINUED.
 */
#ifndef TESTS_SUPPORT_GNTTAB_FAKE_H
#define TESTS_SUPPORT_GNTTAB_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/domain.h>
#include <keel/page_info.h>
#include <keel/vcpu.h>
#include <public/grant_table.h>

#include "guest_memory_fake.h"

#define FAKE_NR_DOMS        2
#define FAKE_D0             0
#define FAKE_D1             1
#define FAKE_D1_ID          5
#define FAKE_DOM_FRAMES     16
#define FAKE_D0_FIRST       0
#define FAKE_D1_FIRST       FAKE_DOM_FRAMES
#define FAKE_HEAP_FIRST     (2 * FAKE_DOM_FRAMES)
#define FAKE_NR_FRAMES      512
#define FAKE_IO_MFN         (FAKE_NR_FRAMES - 1)

#define FAKE_NR_SLOTS       16
#define FAKE_BAD_SLOT       (FAKE_NR_SLOTS - 1)
#define FAKE_VA_BASE        0x40000000UL
#define FAKE_VA(s)          (FAKE_VA_BASE + (unsigned long)(s) * 4096)
#define FAKE_PTE_MA_BASE    0x7000000UL
#define FAKE_PTE_MA(s)      (FAKE_PTE_MA_BASE + (unsigned long)(s) * 8)

#define FAKE_CONTINUED      0x7c0de

struct fake_dom {
    struct domain d;
    struct vcpu vcpu;
    struct vcpu *vcpus[1];
    uint64_t slots[FAKE_NR_SLOTS];  /* fake L1 entries */
    bool killed;                    /* fake_domain_kill() ran */
    bool freed;                     /* the last reference went */
};

struct fake_gnttab_machine {
    struct fake_dom dom[FAKE_NR_DOMS];
    unsigned int tlb_flushes;
    unsigned int cache_cleans;
    /* The last hypercall_continue(). */
    unsigned long cont_nr, cont_args[5];
    unsigned int continuations;
};

extern struct fake_gnttab_machine gfake;
/* 0: allocations succeed; n > 0: the n-th heap allocation from now fails. */
extern unsigned int gfake_heap_fail_after;
/* Heap pages out (order-0 frames and host allocations, in pages). */
extern long gfake_heap_pages;
/* Frame contents. */
extern uint8_t (*gfake_mem)[4096];

/* Build the frame table and both domains (grant_table_init() included); current = D0. */
void gfake_init(void);
/* Kill and free every domain; returns NULL, or what was left behind. */
const char *gfake_fini(void);
/* domain_kill() for one domain: grant mappings, page tables, frames; then its existence reference. */
void gfake_domain_kill(unsigned int dom);

struct domain *gfake_dom(unsigned int dom);
domid_t gfake_id(unsigned int dom);
void gfake_set_current(unsigned int dom);
/* The guest overwrites fake L1 slot @slot of @dom with @val (0 or a PTE of its own frame). */
void gfake_pte_write(unsigned int dom, unsigned int slot, uint64_t val);
/* Entry @ref of dom's table (which must have it). */
struct grant_entry_v1 *gfake_entry(unsigned int dom, grant_ref_t ref);
/* The granter writes entry ref. */
void gfake_grant(unsigned int dom, grant_ref_t ref, uint16_t flags, domid_t domid, uint32_t frame);

#endif
