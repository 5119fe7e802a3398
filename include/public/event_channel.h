/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: HYPERVISOR_event_channel_op(int cmd, void *arg).
 *
 * An event channel is a port in a domain's port space; a port is bound to
 * one source (a VIRQ, an IPI, a physical IRQ, or a port of another domain)
 * and to one vCPU, which receives its upcalls.  Port 0 is never allocated.
 * The 2-level ABI keeps pending and mask bits in shared_info; the FIFO ABI
 * (EVTCHNOP_init_control) keeps per-port event words in guest pages.
 *
 * Common errors: -XEN_EFAULT arg unreadable or unwritable (a result that
 * cannot be written back leaves the operation done); -XEN_ENOSYS unknown
 * cmd.  Each command lists its own errors below.  A port beyond the ports
 * the domain's table holds (it grows in buckets of 128 as ports are
 * allocated; at most 4096 with the 2-level ABI) is "not valid": -XEN_EINVAL
 * for every command naming it.  A free port inside the table is valid but
 * closed.
 */
#ifndef __XEN_PUBLIC_EVENT_CHANNEL_H__
#define __XEN_PUBLIC_EVENT_CHANNEL_H__

#include <stdint.h>
#include "xen.h"

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq        1
#define EVTCHNOP_bind_pirq        2
#define EVTCHNOP_close            3
#define EVTCHNOP_send             4
#define EVTCHNOP_status           5
#define EVTCHNOP_alloc_unbound    6
#define EVTCHNOP_bind_ipi         7
#define EVTCHNOP_bind_vcpu        8
#define EVTCHNOP_unmask           9
#define EVTCHNOP_reset           10
#define EVTCHNOP_init_control    11
#define EVTCHNOP_expand_array    12
#define EVTCHNOP_set_priority    13
#ifdef __XEN__
#define EVTCHNOP_reset_cont      14 /* internal continuation of reset */
#endif

typedef uint32_t evtchn_port_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_port_t);

/*
 * EVTCHNOP_alloc_unbound: allocate a port in dom that remote_dom may later
 * bind with bind_interdomain.
 * remote_dom DOMID_SELF means the caller.
 * Errors: -XEN_ESRCH unknown domain; -XEN_EPERM dom is not the caller and
 * the caller is not privileged over it; -XEN_ENOSPC no free port.
 */
struct evtchn_alloc_unbound {
    domid_t dom;        /* IN: owner of the new port (DOMID_SELF) */
    domid_t remote_dom; /* IN: domain allowed to connect */
    evtchn_port_t port; /* OUT */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "alloc_unbound size");

/*
 * EVTCHNOP_bind_interdomain: connect a new local port to remote_port,
 * which must be unbound and offered to the caller.  The new local port is
 * raised once (a send on the unbound remote port may have been dropped).
 * Errors: -XEN_ESRCH unknown domain; -XEN_ENOSPC no free local port;
 * -XEN_EINVAL remote port not valid, not unbound or not offered to the
 * caller.
 */
struct evtchn_bind_interdomain {
    domid_t remote_dom;        /* IN */
    /* 2-byte hole */
    evtchn_port_t remote_port; /* IN */
    evtchn_port_t local_port;  /* OUT */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;

/*
 * EVTCHNOP_bind_virq: bind a VIRQ_* to a new port delivered to vcpu.
 * Per-vCPU VIRQs (TIMER, DEBUG, XENOPROF, XENPMU) bind on any vCPU, the
 * others on vCPU 0 only.
 * Errors: -XEN_EINVAL virq >= NR_VIRQS, or a VIRQ that is not per-vCPU
 * with vcpu != 0; -XEN_ENOENT no such vCPU; -XEN_EBUSY a global VIRQ and
 * the caller is not its handler (the hardware domain); -XEN_EEXIST already
 * bound (on that vCPU); -XEN_ENOSPC no free port.
 */
struct evtchn_bind_virq {
    uint32_t virq;      /* IN: VIRQ_* */
    uint32_t vcpu;      /* IN */
    evtchn_port_t port; /* OUT */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;

/*
 * EVTCHNOP_bind_pirq: bind a physical IRQ the domain may use.
 * Errors: -XEN_EINVAL bad pirq; -XEN_EPERM pirq not granted to the caller;
 * -XEN_EEXIST already bound; -XEN_EBUSY not shareable; -XEN_ENOSPC.
 * Keel routes no physical IRQ to guests yet: -XEN_EPERM for every pirq.
 */
struct evtchn_bind_pirq {
    uint32_t pirq;      /* IN */
#define BIND_PIRQ__WILL_SHARE 1
    uint32_t flags;     /* IN: BIND_PIRQ__* */
    evtchn_port_t port; /* OUT */
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;

/*
 * EVTCHNOP_bind_ipi: a port whose sends notify the caller's vcpu.
 * Errors: -XEN_ENOENT no such vCPU; -XEN_ENOSPC no free port.
 */
struct evtchn_bind_ipi {
    uint32_t vcpu;      /* IN */
    evtchn_port_t port; /* OUT */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;

/*
 * EVTCHNOP_close: unbind a port; an interdomain peer becomes unbound,
 * offered to the closer again.  The port's pending bit is cleared.
 * Errors: -XEN_EINVAL port not valid, free, or port 0.
 */
struct evtchn_close {
    evtchn_port_t port; /* IN */
};
typedef struct evtchn_close evtchn_close_t;

/*
 * EVTCHNOP_send: raise the port's peer (interdomain) or the port itself
 * (IPI); on an unbound port the event is dropped and 0 returned.
 * Errors: -XEN_EINVAL port not valid, free, or a VIRQ/PIRQ port.
 */
struct evtchn_send {
    evtchn_port_t port; /* IN */
};
typedef struct evtchn_send evtchn_send_t;

/*
 * EVTCHNOP_status: describe a port of dom (a free port and port 0 read
 * EVTCHNSTAT_closed).
 * Errors: -XEN_ESRCH unknown domain; -XEN_EINVAL port not valid;
 * -XEN_EPERM not privileged over dom (checked after the port, as Xen).
 */
struct evtchn_status {
    domid_t dom;        /* IN: DOMID_SELF or a domain the caller controls */
    /* 2-byte hole */
    evtchn_port_t port; /* IN */
#define EVTCHNSTAT_closed      0 /* not in use */
#define EVTCHNSTAT_unbound     1 /* waiting for an interdomain peer */
#define EVTCHNSTAT_interdomain 2 /* connected to a remote port */
#define EVTCHNSTAT_pirq        3 /* bound to a physical IRQ */
#define EVTCHNSTAT_virq        4 /* bound to a VIRQ */
#define EVTCHNSTAT_ipi         5 /* bound to an IPI */
    uint32_t status;    /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;      /* OUT: vCPU notified */
    union {
        struct {
            domid_t dom;        /* domain allowed to connect */
        } unbound;
        struct {
            domid_t dom;        /* peer domain */
            /* 2-byte hole */
            evtchn_port_t port; /* peer port */
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;                /* OUT: per status */
};
typedef struct evtchn_status evtchn_status_t;
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status size");

/*
 * EVTCHNOP_bind_vcpu: deliver a port's events to another vCPU (unbound,
 * interdomain and global-VIRQ ports).
 * Errors: -XEN_ENOENT no such vCPU; -XEN_EINVAL port not valid, free, or
 * of a kind that cannot move (per-vCPU VIRQs, IPIs).
 */
struct evtchn_bind_vcpu {
    evtchn_port_t port; /* IN */
    uint32_t vcpu;      /* IN */
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;

/*
 * EVTCHNOP_unmask: clear the mask bit and re-deliver if pending (a free
 * port is left as it is).
 * Errors: -XEN_EINVAL port not valid.
 */
struct evtchn_unmask {
    evtchn_port_t port; /* IN */
};
typedef struct evtchn_unmask evtchn_unmask_t;

/*
 * EVTCHNOP_reset: close every port of dom.
 * Errors: -XEN_ESRCH unknown domain; -XEN_EPERM not privileged over dom;
 * -XEN_EINVAL dom is another domain that is not paused (Keel pauses none).
 */
struct evtchn_reset {
    domid_t dom; /* IN */
};
typedef struct evtchn_reset evtchn_reset_t;

/*
 * EVTCHNOP_init_control: switch to the FIFO ABI, registering vcpu's
 * control block at offset in control_gfn.
 * Errors: -XEN_EINVAL bad offset or vCPU, or already initialised;
 * -XEN_ENOSYS FIFO ABI not available (the guest keeps the 2-level ABI).
 * Keel has no FIFO ABI: -XEN_ENOSYS (after reading arg).
 */
struct evtchn_init_control {
    uint64_t control_gfn; /* IN */
    uint32_t offset;      /* IN */
    uint32_t vcpu;        /* IN */
    uint8_t link_bits;    /* OUT: EVTCHN_FIFO_LINK_BITS */
    uint8_t _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;

/*
 * EVTCHNOP_expand_array: add one page of FIFO event words.
 * Errors: -XEN_EINVAL FIFO not initialised or bad gfn; -XEN_ENOSPC full.
 * Keel: -XEN_ENOSYS.
 */
struct evtchn_expand_array {
    uint64_t array_gfn; /* IN */
};
typedef struct evtchn_expand_array evtchn_expand_array_t;

/*
 * EVTCHNOP_set_priority: FIFO queue of a port.
 * Errors: -XEN_EINVAL port not valid or priority out of range;
 * -XEN_ENOSYS not using the FIFO ABI (Keel: always, for a valid port).
 */
struct evtchn_set_priority {
    evtchn_port_t port; /* IN */
    uint32_t priority;  /* IN: EVTCHN_FIFO_PRIORITY_* range */
};
typedef struct evtchn_set_priority evtchn_set_priority_t;

/* Argument of the superseded event_channel_op_compat hypercall. */
struct evtchn_op {
    uint32_t cmd; /* IN: EVTCHNOP_* */
    union {
        evtchn_alloc_unbound_t alloc_unbound;
        evtchn_bind_interdomain_t bind_interdomain;
        evtchn_bind_virq_t bind_virq;
        evtchn_bind_pirq_t bind_pirq;
        evtchn_bind_ipi_t bind_ipi;
        evtchn_close_t close;
        evtchn_send_t send;
        evtchn_status_t status;
        evtchn_bind_vcpu_t bind_vcpu;
        evtchn_unmask_t unmask;
    } u;
};
typedef struct evtchn_op evtchn_op_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_op_t);

/* Ports the 2-level ABI can name: one bit per port in a word of words. */
#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

/* FIFO ABI: priorities (0 is highest) and the per-port event word. */
#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES (EVTCHN_FIFO_PRIORITY_MIN + 1)

typedef uint32_t event_word_t;

#define EVTCHN_FIFO_PENDING 31
#define EVTCHN_FIFO_MASKED  30
#define EVTCHN_FIFO_LINKED  29
#define EVTCHN_FIFO_BUSY    28
#define EVTCHN_FIFO_LINK_BITS 17
#define EVTCHN_FIFO_LINK_MASK ((1 << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1 << EVTCHN_FIFO_LINK_BITS)

struct evtchn_fifo_control_block {
    uint32_t ready;                        /* OUT: bitmap of non-empty queues */
    uint32_t _rsvd;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES]; /* OUT/IN: queue heads */
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;

#endif /* __XEN_PUBLIC_EVENT_CHANNEL_H__ */
