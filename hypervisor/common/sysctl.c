/* SPDX-License-Identifier: MIT */
/*
 * The sysctl hypercall: the control domain's view of the host (Xen 4.17's
 * common/sysctl.c is the behavioural reference): the console ring
 * (xl dmesg), the domain list (xl list), the host's CPUs and memory
 * (xl info) and the scheduler's id. Only the control domain gets here
 * (the hypercall table); every field is still validated.
 */
#include <keel/arch.h>
#include <keel/buddy.h>
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/domctl.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <public/sysctl.h>
#include <public/xen.h>

/* Bytes of the console ring copied out per step (a stack buffer). */
#define READCONSOLE_CHUNK 256

static long sysctl_readconsole(struct xen_sysctl_readconsole *r)
{
    unsigned long buf = (unsigned long)r->buffer.p;
    uint32_t index = r->index, done = 0;
    char chunk[READCONSOLE_CHUNK];

    if (!guest_range_ok(buf, r->count))
        return -EFAULT;
    while (done < r->count) {
        uint32_t want = min(r->count - done, (uint32_t)sizeof(chunk));
        uint32_t got = console_ring_read(chunk, want, &index, r->incremental || done, r->clear);

        if (!got)
            break;
        if (copy_to_guest(buf + done, chunk, got))
            return -EFAULT;
        done += got;
    }
    r->count = done;
    r->index = index;
    return 0;
}

static long sysctl_getdomaininfolist(struct xen_sysctl_getdomaininfolist *l)
{
    unsigned long buf = (unsigned long)l->buffer.p;
    struct xen_domctl_getdomaininfo info;
    uint32_t n = 0;
    domid_t next = l->first_domain;

    if (!guest_range_ok(buf, (unsigned long)l->max_domains * sizeof(info)))
        return -EFAULT;
    while (n < l->max_domains && next < DOMID_FIRST_RESERVED) {
        struct domain *d = get_domain_from_id(next);

        if (!d)
            break;
        domctl_fill_domaininfo(d, &info);
        next = d->domain_id + 1;
        put_domain(d);
        if (copy_to_guest(buf + (unsigned long)n * sizeof(info), &info, sizeof(info)))
            return -EFAULT;
        n++;
    }
    l->num_domains = n;
    return 0;
}

static void sysctl_physinfo(struct xen_sysctl_physinfo *p)
{
    memset(p, 0, sizeof(*p));
    p->threads_per_core = 1;
    p->cores_per_socket = arch_nr_cpus();
    p->nr_cpus = arch_nr_cpus();
    p->max_cpu_id = arch_nr_cpus() - 1;
    p->nr_nodes = 1;
    p->max_node_id = 0;
    p->cpu_khz = arch_cpu_khz();
    p->capabilities = XEN_SYSCTL_PHYSCAP_pv | XEN_SYSCTL_PHYSCAP_gnttab_v1;
    p->total_pages = buddy_total_frames();
    p->free_pages = buddy_free_frames();
    p->max_mfn = arch_max_mfn();
    arch_cpu_features(p->hw_cap, ARRAY_SIZE(p->hw_cap));
}

/* sysctl(op) */
long do_sysctl(unsigned long arg, unsigned long unused2, unsigned long unused3,
               unsigned long unused4, unsigned long unused5)
{
    struct xen_sysctl op;
    long rc;

    (void)unused2, (void)unused3, (void)unused4, (void)unused5;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
        return -EACCES;
    switch (op.cmd) {
    case XEN_SYSCTL_readconsole:
        rc = sysctl_readconsole(&op.u.readconsole);
        break;
    case XEN_SYSCTL_getdomaininfolist:
        rc = sysctl_getdomaininfolist(&op.u.getdomaininfolist);
        break;
    case XEN_SYSCTL_physinfo:
        sysctl_physinfo(&op.u.physinfo);
        rc = 0;
        break;
    case XEN_SYSCTL_sched_id:
        op.u.sched_id.sched_id = XEN_SCHEDULER_CREDIT;
        rc = 0;
        break;
    default:
        return -ENOSYS;
    }
    if (!rc && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}
