/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: feature bits reported by XENVER_get_features.
 *
 * Bit n of submap i describes feature 32 * i + n.  Only submap 0 exists.
 * The same names, as strings, make up XEN_ELFNOTE_FEATURES.  What Keel
 * reports to a 64-bit PV guest is listed in docs/abi.md.
 */
#ifndef __XEN_PUBLIC_FEATURES_H__
#define __XEN_PUBLIC_FEATURES_H__

#define XENFEAT_writable_page_tables        0 /* PTE writes trapped and emulated */
#define XENFEAT_writable_descriptor_tables  1 /* GDT/LDT directly writable */
#define XENFEAT_auto_translated_physmap     2 /* guest sees PFNs, not MFNs (never for PV) */
#define XENFEAT_supervisor_mode_kernel      3 /* kernel runs in ring 0 */
#define XENFEAT_pae_pgdir_above_4gb         4 /* PAE L3 may live above 4 GiB */
#define XENFEAT_mmu_pt_update_preserve_ad   5 /* MMU_PT_UPDATE_PRESERVE_AD works */
#define XENFEAT_highmem_assist              6 /* x86-32 highmem helpers */
#define XENFEAT_gnttab_map_avail_bits       7 /* grant maps honour PTE avail bits */
#define XENFEAT_hvm_callback_vector         8 /* HVM: events via an IDT vector */
#define XENFEAT_hvm_safe_pvclock            9 /* HVM: pvclock is safe */
#define XENFEAT_hvm_pirqs                  10 /* HVM: PIRQs over event channels */
#define XENFEAT_dom0                       11 /* the domain is the hardware domain */
/* 12 is retired (ARM identity grant mappings) and must not be reused. */
#define XENFEAT_memory_op_vnode_supported  13 /* XENMEM_get_vnumainfo exists */
#define XENFEAT_ARM_SMCCC_supported        14 /* ARM: SMCCC 1.1 */
#define XENFEAT_linux_rsdp_unrestricted    15 /* RSDP may be above 4 GiB */
#define XENFEAT_not_direct_mapped          16 /* memory is not 1:1 mapped */
#define XENFEAT_direct_mapped              17 /* memory is 1:1 mapped */

#define XENFEAT_NR_SUBMAPS 1

#endif /* __XEN_PUBLIC_FEATURES_H__ */
