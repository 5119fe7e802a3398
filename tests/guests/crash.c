/* SPDX-License-Identifier: MIT */
/*
 * crash: a guest that faults with no trap table registered.  The
 * hypervisor cannot deliver the exception (Xen crashes the domain; there
 * is no guest double fault), so it must crash this domain, report it, and
 * stay up.  The guest never prints a RESULT line unless the fault fails to
 * stop it; the harness judges the hypervisor's log instead.
 *
 * The module command line picks the fault: kind=ud|pf|gp|de|bp (default
 * ud).
 */
#include "guest.h"
#include "test.h"

GUEST_NO_TRAP_TABLE();

static const char *arg_kind(void)
{
    const char *s = (const char *)start_info->cmd_line;

    for (; *s; s++)
        if ((s == (const char *)start_info->cmd_line || s[-1] == ' ') &&
            !strncmp(s, "kind=", 5))
            return s + 5;
    return "ud";
}

static bool kind_is(const char *kind, const char *name)
{
    size_t n = strlen(name);

    return !strncmp(kind, name, n) && (kind[n] == '\0' || kind[n] == ' ');
}

void guest_main(void)
{
    const char *kind = arg_kind();

    printf("crash: faulting (kind=%.8s) with no trap table registered\n", kind);
    if (kind_is(kind, "pf"))
        asm volatile("movb (%0), %%al" ::"r"(0x10000123UL) : "rax", "memory");
    else if (kind_is(kind, "gp"))
        asm volatile("movb (%0), %%al" ::"r"(0x8000000000000000UL) : "rax", "memory");
    else if (kind_is(kind, "de"))
        asm volatile("xor %%ecx, %%ecx; div %%ecx" ::: "rax", "rcx", "rdx");
    else if (kind_is(kind, "bp"))
        asm volatile("int3");
    else
        asm volatile("ud2");
    test_fail(guest_name, "still running after a kind=%.8s fault with no trap table", kind);
}
