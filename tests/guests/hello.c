/* SPDX-License-Identifier: MIT */
/*
 * hello: the start-of-day contract and the first hypercalls a PV kernel
 * makes.  Console output; xen_version (version, extraversion,
 * get_features: Linux panics without bits 5 and 7, and must never see 2 or
 * 8 on PV; dom0 gets 11; submap 1 is -EINVAL); start_info as a dom0 builder
 * fills it; the loader's zero-filled .bss and copied .data; the module
 * command line the harness passed (tests/integration/test_guests.py).
 */
#include "guest.h"
#include "mm.h"
#include "test.h"

/* What the harness puts after the image path on the module's line. */
#define EXPECTED_CMDLINE "keel.test=hello two words"

#define VIRT_BASE 0xffffffff80000000UL

static volatile uint64_t data_pattern[4] = {
    0x0123456789abcdefUL, 0xfedcba9876543210UL, 0x5555aaaa5555aaaaUL, 0x1UL,
};
static volatile unsigned char bss_probe[3 * 4096 + 123];

static void check_console(void)
{
    static const char line[] = "hello: console_io works\n";
    long rc = HYPERVISOR_console_io(CONSOLEIO_write, sizeof(line) - 1, line);

    expect_eq(rc, 0);
    /* count 0 copies nothing, so even a NULL buffer is fine (Xen's loop). */
    expect_eq(HYPERVISOR_console_io(CONSOLEIO_write, 0, NULL), 0);
    expect_eq(console_error, 0);
}

static void check_version(void)
{
    xen_extraversion_t extra;
    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);

    printf("hello: xen_version %ld.%ld\n", ver >> 16, ver & 0xffff);
    check(ver >= 0, "XENVER_version returned %ld%s", ver, errno_name(ver));
    /* Linux checks only the major number; Xen-compatible means 3 or more. */
    check((ver >> 16) >= 3, "XENVER_version major %ld < 3", ver >> 16);

    memset(extra, 0x7f, sizeof(extra));
    expect_eq(HYPERVISOR_xen_version(XENVER_extraversion, extra), 0);
    check(strnlen(extra, sizeof(extra)) < sizeof(extra), "extraversion is not NUL-terminated");
    extra[sizeof(extra) - 1] = '\0';
    printf("hello: extraversion \"%s\"\n", extra);
}

static void check_features(void)
{
    xen_feature_info_t fi = { .submap_idx = 0, .submap = 0 };
    long rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);

    expect_eq(rc, 0);
    printf("hello: features submap 0 = %#x\n", fi.submap);
    check(fi.submap & (1U << XENFEAT_mmu_pt_update_preserve_ad),
          "XENFEAT_mmu_pt_update_preserve_ad (5) missing: Linux panics");
    check(fi.submap & (1U << XENFEAT_gnttab_map_avail_bits),
          "XENFEAT_gnttab_map_avail_bits (7) missing: Linux panics");
    check(!(fi.submap & (1U << XENFEAT_auto_translated_physmap)),
          "XENFEAT_auto_translated_physmap (2) set for a PV guest");
    check(!(fi.submap & (1U << XENFEAT_hvm_callback_vector)),
          "XENFEAT_hvm_callback_vector (8) set for a PV guest");
    check(!(fi.submap & (1U << XENFEAT_supervisor_mode_kernel)),
          "XENFEAT_supervisor_mode_kernel (3) set for a PV guest");
    check(!(fi.submap & (1U << XENFEAT_writable_page_tables)),
          "XENFEAT_writable_page_tables (0) set for a PV guest");
    check(fi.submap & (1U << XENFEAT_dom0), "XENFEAT_dom0 (11) missing for dom0");
    expect_eq(fi.submap_idx, 0);

    fi.submap_idx = 1;
    fi.submap = 0xdeadbeef;
    expect_eq(HYPERVISOR_xen_version(XENVER_get_features, &fi), -XEN_EINVAL);
}

/* The VA range the ABI's start-of-day layout allows for builder objects. */
static bool in_initial_region(unsigned long va)
{
    return va >= VIRT_BASE && va < VIRT_BASE + start_info->nr_pages * PAGE_SIZE;
}

static void check_start_info(void)
{
    const start_info_t *si = start_info;
    const char *cmdline = (const char *)si->cmd_line;
    size_t want = strlen(EXPECTED_CMDLINE);

    printf("hello: start_info at %p: magic \"%.32s\" nr_pages %lu flags %#x\n", (void *)si,
           si->magic, si->nr_pages, si->flags);
    printf("hello: shared_info MA %#lx pt_base %#lx (%lu frames) mfn_list %#lx\n",
           si->shared_info, si->pt_base, si->nr_pt_frames, si->mfn_list);
    printf("hello: mod_start %#lx mod_len %lu cmd_line \"%.1024s\"\n", si->mod_start,
           si->mod_len, cmdline);

    check((unsigned long)si % PAGE_SIZE == 0, "start_info %p is not page aligned", (void *)si);
    check(in_initial_region((unsigned long)si), "start_info %p outside the initial region",
          (void *)si);
    check(!strncmp(si->magic, "xen-3.0-x86_64", 14), "magic \"%.32s\" is not xen-3.0-x86_64*",
          si->magic);
    check(strnlen(si->magic, sizeof(si->magic)) < sizeof(si->magic),
          "magic not NUL-terminated");
    check((si->flags & (SIF_INITDOMAIN | SIF_PRIVILEGED)) == (SIF_INITDOMAIN | SIF_PRIVILEGED),
          "flags %#x lack SIF_INITDOMAIN|SIF_PRIVILEGED", si->flags);
    check(si->nr_pages > 0, "nr_pages is 0");
    /* The image alone is ~100 KiB; the harness gives the machine 256 MiB. */
    check(si->nr_pages > ((unsigned long)(_end - _text) >> PAGE_SHIFT),
          "nr_pages %lu smaller than the image", si->nr_pages);
    check(si->shared_info && si->shared_info % PAGE_SIZE == 0,
          "shared_info MA %#lx is 0 or not page aligned", si->shared_info);
    check(si->pt_base % PAGE_SIZE == 0 && in_initial_region(si->pt_base) &&
              si->pt_base >= (unsigned long)_end,
          "pt_base %#lx not a page of the initial region after the image", si->pt_base);
    check(si->nr_pt_frames >= 4 && si->nr_pt_frames < si->nr_pages,
          "nr_pt_frames %lu implausible (an L4, L3, L2 and L1 at least)", si->nr_pt_frames);
    check(si->mfn_list % 8 == 0 && si->mfn_list >= (unsigned long)_end &&
              (in_initial_region(si->mfn_list) || si->mfn_list < HYPERVISOR_VIRT_START),
          "mfn_list %#lx not in the initial region (or an INIT_P2M area)", si->mfn_list);
    check(si->store_mfn == 0 && si->store_evtchn == 0,
          "dom0 got a xenstore ring (mfn %#lx evtchn %u)", si->store_mfn, si->store_evtchn);

    check(strnlen(cmdline, MAX_GUEST_CMDLINE) < MAX_GUEST_CMDLINE,
          "cmd_line not NUL-terminated");
    /* Xen strips the image path a multiboot1 loader leaves in front, and
     * may append options of its own after a space. */
    check(!strncmp(cmdline, EXPECTED_CMDLINE, want) &&
              (cmdline[want] == '\0' || cmdline[want] == ' '),
          "cmd_line \"%.200s\", expected \"%s\"", cmdline, EXPECTED_CMDLINE);
}

static void check_image(void)
{
    size_t nonzero = 0;

    /* The loader copies p_filesz and zero-fills up to p_memsz. */
    expect_eq(data_pattern[0], 0x0123456789abcdefUL);
    expect_eq(data_pattern[1], 0xfedcba9876543210UL);
    expect_eq(data_pattern[2], 0x5555aaaa5555aaaaUL);
    expect_eq(data_pattern[3], 1);
    for (size_t i = 0; i < sizeof(bss_probe); i++)
        nonzero += bss_probe[i] != 0;
    check(nonzero == 0, ".bss not zero-filled: %zu nonzero bytes in bss_probe", nonzero);
    /* The whole image is mapped read-write (Linux patches its text). */
    bss_probe[sizeof(bss_probe) - 1] = 1;
}

static void check_shared_info(void)
{
    long rc = map_shared_info();
    struct vcpu_info *vi;

    expect_eq_what("update_va_mapping of the shared_info frame", rc, 0);
    if (rc)
        return;
    vi = vcpu0_info();
    /* The builder masks events on every vCPU; nothing unmasked them. */
    expect_eq(vi->evtchn_upcall_mask, 1);
    printf("hello: shared_info mapped at %p, vcpu0 system_time %lu ns\n", (void *)shared_info,
           (unsigned long)vi->time.system_time);
}

void guest_main(void)
{
    printf("hello: Keel PV test guest %s\n", guest_name);
    check_console();
    check_version();
    check_features();
    check_start_info();
    check_image();
    check_shared_info();
}
