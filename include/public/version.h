/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: HYPERVISOR_xen_version(int cmd, void *arg).
 *
 * XENVER_version returns (major << 16) | minor and takes no argument (a
 * guest may use it as a cheap "deliver pending events" no-op).  The other
 * commands copy the structure or string named beside them to arg.
 * Errors: -XEN_ENOSYS unknown cmd; -XEN_EFAULT arg not writable;
 * -XEN_EINVAL bad submap_idx (get_features) or buffer too small (build_id);
 * -XEN_EPERM the information is withheld from this domain.
 */
#ifndef __XEN_PUBLIC_VERSION_H__
#define __XEN_PUBLIC_VERSION_H__

#include <stdint.h>
#include "xen.h"

#define XENVER_version 0

#define XENVER_extraversion 1 /* OUT: e.g. ".0-keel" */
typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t))

#define XENVER_compile_info 2
struct xen_compile_info {
    char compiler[64];       /* OUT */
    char compile_by[16];     /* OUT */
    char compile_domain[32]; /* OUT */
    char compile_date[32];   /* OUT */
};
typedef struct xen_compile_info xen_compile_info_t;
_Static_assert(sizeof(struct xen_compile_info) == 144, "xen_compile_info size");

#define XENVER_capabilities 3 /* OUT: e.g. "xen-3.0-x86_64" */
typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))

#define XENVER_changeset 4 /* OUT: source revision string */
typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t))

#define XENVER_platform_parameters 5
struct xen_platform_parameters {
    xen_ulong_t virt_start; /* OUT: lowest VA the hypervisor reserves */
};
typedef struct xen_platform_parameters xen_platform_parameters_t;

#define XENVER_get_features 6
struct xen_feature_info {
    uint32_t submap_idx; /* IN: which 32-bit submap (only 0 exists) */
    uint32_t submap;     /* OUT: XENFEAT_* bits of that submap */
};
typedef struct xen_feature_info xen_feature_info_t;
_Static_assert(sizeof(struct xen_feature_info) == 8, "xen_feature_info size");

#include "features.h"

#define XENVER_pagesize     7 /* returns the page size; arg unused */
#define XENVER_guest_handle 8 /* OUT: xen_domain_handle_t */

#define XENVER_commandline 9 /* OUT: hypervisor command line (control domain) */
typedef char xen_commandline_t[1024];

#define XENVER_build_id 10
struct xen_build_id {
    uint32_t len;                          /* IN: size of buf */
    unsigned char buf[XEN_FLEX_ARRAY_DIM]; /* OUT: build id bytes */
};
typedef struct xen_build_id xen_build_id_t;

#endif /* __XEN_PUBLIC_VERSION_H__ */
