/* SPDX-License-Identifier: MIT */
/*
 * Hypercall wrappers for the 64-bit PV ABI.
 *
 * The guest kernel executes 'syscall' with RAX = hypercall number and the
 * arguments in RDI, RSI, RDX, R10, R8; the result comes back in RAX (a
 * negative XEN_E* on failure).  The instruction itself destroys RCX and
 * R11, and the hypervisor may change the argument registers, so all of
 * them are outputs here; every other register survives.
 *
 * Built with -DGUEST_HYPERCALL_PAGE, a call goes through the hypercall page
 * instead (entry i at hypercall_page + 32 * i, filled by the hypervisor
 * because head.S declares the HYPERCALL_PAGE note).  Those stubs save RCX
 * and R11 themselves, but the constraints stay the same so both variants
 * compile to the same register contract.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>

#include <public/xen.h>
#include <public/errno.h>
#include <public/callback.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/memory.h>
#include <public/physdev.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/version.h>

#ifdef GUEST_HYPERCALL_PAGE
extern char hypercall_page[4096];
#define HYPERCALL_INSN "call hypercall_page + %c[hc_nr] * 32"
#else
#define HYPERCALL_INSN "syscall"
#endif

/*
 * _hypercall5(op, a1..a5): the one primitive; op must be a compile-time
 * constant in the hypercall-page variant (it is part of the call target).
 * hypercall_raw() below takes a run-time number, for probing numbers the
 * framework does not name.
 */
#define _hypercall5(op, a1, a2, a3, a4, a5)                                   \
    ({                                                                        \
        register long _rax asm("rax") = (op);                                 \
        register long _rdi asm("rdi") = (long)(a1);                           \
        register long _rsi asm("rsi") = (long)(a2);                           \
        register long _rdx asm("rdx") = (long)(a3);                           \
        register long _r10 asm("r10") = (long)(a4);                           \
        register long _r8 asm("r8") = (long)(a5);                             \
        asm volatile(HYPERCALL_INSN                                           \
                     : "+r"(_rax), "+r"(_rdi), "+r"(_rsi), "+r"(_rdx),        \
                       "+r"(_r10), "+r"(_r8)                                  \
                     : [hc_nr] "i"(op)                                       \
                     : "rcx", "r11", "memory");                               \
        _rax;                                                                 \
    })
#define _hypercall0(nr)             _hypercall5(nr, 0, 0, 0, 0, 0)
#define _hypercall1(nr, a)          _hypercall5(nr, a, 0, 0, 0, 0)
#define _hypercall2(nr, a, b)       _hypercall5(nr, a, b, 0, 0, 0)
#define _hypercall3(nr, a, b, c)    _hypercall5(nr, a, b, c, 0, 0)
#define _hypercall4(nr, a, b, c, d) _hypercall5(nr, a, b, c, d, 0)

/*
 * A hypercall whose number is only known at run time, always by 'syscall'
 * (the page has entries only for the numbers it knows).  Returns RAX.
 */
static inline long hypercall_raw(unsigned long nr, unsigned long a1, unsigned long a2,
                                 unsigned long a3, unsigned long a4, unsigned long a5)
{
    register long rax asm("rax") = (long)nr;
    register unsigned long rdi asm("rdi") = a1;
    register unsigned long rsi asm("rsi") = a2;
    register unsigned long rdx asm("rdx") = a3;
    register unsigned long r10 asm("r10") = a4;
    register unsigned long r8 asm("r8") = a5;

    asm volatile("syscall"
                 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
                 :
                 : "rcx", "r11", "memory");
    return rax;
}

static inline long HYPERVISOR_set_trap_table(const struct trap_info *table)
{
    return _hypercall1(__HYPERVISOR_set_trap_table, table);
}

/* foreigndom: the page owner in bits 0-15, (page-table owner + 1) in bits 16-31. */
static inline long HYPERVISOR_mmu_update(const struct mmu_update *req, unsigned int count,
                                         unsigned int *done, unsigned int foreigndom)
{
    return _hypercall4(__HYPERVISOR_mmu_update, req, count, done, foreigndom);
}

static inline long HYPERVISOR_stack_switch(unsigned long ss, unsigned long rsp)
{
    return _hypercall2(__HYPERVISOR_stack_switch, ss, rsp);
}

static inline long HYPERVISOR_fpu_taskswitch(int set)
{
    return _hypercall1(__HYPERVISOR_fpu_taskswitch, set);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long HYPERVISOR_multicall(struct multicall_entry *calls, unsigned int count)
{
    return _hypercall2(__HYPERVISOR_multicall, calls, count);
}

static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte,
                                                unsigned long flags)
{
    return _hypercall3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline long HYPERVISOR_console_io(int cmd, unsigned int count, const char *buf)
{
    return _hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}

static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
    return _hypercall3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

static inline long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
    return _hypercall2(__HYPERVISOR_vm_assist, cmd, type);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpuid, void *arg)
{
    return _hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpuid, arg);
}

static inline long HYPERVISOR_set_segment_base(unsigned int which, unsigned long base)
{
    return _hypercall2(__HYPERVISOR_set_segment_base, which, base);
}

static inline long HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned int count,
                                        unsigned int *done, domid_t domid)
{
    return _hypercall4(__HYPERVISOR_mmuext_op, op, count, done, domid);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long HYPERVISOR_callback_op(int cmd, const void *arg)
{
    return _hypercall2(__HYPERVISOR_callback_op, cmd, arg);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static inline long HYPERVISOR_physdev_op(int cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_physdev_op, cmd, arg);
}

/* Control-domain calls: op is a struct xen_domctl / xen_sysctl (tools headers, builder.h). */
static inline long HYPERVISOR_domctl(void *op)
{
    return _hypercall1(__HYPERVISOR_domctl, op);
}

static inline long HYPERVISOR_sysctl(void *op)
{
    return _hypercall1(__HYPERVISOR_sysctl, op);
}

/* HYPERVISOR_iret is not a C call: see iret_to_guest in traps.S. */

#endif /* GUEST_HYPERCALL_H */
