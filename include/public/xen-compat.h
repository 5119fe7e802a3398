/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: interface version selection.
 *
 * Keel implements one interface version, the latest one Xen 4.17 defines.
 * Unlike Xen, a consumer that names no version gets the latest interface
 * rather than the legacy (pre-3.0.1) one: the legacy layouts and hypercall
 * numbers are not implemented by Keel, so selecting them would only produce
 * code that cannot run here.  Asking for an older version is refused.
 */
#ifndef __XEN_PUBLIC_XEN_COMPAT_H__
#define __XEN_PUBLIC_XEN_COMPAT_H__

#define __XEN_LATEST_INTERFACE_VERSION__ 0x00040e00

#if defined(__XEN__) || defined(__XEN_TOOLS__) || !defined(__XEN_INTERFACE_VERSION__)
#undef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#endif

#if __XEN_INTERFACE_VERSION__ != __XEN_LATEST_INTERFACE_VERSION__
#error "Keel implements only __XEN_LATEST_INTERFACE_VERSION__"
#endif

/* Dimension for a trailing variable-length array in a compat layout. */
#define COMPAT_FLEX_ARRAY_DIM XEN_FLEX_ARRAY_DIM

#endif /* __XEN_PUBLIC_XEN_COMPAT_H__ */
