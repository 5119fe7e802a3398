/* SPDX-License-Identifier: MIT */
/*
 * Keel public ABI: the PV network protocol (netfront/netback), the
 * transmit and receive rings.
 *
 * TX: the frontend grants each packet fragment and queues a
 * netif_tx_request per fragment (NETTXF_more_data on all but the last),
 * optionally followed by netif_extra_info slots (NETTXF_extra_info); the
 * backend answers each request with a netif_tx_response.
 * RX: the frontend posts empty granted pages (netif_rx_request); the
 * backend fills them and answers with netif_rx_response, whose status is
 * the byte count or a NETIF_RSP_* error.
 * A packet may use at most XEN_NETIF_NR_SLOTS_MIN slots unless the backend
 * advertises more.  The control ring ("feature-ctrl-ring") is not
 * described here.
 */
#ifndef __XEN_PUBLIC_IO_NETIF_H__
#define __XEN_PUBLIC_IO_NETIF_H__

#include <stdint.h>
#include "ring.h"
#include "../grant_table.h"

#define XEN_NETIF_NR_SLOTS_MIN 18

/* netif_tx_request.flags */
#define _NETTXF_csum_blank     (0) /* checksum must be filled in */
#define NETTXF_csum_blank      (1U << _NETTXF_csum_blank)
#define _NETTXF_data_validated (1) /* checksum already verified */
#define NETTXF_data_validated  (1U << _NETTXF_data_validated)
#define _NETTXF_more_data      (2) /* more fragments follow */
#define NETTXF_more_data       (1U << _NETTXF_more_data)
#define _NETTXF_extra_info     (3) /* a netif_extra_info slot follows */
#define NETTXF_extra_info      (1U << _NETTXF_extra_info)

#define XEN_NETIF_MAX_TX_SIZE 0xFFFF

struct netif_tx_request {
    grant_ref_t gref; /* fragment's page */
    uint16_t offset;  /* within the page */
    uint16_t flags;   /* NETTXF_* */
    uint16_t id;      /* echoed in the response */
    uint16_t size;    /* fragment size; first slot: whole packet */
};
typedef struct netif_tx_request netif_tx_request_t;
_Static_assert(sizeof(struct netif_tx_request) == 12, "netif_tx_request size");

/* netif_extra_info.type */
#define XEN_NETIF_EXTRA_TYPE_NONE      (0) /* invalid */
#define XEN_NETIF_EXTRA_TYPE_GSO       (1) /* u.gso */
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD (2) /* u.mcast */
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL (3) /* u.mcast */
#define XEN_NETIF_EXTRA_TYPE_HASH      (4) /* u.hash */
#define XEN_NETIF_EXTRA_TYPE_MAX       (5)

/* netif_extra_info.flags */
#define _XEN_NETIF_EXTRA_FLAG_MORE (0) /* another extra slot follows */
#define XEN_NETIF_EXTRA_FLAG_MORE  (1U << _XEN_NETIF_EXTRA_FLAG_MORE)

/* netif_extra_info.u.gso.type */
#define XEN_NETIF_GSO_TYPE_NONE  (0)
#define XEN_NETIF_GSO_TYPE_TCPV4 (1)
#define XEN_NETIF_GSO_TYPE_TCPV6 (2)

/* An extra slot after a request (TX) or response (RX). */
struct netif_extra_info {
    uint8_t type;  /* XEN_NETIF_EXTRA_TYPE_* */
    uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
    union {
        struct {
            uint16_t size;     /* GSO segment size (MSS) */
            uint8_t type;      /* XEN_NETIF_GSO_TYPE_* */
            uint8_t pad;
            uint16_t features; /* zero */
        } gso;
        struct {
            uint8_t addr[6];   /* multicast address */
        } mcast;
        struct {
            uint8_t type;      /* XEN_NETIF_CTRL_HASH_TYPE_* bit number */
            uint8_t algorithm;
            uint8_t value[4];  /* the hash, little endian */
        } hash;
        uint16_t pad[3];
    } u;
};
typedef struct netif_extra_info netif_extra_info_t;
_Static_assert(sizeof(struct netif_extra_info) == 8, "netif_extra_info size");

struct netif_tx_response {
    uint16_t id;    /* from the request */
    int16_t status; /* NETIF_RSP_* */
};
typedef struct netif_tx_response netif_tx_response_t;

struct netif_rx_request {
    uint16_t id;      /* echoed in the response */
    uint16_t pad;
    grant_ref_t gref; /* page to receive into */
};
typedef struct netif_rx_request netif_rx_request_t;

/* netif_rx_response.flags */
#define _NETRXF_data_validated (0)
#define NETRXF_data_validated  (1U << _NETRXF_data_validated)
#define _NETRXF_csum_blank     (1)
#define NETRXF_csum_blank      (1U << _NETRXF_csum_blank)
#define _NETRXF_more_data      (2)
#define NETRXF_more_data       (1U << _NETRXF_more_data)
#define _NETRXF_extra_info     (3)
#define NETRXF_extra_info      (1U << _NETRXF_extra_info)
#define _NETRXF_gso_prefix     (4) /* obsolete GSO prefix slot */
#define NETRXF_gso_prefix      (1U << _NETRXF_gso_prefix)

struct netif_rx_response {
    uint16_t id;     /* from the request */
    uint16_t offset; /* of the data in the page */
    uint16_t flags;  /* NETRXF_* */
    int16_t status;  /* bytes received, or NETIF_RSP_* (< 0) */
};
typedef struct netif_rx_response netif_rx_response_t;

DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);

#define NETIF_RSP_DROPPED -2
#define NETIF_RSP_ERROR   -1
#define NETIF_RSP_OKAY     0
#define NETIF_RSP_NULL     1 /* a padding response (TX) */

#endif /* __XEN_PUBLIC_IO_NETIF_H__ */
