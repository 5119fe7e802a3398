/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU SYSCALL entry stubs.
 *
 * SYSCALL does not switch stacks, and the guest's RSP cannot be trusted,
 * so LSTAR and CSTAR point at a few bytes of code private to each CPU that
 * carry that CPU's stack address as an immediate: park RAX in cpu_info,
 * switch to the top of this CPU's stack, push the hardware-style part of
 * the frame, and jump to the shared entry code in entry.S. The stub page
 * is written through the direct map and mapped executable (read-only) at
 * STUBS_VIRT_START + cpu * PAGE_SIZE, by the boot CPU before the CPU it
 * belongs to starts; each CPU then loads its own LSTAR/CSTAR.
 */
#include <asm/config.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/msr.h>
#include <asm/pv/pv.h>
#include <keel/lib.h>
#include <keel/mm.h>

#define CSTAR_STUB_OFFSET 64

extern const char syscall_entry64[], syscall_entry32[];

static void emit(uint8_t **p, const void *bytes, size_t n)
{
    memcpy(*p, bytes, n);
    *p += n;
}

static void emit_u64(uint8_t **p, uint64_t v)
{
    emit(p, &v, 8);
}

static void emit_u32(uint8_t **p, uint32_t v)
{
    emit(p, &v, 4);
}

/* Write one stub at buf (executing at va) ending in a jump to target. */
static void write_stub(uint8_t *buf, unsigned long va, struct cpu_info *ci, const char *target)
{
    uint8_t *p = buf;

    emit(&p, "\x48\xa3", 2);                    /* movabs %rax, ci->scratch */
    emit_u64(&p, (unsigned long)&ci->scratch);
    emit(&p, "\x48\x89\xe0", 3);                /* mov %rsp, %rax */
    emit(&p, "\x48\xbc", 2);                    /* movabs $ci, %rsp */
    emit_u64(&p, (unsigned long)ci);
    emit(&p, "\x68", 1);                        /* push $FLAT_RING3_SS64 */
    emit_u32(&p, FLAT_RING3_SS64);
    emit(&p, "\x50", 1);                        /* push %rax (guest RSP) */
    emit(&p, "\x41\x53", 2);                    /* push %r11 (guest RFLAGS) */
    emit(&p, "\x68", 1);                        /* push $FLAT_RING3_CS64 */
    emit_u32(&p, FLAT_RING3_CS64);
    emit(&p, "\x51", 1);                        /* push %rcx (guest RIP) */
    emit(&p, "\xe9", 1);                        /* jmp target */
    emit_u32(&p, (uint32_t)((unsigned long)target - (va + (p - buf) + 4)));
    BUG_ON(p - buf > CSTAR_STUB_OFFSET);
}

unsigned long pv_syscall_stubs_create(struct cpu_info *ci)
{
    unsigned long va = STUBS_VIRT_START + ci->cpu_id * PAGE_SIZE;
    uint8_t *page = alloc_xenheap_pages(0);

    if (!page)
        panic("CPU%u: no memory for its SYSCALL stubs", ci->cpu_id);
    memset(page, 0xcc, PAGE_SIZE);              /* int3 padding */
    write_stub(page, va, ci, syscall_entry64);
    write_stub(page + CSTAR_STUB_OFFSET, va + CSTAR_STUB_OFFSET, ci, syscall_entry32);
    map_pages(va, __pa(page), 1, PAGE_HYPERVISOR_RX);
    return va;
}

void pv_syscall_stubs_load(const struct cpu_info *ci)
{
    if (!ci->syscall_stubs)
        return;     /* boot CPU before mm_init(): no guest can run yet */
    wrmsr(MSR_LSTAR, ci->syscall_stubs);
    wrmsr(MSR_CSTAR, ci->syscall_stubs + CSTAR_STUB_OFFSET);
}
