/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: x86 definitions shared by every x86 guest.
 *
 * Guest handles: every pointer a hypercall argument carries is wrapped in a
 * one-member struct (__guest_handle_<name>), so a guest virtual address can
 * never be mistaken for a hypervisor pointer and so each handle type is
 * distinct to the compiler.  On x86 the wrapper holds a plain pointer.
 *
 * Keel supports 64-bit PV guests only; building for another target fails.
 */
#include "../xen.h"

#ifndef __XEN_PUBLIC_ARCH_X86_XEN_H__
#define __XEN_PUBLIC_ARCH_X86_XEN_H__

#include <stddef.h>
#include <stdint.h>

#define ___DEFINE_XEN_GUEST_HANDLE(name, type) \
    typedef struct { type *p; } __guest_handle_##name
#define __DEFINE_XEN_GUEST_HANDLE(name, type)   \
    ___DEFINE_XEN_GUEST_HANDLE(name, type);     \
    ___DEFINE_XEN_GUEST_HANDLE(const_##name, const type)
#define DEFINE_XEN_GUEST_HANDLE(name)  __DEFINE_XEN_GUEST_HANDLE(name, name)
#define __XEN_GUEST_HANDLE(name)       __guest_handle_##name
#define XEN_GUEST_HANDLE(name)         __XEN_GUEST_HANDLE(name)
#define XEN_GUEST_HANDLE_PARAM(name)   XEN_GUEST_HANDLE(name)
#define set_xen_guest_handle_raw(hnd, val) do { (hnd).p = (val); } while (0)
#define set_xen_guest_handle(hnd, val) set_xen_guest_handle_raw(hnd, val)

#if defined(__x86_64__)
#include "xen-x86_64.h"
#else
#error "Keel's public headers describe x86-64 guests only"
#endif

#ifndef __ASSEMBLY__
/* A guest or machine frame number. */
typedef unsigned long xen_pfn_t;
#define PRI_xen_pfn  "lx"
#define PRIu_xen_pfn "lu"
#endif

/* This architecture has PV guests: start_info and the upcall mask exist. */
#define XEN_HAVE_PV_GUEST_ENTRY 1
#define XEN_HAVE_PV_UPCALL_MASK 1

/*
 * The last two pages of every guest GDT's 16 pages belong to the
 * hypervisor (the flat selectors live there); set_gdt refuses entries
 * at or above FIRST_RESERVED_GDT_ENTRY.
 */
#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_BYTE  (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_BYTE / 8)

/* vCPUs whose vcpu_info lives in shared_info (others must register one). */
#define XEN_LEGACY_MAX_VCPUS 32

#ifndef __ASSEMBLY__

/* A register-sized unsigned value in the ABI. */
typedef unsigned long xen_ulong_t;
#define PRI_xen_ulong "lx"

/* trap_info.flags: bits 0-1 DPL allowed to raise the vector with INT n;
 * bit 2 set means delivery masks events (an interrupt gate). */
#define TI_GET_DPL(_ti)       ((_ti)->flags & 3)
#define TI_GET_IF(_ti)        ((_ti)->flags & 4)
#define TI_SET_DPL(_ti, _dpl) ((_ti)->flags |= (_dpl))
#define TI_SET_IF(_ti, _if)   ((_ti)->flags |= ((!!(_if)) << 2))

/*
 * One virtual IDT entry for HYPERVISOR_set_trap_table.  A table passed to
 * set_trap_table ends at the first entry whose address is 0.
 */
struct trap_info {
    uint8_t vector;   /* IN: exception vector */
    uint8_t flags;    /* IN: TI_* (DPL, event masking) */
    uint16_t cs;      /* IN: code selector */
    /* 4-byte hole: Xen's layout has no member here, so none is named
     * (a named pad would shift positional initialisers written for Xen). */
    uint64_t address; /* IN: handler entry point; 0 ends a table */
};
typedef struct trap_info trap_info_t;
DEFINE_XEN_GUEST_HANDLE(trap_info_t);
_Static_assert(sizeof(struct trap_info) == 16, "trap_info size");
_Static_assert(offsetof(struct trap_info, address) == 8, "trap_info hole");

typedef uint64_t tsc_timestamp_t;

/* vcpu_guest_context.flags */
#define VGCF_I387_VALID                (1 << 0)
#define VGCF_IN_KERNEL                 (1 << 2)
#define _VGCF_i387_valid               0
#define VGCF_i387_valid                (1 << _VGCF_i387_valid)
#define _VGCF_in_kernel                2
#define VGCF_in_kernel                 (1 << _VGCF_in_kernel)
#define _VGCF_failsafe_disables_events 3
#define VGCF_failsafe_disables_events  (1 << _VGCF_failsafe_disables_events)
#define _VGCF_syscall_disables_events  4
#define VGCF_syscall_disables_events   (1 << _VGCF_syscall_disables_events)
#define _VGCF_online                   5
#define VGCF_online                    (1 << _VGCF_online)

/*
 * Full PV vCPU state: the argument of VCPUOP_initialise (secondary vCPU
 * bring-up) and of the toolstack's get/set context.  The FPU area comes
 * first so it stays 16-byte aligned for FXSAVE/FXRSTOR.
 */
struct vcpu_guest_context {
    struct { char x[512]; } fpu_ctxt;  /* IN/OUT: FXSAVE image */
    uint64_t flags;                    /* IN/OUT: VGCF_* */
    struct cpu_user_regs user_regs;    /* IN/OUT: general registers */
    struct trap_info trap_ctxt[256];   /* IN/OUT: virtual IDT */
    uint64_t ldt_base, ldt_ents;       /* IN/OUT: LDT linear address, entries */
    uint64_t gdt_frames[16], gdt_ents; /* IN/OUT: GDT machine frames, entries */
    uint64_t kernel_ss, kernel_sp;     /* IN/OUT: ring-1 stack (virtual TSS) */
    uint64_t ctrlreg[8];               /* IN/OUT: CR0-7; CR1 = user page table */
    uint64_t debugreg[8];              /* IN/OUT: DR0-7 */
    uint64_t event_callback_eip;       /* IN/OUT: event upcall entry */
    uint64_t failsafe_callback_eip;    /* IN/OUT: failsafe entry */
    uint64_t syscall_callback_eip;     /* IN/OUT: SYSCALL entry */
    uint64_t vm_assist;                /* IN/OUT: bitmap of VMASST_TYPE_* */
    uint64_t fs_base;                  /* IN/OUT: segment bases */
    uint64_t gs_base_kernel;
    uint64_t gs_base_user;
};
typedef struct vcpu_guest_context vcpu_guest_context_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_guest_context_t);
_Static_assert(sizeof(struct vcpu_guest_context) == 5168, "vcpu_guest_context size");
_Static_assert(offsetof(struct vcpu_guest_context, user_regs) == 520, "user_regs");

/* Arch part of shared_info: mostly the guest's P2M advertised to tools. */
struct arch_shared_info {
    uint64_t max_pfn;                      /* IN (guest): P2M size in entries */
    xen_pfn_t pfn_to_mfn_frame_list_list;  /* IN (guest): 3-level P2M root */
    uint64_t nmi_reason;                   /* OUT: NMI cause bits */
    uint64_t p2m_cr3;                      /* IN (guest): CR3 of the P2M space */
    uint64_t p2m_vaddr;                    /* IN (guest): VA of the linear P2M */
    uint64_t p2m_generation;               /* IN (guest): bumped on P2M change */
};
typedef struct arch_shared_info arch_shared_info_t;
_Static_assert(sizeof(struct arch_shared_info) == 48, "arch_shared_info size");

#if defined(__XEN__) || defined(__XEN_TOOLS__)
/* Domain-creation options for x86 (XEN_DOMCTL_createdomain). */
struct xen_arch_domainconfig {
#define _XEN_X86_EMU_LAPIC    0
#define XEN_X86_EMU_LAPIC     (1U << _XEN_X86_EMU_LAPIC)
#define _XEN_X86_EMU_HPET     1
#define XEN_X86_EMU_HPET      (1U << _XEN_X86_EMU_HPET)
#define _XEN_X86_EMU_PM       2
#define XEN_X86_EMU_PM        (1U << _XEN_X86_EMU_PM)
#define _XEN_X86_EMU_RTC      3
#define XEN_X86_EMU_RTC       (1U << _XEN_X86_EMU_RTC)
#define _XEN_X86_EMU_IOAPIC   4
#define XEN_X86_EMU_IOAPIC    (1U << _XEN_X86_EMU_IOAPIC)
#define _XEN_X86_EMU_PIC      5
#define XEN_X86_EMU_PIC       (1U << _XEN_X86_EMU_PIC)
#define _XEN_X86_EMU_VGA      6
#define XEN_X86_EMU_VGA       (1U << _XEN_X86_EMU_VGA)
#define _XEN_X86_EMU_IOMMU    7
#define XEN_X86_EMU_IOMMU     (1U << _XEN_X86_EMU_IOMMU)
#define _XEN_X86_EMU_PIT      8
#define XEN_X86_EMU_PIT       (1U << _XEN_X86_EMU_PIT)
#define _XEN_X86_EMU_USE_PIRQ 9
#define XEN_X86_EMU_USE_PIRQ  (1U << _XEN_X86_EMU_USE_PIRQ)
#define _XEN_X86_EMU_VPCI     10
#define XEN_X86_EMU_VPCI      (1U << _XEN_X86_EMU_VPCI)
#define XEN_X86_EMU_ALL (XEN_X86_EMU_LAPIC | XEN_X86_EMU_HPET | XEN_X86_EMU_PM | \
                         XEN_X86_EMU_RTC | XEN_X86_EMU_IOAPIC | XEN_X86_EMU_PIC | \
                         XEN_X86_EMU_VGA | XEN_X86_EMU_IOMMU | XEN_X86_EMU_PIT | \
                         XEN_X86_EMU_USE_PIRQ | XEN_X86_EMU_VPCI)
    uint32_t emulation_flags; /* IN: XEN_X86_EMU_*; a PV domain passes 0 */
#define XEN_X86_MSR_RELAXED (1u << 0)
    uint32_t misc_flags;      /* IN: XEN_X86_MSR_RELAXED */
};
#define XEN_X86_MISC_FLAGS_MAX XEN_X86_MSR_RELAXED
#endif /* __XEN__ || __XEN_TOOLS__ */

/* Serialised CPUID leaf and MSR value, as exchanged with the toolstack. */
typedef struct xen_cpuid_leaf {
#define XEN_CPUID_NO_SUBLEAF 0xffffffffu
    uint32_t leaf, subleaf;
    uint32_t a, b, c, d;
} xen_cpuid_leaf_t;
DEFINE_XEN_GUEST_HANDLE(xen_cpuid_leaf_t);

typedef struct xen_msr_entry {
    uint32_t idx;
    uint32_t flags; /* reserved, must be zero */
    uint64_t val;
} xen_msr_entry_t;
DEFINE_XEN_GUEST_HANDLE(xen_msr_entry_t);

#endif /* !__ASSEMBLY__ */

/*
 * The "forced emulation" prefix (ud2; .ascii "xen") makes the hypervisor
 * emulate the following CPUID so a PV kernel sees the virtualised leaves.
 */
#ifdef __ASSEMBLY__
#define XEN_EMULATE_PREFIX .byte 0x0f,0x0b,0x78,0x65,0x6e ;
#define XEN_CPUID          XEN_EMULATE_PREFIX cpuid
#else
#define XEN_EMULATE_PREFIX ".byte 0x0f,0x0b,0x78,0x65,0x6e ; "
#define XEN_CPUID          XEN_EMULATE_PREFIX "cpuid"
#endif

/* HVM debug console port (port 0xe9 hack). */
#define XEN_HVM_DEBUGCONS_IOPORT 0xe9

#endif /* __XEN_PUBLIC_ARCH_X86_XEN_H__ */
