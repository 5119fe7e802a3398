/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: the PV block device protocol (blkfront/blkback).
 *
 * The frontend grants its buffer pages and puts requests on a shared ring
 * (DEFINE_RING_TYPES below); the backend answers each request with a
 * response carrying the request's id.  Sector numbers are in 512-byte
 * units unless "feature-large-sector-size" was negotiated in xenstore.
 * Notifications use the ring's event-index hold-off: the backend re-arms
 * with RING_FINAL_CHECK_FOR_REQUESTS, the frontend with
 * RING_FINAL_CHECK_FOR_RESPONSES.
 */
#ifndef __XEN_PUBLIC_IO_BLKIF_H__
#define __XEN_PUBLIC_IO_BLKIF_H__

#include <stdint.h>
#include "ring.h"
#include "../grant_table.h"

#ifndef blkif_vdev_t
#define blkif_vdev_t uint16_t
#endif
#define blkif_sector_t uint64_t

#define BLKIF_OP_READ            0
#define BLKIF_OP_WRITE           1
#define BLKIF_OP_WRITE_BARRIER   2 /* "feature-barrier" */
#define BLKIF_OP_FLUSH_DISKCACHE 3 /* "feature-flush-cache" */
#define BLKIF_OP_RESERVED_1      4 /* was used by blktap; never reuse */
#define BLKIF_OP_DISCARD         5 /* "feature-discard" */
#define BLKIF_OP_INDIRECT        6 /* "feature-max-indirect-segments" */

/* Segments carried directly in a request (so a request fits a slot). */
#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
/* Pages of blkif_request_segment an indirect request may reference. */
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8

/* One granted buffer page and the sectors of it to transfer. */
struct blkif_request_segment {
    grant_ref_t gref;   /* granted page */
    uint8_t first_sect; /* first sector in the page (inclusive) */
    uint8_t last_sect;  /* last sector in the page (inclusive) */
};

struct blkif_request {
    uint8_t operation;            /* BLKIF_OP_* */
    uint8_t nr_segments;          /* 1..BLKIF_MAX_SEGMENTS_PER_REQUEST */
    blkif_vdev_t handle;          /* device, for read/write */
    /* 4-byte hole */
    uint64_t id;                  /* echoed in the response */
    blkif_sector_t sector_number; /* first sector on the disk */
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
typedef struct blkif_request blkif_request_t;
_Static_assert(sizeof(struct blkif_request) == 112, "blkif_request size");

/* BLKIF_OP_DISCARD, in the same slot as blkif_request. */
struct blkif_request_discard {
    uint8_t operation;            /* BLKIF_OP_DISCARD */
    uint8_t flag;                 /* BLKIF_DISCARD_SECURE or 0 */
#define BLKIF_DISCARD_SECURE (1 << 0)
    blkif_vdev_t handle;
    /* 4-byte hole */
    uint64_t id;
    blkif_sector_t sector_number;
    uint64_t nr_sectors;
};
typedef struct blkif_request_discard blkif_request_discard_t;

/* BLKIF_OP_INDIRECT: the segments live in separately granted pages. */
struct blkif_request_indirect {
    uint8_t operation;            /* BLKIF_OP_INDIRECT */
    uint8_t indirect_op;          /* BLKIF_OP_READ or _WRITE */
    uint16_t nr_segments;
    /* 4-byte hole */
    uint64_t id;
    blkif_sector_t sector_number;
    blkif_vdev_t handle;
    /* 2-byte hole */
    grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};
typedef struct blkif_request_indirect blkif_request_indirect_t;
_Static_assert(sizeof(struct blkif_request_indirect) == 64, "indirect size");

struct blkif_response {
    uint64_t id;       /* from the request */
    uint8_t operation; /* from the request */
    /* 1-byte hole */
    int16_t status;    /* BLKIF_RSP_* */
};
typedef struct blkif_response blkif_response_t;

#define BLKIF_RSP_EOPNOTSUPP -2 /* operation not supported */
#define BLKIF_RSP_ERROR      -1 /* I/O error */
#define BLKIF_RSP_OKAY        0

DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);

/* Bits of the backend's "info" node. */
#define VDISK_CDROM     0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY  0x4

#endif /* __XEN_PUBLIC_IO_BLKIF_H__ */
