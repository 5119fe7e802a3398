/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: HYPERVISOR_memory_op(unsigned cmd, void *arg).
 *
 * Reservation ops move memory between a domain and the hypervisor's free
 * pool in extents of 2^extent_order frames; the rest describe the physical
 * memory map and the M2P table.  The low bits of cmd
 * (MEMOP_CMD_MASK) are the command; the bits above MEMOP_EXTENT_SHIFT
 * carry the continuation start extent for the reservation ops (the guest
 * passes 0 there).
 *
 * Common errors: -XEN_EFAULT arg or a buffer it names unreadable or
 * unwritable; -XEN_ENOSYS unknown cmd; -XEN_ESRCH unknown domid;
 * -XEN_EPERM the caller may not act on domid.
 */
#ifndef __XEN_PUBLIC_MEMORY_H__
#define __XEN_PUBLIC_MEMORY_H__

#include <stdint.h>
#include "xen.h"
#include "physdev.h"

/*
 * XENMEM_increase_reservation / decrease_reservation / populate_physmap:
 * arg is xen_memory_reservation.  Return the number of extents done
 * (fewer than nr_extents on partial failure, e.g. out of memory).
 * Errors: -XEN_EINVAL extent_order too large or bad mem_flags.
 */
#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_populate_physmap     6

/* xen_memory_reservation.mem_flags */
#define XENMEMF_address_bits(x)     (x) /* frames below 2^x (0 = any) */
#define XENMEMF_get_address_bits(x) ((x) & 0xffu)
#define XENMEMF_node(x)             (((x) + 1) << 8)
#define XENMEMF_get_node(x)         ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16)
#define XENMEMF_exact_node_request  (1 << 17)
#define XENMEMF_exact_node(n)       (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode               (1 << 18)

struct xen_memory_reservation {
    /* IN (decrease, populate: the PFNs); OUT (increase: the MFNs) */
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
    xen_ulong_t nr_extents; /* IN */
    uint32_t extent_order;  /* IN: log2 frames per extent */
    uint32_t mem_flags;     /* IN: XENMEMF_* */
    domid_t domid;          /* IN: DOMID_SELF or a controlled domain */
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_reservation_t);
_Static_assert(sizeof(struct xen_memory_reservation) == 32, "reservation size");

/*
 * XENMEM_exchange: give up the "in" extents and receive the "out" extents
 * (same total size).  Returns 0; nr_exchanged counts input extents done.
 * Errors: -XEN_EINVAL sizes differ or orders too large; -XEN_ENOMEM no
 * suitable memory (nothing is lost: unexchanged input stays owned).
 */
#define XENMEM_exchange 11
struct xen_memory_exchange {
    struct xen_memory_reservation in;  /* IN */
    struct xen_memory_reservation out; /* IN/OUT: receives MFNs */
    xen_ulong_t nr_exchanged;          /* OUT; IN: must be 0 */
};
typedef struct xen_memory_exchange xen_memory_exchange_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_exchange_t);
_Static_assert(sizeof(struct xen_memory_exchange) == 72, "exchange size");

/* XENMEM_maximum_ram_page: returns the highest machine frame; arg NULL. */
#define XENMEM_maximum_ram_page 2

struct xen_memory_domain {
    domid_t domid; /* IN */
};

/* These take a domid_t (arg) and return a page count or frame number. */
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4
#define XENMEM_maximum_gpfn        14

/*
 * XENMEM_machphys_mfn_list: MFNs of the 2 MiB chunks that hold the M2P.
 * Errors: -XEN_EINVAL.
 */
#define XENMEM_machphys_mfn_list 5
struct xen_machphys_mfn_list {
    uint32_t max_extents;                     /* IN: size of extent_start */
    /* 4-byte hole */
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start; /* OUT */
    uint32_t nr_extents;                      /* OUT */
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mfn_list_t);

#define XENMEM_machphys_compat_mfn_list 25

/* XENMEM_machphys_mapping: where the read-only M2P is mapped. */
#define XENMEM_machphys_mapping 12
struct xen_machphys_mapping {
    xen_ulong_t v_start, v_end; /* OUT: virtual range of the M2P */
    xen_ulong_t max_mfn;        /* OUT: largest MFN it covers */
};
typedef struct xen_machphys_mapping xen_machphys_mapping_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mapping_t);
_Static_assert(sizeof(struct xen_machphys_mapping) == 24, "machphys_mapping size");

/* Sources for XENMEM_add_to_physmap (translated guests only). */
#define XENMAPSPACE_shared_info  0
#define XENMAPSPACE_grant_table  1
#define XENMAPSPACE_gmfn         2
#define XENMAPSPACE_gmfn_range   3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio     5

/*
 * XENMEM_add_to_physmap: place a frame of a map space at gpfn.
 * Errors: -XEN_EINVAL bad space or index; -XEN_EACCES PV (untranslated)
 * caller.
 */
#define XENMEM_add_to_physmap 7
struct xen_add_to_physmap {
    domid_t domid;  /* IN */
    uint16_t size;  /* IN: frames, for XENMAPSPACE_gmfn_range */
    uint32_t space; /* IN: XENMAPSPACE_* */
#define XENMAPIDX_grant_table_status 0x80000000
    xen_ulong_t idx; /* IN: index within the space */
    xen_pfn_t gpfn;  /* IN: where to put it */
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_t);

/* XENMEM_add_to_physmap_batch: many add_to_physmap; per-entry errs. */
#define XENMEM_add_to_physmap_batch 23
struct xen_add_to_physmap_batch {
    domid_t domid;  /* IN */
    uint16_t space; /* IN: XENMAPSPACE_* */
    uint16_t size;  /* IN: entries */
    union xen_add_to_physmap_batch_extra {
        domid_t foreign_domid; /* IN: for XENMAPSPACE_gmfn_foreign */
        uint16_t res0;         /* IN: zero for other spaces */
    } u;
    XEN_GUEST_HANDLE(xen_ulong_t) idxs; /* IN */
    XEN_GUEST_HANDLE(xen_pfn_t) gpfns;  /* IN */
    XEN_GUEST_HANDLE(int) errs;         /* OUT: per-entry -XEN_E* */
};
typedef struct xen_add_to_physmap_batch xen_add_to_physmap_batch_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_batch_t);

/* XENMEM_remove_from_physmap: unmap gpfn (translated guests). */
#define XENMEM_remove_from_physmap 15
struct xen_remove_from_physmap {
    domid_t domid;  /* IN */
    /* 6-byte hole */
    xen_pfn_t gpfn; /* IN */
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_remove_from_physmap_t);

/*
 * XENMEM_memory_map (the caller's pseudo-physical map) and
 * XENMEM_machine_memory_map (the host map; control domain only): E820
 * entries, 20 bytes each, packed.
 * Errors: -XEN_EINVAL buffer too small (nr_entries says how many fit);
 * -XEN_EPERM machine map asked for by an unprivileged domain.
 */
#define XENMEM_memory_map 9
struct xen_memory_map {
    uint32_t nr_entries;           /* IN: buffer capacity; OUT: entries */
    /* 4-byte hole */
    XEN_GUEST_HANDLE(void) buffer; /* OUT: e820 entries */
};
typedef struct xen_memory_map xen_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_map_t);
_Static_assert(sizeof(struct xen_memory_map) == 16, "memory_map size");

#define XENMEM_machine_memory_map 10

/* XENMEM_set_memory_map: the toolstack sets a domain's E820. */
#define XENMEM_set_memory_map 13
struct xen_foreign_memory_map {
    domid_t domid;             /* IN */
    struct xen_memory_map map; /* IN */
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_foreign_memory_map_t);

/* XENMEM_set_pod_target / get_pod_target: populate-on-demand (HVM). */
#define XENMEM_set_pod_target 16
#define XENMEM_get_pod_target 17
struct xen_pod_target {
    uint64_t target_pages;    /* IN */
    uint64_t tot_pages;       /* OUT */
    uint64_t pod_cache_pages; /* OUT */
    uint64_t pod_entries;     /* OUT */
    domid_t domid;            /* IN */
};
typedef struct xen_pod_target xen_pod_target_t;

#if defined(__XEN__) || defined(__XEN_TOOLS__)
/* XENMEM_claim_pages: reserve pages for a domain being built. */
#define XENMEM_claim_pages 24
#endif

/*
 * XENMEM_acquire_resource: map frames of a domain resource (grant table,
 * ioreq server, trace buffer) into the caller.  nr_frames 0 asks for the
 * resource's size.  Errors: -XEN_EINVAL bad type/id/range;
 * -XEN_EOPNOTSUPP resource not supported.
 */
#define XENMEM_acquire_resource 28
struct xen_mem_acquire_resource {
    domid_t domid;  /* IN: owner of the resource */
    uint16_t type;  /* IN: XENMEM_resource_* */
#define XENMEM_resource_ioreq_server 0
#define XENMEM_resource_grant_table  1
#define XENMEM_resource_vmtrace_buf  2
    uint32_t id;    /* IN: instance (grant table: shared or status) */
#define XENMEM_resource_grant_table_id_shared 0
#define XENMEM_resource_grant_table_id_status 1
    uint32_t nr_frames; /* IN/OUT */
    uint32_t pad;       /* IN: must be zero */
    uint64_t frame;     /* IN: first frame of the resource */
#define XENMEM_resource_ioreq_server_frame_bufioreq 0
#define XENMEM_resource_ioreq_server_frame_ioreq(n) (1 + (n))
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list; /* IN/OUT */
};
typedef struct xen_mem_acquire_resource xen_mem_acquire_resource_t;
DEFINE_XEN_GUEST_HANDLE(xen_mem_acquire_resource_t);

/*
 * XENMEM_get_vnumainfo: the virtual NUMA topology.
 * Errors: -XEN_EOPNOTSUPP no vNUMA; -XEN_ENOBUFS buffers too small (the
 * nr_* fields say how large they must be).
 */
#define XENMEM_get_vnumainfo 26
struct xen_vmemrange {
    uint64_t start, end; /* OUT: physical range */
    uint32_t flags;      /* OUT: zero */
    uint32_t nid;        /* OUT: vnode */
};
typedef struct xen_vmemrange xen_vmemrange_t;
DEFINE_XEN_GUEST_HANDLE(xen_vmemrange_t);

struct xen_vnuma_topology_info {
    domid_t domid;          /* IN */
    uint16_t pad;           /* IN: must be zero */
    uint32_t nr_vnodes;     /* IN/OUT */
    uint32_t nr_vcpus;      /* IN/OUT */
    uint32_t nr_vmemranges; /* IN/OUT */
    union {
        XEN_GUEST_HANDLE(uint) h;
        uint64_t pad;
    } vdistance;            /* OUT: nr_vnodes^2 distances */
    union {
        XEN_GUEST_HANDLE(uint) h;
        uint64_t pad;
    } vcpu_to_vnode;        /* OUT */
    union {
        XEN_GUEST_HANDLE(xen_vmemrange_t) h;
        uint64_t pad;
    } vmemrange;            /* OUT */
};
typedef struct xen_vnuma_topology_info xen_vnuma_topology_info_t;
DEFINE_XEN_GUEST_HANDLE(xen_vnuma_topology_info_t);

#endif /* __XEN_PUBLIC_MEMORY_H__ */
