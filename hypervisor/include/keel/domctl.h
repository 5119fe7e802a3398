/* SPDX-License-Identifier: MIT */
/*
 * domctl and sysctl, what common code shares with the architecture
 * (common/domctl.c, common/sysctl.c, arch/x86/pv/domctl.c).
 */
#ifndef KEEL_DOMCTL_H
#define KEEL_DOMCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <public/domctl.h>

struct domain;

/* Fill info (all of it, holes zeroed) for d: getdomaininfo and getdomaininfolist. */
void domctl_fill_domaininfo(struct domain *d, struct xen_domctl_getdomaininfo *info);

struct rangeset;

/*
 * iomem/ioport_permission: give d [first, first + nr) of rs, or take it
 * away; the caller must hold the range in mine. Returns 0, -EINVAL (an
 * empty or wrapping range), -EPERM or -ENOMEM.
 */
long domctl_io_permission(struct domain *d, struct rangeset *rs, const struct rangeset *mine,
                          unsigned long first, unsigned long nr, bool allow);

/*
 * The architecture's domctl ops on d (held with a reference by the
 * caller, under the domctl lock). Sets *copyback when op must be copied
 * back to the caller. Returns the hypercall's value; -ENOSYS for an op
 * nobody implements.
 */
long arch_do_domctl(struct xen_domctl *op, struct domain *d, bool *copyback);

/* The frame number a guest uses for d's shared_info (PV: its MFN). */
unsigned long arch_shared_info_frame(struct domain *d);

/* Physical-address width a guest of this machine sees. */
unsigned int arch_paddr_bits(void);

/* d->time_offset_seconds changed: republish d's wall clock. */
void arch_domain_set_time_offset(struct domain *d);

/* The host as sysctl physinfo describes it. */
uint32_t arch_cpu_khz(void);
unsigned long arch_max_mfn(void);
/* The boot CPU's first n CPUID feature words, in Xen's featureset order. */
void arch_cpu_features(uint32_t *words, unsigned int n);

/* hypercall handlers */
long do_domctl(unsigned long arg, unsigned long unused2, unsigned long unused3,
               unsigned long unused4, unsigned long unused5);
long do_sysctl(unsigned long arg, unsigned long unused2, unsigned long unused3,
               unsigned long unused4, unsigned long unused5);

#endif
