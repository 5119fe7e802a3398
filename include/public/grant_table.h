/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: grant tables and
 * HYPERVISOR_grant_table_op(unsigned cmd, void *uops, unsigned count).
 *
 * A domain grants another domain access to one of its frames by filling a
 * grant entry in its own grant table (shared with the hypervisor, obtained
 * with GNTTABOP_setup_table); the grantee maps or copies through the
 * reference (the entry's index).  Entry flags are written by the granter
 * and the hypervisor concurrently: the granter sets the type last (after
 * domid and frame, with a write barrier), and must check GTF_reading /
 * GTF_writing before revoking.
 *
 * grant_table_op processes count operations of the cmd's structure.  The
 * hypercall returns 0 when the array was processed; each op's own result
 * is in its status field (GNTST_*).  Hypercall errors: -XEN_EFAULT
 * unreadable array; -XEN_EINVAL bad count or cmd argument; -XEN_ENOSYS
 * unknown cmd; -XEN_EPERM op not allowed for the caller (dump_table,
 * setup_table or query_size of another domain without privilege).
 */
#ifndef __XEN_PUBLIC_GRANT_TABLE_H__
#define __XEN_PUBLIC_GRANT_TABLE_H__

#include <stdint.h>
#include "xen.h"

typedef uint32_t grant_ref_t;

/* Version 1 entry: 8 bytes. */
struct grant_entry_v1 {
    uint16_t flags; /* GTF_* (type and status) */
    domid_t domid;  /* domain being granted access */
    uint32_t frame; /* granted frame, or frame receiving a transfer */
};
typedef struct grant_entry_v1 grant_entry_v1_t;
_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1 size");

/* References the toolstack sets up before the guest boots. */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0 /* console ring */
#define GNTTAB_RESERVED_XENSTORE   1 /* xenstore ring */

/* Entry type (flags bits 0-1). */
#define GTF_invalid         (0U << 0) /* no access */
#define GTF_permit_access   (1U << 0) /* domid may map/copy frame */
#define GTF_accept_transfer (2U << 0) /* domid may transfer a frame in */
#define GTF_transitive      (3U << 0) /* v2: re-grant of another grant */
#define GTF_type_mask       (3U << 0)

/* Flags of a GTF_permit_access entry.  reading/writing are set by the
 * hypervisor while a mapping or copy is in use. */
#define _GTF_readonly (2)
#define GTF_readonly  (1U << _GTF_readonly)
#define _GTF_reading  (3)
#define GTF_reading   (1U << _GTF_reading)
#define _GTF_writing  (4)
#define GTF_writing   (1U << _GTF_writing)
#define _GTF_PWT      (5)
#define GTF_PWT       (1U << _GTF_PWT)
#define _GTF_PCD      (6)
#define GTF_PCD       (1U << _GTF_PCD)
#define _GTF_PAT      (7)
#define GTF_PAT       (1U << _GTF_PAT)
#define _GTF_sub_page (8)
#define GTF_sub_page  (1U << _GTF_sub_page)

/* Flags of a GTF_accept_transfer entry. */
#define _GTF_transfer_committed (2)
#define GTF_transfer_committed  (1U << _GTF_transfer_committed)
#define _GTF_transfer_completed (3)
#define GTF_transfer_completed  (1U << _GTF_transfer_completed)

/* Version 2: the header shared by every entry kind; status separate. */
struct grant_entry_header {
    uint16_t flags;
    domid_t domid;
};
typedef struct grant_entry_header grant_entry_header_t;

/* Version 2 entry: 16 bytes. */
union grant_entry_v2 {
    grant_entry_header_t hdr;
    struct {
        grant_entry_header_t hdr;
        uint32_t pad0;
        uint64_t frame;
    } full_page;
    struct {
        grant_entry_header_t hdr;
        uint16_t page_off;
        uint16_t length;
        uint64_t frame;
    } sub_page;
    struct {
        grant_entry_header_t hdr;
        domid_t trans_domid;
        uint16_t pad0;
        grant_ref_t gref;
    } transitive;
    uint32_t __spacer[4];
};
typedef union grant_entry_v2 grant_entry_v2_t;
_Static_assert(sizeof(union grant_entry_v2) == 16, "grant_entry_v2 size");

typedef uint16_t grant_status_t;

#define GNTTABOP_map_grant_ref       0
#define GNTTABOP_unmap_grant_ref     1
#define GNTTABOP_setup_table         2
#define GNTTABOP_dump_table          3
#define GNTTABOP_transfer            4
#define GNTTABOP_copy                5
#define GNTTABOP_query_size          6
#define GNTTABOP_unmap_and_replace   7
#define GNTTABOP_set_version         8
#define GNTTABOP_get_status_frames   9
#define GNTTABOP_get_version        10
#define GNTTABOP_swap_grant_ref     11
#define GNTTABOP_cache_flush        12

typedef uint32_t grant_handle_t;

/*
 * GNTTABOP_map_grant_ref: map dom's grant ref at host_addr (a VA, or the
 * machine address of a PTE with GNTMAP_contains_pte) and/or for devices.
 * status: GNTST_bad_domain, _bad_gntref, _bad_virt_addr,
 * _permission_denied, _no_space, _general_error.
 */
struct gnttab_map_grant_ref {
    uint64_t host_addr;      /* IN */
    uint32_t flags;          /* IN: GNTMAP_* */
    grant_ref_t ref;         /* IN */
    domid_t dom;             /* IN: granting domain */
    int16_t status;          /* OUT: GNTST_* */
    grant_handle_t handle;   /* OUT: for unmap */
    uint64_t dev_bus_addr;   /* OUT: bus address for device maps */
};
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_map_grant_ref_t);
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "map_grant_ref size");

/*
 * GNTTABOP_unmap_grant_ref: undo a mapping.
 * status: GNTST_bad_handle, _bad_virt_addr, _bad_dev_addr, _general_error.
 */
struct gnttab_unmap_grant_ref {
    uint64_t host_addr;    /* IN: 0 to skip the CPU mapping */
    uint64_t dev_bus_addr; /* IN: 0 to skip the device mapping */
    grant_handle_t handle; /* IN */
    int16_t status;        /* OUT: GNTST_* */
};
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_grant_ref_t);

/*
 * GNTTABOP_setup_table: grow dom's table to nr_frames frames and return
 * their MFNs (PV) in frame_list.
 * status: GNTST_bad_domain, _permission_denied, _general_error (nr_frames
 * above the maximum).
 */
struct gnttab_setup_table {
    domid_t dom;                            /* IN */
    /* 2-byte hole */
    uint32_t nr_frames;                     /* IN */
    int16_t status;                         /* OUT: GNTST_* */
    /* 6-byte hole */
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list; /* OUT */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_setup_table_t);
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "setup_table size");

/* GNTTABOP_dump_table: print dom's table on the console (debug). */
struct gnttab_dump_table {
    domid_t dom;    /* IN */
    int16_t status; /* OUT: GNTST_* */
};
typedef struct gnttab_dump_table gnttab_dump_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_dump_table_t);

/*
 * GNTTABOP_transfer: give frame mfn to domid through its
 * GTF_accept_transfer entry ref.
 * status: GNTST_bad_domain, _bad_gntref, _bad_page, _address_too_big.
 */
struct gnttab_transfer {
    xen_pfn_t mfn;   /* IN */
    domid_t domid;   /* IN */
    /* 2-byte hole */
    grant_ref_t ref; /* IN */
    int16_t status;  /* OUT: GNTST_* */
};
typedef struct gnttab_transfer gnttab_transfer_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_transfer_t);

/*
 * GNTTABOP_copy: copy len bytes between frames named by grant ref or by
 * the caller's own GMFN.  Neither side may cross a page boundary.
 * status: GNTST_bad_domain, _bad_gntref, _bad_page, _bad_copy_arg,
 * _permission_denied, _general_error.
 */
#define _GNTCOPY_source_gref (0)
#define GNTCOPY_source_gref  (1 << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref   (1)
#define GNTCOPY_dest_gref    (1 << _GNTCOPY_dest_gref)

struct gnttab_copy {
    struct gnttab_copy_ptr {
        union {
            grant_ref_t ref;  /* with GNTCOPY_*_gref */
            xen_pfn_t gmfn;   /* otherwise, the caller's frame */
        } u;
        domid_t domid;
        uint16_t offset;
    } source, dest;           /* IN */
    uint16_t len;             /* IN */
    uint16_t flags;           /* IN: GNTCOPY_* */
    int16_t status;           /* OUT: GNTST_* */
};
typedef struct gnttab_copy gnttab_copy_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_copy_t);
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy size");

/*
 * GNTTABOP_query_size: current and maximum frames of dom's table.
 * status: GNTST_bad_domain, _permission_denied.
 */
struct gnttab_query_size {
    domid_t dom;            /* IN */
    /* 2-byte hole */
    uint32_t nr_frames;     /* OUT */
    uint32_t max_nr_frames; /* OUT */
    int16_t status;         /* OUT: GNTST_* */
};
typedef struct gnttab_query_size gnttab_query_size_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_query_size_t);
_Static_assert(sizeof(struct gnttab_query_size) == 16, "query_size size");

/*
 * GNTTABOP_unmap_and_replace: unmap host_addr and move the mapping of
 * new_addr there, clearing new_addr.
 * status: GNTST_bad_handle, _bad_virt_addr, _general_error.
 */
struct gnttab_unmap_and_replace {
    uint64_t host_addr;    /* IN */
    uint64_t new_addr;     /* IN */
    grant_handle_t handle; /* IN */
    int16_t status;        /* OUT: GNTST_* */
};
typedef struct gnttab_unmap_and_replace gnttab_unmap_and_replace_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_and_replace_t);

/*
 * GNTTABOP_set_version: choose the entry format (1 or 2) before any entry
 * is in use.  Errors: -XEN_EINVAL bad version; -XEN_EBUSY grants in use.
 */
struct gnttab_set_version {
    uint32_t version; /* IN/OUT: requested; the version in force */
};
typedef struct gnttab_set_version gnttab_set_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_set_version_t);

/* GNTTABOP_get_status_frames: the v2 status frames of dom. */
struct gnttab_get_status_frames {
    uint32_t nr_frames;                    /* IN */
    domid_t dom;                           /* IN */
    int16_t status;                        /* OUT: GNTST_* */
    XEN_GUEST_HANDLE(uint64_t) frame_list; /* OUT */
};
typedef struct gnttab_get_status_frames gnttab_get_status_frames_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_status_frames_t);

/* GNTTABOP_get_version: dom's entry format.  -XEN_ESRCH, -XEN_EPERM. */
struct gnttab_get_version {
    domid_t dom;      /* IN */
    uint16_t pad;     /* IN: must be zero */
    uint32_t version; /* OUT */
};
typedef struct gnttab_get_version gnttab_get_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_version_t);

/* GNTTABOP_swap_grant_ref: exchange two of the caller's entries. */
struct gnttab_swap_grant_ref {
    grant_ref_t ref_a; /* IN */
    grant_ref_t ref_b; /* IN */
    int16_t status;    /* OUT: GNTST_bad_gntref, GNTST_eagain if in use */
};
typedef struct gnttab_swap_grant_ref gnttab_swap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_swap_grant_ref_t);

/* GNTTABOP_cache_flush: clean/invalidate a granted range (ARM). */
struct gnttab_cache_flush {
    union {
        uint64_t dev_bus_addr;
        grant_ref_t ref;
    } a;             /* IN */
    uint16_t offset; /* IN: within the grant */
    uint16_t length; /* IN */
#define GNTTAB_CACHE_CLEAN       (1u << 0)
#define GNTTAB_CACHE_INVAL       (1u << 1)
#define GNTTAB_CACHE_SOURCE_GREF (1u << 31)
    uint32_t op;     /* IN: GNTTAB_CACHE_* */
};
typedef struct gnttab_cache_flush gnttab_cache_flush_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_cache_flush_t);

/* gnttab_map_grant_ref.flags */
#define _GNTMAP_device_map      (0) /* map for device DMA */
#define GNTMAP_device_map       (1 << _GNTMAP_device_map)
#define _GNTMAP_host_map        (1) /* map for CPU access */
#define GNTMAP_host_map         (1 << _GNTMAP_host_map)
#define _GNTMAP_readonly        (2) /* read-only mapping */
#define GNTMAP_readonly         (1 << _GNTMAP_readonly)
#define _GNTMAP_application_map (3) /* user-accessible mapping */
#define GNTMAP_application_map  (1 << _GNTMAP_application_map)
#define _GNTMAP_contains_pte    (4) /* host_addr is the MA of a PTE */
#define GNTMAP_contains_pte     (1 << _GNTMAP_contains_pte)
/* Bits 16-31 are copied into the PTE's available bits (x86 PV). */
#define _GNTMAP_guest_avail0    (16)
#define GNTMAP_guest_avail_mask ((uint32_t)~0 << _GNTMAP_guest_avail0)

/* Per-op results. */
#define GNTST_okay               (0)
#define GNTST_general_error     (-1)
#define GNTST_bad_domain        (-2)
#define GNTST_bad_gntref        (-3)
#define GNTST_bad_handle        (-4)
#define GNTST_bad_virt_addr     (-5)
#define GNTST_bad_dev_addr      (-6)
#define GNTST_no_device_space   (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page          (-9)
#define GNTST_bad_copy_arg     (-10)
#define GNTST_address_too_big  (-11)
#define GNTST_eagain           (-12)
#define GNTST_no_space         (-13)

#endif /* __XEN_PUBLIC_GRANT_TABLE_H__ */
