/* SPDX-License-Identifier: MIT */
/*
 * set_gdt and update_descriptor: a PV guest's own GDT.
 *
 * The guest's GDT frames are typed PGT_SEG_DESC, which validates every
 * descriptor in them (pv_check_descriptor) and keeps them from being
 * mapped writable by the guest, and are mapped into pages 0-13 of the
 * GDT window of the CPU the vCPU runs on (desc.c); the rest of those pages
 * show the zero page. A vCPU runs on one CPU so far, so the window is
 * updated when the GDT is set.
 *
 * Locking: a vCPU's GDT state is touched only by the vCPU itself.
 */
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/desc_setup.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv/desc_check.h>
#include <asm/pv/pv.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/page_info.h>
#include <public/xen.h>

#define MAX_GDT_FRAMES FIRST_RESERVED_GDT_PAGE

/* page_ops hook (via the PV engine): check every descriptor of a frame. */
int pv_validate_desc_page(struct page_info *pg)
{
    uint64_t *d = __va(mfn_x(page_to_mfn(pg)) << PAGE_SHIFT);

    for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*d); i++) {
        uint64_t copy = d[i];

        if (!pv_check_descriptor(&copy))
            return -EINVAL;
    }
    /* All valid: now apply the fixups (DPL changes) in place. */
    for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*d); i++)
        pv_check_descriptor(&d[i]);
    return 0;
}

/* Point this CPU's GDT window at the vCPU's frames (zero page elsewhere). */
void pv_load_guest_gdt(const struct arch_vcpu *a)
{
    unsigned long window = get_cpu_info()->gdt_window;

    for (unsigned int i = 0; i < MAX_GDT_FRAMES; i++)
        map_pages(window + i * PAGE_SIZE,
                  i < a->gdt_nr_frames ? a->gdt_frames[i] << PAGE_SHIFT : gdt_zero_page_pa(),
                  1, i < a->gdt_nr_frames ? PAGE_HYPERVISOR_RW : PAGE_HYPERVISOR_RO);
    flush_tlb_local();
}

static void release_frames(const unsigned long *frames, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        put_page_and_type(mfn_to_page(_mfn(frames[i])));
}

int pv_take_gdt_frames(struct domain *d, const unsigned long *frames, unsigned int n)
{
    int rc = 0;

    for (unsigned int i = 0; i < n; i++) {
        if (!mfn_valid(_mfn(frames[i])) ||
            (rc = get_page_and_type(mfn_to_page(_mfn(frames[i])), d, PGT_SEG_DESC))) {
            release_frames(frames, i);
            return rc ? rc : -EINVAL;
        }
    }
    return 0;
}

void pv_release_gdt_frames(struct arch_vcpu *a)
{
    release_frames(a->gdt_frames, a->gdt_nr_frames);
    a->gdt_nr_frames = 0;
    a->gdt_entries = 0;
}

/* set_gdt(frame_list, entries) */
long do_set_gdt(unsigned long frame_list, unsigned long entries, unsigned long unused3,
                unsigned long unused4, unsigned long unused5)
{
    struct vcpu *v = current_vcpu();
    struct arch_vcpu *a = v->arch;
    unsigned long frames[MAX_GDT_FRAMES];
    unsigned int n;
    int rc = 0;

    (void)unused3, (void)unused4, (void)unused5;
    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    n = (entries * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
    if (copy_from_guest(frames, frame_list, n * sizeof(frames[0])))
        return -EFAULT;
    rc = pv_take_gdt_frames(v->domain, frames, n);
    if (rc)
        return rc;
    pv_release_gdt_frames(a);
    memcpy(a->gdt_frames, frames, n * sizeof(frames[0]));
    a->gdt_nr_frames = n;
    a->gdt_entries = entries;
    pv_load_guest_gdt(a);
    return 0;
}

/* update_descriptor(maddr, desc): one descriptor, by machine address. */
long do_update_descriptor(unsigned long maddr, unsigned long desc, unsigned long unused3,
                          unsigned long unused4, unsigned long unused5)
{
    struct domain *d = current_vcpu()->domain;
    mfn_t mfn = _mfn(maddr >> PAGE_SHIFT);
    struct page_info *pg;
    uint64_t value = desc;
    int rc;

    (void)unused3, (void)unused4, (void)unused5;
    if ((maddr & 7) || !mfn_valid(mfn) || !pv_check_descriptor(&value))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    rc = get_page(pg, d);
    if (rc)
        return rc;
    /* A descriptor page stays one (the value is checked); any other frame must be writable. */
    rc = get_page_type(pg, page_type(__atomic_load_n(&pg->u.type_info, __ATOMIC_ACQUIRE)) ==
                               PGT_SEG_DESC ? PGT_SEG_DESC : PGT_WRITABLE);
    if (rc) {
        put_page(pg);
        return rc;
    }
    __atomic_store_n((uint64_t *)__va(maddr), value, __ATOMIC_RELAXED);
    put_page_type(pg);
    put_page(pg);
    return 0;
}
