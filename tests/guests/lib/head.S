/* SPDX-License-Identifier: MIT */
/*
 * Entry point and Xen ELF notes of a PV test guest.
 *
 * The hypervisor enters _start (the ENTRY note) in 64-bit mode at CPL 3 on
 * FLAT_KERNEL_CS, with RSI = VA of start_info, events masked and no trap
 * table: any fault before guest_start() installs one crashes the domain.
 * The guest never trusts the initial RSP (the ABI only promises it points
 * into the bootstrap stack page) and switches to its own stack in .bss,
 * which the loader zero-filled (hello checks that).
 */
#include <public/elfnote.h>
#include <public/features.h>

/* One ELF note named "Xen" in .note.Xen, 4-byte aligned as the gABI asks. */
#define XEN_NOTE(type, desc)                    \
    .pushsection .note.Xen, "a", @note;         \
    .balign 4;                                  \
    .long 2f - 1f;                              \
    .long 4f - 3f;                              \
    .long type;                                 \
1:  .asciz "Xen";                               \
2:  .balign 4;                                  \
3:  desc;                                       \
4:  .balign 4;                                  \
    .popsection

XEN_NOTE(XEN_ELFNOTE_GUEST_OS,      .asciz "Keel-test")
XEN_NOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "1")
/* Xen loads an image only if LOADER is "generic" or GUEST_OS is "linux". */
XEN_NOTE(XEN_ELFNOTE_LOADER,        .asciz "generic")
XEN_NOTE(XEN_ELFNOTE_XEN_VERSION,   .asciz "xen-3.0")
XEN_NOTE(XEN_ELFNOTE_VIRT_BASE,     .quad 0xffffffff80000000)
XEN_NOTE(XEN_ELFNOTE_PADDR_OFFSET,  .quad 0)
XEN_NOTE(XEN_ELFNOTE_ENTRY,         .quad _start)
/* The same FEATURES string as Linux, so the '!' form gets exercised. */
XEN_NOTE(XEN_ELFNOTE_FEATURES,      .asciz "!writable_page_tables|pae_pgdir_above_4gb")
/* A dom0 kernel must claim XENFEAT_dom0 when it has this note. */
XEN_NOTE(XEN_ELFNOTE_SUPPORTED_FEATURES, .long (1 << XENFEAT_dom0))
#ifdef GUEST_HYPERCALL_PAGE
XEN_NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)
#endif

    .section .text.head, "ax", @progbits
    .globl _start
_start:
    cld
    lea     guest_stack_top(%rip), %rsp
    xor     %ebp, %ebp
    mov     %rsi, %rdi
    call    guest_start
    /* guest_start() powers off; if that returned, there is nothing left. */
1:  pause
    jmp     1b

#ifdef GUEST_HYPERCALL_PAGE
    /*
     * Filled by the hypervisor at build time: entry i at offset 32 * i.
     * int3 until then, so a hypervisor that ignores the note makes the
     * first hypercall crash the guest rather than fall through.
     */
    .section .text.hypercall_page, "ax", @progbits
    .balign 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xcc
#endif

    .section .bss.page_aligned, "aw", @nobits
    .balign 4096
    .globl guest_stack
guest_stack:
    .skip 4 * 4096
guest_stack_top:
