/* SPDX-License-Identifier: MIT */
/* A PV domain's architectural state. Written by the builder, then read-mostly. */
#ifndef ASM_PV_DOMAIN_H
#define ASM_PV_DOMAIN_H

#include <stdint.h>

struct shared_info;

struct arch_domain {
    struct shared_info *shared_info;    /* hypervisor view of the shared page */
    unsigned long shared_info_mfn;
    unsigned long hypercall_page_va;    /* guest VA of the filled hypercall page, or 0 */
};

#endif
