/* SPDX-License-Identifier: MIT */
/*
 * A PV domain builder for test guests: what a toolstack in dom0 does to
 * start an unprivileged domain, through domctl, memory_op on a foreign
 * domain, foreign mmu_update and mmuext_op, and event channels.
 *
 * The built domain gets Xen's start-of-day layout (linux-pv-abi.md 1.4):
 * from VIRT_BASE, the kernel, the P2M list, start_info, the xenstore and
 * console pages, the page tables (L4, L3, L2, L1s; mapped read-only),
 * the boot stack, padding to a 4 MiB boundary; PFN = (VA - VIRT_BASE) /
 * 4 KiB for the whole region, the rest of its memory unmapped after it.
 * start_info carries no SIF_ flags, the machine address of shared_info,
 * and console and xenstore pages with an event channel each, bound by the
 * builder's domain (the child's ports are offered to dom0).
 *
 * The builder maps the new domain's frames through the mmu window
 * (lib/mmu.h, slots below BUILDER_WIN_SLOTS) with foreign mmu_update and
 * unmaps them before the domain runs. Includers define __XEN_TOOLS__
 * before any include: this is toolstack code.
 */
#ifndef GUEST_BUILDER_H
#define GUEST_BUILDER_H

#include <public/domctl.h>
#include <public/sysctl.h>

#include "guest.h"

/* Window slots the builder may use: 0 .. BUILDER_WIN_SLOTS - 1. */
#define BUILDER_WIN_SLOTS 400
/* Most memory a built domain may have (the P2M is kept in the builder). */
#define BUILDER_MAX_PAGES 4096

struct builder_domain {
    domid_t domid;
    unsigned long nr_pages;
    unsigned long p2m[BUILDER_MAX_PAGES];   /* PFN -> MFN */
    unsigned long l4_mfn;
    unsigned long store_mfn, console_mfn;
    evtchn_port_t store_port, console_port; /* the domain's ends, offered to dom0 */
    uint64_t region_end;                    /* first VA past the initial region */
};

/*
 * Build a paused PV domain from the ELF image (a Xen-ABI kernel) with
 * mem_kb of memory and cmdline as its command line: createdomain, memory,
 * image, page tables (pinned), start_info, vCPU 0's context. The domain
 * runs once builder_unpause() is called. Returns 0, or the first failing
 * call's error (with the checks recorded, and the half-built domain
 * destroyed).
 */
long builder_build(struct builder_domain *b, const void *elf, size_t elf_len,
                   unsigned long mem_kb, const char *cmdline);

long builder_unpause(const struct builder_domain *b);

/* destroydomain (continuing until done). */
long builder_destroy(domid_t domid);

/* One domctl / sysctl with the interface version filled in. */
long builder_domctl(struct xen_domctl *op);
long builder_sysctl(struct xen_sysctl *op);

/* XEN_DOMCTL_getdomaininfo for domid (or the next one above). */
long builder_domain_info(domid_t domid, struct xen_domctl_getdomaininfo *info);

/* The host's free pages (sysctl physinfo), or 0 with a failed check. */
unsigned long builder_free_pages(void);

/*
 * Wait until domid has shut down (yielding meanwhile); returns its
 * SHUTDOWN_* reason, or -1 if it did not within timeout_ms.
 */
int builder_wait_shutdown(domid_t domid, unsigned int timeout_ms);

/*
 * Bind a port of ours to the domain's console port (offered to us by the
 * builder) and clear the event binding raises on it. Returns 0 or the
 * error, with the check recorded.
 */
long builder_bind_console(const struct builder_domain *b, evtchn_port_t *port);

/*
 * What a guest that builds domains does first: map shared_info, set up the
 * mmu window, and find the domU image (its module 2) in *elf, *len.
 * Returns false with the failure recorded, or skips the guest (test.h)
 * when it was booted without a domU image.
 */
bool builder_guest_init(const void **elf, size_t *len);

/*
 * Map frame mfn of domain dom at window slot slot (read-only or
 * writable) with a foreign mmu_update; returns its error.
 */
long builder_map_foreign(domid_t dom, unsigned int slot, unsigned long mfn, bool writable);

#endif /* GUEST_BUILDER_H */
