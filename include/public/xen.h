/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: the core guest interface.
 *
 * Keel is binary compatible with Xen's public ABI (interface 4.17 for
 * 64-bit PV guests): every name, number and layout below matches Xen's, and
 * tests/abi checks that against Xen's own headers.  Declarations and text
 * are Keel's.
 *
 * Hypercalls take up to six register arguments (rdi, rsi, rdx, r10, r8, r9
 * on x86-64) and return a long in rax: >= 0 on success, or a negative
 * XEN_E* value from errno.h.  Every hypercall may also fail with
 * -XEN_ENOSYS when Keel does not implement it (see docs/abi.md) and with
 * -XEN_EFAULT when a guest handle does not point at readable (or, for OUT
 * data, writable) guest memory.
 */
#ifndef __XEN_PUBLIC_XEN_H__
#define __XEN_PUBLIC_XEN_H__

#include "xen-compat.h"

#if defined(__x86_64__)
#include "arch-x86/xen.h"
#else
#error "Keel's public headers describe x86-64 guests only"
#endif

#include <stddef.h>
#include <stdint.h>

#ifndef __ASSEMBLY__
/* Handles for the basic types; each also has a const_ variant. */
DEFINE_XEN_GUEST_HANDLE(char);
__DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
DEFINE_XEN_GUEST_HANDLE(int);
__DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
DEFINE_XEN_GUEST_HANDLE(void);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);

/* Dimension of a trailing variable-length array (C99 flexible member). */
#define XEN_FLEX_ARRAY_DIM

/* Suffix a literal so constants have the C type the ABI gives them. */
#define __xen_mk_uint(x)  x##U
#define __xen_mk_ulong(x) x##UL
#ifndef __xen_mk_ullong
#define __xen_mk_ullong(x) x##ULL
#endif
#define xen_mk_uint(x)   __xen_mk_uint(x)
#define xen_mk_ulong(x)  __xen_mk_ulong(x)
#define xen_mk_ullong(x) __xen_mk_ullong(x)
#else
#define xen_mk_uint(x)   x
#define xen_mk_ulong(x)  x
#define xen_mk_ullong(x) x
#endif

/*
 * Hypercall numbers.  A hypercall is a call to hypercall_page + 32 * nr.
 * The per-hypercall contract is next to its argument structures (this
 * file, or the header named); docs/abi.md tracks what Keel implements.
 */
#define __HYPERVISOR_set_trap_table        0  /* trap_info[] -> virtual IDT */
#define __HYPERVISOR_mmu_update            1  /* mmu_update[] */
#define __HYPERVISOR_set_gdt               2  /* frames[], entries */
#define __HYPERVISOR_stack_switch          3  /* ss, esp for kernel entry */
#define __HYPERVISOR_set_callbacks         4  /* superseded by callback_op */
#define __HYPERVISOR_fpu_taskswitch        5  /* set/clear virtual CR0.TS */
#define __HYPERVISOR_sched_op_compat       6  /* superseded by sched_op */
#define __HYPERVISOR_platform_op           7  /* control domain only */
#define __HYPERVISOR_set_debugreg          8
#define __HYPERVISOR_get_debugreg          9
#define __HYPERVISOR_update_descriptor    10  /* one GDT/LDT entry by MA */
#define __HYPERVISOR_memory_op            12  /* memory.h */
#define __HYPERVISOR_multicall            13  /* multicall_entry[] */
#define __HYPERVISOR_update_va_mapping    14  /* va, pte, UVMF_* */
#define __HYPERVISOR_set_timer_op         15  /* absolute deadline (ns) */
#define __HYPERVISOR_event_channel_op_compat 16 /* superseded */
#define __HYPERVISOR_xen_version          17  /* version.h */
#define __HYPERVISOR_console_io           18  /* CONSOLEIO_* */
#define __HYPERVISOR_physdev_op_compat    19  /* superseded */
#define __HYPERVISOR_grant_table_op       20  /* grant_table.h */
#define __HYPERVISOR_vm_assist            21  /* VMASST_* */
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                 23  /* iret_context on stack */
#define __HYPERVISOR_vcpu_op              24  /* vcpu.h */
#define __HYPERVISOR_set_segment_base     25  /* SEGBASE_* */
#define __HYPERVISOR_mmuext_op            26  /* mmuext_op[] */
#define __HYPERVISOR_xsm_op               27
#define __HYPERVISOR_nmi_op               28
#define __HYPERVISOR_sched_op             29  /* sched.h */
#define __HYPERVISOR_callback_op          30  /* callback.h */
#define __HYPERVISOR_xenoprof_op          31
#define __HYPERVISOR_event_channel_op     32  /* event_channel.h */
#define __HYPERVISOR_physdev_op           33  /* physdev.h */
#define __HYPERVISOR_hvm_op               34
#define __HYPERVISOR_sysctl               35  /* control domain only */
#define __HYPERVISOR_domctl               36  /* control domain only */
#define __HYPERVISOR_kexec_op             37
#define __HYPERVISOR_tmem_op              38
#define __HYPERVISOR_argo_op              39
#define __HYPERVISOR_xenpmu_op            40
#define __HYPERVISOR_dm_op                41
#define __HYPERVISOR_hypfs_op             42
/* Architecture-specific hypercalls; x86 uses arch_0 for machine checks. */
#define __HYPERVISOR_arch_0               48
#define __HYPERVISOR_arch_1               49
#define __HYPERVISOR_arch_2               50
#define __HYPERVISOR_arch_3               51
#define __HYPERVISOR_arch_4               52
#define __HYPERVISOR_arch_5               53
#define __HYPERVISOR_arch_6               54
#define __HYPERVISOR_arch_7               55

/*
 * Virtual interrupts, bound to event channels with EVTCHNOP_bind_virq.
 * Per-vCPU ones may be bound once on each vCPU; global ones once per
 * domain (and are only raised for the control domain).
 */
#define VIRQ_TIMER      0  /* per vCPU: singleshot/periodic timer fired */
#define VIRQ_DEBUG      1  /* per vCPU: dump debug state */
#define VIRQ_CONSOLE    2  /* global: input on the hypervisor console */
#define VIRQ_DOM_EXC    3  /* global: a domain crashed or shut down */
#define VIRQ_TBUF       4  /* global: trace buffer records ready */
#define VIRQ_DEBUGGER   6  /* global: a domain paused for a debugger */
#define VIRQ_XENOPROF   7  /* per vCPU: profiling sample ready */
#define VIRQ_CON_RING   8  /* global: hypervisor console ring has data */
#define VIRQ_PCPU_STATE 9  /* global: a physical CPU changed state */
#define VIRQ_MEM_EVENT  10 /* global: memory event ready */
#define VIRQ_ARGO       11 /* global: Argo message */
#define VIRQ_ENOMEM     12 /* global: hypervisor heap low */
#define VIRQ_XENPMU     13 /* per vCPU: PMU interrupt */
#define VIRQ_ARCH_0     16 /* x86: machine check (Linux's VIRQ_MCA) */
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

/*
 * HYPERVISOR_mmu_update(mmu_update_t reqs[], unsigned count,
 *                       unsigned *done, domid_t domid)
 *
 * The low three bits of mmu_update.ptr (ptr & 7) select the command; the
 * rest of ptr is a machine address (an 8-byte slot's has bits 0-2 clear).
 * domid's low 16 bits name the owner of the frames being mapped
 * (DOMID_SELF, or a foreign domain for a privileged mapper); its high 16
 * bits, when non-zero, name (owner of the page tables) + 1.
 * Requests are applied in order up to the first failure, which is the
 * result; *done counts the successful ones.
 * Errors (Xen's): -XEN_ENOSYS a command other than 0-2 (4..7 do not
 * exist, so a ptr with bit 2 set is one; MMU_PT_UPDATE_NO_TRANSLATE is
 * for foreign mappings, which Keel does not have yet); -XEN_EINVAL ptr's
 * frame not the caller's, neither a page table nor writable, a hypervisor
 * L4 slot, or an entry with disallowed flags or an unusable target;
 * -XEN_EBUSY an L1 entry mapping RAM that is not the caller's, or mapping
 * a page table writable; -XEN_EPERM an L1 entry mapping I/O memory the
 * caller may not map; -XEN_ESRCH unknown domid; -XEN_EFAULT unreadable
 * request array.
 */
#define MMU_NORMAL_PT_UPDATE       0 /* *ptr = val, validated; ptr is an MA */
#define MMU_MACHPHYS_UPDATE        1 /* M2P[ptr >> PAGE_SHIFT] = val */
#define MMU_PT_UPDATE_PRESERVE_AD  2 /* as NORMAL, keeping live A/D bits */
#define MMU_PT_UPDATE_NO_TRANSLATE 3 /* as NORMAL; val is not translated */

/*
 * HYPERVISOR_mmuext_op(mmuext_op_t ops[], unsigned count, unsigned *done,
 *                      domid_t domid)
 *
 * Page-table pinning, base-pointer switches, TLB and cache maintenance.
 * arg1 holds an MFN (pin/unpin/baseptr/page ops) or a linear address
 * (invlpg, SET_LDT); arg2 holds nr_ents (SET_LDT), a vCPU bitmap (the
 * _MULTI flushes) or a source MFN (COPY_PAGE).
 * Errors: -XEN_EINVAL unknown command, bad alignment, or page of the wrong
 * type; -XEN_EPERM frame not owned or not allowed; -XEN_EBUSY table already
 * pinned; -XEN_ESRCH unknown domid; -XEN_EFAULT unreadable arguments.
 */
#define MMUEXT_PIN_L1_TABLE       0
#define MMUEXT_PIN_L2_TABLE       1
#define MMUEXT_PIN_L3_TABLE       2
#define MMUEXT_PIN_L4_TABLE       3
#define MMUEXT_UNPIN_TABLE        4
#define MMUEXT_NEW_BASEPTR        5
#define MMUEXT_TLB_FLUSH_LOCAL    6
#define MMUEXT_INVLPG_LOCAL       7
#define MMUEXT_TLB_FLUSH_MULTI    8
#define MMUEXT_INVLPG_MULTI       9
#define MMUEXT_TLB_FLUSH_ALL      10
#define MMUEXT_INVLPG_ALL         11
#define MMUEXT_FLUSH_CACHE        12
#define MMUEXT_SET_LDT            13
#define MMUEXT_NEW_USER_BASEPTR   15
#define MMUEXT_CLEAR_PAGE         16
#define MMUEXT_COPY_PAGE          17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER         19
#define MMUEXT_UNMARK_SUPER       20

#ifndef __ASSEMBLY__
struct mmuext_op {
    uint32_t cmd;                 /* IN: MMUEXT_* */
    /* 4-byte hole */
    union {
        xen_pfn_t mfn;            /* IN: pin/unpin, baseptrs, page ops */
        unsigned long linear_addr; /* IN: invlpg, SET_LDT */
    } arg1;
    union {
        unsigned int nr_ents;                 /* IN: SET_LDT */
        XEN_GUEST_HANDLE(const_void) vcpumask; /* IN: the _MULTI ops */
        xen_pfn_t src_mfn;                    /* IN: COPY_PAGE */
    } arg2;
};
typedef struct mmuext_op mmuext_op_t;
DEFINE_XEN_GUEST_HANDLE(mmuext_op_t);
_Static_assert(sizeof(struct mmuext_op) == 24, "mmuext_op size");
#endif

/*
 * HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte,
 *                              unsigned long flags)
 *
 * Rewrites the L1 entry mapping va in the current page tables, then
 * flushes as flags say: the low two bits pick the flush kind; the rest is
 * UVMF_LOCAL, UVMF_ALL, or (UVMF_MULTI) a pointer to a vCPU bitmap.
 * Errors: -XEN_EINVAL no valid L1 maps va, or bad flags; -XEN_EPERM the
 * new entry fails validation; -XEN_EFAULT unreadable vCPU bitmap.
 */
#define UVMF_NONE           (xen_mk_ulong(0) << 0) /* no flush */
#define UVMF_TLB_FLUSH      (xen_mk_ulong(1) << 0) /* whole TLB */
#define UVMF_INVLPG         (xen_mk_ulong(2) << 0) /* only va */
#define UVMF_FLUSHTYPE_MASK (xen_mk_ulong(3) << 0)
#define UVMF_MULTI          (xen_mk_ulong(0) << 2) /* vCPUs in a bitmap */
#define UVMF_LOCAL          (xen_mk_ulong(0) << 2) /* this vCPU */
#define UVMF_ALL            (xen_mk_ulong(1) << 2) /* every vCPU */

/*
 * HYPERVISOR_console_io(int cmd, unsigned count, char *buf)
 * write: returns 0 or -XEN_EFAULT.  read: returns the bytes copied;
 * -XEN_EPERM unless the caller is the control domain.
 */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/*
 * HYPERVISOR_vm_assist(unsigned cmd, unsigned type)
 * Errors: -XEN_EINVAL unknown cmd or type not valid for this guest.
 */
#define VMASST_CMD_enable                0
#define VMASST_CMD_disable               1
#define VMASST_TYPE_4gb_segments         0
#define VMASST_TYPE_4gb_segments_notify  1
#define VMASST_TYPE_writable_pagetables  2
#define VMASST_TYPE_pae_extended_cr3     3
#define VMASST_TYPE_architectural_iopl   4
#define VMASST_TYPE_runstate_update_flag 5
#define VMASST_TYPE_m2p_strict           32

/* Domain ids above DOMID_FIRST_RESERVED are pseudo-domains. */
#define DOMID_FIRST_RESERVED xen_mk_uint(0x7FF0)
#define DOMID_SELF           xen_mk_uint(0x7FF0) /* the caller */
#define DOMID_IO             xen_mk_uint(0x7FF1) /* owner of MMIO frames */
#define DOMID_XEN            xen_mk_uint(0x7FF2) /* owner of hypervisor frames */
#define DOMID_COW            xen_mk_uint(0x7FF3) /* owner of shared CoW frames */
#define DOMID_INVALID        xen_mk_uint(0x7FF4) /* no domain */
#define DOMID_IDLE           xen_mk_uint(0x7FFF) /* the idle domain */
#define DOMID_MASK           xen_mk_uint(0x7FFF)

#ifndef __ASSEMBLY__

typedef uint16_t domid_t;

/* One mmu_update request; see HYPERVISOR_mmu_update above. */
struct mmu_update {
    uint64_t ptr; /* IN: machine address of the slot | MMU_* command */
    uint64_t val; /* IN: new entry, or new PFN for MMU_MACHPHYS_UPDATE */
};
typedef struct mmu_update mmu_update_t;
DEFINE_XEN_GUEST_HANDLE(mmu_update_t);
_Static_assert(sizeof(struct mmu_update) == 16, "mmu_update size");

/*
 * HYPERVISOR_multicall(multicall_entry_t calls[], unsigned count)
 * Runs each entry as a hypercall and stores its return value in result.
 * The hypercall itself fails only if the array cannot be accessed
 * (-XEN_EFAULT) or an entry names multicall itself (-XEN_EINVAL).
 */
struct multicall_entry {
    xen_ulong_t op;      /* IN: __HYPERVISOR_* */
    xen_ulong_t result;  /* OUT: that hypercall's return value */
    xen_ulong_t args[6]; /* IN: its arguments */
};
typedef struct multicall_entry multicall_entry_t;
DEFINE_XEN_GUEST_HANDLE(multicall_entry_t);
_Static_assert(sizeof(struct multicall_entry) == 64, "multicall_entry size");

/*
 * Per-vCPU time base (pvclock).  The hypervisor increments version before
 * and after each update, so an odd version means an update is under way;
 * readers retry until they see the same even version on both sides.
 *   now_ns = system_time +
 *            (((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32
 * (a negative tsc_shift shifts right).
 */
struct vcpu_time_info {
    uint32_t version;           /* OUT: seqcount */
    uint32_t pad0;
    uint64_t tsc_timestamp;     /* OUT: TSC at the last update */
    uint64_t system_time;       /* OUT: ns since boot at tsc_timestamp */
    uint32_t tsc_to_system_mul; /* OUT: 32.32 fixed-point ns per tick */
    int8_t tsc_shift;           /* OUT */
    uint8_t flags;              /* OUT: XEN_PVCLOCK_* */
    uint8_t pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info size");

#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0) /* TSC is synchronised across vCPUs */
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1) /* the guest was paused */

/*
 * Per-vCPU event and time state.  The hypervisor sets
 * evtchn_upcall_pending (and selector bits) when an unmasked event arrives;
 * while evtchn_upcall_mask is non-zero no upcall is delivered.  The guest
 * clears the pending flag before scanning, so a new event cannot be lost.
 * Only the vCPU itself touches the mask, so no locked access is needed.
 */
struct vcpu_info {
    uint8_t evtchn_upcall_pending; /* OUT (guest clears) */
    uint8_t evtchn_upcall_mask;    /* IN: guest's "interrupts off" */
    /* 6-byte hole */
    xen_ulong_t evtchn_pending_sel; /* OUT: words of evtchn_pending to scan */
    struct arch_vcpu_info arch;
    vcpu_time_info_t time;
};
typedef struct vcpu_info vcpu_info_t;
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info size");

/*
 * The page shared between the hypervisor and each domain.  With the
 * 2-level event ABI, port p is pending when bit p of evtchn_pending is set
 * and masked when bit p of evtchn_mask is set; a 0->1 pending transition on
 * an unmasked port sets bit (p / 64) of the bound vCPU's
 * evtchn_pending_sel and raises its upcall.
 */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8]; /* OUT (guest clears) */
    xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];    /* IN */
    /* Wall-clock time at system_time 0, versioned like vcpu_time_info. */
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
#define xen_wc_sec_hi wc_sec_hi
    struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;
_Static_assert(sizeof(struct shared_info) == 3136, "shared_info size");

/*
 * Start-of-day information for a PV guest, at the virtual address in %rsi
 * on entry.  Machine addresses and frame numbers are said to be so; all
 * other addresses are guest virtual.
 */
struct start_info {
    /* Filled on boot and on resume. */
    char magic[32];          /* OUT: "xen-<version>-<platform>" */
    unsigned long nr_pages;  /* OUT: pages allocated to the domain */
    unsigned long shared_info; /* OUT: machine address of shared_info */
    uint32_t flags;          /* OUT: SIF_* */
    /* 4-byte hole */
    xen_pfn_t store_mfn;     /* OUT: MFN of the xenstore ring */
    uint32_t store_evtchn;   /* OUT: event channel of the xenstore ring */
    /* 4-byte hole */
    union {
        struct {
            xen_pfn_t mfn;   /* OUT: MFN of the console ring */
            uint32_t evtchn; /* OUT: its event channel */
        } domU;
        struct {
            uint32_t info_off;  /* OUT: offset of dom0_vga_console_info */
            uint32_t info_size; /* OUT: its size */
        } dom0;
    } console;
    /* Filled on boot only. */
    unsigned long pt_base;      /* OUT: VA of the initial top-level table */
    unsigned long nr_pt_frames; /* OUT: frames of initial page tables */
    unsigned long mfn_list;     /* OUT: VA of the P2M array */
    unsigned long mod_start;    /* OUT: VA (PFN if SIF_MOD_START_PFN) of initrd */
    unsigned long mod_len;      /* OUT: its length in bytes */
#define MAX_GUEST_CMDLINE 1024
    int8_t cmd_line[MAX_GUEST_CMDLINE]; /* OUT: NUL-terminated */
    unsigned long first_p2m_pfn; /* OUT: first PFN of the initial P2M */
    unsigned long nr_p2m_frames; /* OUT: frames of the initial P2M */
};
typedef struct start_info start_info_t;
_Static_assert(sizeof(struct start_info) == 1168, "start_info size");
_Static_assert(offsetof(struct start_info, console) == 72, "start_info.console");
_Static_assert(offsetof(struct start_info, cmd_line) == 128, "start_info.cmd_line");

#endif /* !__ASSEMBLY__ */

/* start_info.flags */
#define SIF_PRIVILEGED      (1 << 0) /* the domain is privileged */
#define SIF_INITDOMAIN      (1 << 1) /* the domain is the initial domain */
#define SIF_MULTIBOOT_MOD   (1 << 2) /* mod_start is a multiboot module list */
#define SIF_MOD_START_PFN   (1 << 3) /* mod_start is a PFN */
#define SIF_VIRT_P2M_4TOOLS (1 << 4) /* tools read the linear P2M */
#define SIF_PM_MASK         (0xFF << 8) /* reserved for power management */

#ifndef __ASSEMBLY__

/* An entry of the module list SIF_MULTIBOOT_MOD points mod_start at. */
struct xen_multiboot_mod_list {
    uint32_t mod_start; /* OUT: physical address of the module */
    uint32_t mod_end;   /* OUT: address of its last byte */
    uint32_t cmdline;   /* OUT: address of its NUL-terminated command line */
    uint32_t pad;       /* zero */
};

/* The boot console mode handed to the initial domain. */
typedef struct dom0_vga_console_info {
    uint8_t video_type; /* OUT: XEN_VGATYPE_* */
#define XEN_VGATYPE_TEXT_MODE_3 0x03
#define XEN_VGATYPE_VESA_LFB    0x23
#define XEN_VGATYPE_EFI_LFB     0x70
    /* 1-byte hole */
    union {
        struct {
            uint16_t font_height;        /* pixels */
            uint16_t cursor_x, cursor_y; /* column, row */
            uint16_t rows, columns;
        } text_mode_3;
        struct {
            uint16_t width, height;   /* pixels */
            uint16_t bytes_per_line;
            uint16_t bits_per_pixel;
            uint32_t lfb_base;        /* low 32 bits of the framebuffer */
            uint32_t lfb_size;        /* in 64 KiB units */
            uint8_t red_pos, red_size; /* VBE colour field layout */
            uint8_t green_pos, green_size;
            uint8_t blue_pos, blue_size;
            uint8_t rsvd_pos, rsvd_size;
            uint32_t gbl_caps;        /* VBE controller capabilities */
            uint16_t mode_attrs;      /* VBE mode attributes */
            uint16_t pad;
            uint32_t ext_lfb_base;    /* high 32 bits of the framebuffer */
        } vesa_lfb;
    } u;
} dom0_vga_console_info_t;
#define xen_vga_console_info   dom0_vga_console_info
#define xen_vga_console_info_t dom0_vga_console_info_t

/* A domain's 128-bit handle (UUID bytes). */
typedef uint8_t xen_domain_handle_t[16];

__DEFINE_XEN_GUEST_HANDLE(uint8, uint8_t);
__DEFINE_XEN_GUEST_HANDLE(uint16, uint16_t);
__DEFINE_XEN_GUEST_HANDLE(uint32, uint32_t);
__DEFINE_XEN_GUEST_HANDLE(uint64, uint64_t);

/* A UUID in big-endian byte order. */
typedef struct {
    uint8_t a[16];
} xen_uuid_t;

/* Build a xen_uuid_t from the usual 8-4-4-4-12 groups. */
#define XEN_DEFINE_UUID_(a, b, c, d, e1, e2, e3, e4, e5, e6)            \
    {{ ((a) >> 24) & 0xFF, ((a) >> 16) & 0xFF, ((a) >> 8) & 0xFF,       \
       (a) & 0xFF, ((b) >> 8) & 0xFF, (b) & 0xFF, ((c) >> 8) & 0xFF,    \
       (c) & 0xFF, ((d) >> 8) & 0xFF, (d) & 0xFF,                       \
       e1, e2, e3, e4, e5, e6 }}
#define XEN_DEFINE_UUID(a, b, c, d, e1, e2, e3, e4, e5, e6)             \
    ((xen_uuid_t)XEN_DEFINE_UUID_(a, b, c, d, e1, e2, e3, e4, e5, e6))

#endif /* !__ASSEMBLY__ */

#if defined(__XEN__) || defined(__XEN_TOOLS__)
/* Tools-only: 64-bit fields and handles keep one layout for 32-bit tools. */
#ifndef int64_aligned_t
#define int64_aligned_t int64_t
#endif
#ifndef uint64_aligned_t
#define uint64_aligned_t uint64_t
#endif
#ifndef XEN_GUEST_HANDLE_64
#define XEN_GUEST_HANDLE_64(name) XEN_GUEST_HANDLE(name)
#endif

#ifndef __ASSEMBLY__
/* A bitmap passed by the toolstack (CPU and node masks). */
struct xenctl_bitmap {
    XEN_GUEST_HANDLE_64(uint8) bitmap; /* IN/OUT */
    uint32_t nr_bits;                  /* IN: bits in the buffer */
};
typedef struct xenctl_bitmap xenctl_bitmap_t;
#endif
#endif /* __XEN__ || __XEN_TOOLS__ */

#endif /* __XEN_PUBLIC_XEN_H__ */
