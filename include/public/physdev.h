/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: HYPERVISOR_physdev_op(int cmd, void *arg).
 *
 * Physical-device plumbing: I/O privilege for PV kernels, physical IRQs
 * (PIRQs) routed over event channels, and PCI device registration by the
 * hardware domain.
 *
 * Common errors: -XEN_EFAULT arg unreadable or unwritable; -XEN_ENOSYS
 * unknown cmd; -XEN_EPERM the caller is not the hardware domain (every
 * command except set_iopl, set_iobitmap, eoi, pirq_eoi_gmfn and
 * irq_status_query); -XEN_EINVAL out-of-range IRQ, pirq or value.
 */
#ifndef __XEN_PUBLIC_PHYSDEV_H__
#define __XEN_PUBLIC_PHYSDEV_H__

#include <stdint.h>
#include "xen.h"

/* PHYSDEVOP_eoi: end of interrupt for a PIRQ. */
#define PHYSDEVOP_eoi 12
struct physdev_eoi {
    uint32_t irq; /* IN: pirq */
};
typedef struct physdev_eoi physdev_eoi_t;
DEFINE_XEN_GUEST_HANDLE(physdev_eoi_t);

/*
 * PHYSDEVOP_pirq_eoi_gmfn_v{1,2}: register a guest frame holding a bitmap
 * of PIRQs that need an EOI.  v2 leaves existing bits alone.
 * Errors: -XEN_EINVAL bad frame; -XEN_EBUSY already registered.
 */
#define PHYSDEVOP_pirq_eoi_gmfn_v1 17
#define PHYSDEVOP_pirq_eoi_gmfn_v2 28
struct physdev_pirq_eoi_gmfn {
    xen_pfn_t gmfn; /* IN */
};
typedef struct physdev_pirq_eoi_gmfn physdev_pirq_eoi_gmfn_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pirq_eoi_gmfn_t);

/* PHYSDEVOP_irq_status_query: does a PIRQ need an EOI, is it shared. */
#define PHYSDEVOP_irq_status_query 5
struct physdev_irq_status_query {
    uint32_t irq;   /* IN */
    uint32_t flags; /* OUT: XENIRQSTAT_* */
};
typedef struct physdev_irq_status_query physdev_irq_status_query_t;
DEFINE_XEN_GUEST_HANDLE(physdev_irq_status_query_t);

#define _XENIRQSTAT_needs_eoi (0)
#define XENIRQSTAT_needs_eoi  (1U << _XENIRQSTAT_needs_eoi)
#define _XENIRQSTAT_shared    (1)
#define XENIRQSTAT_shared     (1U << _XENIRQSTAT_shared)

/* PHYSDEVOP_set_iopl: the virtual IOPL of the calling vCPU's kernel. */
#define PHYSDEVOP_set_iopl 6
struct physdev_set_iopl {
    uint32_t iopl; /* IN: 0-3 */
};
typedef struct physdev_set_iopl physdev_set_iopl_t;
DEFINE_XEN_GUEST_HANDLE(physdev_set_iopl_t);

/* PHYSDEVOP_set_iobitmap: a TSS-style I/O permission bitmap. */
#define PHYSDEVOP_set_iobitmap 7
struct physdev_set_iobitmap {
    XEN_GUEST_HANDLE(uint8) bitmap; /* IN */
    uint32_t nr_ports;              /* IN */
};
typedef struct physdev_set_iobitmap physdev_set_iobitmap_t;
DEFINE_XEN_GUEST_HANDLE(physdev_set_iobitmap_t);

/* PHYSDEVOP_apic_read / apic_write: I/O APIC register access. */
#define PHYSDEVOP_apic_read  8
#define PHYSDEVOP_apic_write 9
struct physdev_apic {
    unsigned long apic_physbase; /* IN */
    uint32_t reg;                /* IN */
    uint32_t value;              /* IN (write) / OUT (read) */
};
typedef struct physdev_apic physdev_apic_t;
DEFINE_XEN_GUEST_HANDLE(physdev_apic_t);

#define PHYSDEVOP_alloc_irq_vector 10
#define PHYSDEVOP_free_irq_vector  11
struct physdev_irq {
    uint32_t irq;    /* IN */
    uint32_t vector; /* OUT (alloc) / IN (free) */
};
typedef struct physdev_irq physdev_irq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_irq_t);

#define MAP_PIRQ_TYPE_MSI       0x0
#define MAP_PIRQ_TYPE_GSI       0x1
#define MAP_PIRQ_TYPE_UNKNOWN   0x2
#define MAP_PIRQ_TYPE_MSI_SEG   0x3
#define MAP_PIRQ_TYPE_MULTI_MSI 0x4

/* PHYSDEVOP_map_pirq: give domid a PIRQ for a GSI or MSI(-X) source. */
#define PHYSDEVOP_map_pirq 13
struct physdev_map_pirq {
    domid_t domid;       /* IN */
    /* 2-byte hole */
    int32_t type;        /* IN: MAP_PIRQ_TYPE_* */
    int32_t index;       /* IN: GSI, or MSI-X entry */
    int32_t pirq;        /* IN: wanted pirq or -1; OUT: the pirq */
    int32_t bus;         /* IN: MSI: PCI bus (segment << 16 for MSI_SEG) */
    int32_t devfn;       /* IN: MSI */
    int32_t entry_nr;    /* IN: MSI: vectors (MULTI_MSI) or entry */
    /* 4-byte hole */
    uint64_t table_base; /* IN: MSI-X table base */
};
typedef struct physdev_map_pirq physdev_map_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_map_pirq_t);
_Static_assert(sizeof(struct physdev_map_pirq) == 40, "map_pirq size");

#define PHYSDEVOP_unmap_pirq 14
struct physdev_unmap_pirq {
    domid_t domid; /* IN */
    int32_t pirq;  /* IN */
};
typedef struct physdev_unmap_pirq physdev_unmap_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_unmap_pirq_t);

#define PHYSDEVOP_manage_pci_add    15
#define PHYSDEVOP_manage_pci_remove 16
struct physdev_manage_pci {
    uint8_t bus;   /* IN */
    uint8_t devfn; /* IN */
};
typedef struct physdev_manage_pci physdev_manage_pci_t;
DEFINE_XEN_GUEST_HANDLE(physdev_manage_pci_t);

#define PHYSDEVOP_restore_msi 19
struct physdev_restore_msi {
    uint8_t bus;   /* IN */
    uint8_t devfn; /* IN */
};
typedef struct physdev_restore_msi physdev_restore_msi_t;
DEFINE_XEN_GUEST_HANDLE(physdev_restore_msi_t);

#define PHYSDEVOP_manage_pci_add_ext 20
struct physdev_manage_pci_ext {
    uint8_t bus;        /* IN */
    uint8_t devfn;      /* IN */
    uint32_t is_extfn;  /* IN */
    uint32_t is_virtfn; /* IN */
    struct {
        uint8_t bus;
        uint8_t devfn;
    } physfn;           /* IN: parent of a virtual function */
};
typedef struct physdev_manage_pci_ext physdev_manage_pci_ext_t;
DEFINE_XEN_GUEST_HANDLE(physdev_manage_pci_ext_t);

/* Argument of the superseded physdev_op_compat hypercall. */
struct physdev_op {
    uint32_t cmd; /* IN: PHYSDEVOP_* */
    union {
        physdev_irq_status_query_t irq_status_query;
        physdev_set_iopl_t set_iopl;
        physdev_set_iobitmap_t set_iobitmap;
        physdev_apic_t apic_op;
        physdev_irq_t irq_op;
    } u;
};
typedef struct physdev_op physdev_op_t;
DEFINE_XEN_GUEST_HANDLE(physdev_op_t);

/* PHYSDEVOP_setup_gsi: trigger mode and polarity of a GSI. */
#define PHYSDEVOP_setup_gsi 21
struct physdev_setup_gsi {
    int32_t gsi;        /* IN */
    uint8_t triggering; /* IN: 0 edge, 1 level */
    uint8_t polarity;   /* IN: 0 high, 1 low */
};
typedef struct physdev_setup_gsi physdev_setup_gsi_t;
DEFINE_XEN_GUEST_HANDLE(physdev_setup_gsi_t);

#define PHYSDEVOP_get_free_pirq 23
struct physdev_get_free_pirq {
    int32_t type;  /* IN: MAP_PIRQ_TYPE_* */
    uint32_t pirq; /* OUT */
};
typedef struct physdev_get_free_pirq physdev_get_free_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_get_free_pirq_t);

#define XEN_PCI_MMCFG_RESERVED 0x1

#define PHYSDEVOP_pci_mmcfg_reserved 24
struct physdev_pci_mmcfg_reserved {
    uint64_t address;  /* IN */
    uint16_t segment;  /* IN */
    uint8_t start_bus; /* IN */
    uint8_t end_bus;   /* IN */
    uint32_t flags;    /* IN: XEN_PCI_MMCFG_* */
};
typedef struct physdev_pci_mmcfg_reserved physdev_pci_mmcfg_reserved_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pci_mmcfg_reserved_t);

#define XEN_PCI_DEV_EXTFN  0x1
#define XEN_PCI_DEV_VIRTFN 0x2
#define XEN_PCI_DEV_PXM    0x4

#define PHYSDEVOP_pci_device_add 25
struct physdev_pci_device_add {
    uint16_t seg;   /* IN */
    uint8_t bus;    /* IN */
    uint8_t devfn;  /* IN */
    uint32_t flags; /* IN: XEN_PCI_DEV_* */
    struct {
        uint8_t bus;
        uint8_t devfn;
    } physfn;       /* IN: with XEN_PCI_DEV_VIRTFN */
    /* 2-byte hole */
    uint32_t optarr[XEN_FLEX_ARRAY_DIM]; /* IN: proximity with _PXM */
};
typedef struct physdev_pci_device_add physdev_pci_device_add_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pci_device_add_t);

#define PHYSDEVOP_pci_device_remove 26
#define PHYSDEVOP_restore_msi_ext   27
#define PHYSDEVOP_prepare_msix      30
#define PHYSDEVOP_release_msix      31
struct physdev_pci_device {
    uint16_t seg;  /* IN */
    uint8_t bus;   /* IN */
    uint8_t devfn; /* IN */
};
typedef struct physdev_pci_device physdev_pci_device_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pci_device_t);

#define PHYSDEVOP_DBGP_RESET_PREPARE 1
#define PHYSDEVOP_DBGP_RESET_DONE    2
#define PHYSDEVOP_DBGP_BUS_UNKNOWN   0
#define PHYSDEVOP_DBGP_BUS_PCI       1

/* PHYSDEVOP_dbgp_op: coordinate a USB debug port with the hypervisor. */
#define PHYSDEVOP_dbgp_op 29
struct physdev_dbgp_op {
    uint8_t op;  /* IN: PHYSDEVOP_DBGP_RESET_* */
    uint8_t bus; /* IN: PHYSDEVOP_DBGP_BUS_* */
    union {
        physdev_pci_device_t pci;
    } u;         /* IN */
};
typedef struct physdev_dbgp_op physdev_dbgp_op_t;
DEFINE_XEN_GUEST_HANDLE(physdev_dbgp_op_t);

/* Notify the hypervisor after unmasking PIRQ event channels. */
#define PHYSDEVOP_IRQ_UNMASK_NOTIFY 4

#define PHYSDEVOP_pirq_eoi_gmfn PHYSDEVOP_pirq_eoi_gmfn_v2

#endif /* __XEN_PUBLIC_PHYSDEV_H__ */
