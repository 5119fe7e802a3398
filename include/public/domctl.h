/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: HYPERVISOR_domctl(struct xen_domctl *op), the
 * toolstack's per-domain control operations (Xen 4.17, interface 0x15).
 *
 * Tools-only: guests never see these structures, and the header refuses to
 * compile without __XEN__ or __XEN_TOOLS__.  Only the control domain may
 * make the call.
 *
 * The caller fills cmd, interface_version (XEN_DOMCTL_INTERFACE_VERSION)
 * and domain, plus the union member named after cmd.  The hypervisor
 * copies the whole struct xen_domctl in once and, for ops with OUT fields,
 * copies the whole struct back, so OUT fields appear in the caller's copy.
 * domain names the target domain; it is IN for every op except
 * createdomain and getdomaininfo, where it is IN/OUT (see there).
 *
 * Common errors: -XEN_EFAULT op unreadable, or unwritable when results are
 * copied back; -XEN_EACCES interface_version is not
 * XEN_DOMCTL_INTERFACE_VERSION; -XEN_EPERM the caller is not the control
 * domain; -XEN_ESRCH domain names no domain (every op except createdomain
 * and getdomaininfo); -XEN_ENOSYS unknown or unimplemented cmd.  Each op
 * lists its own errors below.  Long-running ops (destroydomain,
 * setvcpucontext, getpageframeinfo3) continue themselves transparently:
 * the caller sees one hypercall.
 *
 * Sizes and offsets are pinned below; sizeof(struct xen_domctl) is 144 and
 * the union starts at offset 16.
 */
#ifndef __XEN_PUBLIC_DOMCTL_H__
#define __XEN_PUBLIC_DOMCTL_H__

#if !defined(__XEN__) && !defined(__XEN_TOOLS__)
#error "domctl.h is for the toolstack only (define __XEN_TOOLS__)"
#endif

#include <stddef.h>
#include <stdint.h>
#include "xen.h"
/* Included as Xen's domctl.h includes them (Keel has no hvm/save.h). */
#include "event_channel.h"
#include "grant_table.h"
#include "memory.h"

#define XEN_DOMCTL_INTERFACE_VERSION 0x00000015

/*
 * Sub-op numbers (struct xen_domctl.cmd), every one Xen 4.17 defines; the
 * structures below cover the ops Keel's toolstack needs.  Numbers Xen
 * retired and must not be reused: 6 (getmemlist), 7 and 8 (old
 * getpageframeinfo), 41 (pin_mem_cacheattr), 49 (set_cpuid), 51-53, 58,
 * 70 (set_max_evtchn: now createdomain's max_evtchn_port) and 80
 * (set_gnttab_limits: now createdomain's max_grant_frames and
 * max_maptrack_frames).  23 is the hypervisor's internal continuation of
 * soft_reset.
 */
#define XEN_DOMCTL_createdomain                1
#define XEN_DOMCTL_destroydomain               2
#define XEN_DOMCTL_pausedomain                 3
#define XEN_DOMCTL_unpausedomain               4
#define XEN_DOMCTL_getdomaininfo               5
#define XEN_DOMCTL_setvcpuaffinity             9
#define XEN_DOMCTL_shadow_op                  10
#define XEN_DOMCTL_max_mem                    11
#define XEN_DOMCTL_setvcpucontext             12
#define XEN_DOMCTL_getvcpucontext             13
#define XEN_DOMCTL_getvcpuinfo                14
#define XEN_DOMCTL_max_vcpus                  15
#define XEN_DOMCTL_scheduler_op               16
#define XEN_DOMCTL_setdomainhandle            17
#define XEN_DOMCTL_setdebugging               18
#define XEN_DOMCTL_irq_permission             19
#define XEN_DOMCTL_iomem_permission           20
#define XEN_DOMCTL_ioport_permission          21
#define XEN_DOMCTL_hypercall_init             22
#ifdef __XEN__
#define XEN_DOMCTL_soft_reset_cont            23
#endif
#define XEN_DOMCTL_settimeoffset              24
#define XEN_DOMCTL_getvcpuaffinity            25
#define XEN_DOMCTL_real_mode_area             26 /* obsolete (PowerPC) */
#define XEN_DOMCTL_resumedomain               27
#define XEN_DOMCTL_sendtrigger                28
#define XEN_DOMCTL_subscribe                  29
#define XEN_DOMCTL_gethvmcontext              33
#define XEN_DOMCTL_sethvmcontext              34
#define XEN_DOMCTL_set_address_size           35
#define XEN_DOMCTL_get_address_size           36
#define XEN_DOMCTL_assign_device              37
#define XEN_DOMCTL_bind_pt_irq                38
#define XEN_DOMCTL_memory_mapping             39
#define XEN_DOMCTL_ioport_mapping             40
#define XEN_DOMCTL_set_ext_vcpucontext        42
#define XEN_DOMCTL_get_ext_vcpucontext        43
#define XEN_DOMCTL_set_opt_feature            44 /* obsolete (IA-64) */
#define XEN_DOMCTL_test_assign_device         45
#define XEN_DOMCTL_set_target                 46
#define XEN_DOMCTL_deassign_device            47
#define XEN_DOMCTL_unbind_pt_irq              48
#define XEN_DOMCTL_get_device_group           50
#define XEN_DOMCTL_debug_op                   54
#define XEN_DOMCTL_gethvmcontext_partial      55
#define XEN_DOMCTL_vm_event_op                56
#define XEN_DOMCTL_mem_sharing_op             57
#define XEN_DOMCTL_gettscinfo                 59
#define XEN_DOMCTL_settscinfo                 60
#define XEN_DOMCTL_getpageframeinfo3          61
#define XEN_DOMCTL_setvcpuextstate            62
#define XEN_DOMCTL_getvcpuextstate            63
#define XEN_DOMCTL_set_access_required        64
#define XEN_DOMCTL_audit_p2m                  65
#define XEN_DOMCTL_set_virq_handler           66
#define XEN_DOMCTL_set_broken_page_p2m        67
#define XEN_DOMCTL_setnodeaffinity            68
#define XEN_DOMCTL_getnodeaffinity            69
#define XEN_DOMCTL_cacheflush                 71
#define XEN_DOMCTL_get_vcpu_msrs              72
#define XEN_DOMCTL_set_vcpu_msrs              73
#define XEN_DOMCTL_setvnumainfo               74
#define XEN_DOMCTL_psr_cmt_op                 75
#define XEN_DOMCTL_monitor_op                 77
#define XEN_DOMCTL_psr_alloc                  78
#define XEN_DOMCTL_soft_reset                 79
#define XEN_DOMCTL_vuart_op                   81
#define XEN_DOMCTL_get_cpu_policy             82
#define XEN_DOMCTL_set_cpu_policy             83
#define XEN_DOMCTL_vmtrace_op                 84
#define XEN_DOMCTL_get_paging_mempool_size    85
#define XEN_DOMCTL_set_paging_mempool_size    86
/* gdbsx debugger ops sit apart from the rest. */
#define XEN_DOMCTL_gdbsx_guestmemio         1000
#define XEN_DOMCTL_gdbsx_pausevcpu          1001
#define XEN_DOMCTL_gdbsx_unpausevcpu        1002
#define XEN_DOMCTL_gdbsx_domstatus          1003

/*
 * XEN_DOMCTL_createdomain: create a domain, paused once on behalf of the
 * toolstack (one unpausedomain starts it).
 * domain: IN the id wanted, or 0 / >= DOMID_FIRST_RESERVED for "any free
 * id"; OUT the new domain's id.
 * Errors: -XEN_EEXIST the id wanted is in use; -XEN_ENOMEM no free id, or
 * out of memory; -XEN_EINVAL unknown flags, iommu_opts or grant_opts bits,
 * max_vcpus 0, hap without hvm, an option the host cannot provide, or an
 * arch config not valid for the domain type (a PV domain passes
 * emulation_flags 0).
 */
struct xen_domctl_createdomain {
    uint32_t ssidref;           /* IN: security label (XSM), 0 without XSM */
    xen_domain_handle_t handle; /* IN: the domain's UUID */
/*
 * flags: hvm an HVM (not PV) guest; hap with hardware-assisted paging;
 * s3_integrity memory checked by tboot across S3; oos_off no out-of-sync
 * shadow tables; xs_domain runs xenstored; iommu may use the IOMMU;
 * nested_virt nested virtualisation; vpmu a virtual PMU.  _MAX is the
 * highest flag.
 */
#define _XEN_DOMCTL_CDF_hvm          0
#define XEN_DOMCTL_CDF_hvm           (1U << _XEN_DOMCTL_CDF_hvm)
#define _XEN_DOMCTL_CDF_hap          1
#define XEN_DOMCTL_CDF_hap           (1U << _XEN_DOMCTL_CDF_hap)
#define _XEN_DOMCTL_CDF_s3_integrity 2
#define XEN_DOMCTL_CDF_s3_integrity  (1U << _XEN_DOMCTL_CDF_s3_integrity)
#define _XEN_DOMCTL_CDF_oos_off      3
#define XEN_DOMCTL_CDF_oos_off       (1U << _XEN_DOMCTL_CDF_oos_off)
#define _XEN_DOMCTL_CDF_xs_domain    4
#define XEN_DOMCTL_CDF_xs_domain     (1U << _XEN_DOMCTL_CDF_xs_domain)
#define _XEN_DOMCTL_CDF_iommu        5
#define XEN_DOMCTL_CDF_iommu         (1U << _XEN_DOMCTL_CDF_iommu)
#define _XEN_DOMCTL_CDF_nested_virt  6
#define XEN_DOMCTL_CDF_nested_virt   (1U << _XEN_DOMCTL_CDF_nested_virt)
#define XEN_DOMCTL_CDF_vpmu          (1U << 7)
#define XEN_DOMCTL_CDF_MAX           XEN_DOMCTL_CDF_vpmu
    uint32_t flags;             /* IN: XEN_DOMCTL_CDF_* */
#define _XEN_DOMCTL_IOMMU_no_sharept 0
#define XEN_DOMCTL_IOMMU_no_sharept  (1U << _XEN_DOMCTL_IOMMU_no_sharept)
#define XEN_DOMCTL_IOMMU_MAX         XEN_DOMCTL_IOMMU_no_sharept /* highest */
    uint32_t iommu_opts;        /* IN: XEN_DOMCTL_IOMMU_* (with CDF_iommu) */
    uint32_t max_vcpus;         /* IN: >= 1; XEN_DOMCTL_max_vcpus repeats it */
    uint32_t max_evtchn_port;   /* IN: highest event-channel port */
    int32_t max_grant_frames;   /* IN: grant-table frames; < 0 = default */
    int32_t max_maptrack_frames; /* IN: maptrack frames; < 0 = default */
#define XEN_DOMCTL_GRANT_version_mask 0xf
#define XEN_DOMCTL_GRANT_version(v)   ((v) & XEN_DOMCTL_GRANT_version_mask)
    uint32_t grant_opts;        /* IN: max grant version in bits 0-3 */
    uint32_t vmtrace_size;      /* IN: per-vCPU trace buffer bytes; 0 = none */
    uint32_t cpupool_id;        /* IN: CPU pool; 0 = the default pool */
    struct xen_arch_domainconfig arch; /* IN: arch-x86/xen.h */
};
_Static_assert(sizeof(struct xen_domctl_createdomain) == 64,
               "createdomain size");
_Static_assert(offsetof(struct xen_domctl_createdomain, arch) == 56,
               "createdomain.arch");

/*
 * XEN_DOMCTL_destroydomain: kill the domain and release its resources
 * (continues itself while memory is freed).  The domain id stays in use
 * until the last reference to the domain goes.
 * Errors: -XEN_EINVAL the caller's own domain.
 *
 * XEN_DOMCTL_pausedomain / XEN_DOMCTL_unpausedomain: nested pause on
 * behalf of the toolstack (separate from the guest's own blocking).
 * Errors: pause: -XEN_EINVAL the caller's own domain; -XEN_EOVERFLOW 255
 * pauses already held.  unpause: -XEN_EINVAL no toolstack pause held.
 * These three take no union member.
 */

/*
 * XEN_DOMCTL_getdomaininfo: describe one domain.
 * domain: IN a domain id; when no domain has that id, the domain with the
 * next higher id is described (so tools can walk the list).  OUT the id
 * described.
 * Errors: -XEN_ESRCH no domain with that id or above; -XEN_EINVAL no
 * domain with that id, which is >= DOMID_FIRST_RESERVED.
 */
struct xen_domctl_getdomaininfo {
    domid_t domain;      /* OUT: the domain described (as xen_domctl.domain) */
    uint16_t pad1;       /* OUT: zero */
/*
 * flags: dying being destroyed; hvm_guest HVM, not PV; shutdown the guest
 * shut down, and bits 16-23 hold its SHUTDOWN_* reason; paused a toolstack
 * pause is held; blocked every vCPU waits for an event; running a vCPU is
 * on a CPU; debugged a debugger is attached; xs_domain runs xenstored; hap
 * hardware-assisted paging.
 */
#define _XEN_DOMINF_dying     0
#define XEN_DOMINF_dying      (1U << _XEN_DOMINF_dying)
#define _XEN_DOMINF_hvm_guest 1
#define XEN_DOMINF_hvm_guest  (1U << _XEN_DOMINF_hvm_guest)
#define _XEN_DOMINF_shutdown  2
#define XEN_DOMINF_shutdown   (1U << _XEN_DOMINF_shutdown)
#define _XEN_DOMINF_paused    3
#define XEN_DOMINF_paused     (1U << _XEN_DOMINF_paused)
#define _XEN_DOMINF_blocked   4
#define XEN_DOMINF_blocked    (1U << _XEN_DOMINF_blocked)
#define _XEN_DOMINF_running   5
#define XEN_DOMINF_running    (1U << _XEN_DOMINF_running)
#define _XEN_DOMINF_debugged  6
#define XEN_DOMINF_debugged   (1U << _XEN_DOMINF_debugged)
#define _XEN_DOMINF_xs_domain 7
#define XEN_DOMINF_xs_domain  (1U << _XEN_DOMINF_xs_domain)
#define _XEN_DOMINF_hap       8
#define XEN_DOMINF_hap        (1U << _XEN_DOMINF_hap)
#define XEN_DOMINF_shutdownmask  255
#define XEN_DOMINF_shutdownshift 16
    uint32_t flags;                     /* OUT: XEN_DOMINF_* */
    uint64_aligned_t tot_pages;         /* OUT: pages the domain owns */
    uint64_aligned_t max_pages;         /* OUT: its limit (max_mem) */
    uint64_aligned_t outstanding_pages; /* OUT: claimed, not yet allocated */
    uint64_aligned_t shr_pages;         /* OUT: shared (mem_sharing) pages */
    uint64_aligned_t paged_pages;       /* OUT: paged-out pages */
    uint64_aligned_t shared_info_frame; /* OUT: GFN of its shared_info */
    uint64_aligned_t cpu_time;          /* OUT: ns run, all vCPUs */
    uint32_t nr_online_vcpus;           /* OUT: vCPUs up */
#define XEN_INVALID_MAX_VCPU_ID (~0U)   /* max_vcpu_id: the domain has none */
    uint32_t max_vcpu_id;               /* OUT: highest vCPU id */
    uint32_t ssidref;                   /* OUT: security label */
    xen_domain_handle_t handle;         /* OUT: UUID */
    uint32_t cpupool;                   /* OUT: CPU pool id */
    uint8_t gpaddr_bits;                /* OUT: guest physical address width */
    uint8_t pad2[7];                    /* OUT: zero */
    struct xen_arch_domainconfig arch_config; /* OUT: as created */
};
typedef struct xen_domctl_getdomaininfo xen_domctl_getdomaininfo_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_getdomaininfo_t);
_Static_assert(sizeof(struct xen_domctl_getdomaininfo) == 112,
               "getdomaininfo size");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, tot_pages) == 8,
               "getdomaininfo.tot_pages");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, handle) == 76,
               "getdomaininfo.handle");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, arch_config) == 104,
               "getdomaininfo.arch_config");

/*
 * Page-frame type words, as XEN_DOMCTL_getpageframeinfo3 writes them:
 * bits 28-31 hold the type, the rest is zero.
 */
#define XEN_DOMCTL_PFINFO_LTAB_SHIFT    28
#define XEN_DOMCTL_PFINFO_NOTAB         (0x0U << 28) /* not a page table */
#define XEN_DOMCTL_PFINFO_L1TAB         (0x1U << 28)
#define XEN_DOMCTL_PFINFO_L2TAB         (0x2U << 28)
#define XEN_DOMCTL_PFINFO_L3TAB         (0x3U << 28)
#define XEN_DOMCTL_PFINFO_L4TAB         (0x4U << 28)
#define XEN_DOMCTL_PFINFO_LTABTYPE_MASK (0x7U << 28)
#define XEN_DOMCTL_PFINFO_LPINTAB       (0x1U << 31) /* with LnTAB: pinned */
#define XEN_DOMCTL_PFINFO_XTAB          (0xfU << 28) /* no such frame */
#define XEN_DOMCTL_PFINFO_XALLOC        (0xeU << 28) /* allocate only */
#define XEN_DOMCTL_PFINFO_BROKEN        (0xdU << 28) /* broken frame */
#define XEN_DOMCTL_PFINFO_LTAB_MASK     (0xfU << 28)

/*
 * XEN_DOMCTL_getpageframeinfo3: the type of each of num frames of the
 * domain.  array holds num GFNs (8 bytes each) on entry and is
 * overwritten in place with XEN_DOMCTL_PFINFO_* words.  An unvalidated
 * page table reads NOTAB.  When the op continues itself, num and array
 * are advanced in the caller's struct.
 * Errors: -XEN_E2BIG num > 1024; -XEN_EFAULT array unreadable or
 * unwritable.
 */
struct xen_domctl_getpageframeinfo3 {
    uint64_aligned_t num;                  /* IN: entries in array */
    XEN_GUEST_HANDLE_64(xen_pfn_t) array;  /* IN: GFNs; OUT: PFINFO words */
};
_Static_assert(sizeof(struct xen_domctl_getpageframeinfo3) == 16,
               "getpageframeinfo3 size");

/*
 * XEN_DOMCTL_shadow_op: shadow paging and log-dirty control (used by
 * migration).  Keel has no shadow or log-dirty mode and refuses every
 * sub-op; the structure is here so the union has Xen's members.
 */
#define XEN_DOMCTL_SHADOW_OP_OFF              0  /* leave shadow mode */
#define XEN_DOMCTL_SHADOW_OP_ENABLE_TEST      1  /* ENABLE, no mode flags */
#define XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY  2  /* ENABLE with LOG_DIRTY */
#define XEN_DOMCTL_SHADOW_OP_CLEAN            11 /* read, reset dirty bitmap */
#define XEN_DOMCTL_SHADOW_OP_PEEK             12 /* read dirty bitmap only */
#define XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION   30 /* mb OUT (deprecated) */
#define XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION   31 /* mb IN (deprecated) */
#define XEN_DOMCTL_SHADOW_OP_ENABLE           32 /* mode: SHADOW_ENABLE_* */
/* mode for OP_ENABLE */
#define XEN_DOMCTL_SHADOW_ENABLE_REFCOUNT  (1 << 1)
#define XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY (1 << 2)
#define XEN_DOMCTL_SHADOW_ENABLE_TRANSLATE (1 << 3)
#define XEN_DOMCTL_SHADOW_ENABLE_EXTERNAL  (1 << 4)
/* mode for OP_CLEAN and OP_PEEK: last pass, include frames the
 * hypervisor maps writable */
#define XEN_DOMCTL_SHADOW_LOGDIRTY_FINAL   (1 << 0)

struct xen_domctl_shadow_op_stats {
    uint32_t fault_count; /* OUT */
    uint32_t dirty_count; /* OUT */
};

struct xen_domctl_shadow_op {
    uint32_t op;   /* IN: XEN_DOMCTL_SHADOW_OP_* */
    uint32_t mode; /* IN: SHADOW_ENABLE_* or SHADOW_LOGDIRTY_* */
    uint32_t mb;   /* IN/OUT: shadow pool size in MiB (the ALLOCATION ops) */
    /* 4-byte hole */
    XEN_GUEST_HANDLE_64(uint8) dirty_bitmap; /* OUT: CLEAN/PEEK bitmap */
    uint64_aligned_t pages;                  /* IN: bitmap bits; OUT: done */
    struct xen_domctl_shadow_op_stats stats; /* OUT */
};
_Static_assert(sizeof(struct xen_domctl_shadow_op) == 40, "shadow_op size");
_Static_assert(offsetof(struct xen_domctl_shadow_op, dirty_bitmap) == 16,
               "shadow_op hole");

/*
 * XEN_DOMCTL_max_mem: set the domain's page limit to max_memkb / 4.  A
 * limit below the pages held is allowed: the domain then gets no more
 * until it has given enough back.
 */
struct xen_domctl_max_mem {
    uint64_aligned_t max_memkb; /* IN: KiB */
};

/*
 * XEN_DOMCTL_setvcpucontext: load a vCPU's full state (a null ctxt
 * resets the vCPU instead).  The context is checked as for
 * VCPUOP_initialise.
 * Errors: -XEN_EINVAL the caller's own domain, vcpu >= max_vcpus or not
 * created, or a context that fails the checks; -XEN_EFAULT ctxt
 * unreadable; -XEN_ENOMEM.
 *
 * XEN_DOMCTL_getvcpucontext: read a vCPU's full state into ctxt.
 * Errors: -XEN_EINVAL vcpu >= max_vcpus, not created, or the calling vCPU
 * itself; -XEN_ENODATA the vCPU was never initialised; -XEN_EFAULT ctxt
 * unwritable; -XEN_ENOMEM.
 */
struct xen_domctl_vcpucontext {
    uint32_t vcpu; /* IN */
    /* 4-byte hole */
    /* IN: the buffer read (set) or written (get) */
    XEN_GUEST_HANDLE_64(vcpu_guest_context_t) ctxt;
};
_Static_assert(sizeof(struct xen_domctl_vcpucontext) == 16, "vcpucontext size");
_Static_assert(offsetof(struct xen_domctl_vcpucontext, ctxt) == 8,
               "vcpucontext hole");

/*
 * XEN_DOMCTL_getvcpuinfo: one vCPU's scheduling state.
 * Errors: -XEN_EINVAL vcpu >= max_vcpus; -XEN_ESRCH vCPU not created.
 */
struct xen_domctl_getvcpuinfo {
    uint32_t vcpu;            /* IN */
    uint8_t online;           /* OUT: not down */
    uint8_t blocked;          /* OUT: waiting for an event */
    uint8_t running;          /* OUT: on a physical CPU now */
    /* 1-byte hole */
    uint64_aligned_t cpu_time; /* OUT: ns spent running */
    uint32_t cpu;             /* OUT: physical CPU it runs or last ran on */
    /* 4 bytes of tail padding */
};
_Static_assert(sizeof(struct xen_domctl_getvcpuinfo) == 24, "getvcpuinfo size");
_Static_assert(offsetof(struct xen_domctl_getvcpuinfo, cpu_time) == 8,
               "getvcpuinfo hole");

/*
 * XEN_DOMCTL_setvcpuaffinity / XEN_DOMCTL_getvcpuaffinity: the physical
 * CPUs a vCPU may run on (hard) and prefers (soft), as CPU bitmaps.
 * set: the maps are IN, and OUT the affinity in effect (the hard map
 * intersected with the pool's online CPUs; the soft map further with the
 * hard one).  get: the maps are OUT, as last set.
 * Errors: -XEN_EINVAL vcpu >= max_vcpus, flags 0, a map named in flags
 * with a null bitmap, or (set) an affinity with no usable CPU;
 * -XEN_ESRCH vCPU not created; -XEN_EFAULT a bitmap inaccessible;
 * -XEN_ENOMEM.
 */
struct xen_domctl_vcpuaffinity {
    uint32_t vcpu;  /* IN */
#define _XEN_VCPUAFFINITY_HARD  0
#define XEN_VCPUAFFINITY_HARD   (1U << _XEN_VCPUAFFINITY_HARD)
#define _XEN_VCPUAFFINITY_SOFT  1
#define XEN_VCPUAFFINITY_SOFT   (1U << _XEN_VCPUAFFINITY_SOFT)
#define _XEN_VCPUAFFINITY_FORCE 2 /* set: also drop a SCHEDOP_pin_override */
#define XEN_VCPUAFFINITY_FORCE  (1U << _XEN_VCPUAFFINITY_FORCE)
    uint32_t flags; /* IN: XEN_VCPUAFFINITY_*, which maps to act on */
    struct xenctl_bitmap cpumap_hard; /* IN/OUT */
    struct xenctl_bitmap cpumap_soft; /* IN/OUT */
};
_Static_assert(sizeof(struct xen_domctl_vcpuaffinity) == 40,
               "vcpuaffinity size");

/*
 * XEN_DOMCTL_max_vcpus: allocate the domain's vCPUs.  max must equal
 * createdomain's max_vcpus.
 * Errors: -XEN_EINVAL the caller's own domain, or max differs;
 * -XEN_ENOMEM.
 */
struct xen_domctl_max_vcpus {
    uint32_t max; /* IN */
};

/*
 * XEN_DOMCTL_scheduler_op: get or set a domain's scheduling parameters.
 * sched_id must name the scheduler of the domain's CPU pool.
 * putinfo sets the domain-wide parameters (every vCPU); getinfo reads
 * them.  putvcpuinfo / getvcpuinfo act on the vCPUs listed in u.v and
 * exist only for per-vCPU schedulers (RTDS); u.v.nr_vcpus is IN the
 * entries and OUT the entries done.
 * Errors: -XEN_EINVAL sched_id not the domain's scheduler, unknown cmd,
 * or a parameter out of range; -XEN_EFAULT u.v.vcpus inaccessible.
 */
#define XEN_SCHEDULER_CREDIT   5
#define XEN_SCHEDULER_CREDIT2  6
#define XEN_SCHEDULER_ARINC653 7
#define XEN_SCHEDULER_RTDS     8
#define XEN_SCHEDULER_NULL     9
/* (4 was SEDF, removed.) */

struct xen_domctl_sched_credit {
    uint16_t weight; /* IN/OUT: relative share */
    uint16_t cap;    /* IN/OUT: % of one CPU at most; 0 = no cap */
};

struct xen_domctl_sched_credit2 {
    uint16_t weight; /* IN/OUT: relative share */
    uint16_t cap;    /* IN/OUT: % of one CPU at most; 0 = no cap */
};

struct xen_domctl_sched_rtds {
    uint32_t period; /* IN/OUT: microseconds */
    uint32_t budget; /* IN/OUT: microseconds per period */
/* extra: the vCPU may run beyond its budget when CPUs are idle */
#define _XEN_DOMCTL_SCHEDRT_extra 0
#define XEN_DOMCTL_SCHEDRT_extra  (1U << _XEN_DOMCTL_SCHEDRT_extra)
    uint32_t flags;  /* IN/OUT: XEN_DOMCTL_SCHEDRT_* */
};

typedef struct xen_domctl_schedparam_vcpu {
    union {
        struct xen_domctl_sched_credit credit;
        struct xen_domctl_sched_credit2 credit2;
        struct xen_domctl_sched_rtds rtds;
    } u;             /* IN/OUT */
    uint32_t vcpuid; /* IN */
} xen_domctl_schedparam_vcpu_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_schedparam_vcpu_t);
_Static_assert(sizeof(xen_domctl_schedparam_vcpu_t) == 16,
               "schedparam_vcpu_t size");

#define XEN_DOMCTL_SCHEDOP_putinfo     0
#define XEN_DOMCTL_SCHEDOP_getinfo     1
#define XEN_DOMCTL_SCHEDOP_putvcpuinfo 2
#define XEN_DOMCTL_SCHEDOP_getvcpuinfo 3
struct xen_domctl_scheduler_op {
    uint32_t sched_id; /* IN: XEN_SCHEDULER_* */
    uint32_t cmd;      /* IN: XEN_DOMCTL_SCHEDOP_* */
    union {
        struct xen_domctl_sched_credit credit;
        struct xen_domctl_sched_credit2 credit2;
        struct xen_domctl_sched_rtds rtds;
        struct {
            XEN_GUEST_HANDLE_64(xen_domctl_schedparam_vcpu_t) vcpus;
            uint32_t nr_vcpus; /* IN: entries; OUT: entries done */
            uint32_t padding;  /* IN: zero */
        } v;
    } u;               /* IN/OUT */
};
_Static_assert(sizeof(struct xen_domctl_scheduler_op) == 24,
               "scheduler_op size");

/* XEN_DOMCTL_setdomainhandle: replace the domain's UUID. */
struct xen_domctl_setdomainhandle {
    xen_domain_handle_t handle; /* IN */
};

/*
 * XEN_DOMCTL_iomem_permission: allow or deny the domain mapping machine
 * frames first_mfn .. first_mfn + nr_mfns - 1.
 * Errors: -XEN_EINVAL the range wraps; -XEN_EPERM the caller may not
 * access the range itself; -XEN_ENOMEM.
 */
struct xen_domctl_iomem_permission {
    uint64_aligned_t first_mfn; /* IN */
    uint64_aligned_t nr_mfns;   /* IN: > 0 */
    uint8_t allow_access;       /* IN: non-zero allow, zero deny */
    /* 7 bytes of tail padding */
};
_Static_assert(sizeof(struct xen_domctl_iomem_permission) == 24,
               "iomem_permission size");

/*
 * XEN_DOMCTL_ioport_permission: allow or deny the domain I/O ports
 * first_port .. first_port + nr_ports - 1.
 * Errors: -XEN_EINVAL nr_ports 0, or the range wraps or passes 0xffff;
 * -XEN_EPERM the caller may not access the range itself; -XEN_ENOMEM.
 */
struct xen_domctl_ioport_permission {
    uint32_t first_port;  /* IN */
    uint32_t nr_ports;    /* IN */
    uint8_t allow_access; /* IN: non-zero allow, zero deny */
    /* 3 bytes of tail padding */
};
_Static_assert(sizeof(struct xen_domctl_ioport_permission) == 12,
               "ioport_permission size");

/*
 * XEN_DOMCTL_hypercall_init: write the hypercall page into the domain's
 * frame gmfn.
 * Errors: -XEN_EINVAL no such frame; -XEN_EPERM the frame cannot be made
 * writable (it is a page table or descriptor table).
 */
struct xen_domctl_hypercall_init {
    uint64_aligned_t gmfn; /* IN */
};

/* XEN_DOMCTL_settimeoffset: the domain's wall clock runs this far ahead. */
struct xen_domctl_settimeoffset {
    int64_aligned_t time_offset_seconds; /* IN: seconds, may be negative */
};

/*
 * XEN_DOMCTL_set_address_size / XEN_DOMCTL_get_address_size: a PV
 * domain's guest word size in bits.  In Xen, setting 32 turns a new
 * domain into a 32-bit PV domain; Keel runs 64-bit PV guests only and
 * refuses 32 as it refuses any other size.
 * Errors: -XEN_EINVAL (set) a size other than 32 or 64; -XEN_EOPNOTSUPP
 * an HVM domain.
 */
struct xen_domctl_address_size {
    uint32_t size; /* IN (set) / OUT (get): 32 or 64 */
};

/*
 * The argument of HYPERVISOR_domctl.  The union is fixed at 128 bytes by
 * pad, so members Keel does not declare (Xen's device, HVM, vm_event, ...
 * ops) fit without changing the size.
 */
struct xen_domctl {
    uint32_t cmd;               /* IN: XEN_DOMCTL_* */
    uint32_t interface_version; /* IN: XEN_DOMCTL_INTERFACE_VERSION */
    domid_t domain;             /* IN; IN/OUT: createdomain, getdomaininfo */
    uint16_t _pad[3];           /* IN: ignored */
    union {
        struct xen_domctl_createdomain createdomain;
        struct xen_domctl_getdomaininfo getdomaininfo;
        struct xen_domctl_getpageframeinfo3 getpageframeinfo3;
        struct xen_domctl_vcpuaffinity vcpuaffinity;
        struct xen_domctl_shadow_op shadow_op;
        struct xen_domctl_max_mem max_mem;
        struct xen_domctl_vcpucontext vcpucontext;
        struct xen_domctl_getvcpuinfo getvcpuinfo;
        struct xen_domctl_max_vcpus max_vcpus;
        struct xen_domctl_scheduler_op scheduler_op;
        struct xen_domctl_setdomainhandle setdomainhandle;
        struct xen_domctl_iomem_permission iomem_permission;
        struct xen_domctl_ioport_permission ioport_permission;
        struct xen_domctl_hypercall_init hypercall_init;
        struct xen_domctl_settimeoffset settimeoffset;
        struct xen_domctl_address_size address_size;
        uint8_t pad[128];
    } u;
};
typedef struct xen_domctl xen_domctl_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_t);
_Static_assert(sizeof(struct xen_domctl) == 144, "xen_domctl size");
_Static_assert(offsetof(struct xen_domctl, domain) == 8, "xen_domctl.domain");
_Static_assert(offsetof(struct xen_domctl, u) == 16, "xen_domctl.u");

#endif /* __XEN_PUBLIC_DOMCTL_H__ */
