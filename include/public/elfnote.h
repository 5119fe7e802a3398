/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: ELF note types a PV kernel carries in its "Xen" notes.
 *
 * The domain builder reads these (name "Xen", in a PT_NOTE segment) to
 * learn the entry point, virtual base, hypercall page location and the
 * features the kernel supports.  Numeric notes are 32- or 64-bit values;
 * the rest are NUL-terminated strings.
 */
#ifndef __XEN_PUBLIC_ELFNOTE_H__
#define __XEN_PUBLIC_ELFNOTE_H__

#define XEN_ELFNOTE_INFO                0 /* padding, ignored */
#define XEN_ELFNOTE_ENTRY               1 /* virtual entry point */
#define XEN_ELFNOTE_HYPERCALL_PAGE      2 /* VA the hypercall page goes at */
#define XEN_ELFNOTE_VIRT_BASE           3 /* VA the image is linked for */
#define XEN_ELFNOTE_PADDR_OFFSET        4 /* VIRT_BASE minus load paddr */
#define XEN_ELFNOTE_XEN_VERSION         5 /* string, e.g. "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS            6 /* string, e.g. "linux" */
#define XEN_ELFNOTE_GUEST_VERSION       7 /* string */
#define XEN_ELFNOTE_LOADER              8 /* string, "generic" */
#define XEN_ELFNOTE_PAE_MODE            9 /* string, "yes"/"bimodal" */
#define XEN_ELFNOTE_FEATURES           10 /* string, '|'-separated XENFEAT names */
#define XEN_ELFNOTE_BSD_SYMTAB         11 /* string, "yes": load symbols */
#define XEN_ELFNOTE_HV_START_LOW       12 /* lowest VA the hypervisor may use */
#define XEN_ELFNOTE_L1_MFN_VALID       13 /* mask and value marking a valid L1 */
#define XEN_ELFNOTE_SUSPEND_CANCEL     14 /* supports suspend cancellation */
#define XEN_ELFNOTE_INIT_P2M           15 /* VA of the initial P2M list */
#define XEN_ELFNOTE_MOD_START_PFN      16 /* accepts mod_start as a PFN */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17 /* XENFEAT bitmap, 32 bits */
#define XEN_ELFNOTE_PHYS32_ENTRY       18 /* 32-bit physical entry (PVH) */
#define XEN_ELFNOTE_MAX XEN_ELFNOTE_PHYS32_ENTRY

/* Notes in crash dumps written by the hypervisor. */
#define XEN_ELFNOTE_CRASH_INFO 0x1000001
#define XEN_ELFNOTE_CRASH_REGS 0x1000002

/* Notes in domain core dumps written by the toolstack. */
#define XEN_ELFNOTE_DUMPCORE_NONE           0x2000000
#define XEN_ELFNOTE_DUMPCORE_HEADER         0x2000001
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION    0x2000002
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003

#endif /* __XEN_PUBLIC_ELFNOTE_H__ */
