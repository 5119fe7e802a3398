/* SPDX-License-Identifier: MIT */
/*
 * The xen_version hypercall. Keel reports Xen-ABI version 4.17, the
 * interface it implements, so guests take the code paths that interface
 * promises; what Keel is appears in the extraversion, changeset and
 * compile strings.
 */
#include <keel/bootinfo.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/vcpu.h>
#include <public/version.h>
#include <public/xen.h>

#define ABI_MAJOR 4
#define ABI_MINOR 17

/*
 * Feature bits for a 64-bit PV guest. Never auto_translated_physmap,
 * hvm_callback_vector, supervisor_mode_kernel or writable_page_tables:
 * Linux would take HVM or ring-0 paths that do not apply.
 */
static uint32_t pv_features(const struct domain *d)
{
    uint32_t f = (1u << XENFEAT_mmu_pt_update_preserve_ad) |
                 (1u << XENFEAT_gnttab_map_avail_bits) |
                 (1u << XENFEAT_direct_mapped);

    if (d->is_privileged)
        f |= 1u << XENFEAT_dom0;
    return f;
}

/* Copy a NUL-padded string field of exactly size bytes out to the guest. */
static long put_string(unsigned long arg, size_t size, const char *s)
{
    char buf[1024];

    BUG_ON(size > sizeof(buf));
    memset(buf, 0, size);
    strlcpy(buf, s, size);
    return copy_to_guest(arg, buf, size);
}

/* xen_version(cmd, arg) */
long do_xen_version(unsigned long cmd, unsigned long arg, unsigned long unused3,
                    unsigned long unused4, unsigned long unused5)
{
    const struct domain *d = current_vcpu()->domain;

    (void)unused3, (void)unused4, (void)unused5;
    switch (cmd) {
    case XENVER_version:
        return (ABI_MAJOR << 16) | ABI_MINOR;
    case XENVER_extraversion:
        return put_string(arg, sizeof(xen_extraversion_t), ".0-keel");
    case XENVER_compile_info: {
        struct xen_compile_info info;

        memset(&info, 0, sizeof(info));
        strlcpy(info.compiler, __VERSION__, sizeof(info.compiler));
        strlcpy(info.compile_by, "keel", sizeof(info.compile_by));
        strlcpy(info.compile_domain, "keel " KEEL_VERSION, sizeof(info.compile_domain));
        strlcpy(info.compile_date, __DATE__ " " __TIME__, sizeof(info.compile_date));
        return copy_to_guest(arg, &info, sizeof(info));
    }
    case XENVER_capabilities:
        return put_string(arg, sizeof(xen_capabilities_info_t), "xen-3.0-x86_64 ");
    case XENVER_changeset:
        return put_string(arg, sizeof(xen_changeset_info_t), "Keel " KEEL_VERSION);
    case XENVER_platform_parameters: {
        struct xen_platform_parameters p = { .virt_start = HYPERVISOR_VIRT_START };

        return copy_to_guest(arg, &p, sizeof(p));
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;

        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -EFAULT;
        if (fi.submap_idx != 0)
            return -EINVAL;
        fi.submap = pv_features(d);
        return copy_to_guest(arg, &fi, sizeof(fi));
    }
    case XENVER_pagesize:
        return 4096;
    case XENVER_guest_handle: {
        uint8_t handle[16] = { 0 };   /* dom0 has the all-zero handle */

        return copy_to_guest(arg, handle, sizeof(handle));
    }
    case XENVER_commandline:
        if (!d->is_privileged)
            return -EPERM;
        return put_string(arg, sizeof(xen_commandline_t), boot_info.cmdline);
    case XENVER_build_id:
        return -ENODATA;
    default:
        return -ENOSYS;
    }
}
