/* SPDX-License-Identifier: MIT */
/*
 * Guest memory for the fake machines of the host tests and fuzzers
 * (evtchn_fake.c, gnttab_fake.c): a guest address is a host address, the
 * addresses [0, FAKE_BAD_VA_END) fail every copy (an unmapped guest page),
 * and fake_ro_page fails copies to the guest (a read-only one). Provides
 * the hypervisor's guest_range_ok(), copy_from_guest() and copy_to_guest().
 */
#ifndef TESTS_GUEST_MEMORY_FAKE_H
#define TESTS_GUEST_MEMORY_FAKE_H

#include <stdint.h>

#define FAKE_BAD_VA_END 0x10000UL

/* Readable by the hypervisor, never writable by it. */
extern uint8_t fake_ro_page[4096];

#endif
