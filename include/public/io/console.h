/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: the PV console ring (start_info.console.domU.mfn).
 *
 * Two byte rings in one page: "in" carries input to the guest, "out" its
 * output.  Indices are free-running; a byte's slot is MASK_XENCONS_IDX.
 * The producer writes data, then (write barrier) the prod index, then
 * notifies the console event channel; the consumer mirrors this.
 */
#ifndef __XEN_PUBLIC_IO_CONSOLE_H__
#define __XEN_PUBLIC_IO_CONSOLE_H__

#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;

#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
    char in[1024];                     /* backend -> guest */
    char out[2048];                    /* guest -> backend */
    XENCONS_RING_IDX in_cons, in_prod;   /* in_cons: guest; in_prod: backend */
    XENCONS_RING_IDX out_cons, out_prod; /* out_cons: backend; out_prod: guest */
};
_Static_assert(sizeof(struct xencons_interface) == 3088, "xencons_interface size");

#endif /* __XEN_PUBLIC_IO_CONSOLE_H__ */
