/* SPDX-License-Identifier: MIT */
/*
 * Guest user mode (see user.h): the user root, the kernel side of entries
 * from user mode, and user_run().
 *
 * The page-table pages are .bss pages of the guest: filled while still
 * mapped writable, then mapped read-only in the kernel's mapping (a frame
 * with a writable mapping cannot become a page table), then the L4 is
 * pinned, which validates the whole tree.  One vCPU with events masked
 * outside user mode: no locking.
 */
#include "guest.h"
#include "mm.h"
#include "test.h"
#include "traps.h"
#include "user.h"

#define VIRT_BASE 0xffffffff80000000UL
#define L4_SHIFT  39
#define L3_SHIFT  30
#define L2_SHIFT  21
#define PT_INDEX(va, shift) (((va) >> (shift)) & 511)
#define USER_KSTACK_SIZE (4 * PAGE_SIZE)

#define PAGE_ALIGNED_BSS __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")))

_Static_assert(__HYPERVISOR_iret == 23, "user.S hard-codes the iret hypercall number");
_Static_assert(FLAT_USER_CS == 0xe033 && FLAT_USER_SS == 0xe02b, "user.S hard-codes the selectors");
_Static_assert(sizeof(struct user_frame) == 24 * 8, "user.S pushes 24 slots");
_Static_assert(offsetof(struct user_frame, rax) == 80 && offsetof(struct user_frame, rdi) == 112 &&
               offsetof(struct user_frame, rip) == 152 &&
               offsetof(struct user_frame, rflags) == 168 &&
               offsetof(struct user_frame, rsp) == 176,
               "user.S hard-codes struct user_frame offsets");
/* A trap frame is a user frame without the RCX/R11 slots. */
_Static_assert(offsetof(struct trap_frame, rip) == offsetof(struct user_frame, frame_rcx),
               "trap_frame and user_frame share the register part");

/* The user root: L4, L3, L2, L1, in that order. */
static uint8_t user_tables[4][PAGE_SIZE] PAGE_ALIGNED_BSS;
static uint8_t user_code_page[PAGE_SIZE] PAGE_ALIGNED_BSS;
uint8_t user_data_page[PAGE_SIZE] PAGE_ALIGNED_BSS;
static uint8_t user_stack_page[PAGE_SIZE] PAGE_ALIGNED_BSS;
uint8_t user_kstack[USER_KSTACK_SIZE] PAGE_ALIGNED_BSS;
const unsigned long user_kstack_top = (unsigned long)user_kstack + USER_KSTACK_SIZE;

unsigned long user_l4_mfn, kernel_l4_mfn;
uint64_t user_iret_flags;
uint64_t user_callback_rflags;
unsigned int user_entries;

static const char *user_code;
static user_handler_t user_handler;
static struct user_frame user_last;
static bool user_running;

void user_enter(const struct user_frame *start);
void user_leave(void) __attribute__((noreturn));
void user_syscall_entry(void);
void user_syscall_handle(struct user_frame *f);
void user_trap_handle(struct trap_frame *tf);

static unsigned long mfn_of(const void *va)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;

    return p2m[((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT];
}

static uint64_t *table(unsigned int level)
{
    return (uint64_t *)user_tables[4 - level];
}

static long mmuext(unsigned int cmd, unsigned long mfn)
{
    struct mmuext_op op = { .cmd = cmd };

    op.arg1.mfn = mfn;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* Prints what failed; returns rc. */
static long step(const char *what, long rc)
{
    if (rc) {
        console_newline();
        printf("user_init: %s returned %ld%s\n", what, rc, errno_name(rc));
    }
    return rc;
}

static long build_tables(void)
{
    const uint64_t table_flags = PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED;
    const uint64_t data_flags = PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY | PTE_NX;
    long rc = 0;

    _Static_assert(PT_INDEX(USER_CODE_VA, L2_SHIFT) == PT_INDEX(USER_HOLE_VA, L2_SHIFT),
                   "one L1 maps every user page");
    table(4)[PT_INDEX(USER_CODE_VA, L4_SHIFT)] = mfn_of(table(3)) << PAGE_SHIFT | table_flags;
    table(3)[PT_INDEX(USER_CODE_VA, L3_SHIFT)] = mfn_of(table(2)) << PAGE_SHIFT | table_flags;
    table(2)[PT_INDEX(USER_CODE_VA, L2_SHIFT)] = mfn_of(table(1)) << PAGE_SHIFT | table_flags;
    table(1)[PT_INDEX(USER_CODE_VA, PAGE_SHIFT)] =
        mfn_of(user_code_page) << PAGE_SHIFT | PTE_PRESENT | PTE_USER | PTE_ACCESSED;
    table(1)[PT_INDEX(USER_DATA_VA, PAGE_SHIFT)] =
        mfn_of(user_data_page) << PAGE_SHIFT | data_flags;
    table(1)[PT_INDEX(USER_STACK_VA, PAGE_SHIFT)] =
        mfn_of(user_stack_page) << PAGE_SHIFT | data_flags;

    for (unsigned int level = 1; level <= 4 && !rc; level++) {
        uint64_t pte = mfn_of(table(level)) << PAGE_SHIFT | PTE_PRESENT | PTE_ACCESSED | PTE_NX;

        rc = step("update_va_mapping (a user table read-only)",
                  HYPERVISOR_update_va_mapping((unsigned long)table(level), pte,
                                               UVMF_INVLPG | UVMF_LOCAL));
    }
    return rc;
}

long user_register_syscall_callback(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_syscall,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)user_syscall_entry,
    };

    return step("callback_op(register syscall)", HYPERVISOR_callback_op(CALLBACKOP_register, &cb));
}

long user_init(const char *code, const char *code_end, unsigned int flags)
{
    const uint64_t *kernel_l4 = (const uint64_t *)start_info->pt_base;
    long rc;

    if (code_end < code || (size_t)(code_end - code) > PAGE_SIZE)
        return step("user code larger than a page", -XEN_EINVAL);
    memcpy(user_code_page, code, (size_t)(code_end - code));
    user_code = code;
    kernel_l4_mfn = mfn_of(kernel_l4);
    user_l4_mfn = mfn_of(table(4));
    trap_user_hook = user_trap_handle;

    rc = step("map_shared_info", map_shared_info());
    if (!rc)
        rc = build_tables();
    if (!rc)
        rc = step("MMUEXT_PIN_L4_TABLE (user root)", mmuext(MMUEXT_PIN_L4_TABLE, user_l4_mfn));
    if (!rc && !(flags & USER_INIT_NO_ROOT))
        rc = step("MMUEXT_NEW_USER_BASEPTR", mmuext(MMUEXT_NEW_USER_BASEPTR, user_l4_mfn));
    if (!rc)
        rc = step("stack_switch", HYPERVISOR_stack_switch(FLAT_KERNEL_SS, user_kstack_top));
    if (!rc && !(flags & USER_INIT_NO_SYSCALL_CALLBACK))
        rc = user_register_syscall_callback();
    return rc;
}

unsigned long user_va(const char *sym)
{
    return USER_CODE_VA + (unsigned long)(sym - user_code);
}

void user_set_handler(user_handler_t h)
{
    user_handler = h;
}

struct user_frame user_start(unsigned long rip)
{
    struct user_frame f;

    memset(&f, 0, sizeof(f));
    f.rip = rip;
    f.rsp = USER_STACK_TOP;
    f.rflags = 0x202; /* IF and the always-one bit */
    return f;
}

/* Runs the handler; ends the run (does not return) unless it resumes. */
static void dispatch(struct user_frame *f)
{
    user_entries++;
    if (user_running && user_handler && user_handler(f) == USER_RESUME)
        return;
    if (!user_running)
        test_fail(guest_name, "entry from user mode (vector %lu at %#lx) outside user_run()",
                  f->vector, f->rip);
    user_last = *f;
    user_leave();
}

void user_syscall_handle(struct user_frame *f)
{
    dispatch(f);
    /* The iret_context above the registers: RCX, then the flags (user.S). */
    f->frame_rcx = f->rcx;
    f->frame_r11 = user_iret_flags;
}

void user_trap_handle(struct trap_frame *tf)
{
    struct user_frame f;

    memcpy(&f, tf, offsetof(struct user_frame, frame_rcx));
    f.frame_rcx = tf->rcx;
    f.frame_r11 = tf->r11;
    f.rip = tf->rip;
    f.cs = tf->cs;
    f.rflags = tf->rflags;
    f.rsp = tf->rsp;
    f.ss = tf->ss;
    dispatch(&f);
    memcpy(tf, &f, offsetof(struct user_frame, frame_rcx));
    tf->rip = f.rip;
    tf->rflags = f.rflags;
    tf->rsp = f.rsp;
}

void user_run(struct user_frame *io)
{
    struct vcpu_info *vi = vcpu0_info();

    if (user_running)
        test_fail(guest_name, "user_run() called from a user-mode handler");
    user_running = true;
    user_enter(io);
    user_running = false;
    *io = user_last;
    /* The framework runs its kernel with events masked. */
    if (vi)
        vi->evtchn_upcall_mask = 1;
}
