/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: x86-64 PV guest specifics.
 *
 * A 64-bit PV guest kernel runs in ring 3 alongside its user space; Keel
 * owns the top of the canonical upper half (HYPERVISOR_VIRT_START..END),
 * which holds, among other things, the read-only machine-to-physical table
 * every PV guest may read.  Selectors are the ring-3 flat segments Keel
 * installs in the reserved part of every guest GDT.
 */
#include "../xen.h"

#ifndef __XEN_PUBLIC_ARCH_X86_XEN_X86_64_H__
#define __XEN_PUBLIC_ARCH_X86_XEN_X86_64_H__

#include <stddef.h>
#include <stdint.h>

/* Flat selectors in the reserved GDT page (entries 260..262). */
#define FLAT_RING3_CS32 0xe023 /* entry 260, 32-bit code, DPL 3 */
#define FLAT_RING3_CS64 0xe033 /* entry 262, 64-bit code, DPL 3 */
#define FLAT_RING3_DS32 0xe02b /* entry 261, data, DPL 3 */
#define FLAT_RING3_DS64 0x0000 /* the null selector serves in long mode */
#define FLAT_RING3_SS32 0xe02b
#define FLAT_RING3_SS64 0xe02b

/* Kernel and user share ring 3, hence the same selectors. */
#define FLAT_KERNEL_DS64 FLAT_RING3_DS64
#define FLAT_KERNEL_DS32 FLAT_RING3_DS32
#define FLAT_KERNEL_DS   FLAT_KERNEL_DS64
#define FLAT_KERNEL_CS64 FLAT_RING3_CS64
#define FLAT_KERNEL_CS32 FLAT_RING3_CS32
#define FLAT_KERNEL_CS   FLAT_KERNEL_CS64
#define FLAT_KERNEL_SS64 FLAT_RING3_SS64
#define FLAT_KERNEL_SS32 FLAT_RING3_SS32
#define FLAT_KERNEL_SS   FLAT_KERNEL_SS64
#define FLAT_USER_DS64   FLAT_RING3_DS64
#define FLAT_USER_DS32   FLAT_RING3_DS32
#define FLAT_USER_DS     FLAT_USER_DS64
#define FLAT_USER_CS64   FLAT_RING3_CS64
#define FLAT_USER_CS32   FLAT_RING3_CS32
#define FLAT_USER_CS     FLAT_USER_CS64
#define FLAT_USER_SS64   FLAT_RING3_SS64
#define FLAT_USER_SS32   FLAT_RING3_SS32
#define FLAT_USER_SS     FLAT_USER_SS64

/* The hypervisor's slice of the address space; guests must not map it. */
#define __HYPERVISOR_VIRT_START 0xFFFF800000000000
#define __HYPERVISOR_VIRT_END   0xFFFF880000000000
/* The read-only M2P table (8 bytes per machine frame) at its start. */
#define __MACH2PHYS_VIRT_START  0xFFFF800000000000
#define __MACH2PHYS_VIRT_END    0xFFFF804000000000

#ifndef HYPERVISOR_VIRT_START
#define HYPERVISOR_VIRT_START xen_mk_ulong(__HYPERVISOR_VIRT_START)
#define HYPERVISOR_VIRT_END   xen_mk_ulong(__HYPERVISOR_VIRT_END)
#endif
#define MACH2PHYS_VIRT_START  xen_mk_ulong(__MACH2PHYS_VIRT_START)
#define MACH2PHYS_VIRT_END    xen_mk_ulong(__MACH2PHYS_VIRT_END)
#define MACH2PHYS_NR_ENTRIES  ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3)
#ifndef machine_to_phys_mapping
#define machine_to_phys_mapping ((unsigned long *)HYPERVISOR_VIRT_START)
#endif

/* HYPERVISOR_set_segment_base: which base to set. */
#define SEGBASE_FS          0
#define SEGBASE_GS_USER     1
#define SEGBASE_GS_KERNEL   2
#define SEGBASE_GS_USER_SEL 3 /* load user %gs from selector base[15:0] */

/* HYPERVISOR_iret: iret_context.flags. */
#define _VGCF_in_syscall 8
#define VGCF_in_syscall  (1 << _VGCF_in_syscall) /* return as if via SYSRET */
#define VGCF_IN_SYSCALL  VGCF_in_syscall

#ifndef __ASSEMBLY__

/*
 * HYPERVISOR_iret takes no arguments: the guest pushes this frame and the
 * hypervisor pops it.  Lowest address (the %rsp at the hypercall) first.
 */
struct iret_context {
    uint64_t rax;    /* IN: restored %rax */
    uint64_t r11;    /* IN: restored %r11 */
    uint64_t rcx;    /* IN: restored %rcx */
    uint64_t flags;  /* IN: VGCF_in_syscall */
    uint64_t rip;    /* IN */
    uint64_t cs;     /* IN */
    uint64_t rflags; /* IN */
    uint64_t rsp;    /* IN */
    uint64_t ss;     /* IN */
};
_Static_assert(sizeof(struct iret_context) == 72, "iret_context size");

/*
 * Register names in cpu_user_regs.  Tools see every sub-register as an
 * alias; guests built with GNU extensions see rXX plus a 64-bit eXX alias
 * (the historic Xen guest spelling); strict ISO guests see rXX only.
 */
#if defined(__XEN__) || defined(__XEN_TOOLS__)
#define KEEL_REG_ABCD(w) union {                                        \
        uint64_t r##w##x;                                               \
        uint32_t e##w##x;                                               \
        uint16_t w##x;                                                  \
        struct {                                                        \
            uint8_t w##l;                                               \
            uint8_t w##h;                                               \
        };                                                              \
    }
#define KEEL_REG_IDX(n) union {                                         \
        uint64_t r##n;                                                  \
        uint32_t e##n;                                                  \
        uint16_t n;                                                     \
        uint8_t n##l;                                                   \
    }
#define KEEL_REG_IPF(n) union {                                         \
        uint64_t r##n;                                                  \
        uint32_t e##n;                                                  \
        uint16_t n;                                                     \
    }
#define KEEL_REG_NUM(n) union {                                         \
        uint64_t r##n;                                                  \
        uint32_t r##n##d;                                               \
        uint16_t r##n##w;                                               \
        uint8_t r##n##b;                                                \
    }
#elif defined(__GNUC__) && !defined(__STRICT_ANSI__)
#define KEEL_REG_GNU(n) union {                                         \
        uint64_t r##n, e##n;                                            \
        uint32_t _e##n;                                                 \
    }
#define KEEL_REG_ABCD(w) KEEL_REG_GNU(w##x)
#define KEEL_REG_IDX(n)  KEEL_REG_GNU(n)
#define KEEL_REG_IPF(n)  KEEL_REG_GNU(n)
#define KEEL_REG_NUM(n)  uint64_t r##n
#else
#define KEEL_REG_ABCD(w) uint64_t r##w##x
#define KEEL_REG_IDX(n)  uint64_t r##n
#define KEEL_REG_IPF(n)  uint64_t r##n
#define KEEL_REG_NUM(n)  uint64_t r##n
#endif

/*
 * Guest register file as saved on entry to the hypervisor.  The order is
 * the hypervisor's push order; error_code and entry_vector are private to
 * the hypervisor.  rflags.IF reads as !saved_upcall_mask.
 */
struct cpu_user_regs {
    KEEL_REG_NUM(15);
    KEEL_REG_NUM(14);
    KEEL_REG_NUM(13);
    KEEL_REG_NUM(12);
    KEEL_REG_IDX(bp);
    KEEL_REG_ABCD(b);
    KEEL_REG_NUM(11);
    KEEL_REG_NUM(10);
    KEEL_REG_NUM(9);
    KEEL_REG_NUM(8);
    KEEL_REG_ABCD(a);
    KEEL_REG_ABCD(c);
    KEEL_REG_ABCD(d);
    KEEL_REG_IDX(si);
    KEEL_REG_IDX(di);
    uint32_t error_code;
    uint32_t entry_vector;
    KEEL_REG_IPF(ip);
    uint16_t cs, _pad0[1];
    uint8_t saved_upcall_mask;
    uint8_t _pad1[3];
    KEEL_REG_IPF(flags);
    KEEL_REG_IDX(sp);
    uint16_t ss, _pad2[3];
    uint16_t es, _pad3[3];
    uint16_t ds, _pad4[3];
    uint16_t fs, _pad5[3];
    uint16_t gs, _pad6[3];
};
typedef struct cpu_user_regs cpu_user_regs_t;
DEFINE_XEN_GUEST_HANDLE(cpu_user_regs_t);
_Static_assert(sizeof(struct cpu_user_regs) == 200, "cpu_user_regs size");
_Static_assert(offsetof(struct cpu_user_regs, error_code) == 120, "error_code");
_Static_assert(offsetof(struct cpu_user_regs, cs) == 136, "cs");
_Static_assert(offsetof(struct cpu_user_regs, gs) == 192, "gs");

#undef KEEL_REG_GNU
#undef KEEL_REG_ABCD
#undef KEEL_REG_IDX
#undef KEEL_REG_IPF
#undef KEEL_REG_NUM

#define xen_pfn_to_cr3(pfn) ((unsigned long)(pfn) << 12)
#define xen_cr3_to_pfn(cr3) ((unsigned long)(cr3) >> 12)

/* Per-vCPU arch state in vcpu_info (keeps vcpu_info at 64 bytes). */
struct arch_vcpu_info {
    uint64_t cr2; /* OUT: faulting address of the last #PF bounced */
    uint64_t pad;
};
typedef struct arch_vcpu_info arch_vcpu_info_t;
_Static_assert(sizeof(struct arch_vcpu_info) == 16, "arch_vcpu_info size");

/* A callback entry point: a flat 64-bit address. */
typedef unsigned long xen_callback_t;

#endif /* !__ASSEMBLY__ */

#endif /* __XEN_PUBLIC_ARCH_X86_XEN_X86_64_H__ */
