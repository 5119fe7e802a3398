/* SPDX-License-Identifier: MIT */
/*
 * The test guests' PV domain builder (see builder.h). The image is parsed
 * and loaded by the hypervisor's own ELF loader (common/elf_image.c,
 * shared with the guests like string.c), so the builder and Keel's dom0
 * builder agree on what a Xen-ABI image is.
 */
#define __XEN_TOOLS__ 1

#include <keel/elf_image.h>

#include "builder.h"
#include "event.h"
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "pvclock.h"
#include "test.h"

#define MB              (1UL << 20)
#define REGION_ALIGN    (4 * MB)
#define REGION_PADDING  (512UL * 1024)
#define L1_MAP          (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY | PTE_USER)

/* The start-of-day layout, as VAs. */
struct layout {
    unsigned long v_start, kern_start, kern_end;
    unsigned long p2m, si, store, console;
    unsigned long pt_start, nr_pt, stack, v_end;
};

long builder_domctl(struct xen_domctl *op)
{
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    return HYPERVISOR_domctl(op);
}

long builder_sysctl(struct xen_sysctl *op)
{
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return HYPERVISOR_sysctl(op);
}

long builder_domain_info(domid_t domid, struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = domid };
    long rc = builder_domctl(&op);

    if (!rc)
        *info = op.u.getdomaininfo;
    return rc;
}

unsigned long builder_free_pages(void)
{
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_physinfo };
    long rc = builder_sysctl(&op);

    check(rc == 0, "sysctl physinfo: %ld%s", rc, errno_name(rc));
    return rc ? 0 : op.u.physinfo.free_pages;
}

long builder_destroy(domid_t domid)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_destroydomain, .domain = domid };

    /* Keel continues the hypercall itself; -EAGAIN-style retries are not needed. */
    return builder_domctl(&op);
}

long builder_unpause(const struct builder_domain *b)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_unpausedomain, .domain = b->domid };

    return builder_domctl(&op);
}

int builder_wait_shutdown(domid_t domid, unsigned int timeout_ms)
{
    uint64_t end = pvclock_ns(&vcpu0_info()->time) + (uint64_t)timeout_ms * 1000000;

    do {
        struct xen_domctl_getdomaininfo info;

        if (builder_domain_info(domid, &info) || info.domain != domid)
            return -1;
        if (info.flags & XEN_DOMINF_shutdown)
            return (int)((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask);
        (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    } while (pvclock_ns(&vcpu0_info()->time) < end);
    return -1;
}

long builder_bind_console(const struct builder_domain *b, evtchn_port_t *port)
{
    struct evtchn_bind_interdomain bind = { .remote_dom = b->domid,
                                            .remote_port = b->console_port };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind);

    check(rc == 0, "bind to d%u port %u: %ld%s", b->domid, b->console_port, rc,
          errno_name(rc));
    if (rc)
        return rc;
    *port = bind.local_port;
    /* Binding marks the new port pending (a send may have been lost): start clean. */
    event_clear(*port);
    return 0;
}

bool builder_guest_init(const void **elf, size_t *len)
{
    long rc = map_shared_info();

    check(rc == 0, "map shared_info: %ld%s", rc, errno_name(rc));
    if (rc || !mmu_init())
        return false;
    if (!start_info->mod_len)
        test_skip(guest_name, "no domU image (module 2)");
    *elf = (const void *)start_info->mod_start;
    *len = start_info->mod_len;
    return true;
}

long builder_map_foreign(domid_t dom, unsigned int slot, unsigned long mfn, bool writable)
{
    struct mmu_update u = {
        .ptr = (((uint64_t)mmu_win_l1_mfn << PAGE_SHIFT) + slot * 8UL) | MMU_NORMAL_PT_UPDATE,
        .val = mmu_pte(mfn, (writable ? L1_RW : L1_RO) | PTE_NX),
    };

    return HYPERVISOR_mmu_update(&u, 1, NULL, dom);
}

/* Clear window slots [0, n). */
static long unmap_slots(unsigned int n)
{
    static struct mmu_update u[BUILDER_WIN_SLOTS];

    for (unsigned int i = 0; i < n; i++)
        u[i] = (struct mmu_update){
            .ptr = (((uint64_t)mmu_win_l1_mfn << PAGE_SHIFT) + i * 8UL) | MMU_NORMAL_PT_UPDATE,
            .val = 0,
        };
    return n ? HYPERVISOR_mmu_update(u, n, NULL, DOMID_SELF) : 0;
}

/* Page-table frames for [start, end) with 4 KiB pages. */
static unsigned long tables_needed(unsigned long start, unsigned long end)
{
    unsigned long last = end - 1;

    return 1 + ((last >> L4_SHIFT) - (start >> L4_SHIFT) + 1) +
           ((last >> L3_SHIFT) - (start >> L3_SHIFT) + 1) +
           ((last >> L2_SHIFT) - (start >> L2_SHIFT) + 1);
}

static unsigned long round_up(unsigned long x, unsigned long a)
{
    return (x + a - 1) & ~(a - 1);
}

static void compute_layout(struct layout *l, const struct elf_image_info *ei,
                           unsigned long nr_pages)
{
    l->v_start = ei->virt_base;
    l->kern_start = ei->virt_kstart;
    l->kern_end = round_up(ei->virt_kend, PAGE_SIZE);
    l->p2m = l->kern_end;
    l->si = round_up(l->p2m + nr_pages * sizeof(unsigned long), PAGE_SIZE);
    l->store = l->si + PAGE_SIZE;
    l->console = l->store + PAGE_SIZE;
    l->pt_start = l->console + PAGE_SIZE;
    for (l->nr_pt = 1;;) {
        l->stack = l->pt_start + l->nr_pt * PAGE_SIZE;
        l->v_end = round_up(l->stack + PAGE_SIZE + REGION_PADDING, REGION_ALIGN);
        if (tables_needed(l->v_start, l->v_end) <= l->nr_pt)
            break;
        l->nr_pt = tables_needed(l->v_start, l->v_end);
    }
}

static unsigned long pfn_of(const struct layout *l, unsigned long va)
{
    return (va - l->v_start) >> PAGE_SHIFT;
}

/* Copy one page into the domain's frame for va (through window slot 0). */
static long put_page_at(const struct builder_domain *b, const struct layout *l, unsigned long va,
                        const void *src)
{
    long rc = builder_map_foreign(b->domid, 0, b->p2m[pfn_of(l, va)], true);

    if (rc)
        return rc;
    memcpy(mmu_win(0), src, PAGE_SIZE);
    return unmap_slots(1);
}

static long populate(struct builder_domain *b)
{
    struct xen_memory_reservation r = {
        .nr_extents = b->nr_pages, .extent_order = 0, .domid = b->domid,
    };
    long done;

    for (unsigned long i = 0; i < b->nr_pages; i++)
        b->p2m[i] = i;
    set_xen_guest_handle(r.extent_start, b->p2m);
    done = HYPERVISOR_memory_op(XENMEM_populate_physmap, &r);
    return done == (long)b->nr_pages ? 0 : -XEN_ENOMEM;
}

/* Map the kernel's frames at slots 0.. and let the ELF loader fill them. */
static long load_kernel(const struct builder_domain *b, const struct layout *l,
                        struct elf_image_info *ei)
{
    unsigned long first = pfn_of(l, l->kern_start), n = pfn_of(l, l->kern_end) - first;
    long rc = 0;

    if (n > BUILDER_WIN_SLOTS)
        return -XEN_E2BIG;
    for (unsigned long i = 0; i < n && !rc; i++)
        rc = builder_map_foreign(b->domid, (unsigned int)i, b->p2m[first + i], true);
    if (!rc && elf_image_load(ei, (char *)mmu_win(0) + (l->kern_start & (PAGE_SIZE - 1)),
                              l->kern_end - l->kern_start)) {
        printf("builder: %s\n", ei->err);
        rc = -XEN_EINVAL;
    }
    {
        long urc = unmap_slots((unsigned int)n);

        return rc ? rc : urc;
    }
}

/* L4, L3, L2 and the L1s of the region, written into the domain's frames. */
static long build_tables(struct builder_domain *b, const struct layout *l)
{
    static uint64_t t[PT_ENTRIES];
    unsigned long l4 = l->pt_start, l3 = l4 + PAGE_SIZE, l2 = l3 + PAGE_SIZE;
    unsigned long l1 = l2 + PAGE_SIZE, nr_l1 = l->nr_pt - 3;
    unsigned long pt_end = l->pt_start + l->nr_pt * PAGE_SIZE;
    long rc;

    /* One L4, L3 and L2: the region stays inside one 1 GiB range. */
    if (tables_needed(l->v_start, l->v_end) != l->nr_pt || l->nr_pt != 3 + nr_l1)
        return -XEN_EINVAL;

    memset(t, 0, sizeof(t));
    t[pt_index(l->v_start, L4_SHIFT)] = mmu_pte(b->p2m[pfn_of(l, l3)], UPPER);
    if ((rc = put_page_at(b, l, l4, t)))
        return rc;
    memset(t, 0, sizeof(t));
    t[pt_index(l->v_start, L3_SHIFT)] = mmu_pte(b->p2m[pfn_of(l, l2)], UPPER);
    if ((rc = put_page_at(b, l, l3, t)))
        return rc;
    memset(t, 0, sizeof(t));
    for (unsigned long i = 0; i < nr_l1; i++)
        t[pt_index(l->v_start, L2_SHIFT) + i] =
            mmu_pte(b->p2m[pfn_of(l, l1 + i * PAGE_SIZE)], UPPER);
    if ((rc = put_page_at(b, l, l2, t)))
        return rc;
    for (unsigned long i = 0; i < nr_l1; i++) {
        memset(t, 0, sizeof(t));
        for (unsigned int e = 0; e < PT_ENTRIES; e++) {
            unsigned long va = l->v_start + ((i * PT_ENTRIES + e) << PAGE_SHIFT);
            uint64_t flags = L1_MAP;

            if (va >= l->v_end)
                break;
            if (va >= l->pt_start && va < pt_end)
                flags &= ~PTE_RW;   /* page tables are read-only to their guest */
            t[e] = mmu_pte(b->p2m[pfn_of(l, va)], flags);
        }
        if ((rc = put_page_at(b, l, l1 + i * PAGE_SIZE, t)))
            return rc;
    }
    b->l4_mfn = b->p2m[pfn_of(l, l4)];
    {
        struct mmuext_op pin = { .cmd = MMUEXT_PIN_L4_TABLE };

        pin.arg1.mfn = b->l4_mfn;
        return HYPERVISOR_mmuext_op(&pin, 1, NULL, b->domid);
    }
}

/* An unbound port of the new domain, offered to us (dom0). */
static long offer_port(const struct builder_domain *b, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = b->domid, .remote_dom = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

    *port = a.port;
    return rc;
}

static long write_start_info(struct builder_domain *b, const struct layout *l,
                             const char *cmdline, unsigned long shared_info_mfn)
{
    static union {
        start_info_t si;
        uint8_t page[PAGE_SIZE];
    } u;
    long rc;

    b->store_mfn = b->p2m[pfn_of(l, l->store)];
    b->console_mfn = b->p2m[pfn_of(l, l->console)];
    if ((rc = offer_port(b, &b->store_port)) || (rc = offer_port(b, &b->console_port)))
        return rc;
    memset(&u, 0, sizeof(u));
    memcpy(u.si.magic, "xen-3.0-x86_64", sizeof("xen-3.0-x86_64"));
    u.si.nr_pages = b->nr_pages;
    u.si.shared_info = shared_info_mfn << PAGE_SHIFT;
    u.si.flags = 0;
    u.si.store_mfn = b->store_mfn;
    u.si.store_evtchn = b->store_port;
    u.si.console.domU.mfn = b->console_mfn;
    u.si.console.domU.evtchn = b->console_port;
    u.si.pt_base = l->pt_start;
    u.si.nr_pt_frames = l->nr_pt;
    u.si.mfn_list = l->p2m;
    for (size_t i = 0; cmdline[i] && i + 1 < sizeof(u.si.cmd_line); i++)
        u.si.cmd_line[i] = (int8_t)cmdline[i];
    if ((rc = put_page_at(b, l, l->si, &u)))
        return rc;
    /* The P2M list, a page at a time. */
    for (unsigned long off = 0; off < b->nr_pages * sizeof(unsigned long); off += PAGE_SIZE) {
        memset(&u, 0, sizeof(u));
        memcpy(u.page, (const uint8_t *)b->p2m + off,
               b->nr_pages * sizeof(unsigned long) - off < PAGE_SIZE
                   ? b->nr_pages * sizeof(unsigned long) - off : PAGE_SIZE);
        if ((rc = put_page_at(b, l, l->p2m + off, u.page)))
            return rc;
    }
    return 0;
}

static long set_vcpu0(const struct builder_domain *b, const struct layout *l,
                      const struct elf_image_info *ei)
{
    static struct vcpu_guest_context ctx;
    struct xen_domctl op = { .cmd = XEN_DOMCTL_setvcpucontext, .domain = b->domid };

    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel | VGCF_online;
    ctx.user_regs.rip = ei->virt_entry;
    ctx.user_regs.rsp = l->stack + PAGE_SIZE;
    ctx.user_regs.rsi = l->si;
    ctx.user_regs.cs = FLAT_KERNEL_CS;
    ctx.user_regs.ss = FLAT_KERNEL_SS;
    ctx.user_regs.rflags = 1UL << 9;
    ctx.kernel_ss = FLAT_KERNEL_SS;
    ctx.kernel_sp = l->stack + PAGE_SIZE;
    ctx.ctrlreg[3] = (uint64_t)b->l4_mfn << PAGE_SHIFT;
    op.u.vcpucontext.vcpu = 0;
    set_xen_guest_handle(op.u.vcpucontext.ctxt, &ctx);
    return builder_domctl(&op);
}

static long create(struct builder_domain *b, unsigned long mem_kb)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_createdomain, .domain = 0 };
    long rc;

    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.max_evtchn_port = 1023;
    op.u.createdomain.max_grant_frames = -1;
    op.u.createdomain.max_maptrack_frames = -1;
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    rc = builder_domctl(&op);
    if (rc)
        return rc;
    b->domid = op.domain;
    op = (struct xen_domctl){ .cmd = XEN_DOMCTL_max_mem, .domain = b->domid };
    op.u.max_mem.max_memkb = mem_kb;
    return builder_domctl(&op);
}

long builder_build(struct builder_domain *b, const void *elf, size_t elf_len,
                   unsigned long mem_kb, const char *cmdline)
{
    static struct elf_image_info ei;
    struct xen_domctl_getdomaininfo info;
    struct layout l;
    long rc;

    memset(b, 0, sizeof(*b));
    b->nr_pages = mem_kb / 4;
    if (b->nr_pages > BUILDER_MAX_PAGES || elf_image_parse(&ei, elf, elf_len)) {
        check(false, "builder: image or size refused (%s, %lu pages)", ei.err, b->nr_pages);
        return -XEN_EINVAL;
    }
    compute_layout(&l, &ei, b->nr_pages);
    if (pfn_of(&l, l.v_end) > b->nr_pages) {
        check(false, "builder: %lu KiB cannot hold the initial region", mem_kb);
        return -XEN_EINVAL;
    }
    b->region_end = l.v_end;
    rc = create(b, mem_kb);
    check(rc == 0, "builder: createdomain/max_mem: %ld%s", rc, errno_name(rc));
    if (rc)
        return rc;
    if ((rc = populate(b)) || (rc = load_kernel(b, &l, &ei)) || (rc = build_tables(b, &l)) ||
        (rc = builder_domain_info(b->domid, &info)) ||
        (rc = write_start_info(b, &l, cmdline, info.shared_info_frame)) ||
        (rc = set_vcpu0(b, &l, &ei))) {
        check(false, "builder: building d%u failed: %ld%s", b->domid, rc, errno_name(rc));
        (void)builder_destroy(b->domid);
        return rc;
    }
    return 0;
}
