/* SPDX-License-Identifier: MIT */
/*
 * CPUID as a 64-bit PV guest sees it (through the forced-emulation prefix;
 * plain CPUID runs natively). The host's leaves are passed through with
 * the features a PV guest must not use hidden, the hypervisor bit set, and
 * Xen's leaves at 0x40000000: PV guests find their hypervisor by the
 * "XenVMMXenVMM" signature there, so Keel answers exactly as Xen does and
 * says what it is in xen_version's strings instead.
 */
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <keel/lib.h>

#define XEN_CPUID_BASE      0x40000000u
#define XEN_CPUID_MAX       (XEN_CPUID_BASE + 5)

/* Leaf 1 ECX / EDX. */
#define L1C_VMX         (1u << 5)
#define L1C_SMX         (1u << 6)
#define L1C_MONITOR     (1u << 3)
#define L1C_DTES64      (1u << 2)
#define L1C_DSCPL       (1u << 4)
#define L1C_EST         (1u << 7)
#define L1C_TM2         (1u << 8)
#define L1C_PDCM        (1u << 15)
#define L1C_PCID        (1u << 17)
#define L1C_X2APIC      (1u << 21)
#define L1C_TSC_DEADLINE (1u << 24)
#define L1C_XSAVE       (1u << 26)
#define L1C_OSXSAVE     (1u << 27)
#define L1C_AVX         (1u << 28)
#define L1C_HYPERVISOR  (1u << 31)
#define L1D_VME         (1u << 1)
#define L1D_PSE         (1u << 3)
#define L1D_MCE         (1u << 7)
#define L1D_MTRR        (1u << 12)
#define L1D_PGE         (1u << 13)
#define L1D_MCA         (1u << 14)
#define L1D_PSE36       (1u << 17)
#define L1D_DS          (1u << 21)
#define L1D_ACPI        (1u << 22)
#define L1D_TM          (1u << 29)
#define L1D_PBE         (1u << 31)
/* Leaf 7 subleaf 0 EBX / ECX. */
#define L7B_FSGSBASE    (1u << 0)
#define L7B_AVX2        (1u << 5)
#define L7B_SMEP        (1u << 7)
#define L7B_INVPCID     (1u << 10)
#define L7B_AVX512F     (1u << 16)
#define L7B_SMAP        (1u << 20)
#define L7C_UMIP        (1u << 2)
#define L7C_PKU         (1u << 3)
#define L7C_LA57        (1u << 16)
/* Leaf 0x80000001 EDX. */
#define LX1D_PAGE1GB    (1u << 26)
#define LX1D_RDTSCP     (1u << 27)

#define XEN_ABI_VERSION ((4u << 16) | 17u)

static void xen_leaves(uint32_t leaf, uint32_t out[4])
{
    switch (leaf - XEN_CPUID_BASE) {
    case 0:
        out[0] = XEN_CPUID_MAX;
        out[1] = 0x566e6558;    /* "XenV" */
        out[2] = 0x65584d4d;    /* "MMXe" */
        out[3] = 0x4d4d566e;    /* "nVMM" */
        break;
    case 1:
        out[0] = XEN_ABI_VERSION;
        break;
    case 2:
        out[0] = 1;             /* hypercall pages */
        out[1] = XEN_CPUID_BASE;/* MSR base for the hypercall page */
        out[2] = 1;             /* MMU_PT_UPDATE_PRESERVE_AD works */
        break;
    case 5:
        out[1] = 44;            /* machine address width: grant table v1 is enough */
        break;
    default:                    /* time leaf 3 and HVM leaf 4: zero for PV */
        break;
    }
}

void pv_cpuid(const struct domain *d, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    (void)d;
    out[0] = out[1] = out[2] = out[3] = 0;
    if (leaf >= XEN_CPUID_BASE && leaf <= XEN_CPUID_MAX) {
        xen_leaves(leaf, out);
        return;
    }
    if (leaf > XEN_CPUID_MAX && leaf < 0x80000000u)
        return;
    cpuid_count(leaf, subleaf, &out[0], &out[1], &out[2], &out[3]);
    switch (leaf) {
    case 1:
        out[2] &= ~(L1C_VMX | L1C_SMX | L1C_MONITOR | L1C_DTES64 | L1C_DSCPL | L1C_EST |
                    L1C_TM2 | L1C_PDCM | L1C_PCID | L1C_X2APIC | L1C_TSC_DEADLINE |
                    L1C_XSAVE | L1C_OSXSAVE | L1C_AVX);
        out[2] |= L1C_HYPERVISOR;
        out[3] &= ~(L1D_VME | L1D_PSE | L1D_MCE | L1D_MTRR | L1D_PGE | L1D_MCA | L1D_PSE36 |
                    L1D_DS | L1D_ACPI | L1D_TM | L1D_PBE);
        break;
    case 5:     /* MONITOR/MWAIT */
    case 6:     /* thermal and power */
    case 0xa:   /* performance monitoring */
    case 0xd:   /* XSAVE: hidden above */
        out[0] = out[1] = out[2] = out[3] = 0;
        break;
    case 7:
        if (subleaf == 0) {
            out[1] &= ~(L7B_FSGSBASE | L7B_AVX2 | L7B_SMEP | L7B_INVPCID | L7B_AVX512F |
                        L7B_SMAP | 0xfffe0000u);
            out[2] &= ~(L7C_UMIP | L7C_PKU | L7C_LA57);
            out[3] = 0;
        } else {
            out[0] = out[1] = out[2] = out[3] = 0;
        }
        break;
    case 0x80000001u:
        out[3] &= ~(LX1D_PAGE1GB | LX1D_RDTSCP);
        break;
    }
}
