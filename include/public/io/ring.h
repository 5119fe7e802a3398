/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: split-driver shared rings.
 *
 * A ring is one shared page: a small header with four free-running 32-bit
 * indices, then a power-of-two array of slots, each a union of a request
 * and a response.  The frontend produces requests and consumes responses;
 * the backend does the reverse.  Each side keeps private copies of its
 * indices (the *_front_ring / *_back_ring structs) and publishes them with
 * RING_PUSH_*; indices only grow and wrap modulo 2^32, slots are index &
 * (size - 1).
 *
 * Notification suppression: a consumer stores "wake me when the producer
 * passes N" in req_event / rsp_event; a producer that pushes from old to
 * new must notify iff the event index lies in (old, new].
 *
 * Ordering: the includer provides xen_mb(), xen_rmb() and xen_wmb().  A
 * producer writes slots, then xen_wmb(), then the producer index; a
 * consumer reads the producer index, then xen_rmb(), then slots.  The
 * xen_mb() in the _CHECK_ macros orders the index store against the event
 * load on the other side.  A consumer must copy a request out of the
 * shared page (RING_COPY_REQUEST) before validating it, and must bound the
 * producer index it reads (RING_REQUEST_PROD_OVERFLOW): the other end is
 * not trusted.
 */
#ifndef __XEN_PUBLIC_IO_RING_H__
#define __XEN_PUBLIC_IO_RING_H__

#include <stddef.h>
#include <stdint.h>
#include "../xen-compat.h"

typedef uint32_t RING_IDX;

/* Round down to a power of two (constant-foldable). */
#define __RD2(_x)  (((_x) & 0x00000002) ? 0x2 : ((_x) & 0x1))
#define __RD4(_x)  (((_x) & 0x0000000c) ? __RD2((_x) >> 2) << 2 : __RD2(_x))
#define __RD8(_x)  (((_x) & 0x000000f0) ? __RD4((_x) >> 4) << 4 : __RD4(_x))
#define __RD16(_x) (((_x) & 0x0000ff00) ? __RD8((_x) >> 8) << 8 : __RD8(_x))
#define __RD32(_x) (((_x) & 0xffff0000) ? __RD16((_x) >> 16) << 16 : __RD16(_x))

/* Slots of a ring type _s in _sz bytes, as a constant expression. */
#define __CONST_RING_SIZE(_s, _sz)                                      \
    (__RD32(((_sz) - offsetof(struct _s##_sring, ring)) /               \
            sizeof(((struct _s##_sring *)0)->ring[0])))
/* Slots of the ring at _s in _sz bytes. */
#define __RING_SIZE(_s, _sz)                                            \
    (__RD32(((_sz) - (long)(_s)->ring + (long)(_s)) / sizeof((_s)->ring[0])))

/*
 * Declare the ring types of protocol __name: union __name##_sring_entry,
 * struct __name##_sring (the shared page: 64-byte header, then slots),
 * struct __name##_front_ring and __name##_back_ring (private state).
 */
#define DEFINE_RING_TYPES(__name, __req_t, __rsp_t)                     \
                                                                        \
union __name##_sring_entry {                                            \
    __req_t req;                                                        \
    __rsp_t rsp;                                                        \
};                                                                      \
                                                                        \
struct __name##_sring {                                                 \
    RING_IDX req_prod, req_event;                                       \
    RING_IDX rsp_prod, rsp_event;                                       \
    union {                                                             \
        struct {                                                        \
            uint8_t smartpoll_active;                                   \
        } netif;                                                        \
        struct {                                                        \
            uint8_t msg;                                                \
        } tapif_user;                                                   \
        uint8_t pvt_pad[4];                                             \
    } pvt;                                                              \
    uint8_t __pad[44];                                                  \
    union __name##_sring_entry ring[1]; /* really as many as fit */     \
};                                                                      \
                                                                        \
struct __name##_front_ring {                                            \
    RING_IDX req_prod_pvt;                                              \
    RING_IDX rsp_cons;                                                  \
    unsigned int nr_ents;                                               \
    struct __name##_sring *sring;                                       \
};                                                                      \
                                                                        \
struct __name##_back_ring {                                             \
    RING_IDX rsp_prod_pvt;                                              \
    RING_IDX req_cons;                                                  \
    unsigned int nr_ents;                                               \
    struct __name##_sring *sring;                                       \
};                                                                      \
                                                                        \
typedef struct __name##_sring __name##_sring_t;                         \
typedef struct __name##_front_ring __name##_front_ring_t;               \
typedef struct __name##_back_ring __name##_back_ring_t

/* Initialise a shared page (the frontend does this, before granting it). */
#define SHARED_RING_INIT(_s) do {                                       \
    (_s)->req_prod = (_s)->rsp_prod = 0;                                \
    (_s)->req_event = (_s)->rsp_event = 1;                              \
    (void)memset((_s)->pvt.pvt_pad, 0, sizeof((_s)->pvt.pvt_pad));      \
    (void)memset((_s)->__pad, 0, sizeof((_s)->__pad));                  \
} while (0)

#define FRONT_RING_ATTACH(_r, _s, _i, __size) do {                      \
    (_r)->req_prod_pvt = (_i);                                          \
    (_r)->rsp_cons = (_i);                                              \
    (_r)->nr_ents = __RING_SIZE(_s, __size);                            \
    (_r)->sring = (_s);                                                 \
} while (0)
#define FRONT_RING_INIT(_r, _s, __size) FRONT_RING_ATTACH(_r, _s, 0, __size)
#define XEN_FRONT_RING_INIT(r, s, size) do {                            \
    SHARED_RING_INIT(s);                                                \
    FRONT_RING_INIT(r, s, size);                                        \
} while (0)

#define BACK_RING_ATTACH(_r, _s, _i, __size) do {                       \
    (_r)->rsp_prod_pvt = (_i);                                          \
    (_r)->req_cons = (_i);                                              \
    (_r)->nr_ents = __RING_SIZE(_s, __size);                            \
    (_r)->sring = (_s);                                                 \
} while (0)
#define BACK_RING_INIT(_r, _s, __size) BACK_RING_ATTACH(_r, _s, 0, __size)

#define RING_SIZE(_r) ((_r)->nr_ents)

/* Requests the frontend may still produce before the ring is full. */
#define RING_FREE_REQUESTS(_r)                                          \
    (RING_SIZE(_r) - ((_r)->req_prod_pvt - (_r)->rsp_cons))
#define RING_FULL(_r) (RING_FREE_REQUESTS(_r) == 0)

#define XEN_RING_NR_UNCONSUMED_RESPONSES(_r)                            \
    ((_r)->sring->rsp_prod - (_r)->rsp_cons)
/* Bounded by the free response slots, so a lying producer cannot make
 * the backend overrun its own responses. */
#define XEN_RING_NR_UNCONSUMED_REQUESTS(_r)                             \
    ((((_r)->sring->req_prod - (_r)->req_cons) <                        \
      (RING_SIZE(_r) - ((_r)->req_cons - (_r)->rsp_prod_pvt))) ?        \
     ((_r)->sring->req_prod - (_r)->req_cons) :                         \
     (RING_SIZE(_r) - ((_r)->req_cons - (_r)->rsp_prod_pvt)))

#ifdef XEN_RING_HAS_UNCONSUMED_IS_BOOL
#define RING_HAS_UNCONSUMED_RESPONSES(_r) (!!XEN_RING_NR_UNCONSUMED_RESPONSES(_r))
#define RING_HAS_UNCONSUMED_REQUESTS(_r)  (!!XEN_RING_NR_UNCONSUMED_REQUESTS(_r))
#else
#define RING_HAS_UNCONSUMED_RESPONSES(_r) XEN_RING_NR_UNCONSUMED_RESPONSES(_r)
#define RING_HAS_UNCONSUMED_REQUESTS(_r)  XEN_RING_NR_UNCONSUMED_REQUESTS(_r)
#endif

#define RING_GET_REQUEST(_r, _idx)                                      \
    (&((_r)->sring->ring[((_idx) & (RING_SIZE(_r) - 1))].req))
#define RING_GET_RESPONSE(_r, _idx)                                     \
    (&((_r)->sring->ring[((_idx) & (RING_SIZE(_r) - 1))].rsp))

/* Copy a slot out of shared memory exactly once (volatile read). */
#define RING_COPY_(type, r, idx, dest) do {                             \
    *(dest) = *(volatile __typeof__(dest))RING_GET_##type(r, idx);      \
} while (0)
#define RING_COPY_REQUEST(r, idx, req)  RING_COPY_(REQUEST, r, idx, req)
#define RING_COPY_RESPONSE(r, idx, rsp) RING_COPY_(RESPONSE, r, idx, rsp)

/* Sanity checks on indices read from the other end. */
#define RING_REQUEST_CONS_OVERFLOW(_r, _cons)                           \
    (((_cons) - (_r)->rsp_prod_pvt) >= RING_SIZE(_r))
#define RING_REQUEST_PROD_OVERFLOW(_r, _prod)                           \
    (((_prod) - (_r)->rsp_prod_pvt) > RING_SIZE(_r))
#define RING_RESPONSE_PROD_OVERFLOW(_r, _prod)                          \
    (((_prod) - (_r)->rsp_cons) > RING_SIZE(_r))

#define RING_PUSH_REQUESTS(_r) do {                                     \
    xen_wmb(); /* slots before index; pairs with the consumer's rmb */  \
    (_r)->sring->req_prod = (_r)->req_prod_pvt;                         \
} while (0)
#define RING_PUSH_RESPONSES(_r) do {                                    \
    xen_wmb(); /* slots before index; pairs with the consumer's rmb */  \
    (_r)->sring->rsp_prod = (_r)->rsp_prod_pvt;                         \
} while (0)

#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(_r, _notify) do {           \
    RING_IDX __old = (_r)->sring->req_prod;                             \
    RING_IDX __new = (_r)->req_prod_pvt;                                \
    xen_wmb(); /* slots before index */                                 \
    (_r)->sring->req_prod = __new;                                      \
    xen_mb(); /* index before req_event; pairs with FINAL_CHECK's mb */ \
    (_notify) = ((RING_IDX)(__new - (_r)->sring->req_event) <           \
                 (RING_IDX)(__new - __old));                            \
} while (0)
#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(_r, _notify) do {          \
    RING_IDX __old = (_r)->sring->rsp_prod;                             \
    RING_IDX __new = (_r)->rsp_prod_pvt;                                \
    xen_wmb(); /* slots before index */                                 \
    (_r)->sring->rsp_prod = __new;                                      \
    xen_mb(); /* index before rsp_event; pairs with FINAL_CHECK's mb */ \
    (_notify) = ((RING_IDX)(__new - (_r)->sring->rsp_event) <           \
                 (RING_IDX)(__new - __old));                            \
} while (0)

/* Before sleeping: re-arm the event index, then look once more. */
#define RING_FINAL_CHECK_FOR_REQUESTS(_r, _work_to_do) do {             \
    (_work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(_r);                   \
    if (_work_to_do)                                                    \
        break;                                                          \
    (_r)->sring->req_event = (_r)->req_cons + 1;                        \
    xen_mb(); /* event store before re-reading req_prod */              \
    (_work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(_r);                   \
} while (0)
#define RING_FINAL_CHECK_FOR_RESPONSES(_r, _work_to_do) do {            \
    (_work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(_r);                  \
    if (_work_to_do)                                                    \
        break;                                                          \
    (_r)->sring->rsp_event = (_r)->rsp_cons + 1;                        \
    xen_mb(); /* event store before re-reading rsp_prod */              \
    (_work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(_r);                  \
} while (0)

/* Ring protocols count in 4 KiB pages whatever the OS page size. */
#ifndef XEN_PAGE_SHIFT
#define XEN_PAGE_SHIFT 12
#endif
/* Bytes in each direction of a flex ring of 2^order pages. */
#define XEN_FLEX_RING_SIZE(order) (1UL << ((order) + XEN_PAGE_SHIFT - 1))

#endif /* __XEN_PUBLIC_IO_RING_H__ */
