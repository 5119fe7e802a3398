/* SPDX-License-Identifier: MIT */
/*
 * The request/response ring two test domains share (io/ring.h on one
 * granted page): the domU (frontend) sends request i with a payload
 * derived from i, dom0 (backend) checks it and answers with another value
 * derived from it; the frontend checks every answer. Both sides include
 * this header, so the payload rules are written once.
 */
#ifndef GUEST_TEST_RING_H
#define GUEST_TEST_RING_H

#include <stdint.h>

#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#include <public/io/ring.h>

struct test_req {
    uint32_t id;
    uint32_t pad;
    uint64_t value;
};

struct test_rsp {
    uint32_t id;
    uint32_t status;    /* 0: the request's payload was right */
    uint64_t value;
};

DEFINE_RING_TYPES(test, struct test_req, struct test_rsp);

/* The ring page's grant ref (the domU's first free ref). */
#define TEST_RING_REF 8

static inline uint64_t test_req_value(uint32_t id)
{
    return (uint64_t)id * 0x9e3779b97f4a7c15ULL ^ 0x5a5a5a5a00000000ULL;
}

static inline uint64_t test_rsp_value(uint64_t req_value)
{
    return ~req_value + 0x1234;
}

#endif /* GUEST_TEST_RING_H */
