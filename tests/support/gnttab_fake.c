/* SPDX-License-Identifier: MIT */
/* The fake machine for the grant-table tests: see gnttab_fake.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/page_info.h>
#include <keel/vcpu.h>
#include <public/grant_table.h>

#include "gnttab_fake.h"
#include "grant_internal.h"

struct fake_gnttab_machine gfake;
struct domain *dom0;
unsigned int gfake_heap_fail_after;
long gfake_heap_pages;
uint8_t (*gfake_mem)[4096];

static struct page_info ftable[FAKE_NR_FRAMES];
static bool heap_free[FAKE_NR_FRAMES];     /* heap frame on the free pool */
static struct vcpu *current;

#define PTE_P   0x1UL
#define PTE_RW  0x2UL
#define PTE_ADDR 0x000ffffffffff000UL

/* ---- Frame table hooks ---- */

static int fake_validate(struct page_info *pg, unsigned long type)
{
    (void)pg, (void)type;
    return 0;
}

static void fake_devalidate(struct page_info *pg, unsigned long type)
{
    (void)pg, (void)type;
}

static unsigned long mfn_of(const struct page_info *pg)
{
    return (unsigned long)(pg - ftable);
}

/* The last reference went: as the hypervisor's free_domain_page(). */
static void fake_free_page(struct page_info *pg)
{
    struct domain *d = pg->owner;
    bool xen_heap = pg->count_info & PGC_XEN_HEAP;
    unsigned long mfn = mfn_of(pg);

    pg->owner = NULL;
    pg->count_info = 0;
    pg->u.type_info = 0;
    if (mfn >= FAKE_HEAP_FIRST) {
        heap_free[mfn] = true;
        gfake_heap_pages--;
    }
    if (d)
        domain_release_pages(d, 1, xen_heap);
}

static const struct page_ops fake_page_ops = {
    .validate = fake_validate,
    .devalidate = fake_devalidate,
    .free_page = fake_free_page,
};

/* ---- Heap ---- */

static bool in_mem(const void *va)
{
    const uint8_t *p = va;

    return p >= gfake_mem[0] && p < gfake_mem[FAKE_NR_FRAMES];
}

void *alloc_xenheap_pages(unsigned int order)
{
    void *p;

    if (gfake_heap_fail_after && !--gfake_heap_fail_after)
        return NULL;
    if (order == 0) {
        for (unsigned long m = FAKE_HEAP_FIRST; m < FAKE_IO_MFN; m++)
            if (heap_free[m]) {
                heap_free[m] = false;
                gfake_heap_pages++;
                memset(gfake_mem[m], 0xa5, 4096);   /* callers must clear */
                return gfake_mem[m];
            }
        return NULL;
    }
    p = aligned_alloc(4096, 4096UL << order);
    if (!p)
        abort();
    memset(p, 0xa5, 4096UL << order);
    gfake_heap_pages += 1L << order;
    return p;
}

void *alloc_xenheap_pages_below(unsigned int order, unsigned long limit_mfn)
{
    (void)limit_mfn;
    return alloc_xenheap_pages(order);
}

void free_xenheap_pages(void *va, unsigned int order)
{
    if (!va)
        return;
    if (in_mem(va)) {
        unsigned long m = (unsigned long)((uint8_t (*)[4096])va - gfake_mem);

        if (order != 0 || heap_free[m] || ftable[m].count_info)
            abort();
        heap_free[m] = true;
        gfake_heap_pages--;
        return;
    }
    gfake_heap_pages -= 1L << order;
    free(va);
}

long hypercall_continue(unsigned long nr, unsigned long a1, unsigned long a2,
                        unsigned long a3, unsigned long a4, unsigned long a5)
{
    gfake.cont_nr = nr;
    gfake.cont_args[0] = a1;
    gfake.cont_args[1] = a2;
    gfake.cont_args[2] = a3;
    gfake.cont_args[3] = a4;
    gfake.cont_args[4] = a5;
    gfake.continuations++;
    return FAKE_CONTINUED;
}

/* ---- Domains ---- */

static struct fake_dom *fdom_of(const struct domain *d)
{
    for (unsigned int i = 0; i < FAKE_NR_DOMS; i++)
        if (&gfake.dom[i].d == d)
            return &gfake.dom[i];
    abort();
}

struct vcpu *current_vcpu(void)
{
    return current;
}

struct domain *get_domain_by_id(domid_t id)
{
    for (unsigned int i = 0; i < FAKE_NR_DOMS; i++)
        if (!gfake.dom[i].freed && gfake.dom[i].d.domain_id == id) {
            gfake.dom[i].d.refcnt++;
            return &gfake.dom[i].d;
        }
    return NULL;
}

void get_domain(struct domain *d)
{
    if (d->refcnt == 0)
        abort();
    d->refcnt++;
}

void put_domain(struct domain *d)
{
    if (d->refcnt == 0)
        abort();
    if (--d->refcnt)
        return;
    grant_table_destroy(d);
    fdom_of(d)->freed = true;
}

void domain_account_xen_page(struct domain *d)
{
    if (d->tot_pages + d->xenheap_pages == 0)
        get_domain(d);
    d->xenheap_pages++;
}

void domain_release_pages(struct domain *d, unsigned long nr, bool xen_heap)
{
    unsigned long *count = xen_heap ? &d->xenheap_pages : &d->tot_pages;

    if (nr > *count)
        abort();
    *count -= nr;
    if (nr && d->tot_pages + d->xenheap_pages == 0)
        put_domain(d);
}

/* ---- Arch hooks ---- */

void *arch_gnttab_map_frame(mfn_t mfn)
{
    if (mfn_x(mfn) >= FAKE_NR_FRAMES)
        abort();
    return gfake_mem[mfn_x(mfn)];
}

void arch_gnttab_unmap_frame(void *va)
{
    if (!in_mem(va))
        abort();
}

mfn_t arch_gnttab_virt_to_mfn(const void *va)
{
    if (!in_mem(va))
        abort();
    return _mfn((unsigned long)((const uint8_t (*)[4096])va - gfake_mem));
}

bool arch_gnttab_frame_ok(mfn_t mfn)
{
    return mfn_x(mfn) < FAKE_NR_FRAMES && mfn_x(mfn) != FAKE_IO_MFN;
}

void arch_gnttab_flush_tlb(void)
{
    gfake.tlb_flushes++;
}

void arch_gnttab_cache_clean(mfn_t mfn, unsigned int offset, unsigned int len)
{
    if (mfn_x(mfn) >= FAKE_NR_FRAMES || offset + len > 4096)
        abort();
    gfake.cache_cleans++;
}

/* The slot @addr names, or -1. */
static int slot_of(uint64_t addr, uint32_t flags)
{
    uint64_t base = (flags & GNTMAP_contains_pte) ? FAKE_PTE_MA_BASE : FAKE_VA_BASE;
    uint64_t step = (flags & GNTMAP_contains_pte) ? 8 : 4096;

    if (addr < base || (addr - base) % step || (addr - base) / step >= FAKE_BAD_SLOT)
        return -1;
    return (int)((addr - base) / step);
}

static void put_pte_refs(uint64_t e)
{
    struct page_info *pg;

    if (!(e & PTE_P))
        return;
    pg = &ftable[(e & PTE_ADDR) >> 12];
    if (e & PTE_RW)
        put_page_and_type(pg);
    else
        put_page(pg);
}

int arch_gnttab_create_host_mapping(uint64_t addr, mfn_t mfn, const struct domain *owner,
                                    uint32_t flags)
{
    struct fake_dom *fd = fdom_of(current->domain);
    int s = slot_of(addr, flags);
    uint64_t e = (mfn_x(mfn) << 12) | PTE_P | ((flags & GNTMAP_readonly) ? 0 : PTE_RW);
    struct page_info *pg;
    uint64_t old;

    if (s < 0 || !arch_gnttab_frame_ok(mfn))
        return GNTST_general_error;
    pg = &ftable[mfn_x(mfn)];
    if (get_page(pg, owner))
        return GNTST_general_error;
    if ((e & PTE_RW) && get_page_type(pg, PGT_WRITABLE)) {
        put_page(pg);
        return GNTST_general_error;
    }
    old = fd->slots[s];
    fd->slots[s] = e;
    put_pte_refs(old);
    return GNTST_okay;
}

int arch_gnttab_replace_host_mapping(uint64_t addr, mfn_t mfn, uint64_t new_addr,
                                     uint32_t flags)
{
    struct fake_dom *fd = fdom_of(current->domain);
    int s = slot_of(addr, flags);
    uint64_t moved = 0, cur;

    if (new_addr) {
        int ns = slot_of(new_addr, 0);

        if ((flags & GNTMAP_contains_pte) || ns < 0)
            return GNTST_general_error;
        moved = fd->slots[ns];
        fd->slots[ns] = 0;
    }
    cur = s < 0 ? 0 : fd->slots[s];
    if (s < 0 || !(cur & PTE_P) || ((cur & PTE_ADDR) >> 12) != mfn_x(mfn) ||
        !(cur & PTE_RW) != !!(flags & GNTMAP_readonly)) {
        put_pte_refs(moved);
        return GNTST_general_error;
    }
    fd->slots[s] = moved;
    put_pte_refs(cur);
    return GNTST_okay;
}

/* ---- The machine ---- */

void gfake_init(void)
{
    if (!gfake_mem) {
        gfake_mem = aligned_alloc(4096, (size_t)FAKE_NR_FRAMES * 4096);
        if (!gfake_mem)
            abort();
    }
    memset(&gfake, 0, sizeof(gfake));
    gfake_heap_fail_after = 0;
    gfake_heap_pages = 0;
    frame_table_init(ftable, FAKE_NR_FRAMES);
    frame_table_set_ops(&fake_page_ops);
    for (unsigned long m = 0; m < FAKE_NR_FRAMES; m++)
        heap_free[m] = m >= FAKE_HEAP_FIRST && m != FAKE_IO_MFN;
    memset(gfake_mem, 0, (size_t)FAKE_NR_FRAMES * 4096);

    for (unsigned int i = 0; i < FAKE_NR_DOMS; i++) {
        struct fake_dom *fd = &gfake.dom[i];
        struct domain *d = &fd->d;
        unsigned long first = i == FAKE_D0 ? FAKE_D0_FIRST : FAKE_D1_FIRST;

        d->domain_id = i == FAKE_D0 ? 0 : FAKE_D1_ID;
        d->is_privileged = i == FAKE_D0;
        d->max_vcpus = 1;
        d->vcpus = fd->vcpus;
        d->refcnt = 1;
        d->max_pages = FAKE_DOM_FRAMES;
        fd->vcpus[0] = &fd->vcpu;
        fd->vcpu.domain = d;
        fd->vcpu.is_up = true;
        for (unsigned long m = first; m < first + FAKE_DOM_FRAMES; m++)
            page_assign_owner(&ftable[m], d);
        d->tot_pages = FAKE_DOM_FRAMES;
        d->refcnt++;        /* owning frames */
        if (grant_table_init(d))
            abort();
    }
    dom0 = &gfake.dom[FAKE_D0].d;
    current = &gfake.dom[FAKE_D0].vcpu;
}

void gfake_domain_kill(unsigned int dom)
{
    struct fake_dom *fd = &gfake.dom[dom];
    struct domain *d = &fd->d;

    if (fd->killed)
        return;
    fd->killed = true;
    d->state = DOMAIN_DYING;
    d->is_dying = true;
    gnttab_release_mappings(d);
    /* Its page tables go: the PTEs' references with them. */
    for (unsigned int s = 0; s < FAKE_NR_SLOTS; s++) {
        put_pte_refs(fd->slots[s]);
        fd->slots[s] = 0;
    }
    /* Every allocation reference of its frames, the grant frames included. */
    for (unsigned long m = 0; m < FAKE_NR_FRAMES; m++) {
        struct page_info *pg = &ftable[m];

        if (pg->owner == d && (pg->count_info & PGC_ALLOCATED))
            page_release(pg);
    }
    d->state = DOMAIN_DEAD;
    put_domain(d);      /* the existence reference */
}

const char *gfake_fini(void)
{
    static char msg[160];

    for (unsigned int i = 0; i < FAKE_NR_DOMS; i++)
        gfake_domain_kill(i);
    for (unsigned int i = 0; i < FAKE_NR_DOMS; i++)
        if (!gfake.dom[i].freed) {
            snprintf(msg, sizeof(msg), "domain %u not freed (refcnt %lu, pages %lu+%lu)", i,
                     gfake.dom[i].d.refcnt, gfake.dom[i].d.tot_pages,
                     gfake.dom[i].d.xenheap_pages);
            return msg;
        }
    for (unsigned long m = 0; m < FAKE_NR_FRAMES; m++)
        if (ftable[m].count_info || ftable[m].u.type_info) {
            snprintf(msg, sizeof(msg), "frame %lu not released: count %#lx type %#lx", m,
                     ftable[m].count_info, ftable[m].u.type_info);
            return msg;
        }
    if (gfake_heap_pages) {
        snprintf(msg, sizeof(msg), "%ld heap pages leaked", gfake_heap_pages);
        return msg;
    }
    dom0 = NULL;
    current = NULL;
    return NULL;
}

struct domain *gfake_dom(unsigned int dom)
{
    return &gfake.dom[dom].d;
}

domid_t gfake_id(unsigned int dom)
{
    return gfake.dom[dom].d.domain_id;
}

void gfake_set_current(unsigned int dom)
{
    current = &gfake.dom[dom].vcpu;
}

void gfake_pte_write(unsigned int dom, unsigned int slot, uint64_t val)
{
    struct fake_dom *fd = &gfake.dom[dom];
    uint64_t old = fd->slots[slot];

    if (val & PTE_P) {
        struct page_info *pg = &ftable[(val & PTE_ADDR) >> 12];

        if (get_page(pg, &fd->d))
            abort();
        if ((val & PTE_RW) && get_page_type(pg, PGT_WRITABLE))
            abort();
    }
    fd->slots[slot] = val;
    put_pte_refs(old);
}

struct grant_entry_v1 *gfake_entry(unsigned int dom, grant_ref_t ref)
{
    struct grant_table *gt = gfake.dom[dom].d.grant_table;

    if (!gt || ref >= gt->nr_frames * GNTTAB_ENTRIES_PER_FRAME)
        abort();
    return &gt->shared[ref / GNTTAB_ENTRIES_PER_FRAME][ref % GNTTAB_ENTRIES_PER_FRAME];
}

void gfake_grant(unsigned int dom, grant_ref_t ref, uint16_t flags, domid_t domid, uint32_t frame)
{
    struct grant_entry_v1 *e = gfake_entry(dom, ref);

    e->domid = domid;
    e->frame = frame;
    __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
}
