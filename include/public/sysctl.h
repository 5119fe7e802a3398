/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: HYPERVISOR_sysctl(struct xen_sysctl *op), the
 * toolstack's host-wide operations (Xen 4.17, interface 0x15).
 *
 * Tools-only: the header refuses to compile without __XEN__ or
 * __XEN_TOOLS__.  Only the control domain may make the call.
 *
 * The caller fills cmd, interface_version (XEN_SYSCTL_INTERFACE_VERSION)
 * and the union member named after cmd.  The hypervisor copies the whole
 * struct xen_sysctl in once and, when the op succeeds, copies the whole
 * struct back, so OUT fields appear in the caller's copy.
 *
 * Common errors: -XEN_EFAULT op unreadable or unwritable; -XEN_EACCES
 * interface_version is not XEN_SYSCTL_INTERFACE_VERSION; -XEN_EPERM the
 * caller is not the control domain; -XEN_ENOSYS unknown or unimplemented
 * cmd.  Each op lists its own errors below.
 *
 * sizeof(struct xen_sysctl) is 136 and the union starts at offset 8.
 */
#ifndef __XEN_PUBLIC_SYSCTL_H__
#define __XEN_PUBLIC_SYSCTL_H__

#if !defined(__XEN__) && !defined(__XEN_TOOLS__)
#error "sysctl.h is for the toolstack only (define __XEN_TOOLS__)"
#endif

#include <stddef.h>
#include <stdint.h>
#include "xen.h"
#include "domctl.h" /* xen_domctl_getdomaininfo_t, XEN_SCHEDULER_* */
#include "physdev.h" /* included as Xen's sysctl.h includes it */

#define XEN_SYSCTL_INTERFACE_VERSION 0x00000015

/*
 * Sub-op numbers (struct xen_sysctl.cmd), every one Xen 4.17 defines; the
 * structures below cover the ops Keel's toolstack needs.  13, 24 (once
 * tmem_op) and 28 (once set_parameter) are unused.
 */
#define XEN_SYSCTL_readconsole              1
#define XEN_SYSCTL_tbuf_op                  2
#define XEN_SYSCTL_physinfo                 3
#define XEN_SYSCTL_sched_id                 4
#define XEN_SYSCTL_perfc_op                 5
#define XEN_SYSCTL_getdomaininfolist        6
#define XEN_SYSCTL_debug_keys               7
#define XEN_SYSCTL_getcpuinfo               8
#define XEN_SYSCTL_availheap                9
#define XEN_SYSCTL_get_pmstat              10
#define XEN_SYSCTL_cpu_hotplug             11
#define XEN_SYSCTL_pm_op                   12
#define XEN_SYSCTL_page_offline_op         14
#define XEN_SYSCTL_lockprof_op             15
#define XEN_SYSCTL_cputopoinfo             16
#define XEN_SYSCTL_numainfo                17
#define XEN_SYSCTL_cpupool_op              18
#define XEN_SYSCTL_scheduler_op            19
#define XEN_SYSCTL_coverage_op             20
#define XEN_SYSCTL_psr_cmt_op              21
#define XEN_SYSCTL_pcitopoinfo             22
#define XEN_SYSCTL_psr_alloc               23
#define XEN_SYSCTL_get_cpu_levelling_caps  25
#define XEN_SYSCTL_get_cpu_featureset      26
#define XEN_SYSCTL_livepatch_op            27
#define XEN_SYSCTL_get_cpu_policy          29

/*
 * XEN_SYSCTL_readconsole: copy the hypervisor's console ring into buffer.
 * Reading starts at the oldest byte still held or, with incremental, at
 * index when index lies within the held bytes.  index is a free-running
 * byte count (not reduced modulo the ring size); OUT it is where the next
 * incremental read should start.  clear discards what was read.
 * Errors: -XEN_EFAULT buffer unwritable.
 */
struct xen_sysctl_readconsole {
    uint8_t clear;       /* IN: non-zero: drop the bytes read from the ring */
    uint8_t incremental; /* IN: non-zero: start at index */
    uint8_t pad0, pad1;  /* IN: ignored */
    uint32_t index;      /* IN: start (with incremental); OUT: next start */
    XEN_GUEST_HANDLE_64(char) buffer; /* IN: where the bytes go */
    uint32_t count;      /* IN: buffer size; OUT: bytes written */
    /* 4 bytes of tail padding */
};
_Static_assert(sizeof(struct xen_sysctl_readconsole) == 24, "readconsole size");

/*
 * XEN_SYSCTL_physinfo: describe the host.  Every field is OUT; the
 * hypervisor zeroes the structure first.
 */
/*
 * capabilities: the host runs hvm and/or pv guests; directio device
 * pass-through with an IOMMU; hap hardware-assisted paging; shadow shadow
 * paging; iommu_hap_pt_share the IOMMU shares the HAP tables; vmtrace
 * processor trace; vpmu a virtual PMU; gnttab_v1/v2 grant-table versions
 * offered.  _MAX is the highest.
 */
#define _XEN_SYSCTL_PHYSCAP_hvm      0
#define XEN_SYSCTL_PHYSCAP_hvm       (1u << _XEN_SYSCTL_PHYSCAP_hvm)
#define _XEN_SYSCTL_PHYSCAP_pv       1
#define XEN_SYSCTL_PHYSCAP_pv        (1u << _XEN_SYSCTL_PHYSCAP_pv)
#define _XEN_SYSCTL_PHYSCAP_directio 2
#define XEN_SYSCTL_PHYSCAP_directio  (1u << _XEN_SYSCTL_PHYSCAP_directio)
#define _XEN_SYSCTL_PHYSCAP_hap      3
#define XEN_SYSCTL_PHYSCAP_hap       (1u << _XEN_SYSCTL_PHYSCAP_hap)
#define _XEN_SYSCTL_PHYSCAP_shadow   4
#define XEN_SYSCTL_PHYSCAP_shadow    (1u << _XEN_SYSCTL_PHYSCAP_shadow)
#define _XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share 5
#define XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share \
    (1u << _XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share)
#define XEN_SYSCTL_PHYSCAP_vmtrace   (1u << 6)
#define XEN_SYSCTL_PHYSCAP_vpmu      (1u << 7)
#define XEN_SYSCTL_PHYSCAP_gnttab_v1 (1u << 8)
#define XEN_SYSCTL_PHYSCAP_gnttab_v2 (1u << 9)
#define XEN_SYSCTL_PHYSCAP_MAX       XEN_SYSCTL_PHYSCAP_gnttab_v2

struct xen_sysctl_physinfo {
    uint32_t threads_per_core;
    uint32_t cores_per_socket;
    uint32_t nr_cpus;           /* CPUs online */
    uint32_t max_cpu_id;        /* highest CPU id the host can have */
    uint32_t nr_nodes;          /* NUMA nodes online */
    uint32_t max_node_id;       /* highest node id the host can have */
    uint32_t cpu_khz;
    uint32_t capabilities;      /* XEN_SYSCTL_PHYSCAP_* */
    uint32_t arch_capabilities; /* none defined for x86 */
    uint32_t pad;               /* zero */
    uint64_aligned_t total_pages;
    uint64_aligned_t free_pages;
    uint64_aligned_t scrub_pages;       /* awaiting scrubbing */
    uint64_aligned_t outstanding_pages; /* claimed, not yet allocated */
    uint64_aligned_t max_mfn;           /* highest MFN the host can have */
    uint32_t hw_cap[8];         /* x86: the boot CPU's first 8 feature words */
};
_Static_assert(sizeof(struct xen_sysctl_physinfo) == 112, "physinfo size");
_Static_assert(offsetof(struct xen_sysctl_physinfo, total_pages) == 40,
               "physinfo.total_pages");
_Static_assert(offsetof(struct xen_sysctl_physinfo, hw_cap) == 80,
               "physinfo.hw_cap");

/* XEN_SYSCTL_sched_id: the host's default scheduler (CPU pool 0's). */
struct xen_sysctl_sched_id {
    uint32_t sched_id; /* OUT: XEN_SCHEDULER_* */
};

/*
 * XEN_SYSCTL_getdomaininfolist: describe up to max_domains domains with
 * ids >= first_domain, in increasing id order, one
 * xen_domctl_getdomaininfo each (see XEN_DOMCTL_getdomaininfo).
 * Errors: -XEN_EFAULT buffer unwritable.
 */
struct xen_sysctl_getdomaininfolist {
    domid_t first_domain; /* IN */
    /* 2-byte hole */
    uint32_t max_domains; /* IN: entries buffer holds */
    XEN_GUEST_HANDLE_64(xen_domctl_getdomaininfo_t) buffer; /* OUT */
    uint32_t num_domains; /* OUT: entries written */
    /* 4 bytes of tail padding */
};
_Static_assert(sizeof(struct xen_sysctl_getdomaininfolist) == 24,
               "getdomaininfolist size");
_Static_assert(offsetof(struct xen_sysctl_getdomaininfolist, max_domains) == 4,
               "getdomaininfolist hole");

/*
 * The argument of HYPERVISOR_sysctl.  The union is fixed at 128 bytes by
 * pad, so members Keel does not declare fit without changing the size.
 */
struct xen_sysctl {
    uint32_t cmd;               /* IN: XEN_SYSCTL_* */
    uint32_t interface_version; /* IN: XEN_SYSCTL_INTERFACE_VERSION */
    union {
        struct xen_sysctl_readconsole readconsole;
        struct xen_sysctl_physinfo physinfo;
        struct xen_sysctl_sched_id sched_id;
        struct xen_sysctl_getdomaininfolist getdomaininfolist;
        uint8_t pad[128];
    } u;
};
typedef struct xen_sysctl xen_sysctl_t;
DEFINE_XEN_GUEST_HANDLE(xen_sysctl_t);
_Static_assert(sizeof(struct xen_sysctl) == 136, "xen_sysctl size");
_Static_assert(offsetof(struct xen_sysctl, u) == 8, "xen_sysctl.u");

#endif /* __XEN_PUBLIC_SYSCTL_H__ */
