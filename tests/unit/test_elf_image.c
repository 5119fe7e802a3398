/* SPDX-License-Identifier: MIT */
/*
 * Kernel-image parser: the real hypervisor/common/elf_image.c and bzimage.c
 * against synthetic images assembled here with the host's <elf.h> (an
 * independent statement of the layout). The default image mirrors Debian's
 * 6.1 kernel in miniature: three PT_LOADs (the second with vaddr 0, like
 * .data..percpu), one PT_NOTE with "GNU", "Linux" and every "Xen" note, and
 * section headers with a matching SHT_NOTE. Each test edits the note list
 * or the built headers, then checks the result or the error line.
 */
#include <elf.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <keel/elf_image.h>
#include <keel/errno.h>
#include <public/elfnote.h>
#include <public/features.h>

#include "host_shim.h"

/* ---- Image builder ---------------------------------------------------- */

#define KBASE       0xffffffff80000000ull   /* VIRT_BASE */
#define PSTART      0x1000000ull
#define PEND        0x1006000ull
#define KSTART      (KBASE + PSTART)
#define KEND        (KBASE + PEND)
#define ENTRY       (KSTART + 0x1c0)

#define OFF_PHDR    0x40
#define OFF_NOTES   0x200
#define NOTES_MAX   0xe00
#define OFF_SHDR    0x3100
#define NR_PHDR     4       /* LOAD, LOAD, LOAD, NOTE */
#define NR_SHDR     3       /* null, .notes, .shstrtab */
#define IMG_MAX     0x4000

/* The loadable segments: file offset, paddr, vaddr, filesz, memsz, flags. */
static const struct {
    uint64_t offset, paddr, vaddr, filesz, memsz;
    uint32_t flags;
    uint8_t fill;
} segs[3] = {
    { 0x1000, PSTART,          KSTART,          0x1800, 0x2000, PF_R | PF_X, 0x11 },
    { 0x2800, PSTART + 0x2000, 0,               0x100,  0x1000, PF_R | PF_W, 0x22 },
    { 0x2900, PSTART + 0x3000, KSTART + 0x3000, 0x800,  0x3000, PF_R | PF_W | PF_X, 0x33 },
};

static const char shstrtab[] = "\0.notes\0__xen_guest\0.shstrtab";
#define SHSTR_NOTES     1
#define SHSTR_XEN_GUEST 8
#define SHSTR_SHSTRTAB  20

struct note {
    char name[8];
    uint32_t type;
    uint32_t descsz;
    uint8_t desc[64];
};

static struct note notes[40];
static unsigned int nr_notes;
static uint8_t img[IMG_MAX];
static size_t img_len;
static struct elf_image_info ei;

static void note_add(const char *name, uint32_t type, const void *desc, uint32_t descsz)
{
    struct note *n = &notes[nr_notes++];

    assert_true(nr_notes <= sizeof(notes) / sizeof(notes[0]));
    assert_true(descsz <= sizeof(n->desc));
    memset(n, 0, sizeof(*n));
    strcpy(n->name, name);
    n->type = type;
    n->descsz = descsz;
    memcpy(n->desc, desc, descsz);
}

/* Remove every "Xen" note of @type. */
static void note_del(uint32_t type)
{
    unsigned int i, j = 0;

    for (i = 0; i < nr_notes; i++)
        if (strcmp(notes[i].name, "Xen") != 0 || notes[i].type != type)
            notes[j++] = notes[i];
    nr_notes = j;
}

/* Replace (or add) the "Xen" note @type with a @size-byte number. */
static void note_num(uint32_t type, uint64_t val, uint32_t size)
{
    note_del(type);
    note_add("Xen", type, &val, size);  /* little-endian host */
}

static void note_str(uint32_t type, const char *s)
{
    note_del(type);
    note_add("Xen", type, s, (uint32_t)strlen(s) + 1);
}

/* Debian 6.1.0-56's notes, addresses scaled to the miniature kernel. */
static void default_notes(void)
{
    static const uint8_t build_id[20] = { 0xde, 0xad, 0xbe, 0xef };
    static const uint64_t l1_mfn_valid[2] = { 1, 1 };

    nr_notes = 0;
    note_add("GNU", 3, build_id, sizeof(build_id));     /* type 3 == VIRT_BASE */
    note_add("Linux", 6, "6.1.0", 6);                   /* type 6 == GUEST_OS */
    note_str(XEN_ELFNOTE_GUEST_OS, "linux");
    note_str(XEN_ELFNOTE_GUEST_VERSION, "2.6");
    note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    note_num(XEN_ELFNOTE_VIRT_BASE, KBASE, 8);
    note_num(XEN_ELFNOTE_ENTRY, ENTRY, 8);
    note_num(XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    note_str(XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");
    note_num(XEN_ELFNOTE_SUPPORTED_FEATURES, 0x8801, 4);
    note_str(XEN_ELFNOTE_PAE_MODE, "yes");
    note_str(XEN_ELFNOTE_LOADER, "generic");
    note_add("Xen", XEN_ELFNOTE_L1_MFN_VALID, l1_mfn_valid, sizeof(l1_mfn_valid));
    note_num(XEN_ELFNOTE_SUSPEND_CANCEL, 1, 4);
    note_num(XEN_ELFNOTE_HV_START_LOW, 0xffff800000000000ull, 8);
    note_num(XEN_ELFNOTE_INIT_P2M, 0x8000000000ull, 8);
    note_num(XEN_ELFNOTE_MOD_START_PFN, 1, 4);
    note_num(XEN_ELFNOTE_PHYS32_ENTRY, 0x1000850, 4);
}

static size_t put_notes(uint8_t *p)
{
    size_t pos = 0;
    unsigned int i;

    for (i = 0; i < nr_notes; i++) {
        Elf64_Nhdr nh = {
            .n_namesz = (uint32_t)strlen(notes[i].name) + 1,
            .n_descsz = notes[i].descsz,
            .n_type = notes[i].type,
        };

        assert_true(pos + 12 + 8 + 64 + 4 <= NOTES_MAX);
        memcpy(p + pos, &nh, sizeof(nh));
        pos += sizeof(nh);
        memcpy(p + pos, notes[i].name, nh.n_namesz);
        pos += (nh.n_namesz + 3) & ~3u;
        memcpy(p + pos, notes[i].desc, nh.n_descsz);
        pos += (nh.n_descsz + 3) & ~3u;
    }
    return pos;
}

/* Assemble the image from segs[] and notes[] into @buf; returns its length. */
static size_t build_into(uint8_t *buf)
{
    Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
    Elf64_Phdr *ph = (Elf64_Phdr *)(buf + OFF_PHDR);
    Elf64_Shdr *sh = (Elf64_Shdr *)(buf + OFF_SHDR);
    size_t notes_len, len;
    unsigned int i;

    memset(buf, 0, IMG_MAX);
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = PSTART;
    eh->e_phoff = OFF_PHDR;
    eh->e_shoff = OFF_SHDR;
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = NR_PHDR;
    eh->e_shentsize = sizeof(*sh);
    eh->e_shnum = NR_SHDR;
    eh->e_shstrndx = 2;

    for (i = 0; i < 3; i++) {
        ph[i].p_type = PT_LOAD;
        ph[i].p_flags = segs[i].flags;
        ph[i].p_offset = segs[i].offset;
        ph[i].p_vaddr = segs[i].vaddr;
        ph[i].p_paddr = segs[i].paddr;
        ph[i].p_filesz = segs[i].filesz;
        ph[i].p_memsz = segs[i].memsz;
        ph[i].p_align = 0x1000;
        memset(buf + segs[i].offset, segs[i].fill, segs[i].filesz);
    }
    notes_len = put_notes(buf + OFF_NOTES);
    ph[3].p_type = PT_NOTE;
    ph[3].p_flags = PF_R;
    ph[3].p_offset = OFF_NOTES;
    ph[3].p_vaddr = KSTART + 0x200;
    ph[3].p_paddr = PSTART + 0x200;
    ph[3].p_filesz = notes_len;
    ph[3].p_memsz = notes_len;
    ph[3].p_align = 4;

    sh[1].sh_name = SHSTR_NOTES;
    sh[1].sh_type = SHT_NOTE;
    sh[1].sh_offset = OFF_NOTES;
    sh[1].sh_size = notes_len;
    sh[2].sh_name = SHSTR_SHSTRTAB;
    sh[2].sh_type = SHT_STRTAB;
    sh[2].sh_offset = OFF_SHDR + NR_SHDR * sizeof(*sh);
    sh[2].sh_size = sizeof(shstrtab);
    memcpy(buf + sh[2].sh_offset, shstrtab, sizeof(shstrtab));
    len = sh[2].sh_offset + sh[2].sh_size;
    assert_true(len <= IMG_MAX);
    return len;
}

static void build(void)
{
    img_len = build_into(img);
}

static Elf64_Ehdr *EH(void)
{
    return (Elf64_Ehdr *)img;
}

static Elf64_Phdr *PH(unsigned int i)
{
    return (Elf64_Phdr *)(img + OFF_PHDR) + i;
}

static Elf64_Shdr *SH(unsigned int i)
{
    return (Elf64_Shdr *)(img + OFF_SHDR) + i;
}

static int parse(void)
{
    return elf_image_parse(&ei, img, img_len);
}

/* Expect @rc and an error line containing @needle (and nothing after it). */
static void expect_err(int got, int rc, const char *needle)
{
    if (got != rc || strstr(ei.err, needle) == NULL)
        fail_msg("rc %d (want %d), err \"%s\" (want \"%s\")", got, rc, ei.err, needle);
    assert_null(strchr(ei.err, '\n'));
    assert_true(strncmp(ei.err, "ELF: ", 5) == 0);
}

static int setup(void **state)
{
    (void)state;
    default_notes();
    memset(&ei, 0x5a, sizeof(ei));
    return 0;
}

/* ---- Valid images ------------------------------------------------------ */

static void test_debian_like(void **state)
{
    (void)state;
    build();
    assert_int_equal(parse(), 0);
    assert_string_equal(ei.err, "");
    assert_int_equal(ei.nr_load, 3);
    assert_int_equal(ei.pstart, PSTART);
    assert_int_equal(ei.pend, PEND);
    assert_int_equal(ei.e_entry, PSTART);
    assert_false(ei.notes_from_sections);
    assert_int_equal(ei.nr_xen_notes, 16);
    assert_true(ei.has_virt_base);
    assert_int_equal(ei.virt_base, KBASE);
    assert_int_equal(ei.paddr_offset, 0);
    assert_int_equal(ei.virt_offset, KBASE);
    assert_int_equal(ei.virt_kstart, KSTART);
    assert_int_equal(ei.virt_kend, KEND);
    assert_true(ei.has_entry);
    assert_int_equal(ei.virt_entry, ENTRY);
    assert_false(ei.has_hypercall_page);
    assert_true(ei.has_init_p2m);
    assert_int_equal(ei.init_p2m, 0x8000000000ull);
    assert_true(ei.has_hv_start_low);
    assert_int_equal(ei.hv_start_low, 0xffff800000000000ull);
    assert_true(ei.has_l1_mfn_valid);
    assert_int_equal(ei.l1_mfn_valid_mask, 1);
    assert_int_equal(ei.l1_mfn_valid_value, 1);
    assert_true(ei.suspend_cancel);
    assert_true(ei.mod_start_pfn);
    assert_true(ei.has_phys32_entry);
    assert_int_equal(ei.phys32_entry, 0x1000850);
    assert_true(ei.has_supported_features);
    assert_int_equal(ei.f_supported, 0x8801 | 1u << XENFEAT_pae_pgdir_above_4gb);
    assert_int_equal(ei.f_required, 1u << XENFEAT_writable_page_tables);
    assert_int_equal(ei.pae, ELF_PAE_YES);
    assert_string_equal(ei.guest_os, "linux");
    assert_string_equal(ei.guest_version, "2.6");
    assert_string_equal(ei.xen_version, "xen-3.0");
    assert_string_equal(ei.loader, "generic");
    assert_int_equal(ei.notes_seen & (1u << XEN_ELFNOTE_HYPERCALL_PAGE), 0);
    assert_int_not_equal(ei.notes_seen & (1u << XEN_ELFNOTE_ENTRY), 0);
    assert_int_equal(elf_image_check_dom0(&ei, 1u << XENFEAT_writable_page_tables), 0);
}

/* Numeric notes are read by their size: 4 and 8 bytes (and 1, 2 as Xen). */
static void test_numeric_sizes(void **state)
{
    static const uint32_t sizes[] = { 1, 2, 4, 8 };
    unsigned int i;

    (void)state;
    for (i = 0; i < 4; i++) {
        default_notes();
        note_del(XEN_ELFNOTE_VIRT_BASE);
        note_del(XEN_ELFNOTE_PADDR_OFFSET);
        note_del(XEN_ELFNOTE_INIT_P2M);
        /* A low kernel (VIRT_BASE 0), entry at paddr 0x1000040 or its low bytes. */
        note_num(XEN_ELFNOTE_ENTRY, sizes[i] >= 4 ? PSTART + 0x40 : 0x40, sizes[i]);
        note_num(XEN_ELFNOTE_SUSPEND_CANCEL, 1, sizes[i]);
        build();
        if (sizes[i] >= 4) {
            assert_int_equal(parse(), 0);
            assert_int_equal(ei.virt_entry, PSTART + 0x40);
        } else {
            /* Value read correctly, but 0x40 lies below the kernel. */
            expect_err(parse(), -EINVAL, "entry 0x40 is outside the kernel");
        }
        assert_true(ei.suspend_cancel);
    }
    note_num(XEN_ELFNOTE_ENTRY, KSTART + 0x123456789ull, 8);
    note_num(XEN_ELFNOTE_VIRT_BASE, KBASE, 8);
    build();
    assert_int_equal(elf_image_init(&ei, img, img_len), 0);
    assert_int_equal(elf_image_xen_parse(&ei), -EINVAL);
    assert_int_equal(ei.virt_entry, KSTART + 0x123456789ull);
}

/* Without VIRT_BASE, PADDR_OFFSET and ENTRY: Xen's defaults 0, 0, e_entry. */
static void test_defaults(void **state)
{
    (void)state;
    note_del(XEN_ELFNOTE_VIRT_BASE);
    note_del(XEN_ELFNOTE_PADDR_OFFSET);
    note_del(XEN_ELFNOTE_ENTRY);
    note_del(XEN_ELFNOTE_INIT_P2M);
    note_del(XEN_ELFNOTE_SUPPORTED_FEATURES);
    build();
    assert_int_equal(parse(), 0);
    assert_false(ei.has_virt_base);
    assert_false(ei.has_entry);
    assert_false(ei.has_init_p2m);
    assert_int_equal(ei.virt_base, 0);
    assert_int_equal(ei.paddr_offset, 0);
    assert_int_equal(ei.virt_kstart, PSTART);
    assert_int_equal(ei.virt_kend, PEND);
    assert_int_equal(ei.virt_entry, PSTART);
    /* No SUPPORTED_FEATURES: dom0 is not refused (Xen's rule). */
    assert_int_equal(elf_image_check_dom0(&ei, 1u << XENFEAT_writable_page_tables), 0);
}

static void test_paddr_offset(void **state)
{
    (void)state;
    /* Old style: paddrs equal vaddrs, PADDR_OFFSET == VIRT_BASE. */
    note_num(XEN_ELFNOTE_VIRT_BASE, 0x400000, 8);
    note_num(XEN_ELFNOTE_PADDR_OFFSET, 0x400000, 8);
    note_num(XEN_ELFNOTE_ENTRY, PSTART + 0x10, 8);
    note_del(XEN_ELFNOTE_INIT_P2M);
    build();
    assert_int_equal(parse(), 0);
    assert_int_equal(ei.virt_offset, 0);
    assert_int_equal(ei.virt_kstart, PSTART);
    assert_int_equal(ei.virt_kend, PEND);
}

static void test_hypercall_page(void **state)
{
    (void)state;
    note_num(XEN_ELFNOTE_HYPERCALL_PAGE, KSTART + 0x1000, 8);
    build();
    assert_int_equal(parse(), 0);
    assert_true(ei.has_hypercall_page);
    assert_int_equal(ei.hypercall_page, KSTART + 0x1000);
}

/* Xen's bounds are virt_kstart <= entry <= virt_kend (end inclusive). */
static void test_entry_bounds(void **state)
{
    (void)state;
    note_num(XEN_ELFNOTE_ENTRY, KSTART, 8);
    build();
    assert_int_equal(parse(), 0);
    note_num(XEN_ELFNOTE_ENTRY, KEND, 8);
    build();
    assert_int_equal(parse(), 0);
    note_num(XEN_ELFNOTE_ENTRY, KEND + 1, 8);
    build();
    expect_err(parse(), -EINVAL, "entry 0xffffffff81006001 is outside the kernel");
    note_num(XEN_ELFNOTE_ENTRY, KSTART - 1, 8);
    build();
    expect_err(parse(), -EINVAL, "is outside the kernel");
}

/* INIT_P2M may not lie in [virt_kstart, virt_kend). */
static void test_init_p2m_bounds(void **state)
{
    static const struct {
        uint64_t va;
        int rc;
    } rows[] = {
        { KSTART - 1, 0 }, { KSTART, -EINVAL }, { KEND - 1, -EINVAL }, { KEND, 0 },
        { 0x8000000000ull, 0 },
    };
    unsigned int i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        note_num(XEN_ELFNOTE_INIT_P2M, rows[i].va, 8);
        build();
        if (rows[i].rc == 0)
            assert_int_equal(parse(), 0);
        else
            expect_err(parse(), rows[i].rc, "INIT_P2M");
    }
}

/* "GNU" and "Linux" notes share type numbers with Xen's and are skipped. */
static void test_other_notes_skipped(void **state)
{
    (void)state;
    note_del(XEN_ELFNOTE_VIRT_BASE);
    note_del(XEN_ELFNOTE_PADDR_OFFSET);
    note_del(XEN_ELFNOTE_GUEST_OS);
    note_num(XEN_ELFNOTE_ENTRY, PSTART + 4, 8);
    note_del(XEN_ELFNOTE_INIT_P2M);
    /* A "Xenon" note is not a "Xen" note either. */
    note_add("Xenon", XEN_ELFNOTE_LOADER, "bogus", 6);
    build();
    assert_int_equal(parse(), 0);
    assert_false(ei.has_virt_base);
    assert_string_equal(ei.guest_os, "");
    assert_string_equal(ei.loader, "generic");
}

/* With no Xen note in PT_NOTE segments, SHT_NOTE sections are read. */
static void test_notes_from_sections(void **state)
{
    (void)state;
    build();
    PH(3)->p_type = PT_NULL;
    assert_int_equal(parse(), 0);
    assert_true(ei.notes_from_sections);
    assert_int_equal(ei.virt_entry, ENTRY);

    /* binutils' p_offset 0 note segments are skipped, as in libelf. */
    build();
    PH(3)->p_offset = 0;
    assert_int_equal(parse(), 0);
    assert_true(ei.notes_from_sections);
}

static void test_features(void **state)
{
    static const struct {
        const char *s;
        int rc;
        uint32_t supported, required;
    } rows[] = {
        { "", 0, 0, 0 },
        { "dom0", 0, 1u << 11, 0 },
        { "!dom0", 0, 1u << 11, 1u << 11 },
        { "writable_page_tables|dom0|", 0, 1u << 0 | 1u << 11, 0 },
        { "no_such_feature|dom0", 0, 1u << 11, 0 },
        { "||!supervisor_mode_kernel", 0, 1u << 3, 1u << 3 },
        { "!no_such_feature", -EINVAL, 0, 0 },
        { "!", -EINVAL, 0, 0 },
        { "dom0|!bad\nname", -EINVAL, 0, 0 },     /* the error line stays one line */
        { "dom", 0, 0, 0 },
        { "dom0x", 0, 0, 0 },
        { "linux_rsdp_unrestricted|!direct_mapped", 0, 1u << 15 | 1u << 17, 1u << 17 },
    };
    unsigned int i;

    (void)state;
    note_del(XEN_ELFNOTE_SUPPORTED_FEATURES);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        note_str(XEN_ELFNOTE_FEATURES, rows[i].s);
        build();
        if (rows[i].rc) {
            expect_err(parse(), rows[i].rc, "requires unknown feature");
            continue;
        }
        assert_int_equal(parse(), 0);
        assert_int_equal(ei.f_supported, rows[i].supported);
        assert_int_equal(ei.f_required, rows[i].required);
    }
}

static void test_loader_guest_os(void **state)
{
    static const struct {
        const char *loader, *guest_os;
        bool ok;
    } rows[] = {
        { "generic", NULL, true },
        { NULL, "linux", true },
        { "generic-ish", "netbsd", true },      /* prefixes, as strncmp in Xen */
        { "elf", "linux2", true },
        { "elf", "netbsd", false },
        { NULL, NULL, false },
        { "gener", "Linux", false },
    };
    unsigned int i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        note_del(XEN_ELFNOTE_LOADER);
        note_del(XEN_ELFNOTE_GUEST_OS);
        if (rows[i].loader)
            note_str(XEN_ELFNOTE_LOADER, rows[i].loader);
        if (rows[i].guest_os)
            note_str(XEN_ELFNOTE_GUEST_OS, rows[i].guest_os);
        build();
        if (rows[i].ok)
            assert_int_equal(parse(), 0);
        else
            expect_err(parse(), -EINVAL, "neither for the generic loader nor Linux");
    }
}

static void test_xen_version(void **state)
{
    (void)state;
    note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0-extra");
    build();
    assert_int_equal(parse(), 0);
    note_str(XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
    build();
    expect_err(parse(), -EINVAL, "XEN_VERSION is 'xen-2.0'");
    note_del(XEN_ELFNOTE_XEN_VERSION);
    build();
    expect_err(parse(), -EINVAL, "XEN_VERSION is ''");
}

static void test_pae_and_strings(void **state)
{
    char longname[60];

    (void)state;
    note_str(XEN_ELFNOTE_PAE_MODE, "bimodal");
    /* Strings are truncated to the buffer and made printable. */
    memset(longname, 'x', sizeof(longname));
    memcpy(longname, "linux\n", 6);
    longname[sizeof(longname) - 1] = '\0';
    note_str(XEN_ELFNOTE_GUEST_OS, longname);
    build();
    assert_int_equal(parse(), 0);
    assert_int_equal(ei.pae, ELF_PAE_BIMODAL);
    assert_int_equal(strlen(ei.guest_os), ELF_IMAGE_STR_LEN - 1);
    assert_true(strncmp(ei.guest_os, "linux?xxx", 9) == 0);
    note_str(XEN_ELFNOTE_PAE_MODE, "no");
    build();
    assert_int_equal(parse(), 0);
    assert_int_equal(ei.pae, ELF_PAE_NO);
}

static void test_dom0_check(void **state)
{
    const uint32_t hv = 1u << XENFEAT_writable_page_tables | 1u << XENFEAT_pae_pgdir_above_4gb;

    (void)state;
    /* SUPPORTED_FEATURES without XENFEAT_dom0. */
    note_num(XEN_ELFNOTE_SUPPORTED_FEATURES, 0x8001, 4);
    build();
    assert_int_equal(parse(), 0);
    expect_err(elf_image_check_dom0(&ei, hv), -EINVAL, "does not support dom0");

    /* ... unless FEATURES names dom0: Xen tests the merged bitmap. */
    note_str(XEN_ELFNOTE_FEATURES, "!writable_page_tables|dom0");
    build();
    assert_int_equal(parse(), 0);
    assert_int_equal(elf_image_check_dom0(&ei, hv), 0);

    /* A required feature the hypervisor lacks. */
    note_num(XEN_ELFNOTE_SUPPORTED_FEATURES, 0x8801, 4);
    build();
    assert_int_equal(parse(), 0);
    expect_err(elf_image_check_dom0(&ei, 1u << XENFEAT_pae_pgdir_above_4gb), -EINVAL,
               "requires feature writable_page_tables");
    note_str(XEN_ELFNOTE_FEATURES, "!supervisor_mode_kernel");
    build();
    assert_int_equal(parse(), 0);
    expect_err(elf_image_check_dom0(&ei, hv), -EINVAL, "requires feature supervisor_mode_kernel");

    /* An 8-byte SUPPORTED_FEATURES: word 0 counts. */
    note_str(XEN_ELFNOTE_FEATURES, "");
    note_num(XEN_ELFNOTE_SUPPORTED_FEATURES, 0xffffffff00000800ull, 8);
    build();
    assert_int_equal(parse(), 0);
    assert_int_equal(ei.f_supported, 0x800);
    assert_int_equal(elf_image_check_dom0(&ei, hv), 0);
}

/* ---- One failing case per rule ---------------------------------------- */

enum mut {
    M_SHORT, M_MAGIC, M_CLASS, M_DATA, M_VERSION, M_MACHINE, M_TYPE, M_PHNUM0, M_PHNUM_X,
    M_PHENTSIZE, M_PHOFF, M_PHOFF_WRAP, M_SHENTSIZE, M_SHOFF, M_LOAD_OFF, M_LOAD_WRAP,
    M_FILESZ, M_PADDR_WRAP, M_NO_LOAD, M_OVERLAP, M_NOTE_OOB, M_NOTE_TRUNC, M_NOTE_NAME_TRUNC,
    M_SHNOTE_OOB,
};

static void mutate(enum mut m)
{
    switch (m) {
    case M_SHORT:       img_len = 63; break;
    case M_MAGIC:       img[1] = 'e'; break;
    case M_CLASS:       EH()->e_ident[EI_CLASS] = ELFCLASS32; break;
    case M_DATA:        EH()->e_ident[EI_DATA] = ELFDATA2MSB; break;
    case M_VERSION:     EH()->e_version = 2; break;
    case M_MACHINE:     EH()->e_machine = EM_386; break;
    case M_TYPE:        EH()->e_type = ET_REL; break;
    case M_PHNUM0:      EH()->e_phnum = 0; break;
    case M_PHNUM_X:     EH()->e_phnum = PN_XNUM; break;
    case M_PHENTSIZE:   EH()->e_phentsize = 32; break;
    case M_PHOFF:       EH()->e_phoff = img_len - 100; break;
    case M_PHOFF_WRAP:  EH()->e_phoff = UINT64_MAX - 0x40; break;
    case M_SHENTSIZE:   EH()->e_shentsize = 40; break;
    case M_SHOFF:       EH()->e_shoff = img_len - 64; break;
    case M_LOAD_OFF:    PH(1)->p_offset = img_len - 0x10; break;
    case M_LOAD_WRAP:   PH(2)->p_offset = UINT64_MAX - 0x10; break;
    case M_FILESZ:      PH(0)->p_filesz = PH(0)->p_memsz + 1; break;
    case M_PADDR_WRAP:  PH(2)->p_paddr = UINT64_MAX - 0x1000; break;
    case M_NO_LOAD:     PH(0)->p_flags = PH(1)->p_flags = PH(2)->p_flags = 0; break;
    case M_OVERLAP:
        PH(0)->p_paddr = PH(1)->p_paddr = PH(2)->p_paddr = PSTART;
        PH(0)->p_memsz = PH(1)->p_memsz = PH(2)->p_memsz = 0x10000;
        break;
    case M_NOTE_OOB:    PH(3)->p_filesz = img_len; break;
    case M_NOTE_TRUNC:  PH(3)->p_filesz -= 4; break;     /* last descriptor cut */
    case M_NOTE_NAME_TRUNC: PH(3)->p_filesz = 16; break; /* first note's name cut */
    case M_SHNOTE_OOB:
        PH(3)->p_type = PT_NULL;
        SH(1)->sh_size = UINT64_MAX;
        break;
    }
}

static void test_bad_elf(void **state)
{
    static const struct {
        enum mut m;
        int rc;
        const char *err;
    } rows[] = {
        { M_SHORT, -ENOEXEC, "too short" },
        { M_MAGIC, -ENOEXEC, "bad magic" },
        { M_CLASS, -EINVAL, "not a 64-bit image (class 1)" },
        { M_DATA, -EINVAL, "not little-endian" },
        { M_VERSION, -EINVAL, "unknown ELF version 1/2" },
        { M_MACHINE, -EINVAL, "not an x86-64 image (machine 3)" },
        { M_TYPE, -EINVAL, "not an executable (type 1)" },
        { M_PHNUM0, -EINVAL, "no program headers" },
        { M_PHNUM_X, -EINVAL, "extended program header numbering" },
        { M_PHENTSIZE, -EINVAL, "program header size 32, expected 56" },
        { M_PHOFF, -EINVAL, "program header table" },
        { M_PHOFF_WRAP, -EINVAL, "program header table" },
        { M_SHENTSIZE, -EINVAL, "section header size 40" },
        { M_SHOFF, -EINVAL, "section header table" },
        { M_LOAD_OFF, -EINVAL, "program header 1 extends past the end of the image" },
        { M_LOAD_WRAP, -EINVAL, "program header 2 extends past the end of the image" },
        { M_FILESZ, -EINVAL, "program header 0 has p_filesz 0x2001 > p_memsz 0x2000" },
        { M_PADDR_WRAP, -EINVAL, "program header 2: p_paddr + p_memsz overflows" },
        { M_NO_LOAD, -EINVAL, "no loadable segments" },
        { M_OVERLAP, -EINVAL, "loadable segments overlap" },
        { M_NOTE_OOB, -EINVAL, "program header 3 extends past the end of the image" },
        { M_NOTE_TRUNC, -EINVAL, "runs past the end of program header 3" },
        { M_NOTE_NAME_TRUNC, -EINVAL, "note at offset 0x200 runs past the end" },
        { M_SHNOTE_OOB, -EINVAL, "section 1 extends past the end of the image" },
    };
    unsigned int i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        build();
        mutate(rows[i].m);
        expect_err(parse(), rows[i].rc, rows[i].err);
    }
}

static void test_bad_notes(void **state)
{
    static const uint64_t pair[2] = { 1, 1 };

    (void)state;
    note_add("Xen", XEN_ELFNOTE_ENTRY, "\1\2\3", 3);
    build();
    expect_err(parse(), -EINVAL, "note ENTRY has a 3-byte value");

    default_notes();
    note_add("Xen", XEN_ELFNOTE_VIRT_BASE, "", 0);
    build();
    expect_err(parse(), -EINVAL, "note VIRT_BASE has a 0-byte value");

    default_notes();
    note_del(XEN_ELFNOTE_LOADER);
    note_add("Xen", XEN_ELFNOTE_LOADER, "generic!", 8);    /* no NUL, not even in padding */
    build();
    expect_err(parse(), -EINVAL, "note LOADER is not a NUL-terminated string");

    /* As Linux writes FEATURES: the NUL only in the note's alignment padding. */
    default_notes();
    note_del(XEN_ELFNOTE_LOADER);
    note_add("Xen", XEN_ELFNOTE_LOADER, "generic", 7);
    build();
    assert_int_equal(parse(), 0);
    assert_string_equal(ei.loader, "generic");

    default_notes();
    note_add("Xen", XEN_ELFNOTE_SUPPORTED_FEATURES, "\1\1\0\0\0\0", 6);
    build();
    expect_err(parse(), -EINVAL, "SUPPORTED_FEATURES has a 6-byte bitmap");

    default_notes();
    note_add("Xen", XEN_ELFNOTE_L1_MFN_VALID, pair, 8);
    build();
    expect_err(parse(), -EINVAL, "L1_MFN_VALID has 8 bytes");

    default_notes();
    note_str(XEN_ELFNOTE_BSD_SYMTAB, "yes");
    build();
    expect_err(parse(), -EOPNOTSUPP, "BSD_SYMTAB");

    /* Unknown Xen note types and INFO are ignored. */
    default_notes();
    note_add("Xen", 0, "", 0);
    note_add("Xen", 99, "\1", 1);
    build();
    assert_int_equal(parse(), 0);

    /*
     * ... but still count as Xen notes (libelf): with only such a note in
     * the segment, the section is not consulted, and the checks fail.
     */
    build();
    nr_notes = 0;
    note_add("Xen", 99, "\1", 1);
    put_notes(img + OFF_NOTES);
    PH(3)->p_filesz = 20;
    expect_err(parse(), -EINVAL, "neither for the generic loader nor Linux");
    assert_false(ei.notes_from_sections);
}

static void test_address_rules(void **state)
{
    (void)state;
    note_num(XEN_ELFNOTE_VIRT_BASE, KSTART + 0x1000, 8);
    note_num(XEN_ELFNOTE_PADDR_OFFSET, 0x1000, 8);
    note_num(XEN_ELFNOTE_INIT_P2M, 0x8000000000ull, 8);
    build();
    /* virt_offset = KSTART; kstart = PSTART + KSTART > ... */
    assert_int_equal(parse(), -EINVAL);

    default_notes();
    note_num(XEN_ELFNOTE_VIRT_BASE, KSTART + 0x1000, 8);
    note_num(XEN_ELFNOTE_PADDR_OFFSET, PSTART + 0x1000, 8);
    note_num(XEN_ELFNOTE_ENTRY, KSTART + 0x1000, 8);
    build();
    /* virt_offset = KBASE again, but VIRT_BASE sits above virt_kstart. */
    expect_err(parse(), -EINVAL, "VIRT_BASE 0xffffffff81001000 is above the kernel start");

    default_notes();
    note_del(XEN_ELFNOTE_VIRT_BASE);
    build();
    expect_err(parse(), -EINVAL, "PADDR_OFFSET given without VIRT_BASE");

    default_notes();
    note_num(XEN_ELFNOTE_VIRT_BASE, 0, 8);
    note_num(XEN_ELFNOTE_PADDR_OFFSET, PSTART + 0x3000, 8);
    build();
    expect_err(parse(), -EINVAL, "kernel wraps the address space");
}

static void test_no_xen_notes(void **state)
{
    (void)state;
    nr_notes = 0;
    note_add("GNU", 3, "abcd", 4);
    build();
    expect_err(parse(), -EINVAL, "no Xen ELF notes");

    /* The legacy __xen_guest section gets its own message. */
    build();
    SH(1)->sh_name = SHSTR_XEN_GUEST;
    SH(1)->sh_type = SHT_PROGBITS;
    expect_err(parse(), -EOPNOTSUPP, "legacy __xen_guest section");

    /* ... and a bad section-name table is just "no notes". */
    SH(2)->sh_offset = UINT64_MAX;
    expect_err(parse(), -EINVAL, "no Xen ELF notes");
    EH()->e_shstrndx = 7;
    expect_err(parse(), -EINVAL, "no Xen ELF notes");
}

/* Xen's ceiling of 65536 notes. */
static void test_too_many_notes(void **state)
{
    const size_t nr = 65537, big = IMG_MAX + nr * 12;
    uint8_t *buf = calloc(1, big);

    (void)state;
    assert_non_null(buf);
    build_into(buf);
    ((Elf64_Phdr *)(buf + OFF_PHDR))[3].p_offset = IMG_MAX;
    ((Elf64_Phdr *)(buf + OFF_PHDR))[3].p_filesz = nr * 12;
    expect_err(elf_image_parse(&ei, buf, big), -EINVAL, "more than 65536 notes");
    /*
     * Empty notes, none of them Xen's, so the 18 default notes in the
     * SHT_NOTE section are read too, and count towards the same total.
     */
    ((Elf64_Phdr *)(buf + OFF_PHDR))[3].p_filesz = (65536 - 18) * 12;
    assert_int_equal(elf_image_parse(&ei, buf, big), 0);
    assert_true(ei.notes_from_sections);
    ((Elf64_Phdr *)(buf + OFF_PHDR))[3].p_filesz = (65536 - 17) * 12;
    expect_err(elf_image_parse(&ei, buf, big), -EINVAL, "more than 65536 notes");
    free(buf);
}

/* ---- Loading ---------------------------------------------------------------- */

static void test_load(void **state)
{
    uint8_t dest[0x7000];
    size_t span = PEND - PSTART;
    unsigned int i;
    size_t j, off;

    (void)state;
    build();
    assert_int_equal(parse(), 0);
    memset(dest, 0xaa, sizeof(dest));
    assert_int_equal(elf_image_load(&ei, dest, span), 0);
    for (i = 0; i < 3; i++) {
        off = segs[i].paddr - PSTART;   /* by paddr: segment 1 has vaddr 0 */
        for (j = 0; j < segs[i].filesz; j++)
            assert_int_equal(dest[off + j], segs[i].fill);
        for (; j < segs[i].memsz; j++)
            assert_int_equal(dest[off + j], 0);
    }
    /* The rest of the span is zeroed; nothing past it is touched. */
    for (j = 0x3000 + 0x3000; j < span; j++)
        assert_int_equal(dest[j], 0);
    for (j = span; j < sizeof(dest); j++)
        assert_int_equal(dest[j], 0xaa);

    /* A gap between segments is zeroed too. */
    PH(0)->p_memsz = PH(0)->p_filesz;
    assert_int_equal(elf_image_init(&ei, img, img_len), 0);
    memset(dest, 0xaa, sizeof(dest));
    assert_int_equal(elf_image_load(&ei, dest, sizeof(dest)), 0);
    for (j = 0x1800; j < 0x2000; j++)
        assert_int_equal(dest[j], 0);
    assert_int_equal(dest[span], 0xaa);

    /*
     * Overlap, in header order: segment 2 moved to paddr +0x1000 writes
     * its data over segment 0's second half and its zero fill (to +0x4000)
     * over segment 1's data.
     */
    build();
    PH(2)->p_paddr = PSTART + 0x1000;
    assert_int_equal(elf_image_init(&ei, img, img_len), 0);
    assert_int_equal(ei.pend - ei.pstart, 0x4000);
    memset(dest, 0xaa, sizeof(dest));
    assert_int_equal(elf_image_load(&ei, dest, 0x4000), 0);
    assert_int_equal(dest[0xfff], 0x11);
    for (j = 0x1000; j < 0x1800; j++)
        assert_int_equal(dest[j], 0x33);
    for (j = 0x1800; j < 0x4000; j++)
        assert_int_equal(dest[j], 0);
}

static void test_load_errors(void **state)
{
    uint8_t dest[0x6000];

    (void)state;
    build();
    assert_int_equal(parse(), 0);
    expect_err(elf_image_load(&ei, dest, sizeof(dest) - 1), -ENOSPC,
               "kernel needs 0x6000 bytes, destination has 0x5fff");

    /* The image changes between parse and load: every header is re-checked. */
    PH(2)->p_memsz += 0x1000;
    expect_err(elf_image_load(&ei, dest, sizeof(dest)), -EINVAL,
               "program header 2 changed since it was parsed");
    PH(2)->p_memsz -= 0x1000;
    PH(1)->p_paddr = PSTART - 0x1000;
    expect_err(elf_image_load(&ei, dest, sizeof(dest)), -EINVAL, "changed since it was parsed");
    PH(1)->p_paddr = PSTART + 0x2000;
    PH(1)->p_filesz = 0x2000;
    expect_err(elf_image_load(&ei, dest, sizeof(dest)), -EINVAL, "p_filesz 0x2000 > p_memsz");
    PH(1)->p_filesz = 0x100;
    PH(1)->p_offset = UINT64_MAX;
    expect_err(elf_image_load(&ei, dest, sizeof(dest)), -EINVAL, "extends past the end");
    PH(1)->p_offset = 0x2800;
    assert_int_equal(elf_image_load(&ei, dest, sizeof(dest)), 0);
}

/* A PT_LOAD with no R/W/X flags is not loadable, as in libelf. */
static void test_load_skips_flagless(void **state)
{
    uint8_t dest[0x6000];

    (void)state;
    build();
    PH(2)->p_flags = 0;
    assert_int_equal(parse(), 0);
    assert_int_equal(ei.nr_load, 2);
    assert_int_equal(ei.pend, PSTART + 0x3000);
    assert_int_equal(elf_image_load(&ei, dest, 0x3000), 0);
    assert_int_equal(dest[0x2000], 0x22);
}

/* ---- bzImage ------------------------------------------------------------------ */

static uint8_t bz[0x8000];
static struct bzimage_info bzi;

/* A bzImage with @payload at @pl_off after (setup_sects + 1) sectors. */
static size_t make_bz(uint8_t setup_sects, uint16_t version, const void *payload, size_t pl_len,
                      uint32_t pl_off)
{
    size_t start = (size_t)((setup_sects ? setup_sects : 4) + 1) * 512;
    uint32_t len32 = (uint32_t)pl_len;

    memset(bz, 0, sizeof(bz));
    bz[0x1f1] = setup_sects;
    bz[0x1fe] = 0x55;
    bz[0x1ff] = 0xaa;
    memcpy(bz + 0x202, "HdrS", 4);
    memcpy(bz + 0x206, &version, 2);
    memcpy(bz + 0x248, &pl_off, 4);
    memcpy(bz + 0x24c, &len32, 4);
    assert_true(start + pl_off + pl_len <= sizeof(bz));
    memcpy(bz + start + pl_off, payload, pl_len);
    return start + pl_off + pl_len;
}

static void expect_bz_err(int got, int rc, const char *needle)
{
    if (got != rc || strstr(bzi.err, needle) == NULL)
        fail_msg("rc %d (want %d), err \"%s\" (want \"%s\")", got, rc, bzi.err, needle);
    assert_true(strncmp(bzi.err, "bzImage: ", 9) == 0);
}

static void test_bz_xz(void **state)
{
    uint8_t pl[64] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
    size_t len;

    (void)state;
    pl[60] = 0x00;
    pl[61] = 0x10;
    pl[62] = 0x40;
    pl[63] = 0x03;      /* appended size 0x03401000 */
    len = make_bz(39, 0x020f, pl, sizeof(pl), 0x3c0);
    assert_int_equal(bzimage_probe(bz, len, &bzi), 0);
    assert_int_equal(bzi.format, BZ_PAYLOAD_XZ);
    assert_int_equal(bzi.protocol, 0x020f);
    assert_int_equal(bzi.setup_sects, 39);
    assert_ptr_equal(bzi.payload, bz + 40 * 512 + 0x3c0);
    assert_int_equal(bzi.payload_len, sizeof(pl));
    assert_int_equal(bzi.uncompressed_len, 0x03401000);
    assert_string_equal(bzimage_payload_name(bzi.format), "xz");

    /* setup_sects 0 means 4; protocol 2.08 is enough. */
    len = make_bz(0, 0x0208, pl, sizeof(pl), 0);
    assert_int_equal(bzimage_probe(bz, len, &bzi), 0);
    assert_int_equal(bzi.setup_sects, 4);
    assert_ptr_equal(bzi.payload, bz + 5 * 512);
}

/* An uncompressed ELF payload parses straight from the bzImage. */
static void test_bz_elf(void **state)
{
    size_t len;

    (void)state;
    build();
    len = make_bz(1, 0x020c, img, img_len, 0x10);
    assert_int_equal(bzimage_probe(bz, len, &bzi), 0);
    assert_int_equal(bzi.format, BZ_PAYLOAD_ELF);
    assert_int_equal(bzi.uncompressed_len, 0);
    assert_int_equal(elf_image_parse(&ei, bzi.payload, bzi.payload_len), 0);
    assert_int_equal(ei.virt_entry, ENTRY);
}

static void test_bz_compressions(void **state)
{
    static const struct {
        uint8_t magic[10];
        size_t len;
        const char *name;
        enum bz_payload fmt;
    } rows[] = {
        { { 0x1f, 0x8b, 0x08 }, 3, "gzip", BZ_PAYLOAD_GZIP },
        { { 0x1f, 0x9e }, 2, "gzip", BZ_PAYLOAD_GZIP },
        { { 'B', 'Z', 'h', '9' }, 4, "bzip2", BZ_PAYLOAD_BZIP2 },
        { { 0x5d, 0x00, 0x00, 0x80 }, 4, "lzma", BZ_PAYLOAD_LZMA },
        { { 0x89, 'L', 'Z', 'O', 0, 0x0d, 0x0a, 0x1a, 0x0a }, 9, "lzo", BZ_PAYLOAD_LZO },
        { { 0x02, 0x21, 0x4c, 0x18 }, 4, "lz4", BZ_PAYLOAD_LZ4 },
        { { 0x28, 0xb5, 0x2f, 0xfd }, 4, "zstd", BZ_PAYLOAD_ZSTD },
    };
    char want[64];
    uint8_t pl[32];
    unsigned int i;
    size_t len;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        memset(pl, 0x77, sizeof(pl));
        memcpy(pl, rows[i].magic, rows[i].len);
        len = make_bz(39, 0x020f, pl, sizeof(pl), 0);
        snprintf(want, sizeof(want), "unsupported compression %s", rows[i].name);
        expect_bz_err(bzimage_probe(bz, len, &bzi), -EOPNOTSUPP, want);
        assert_int_equal(bzi.format, rows[i].fmt);
        assert_string_equal(bzimage_payload_name(rows[i].fmt), rows[i].name);
    }
    memset(pl, 0x77, sizeof(pl));
    len = make_bz(39, 0x020f, pl, sizeof(pl), 0);
    expect_bz_err(bzimage_probe(bz, len, &bzi), -EINVAL, "not recognised (starts 77 77 77 77)");
    assert_int_equal(bzi.format, BZ_PAYLOAD_UNKNOWN);
    assert_string_equal(bzimage_payload_name(BZ_PAYLOAD_UNKNOWN), "unknown");
    /* A 1-byte payload that matches nothing: no read past it. */
    len = make_bz(39, 0x020f, "\x77", 1, 0);
    expect_bz_err(bzimage_probe(bz, len, &bzi), -EINVAL, "(starts 77 00 00 00)");
}

static void test_bz_bad(void **state)
{
    const uint8_t xz[8] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
    size_t len;

    (void)state;
    /* Not a bzImage at all: an ELF, a short buffer. */
    build();
    expect_bz_err(bzimage_probe(img, img_len, &bzi), -ENOENT, "no setup header");
    expect_bz_err(bzimage_probe(img, 0x205, &bzi), -ENOENT, "no setup header");
    expect_bz_err(bzimage_probe(img, 0, &bzi), -ENOENT, "no setup header");

    len = make_bz(39, 0x020f, xz, sizeof(xz), 0);
    expect_bz_err(bzimage_probe(bz, 0x24f, &bzi), -EINVAL, "setup header truncated");
    bz[0x1fe] = 0;
    expect_bz_err(bzimage_probe(bz, len, &bzi), -EINVAL, "boot sector signature 0xaa00");

    len = make_bz(39, 0x0207, xz, sizeof(xz), 0);
    expect_bz_err(bzimage_probe(bz, len, &bzi), -EINVAL, "boot protocol 2.07, at least 2.08");

    /* Payload past the end: by length, by offset, by 32-bit extremes. */
    len = make_bz(39, 0x020f, xz, sizeof(xz), 0);
    expect_bz_err(bzimage_probe(bz, len - 1, &bzi), -EINVAL, "extends past the end");
    memcpy(bz + 0x248, "\xff\xff\xff\xff", 4);
    expect_bz_err(bzimage_probe(bz, len, &bzi), -EINVAL, "extends past the end");
    memset(bz + 0x248, 0, 4);
    memcpy(bz + 0x24c, "\xff\xff\xff\xff", 4);
    expect_bz_err(bzimage_probe(bz, len, &bzi), -EINVAL, "extends past the end");
    bz[0x1f1] = 0xff;   /* 256 sectors of setup: past this image */
    memset(bz + 0x24c, 0, 4);
    bz[0x24c] = 8;
    expect_bz_err(bzimage_probe(bz, len, &bzi), -EINVAL, "extends past the end");
    bz[0x1f1] = 39;
    bz[0x24c] = 0;
    expect_bz_err(bzimage_probe(bz, len, &bzi), -EINVAL, "empty payload");
}

/* Debian's kernel, if another part of the build cached it. */
static void test_real_vmlinuz(void **state)
{
    glob_t g;
    FILE *f;
    uint8_t *buf;
    long len;

    (void)state;
    /* glob() is relative: the suite runs from the top of the tree. */
    if (glob("cache/linux/vmlinuz-*", 0, NULL, &g) != 0) {
        print_message("no cache/linux/vmlinuz-*: skipped\n");
        skip();
    }
    f = fopen(g.gl_pathv[0], "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len > 0);
    rewind(f);
    buf = malloc((size_t)len);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);

    assert_int_equal(bzimage_probe(buf, (size_t)len, &bzi), 0);
    print_message("%s: protocol %x, setup_sects %u, xz payload 0x%zx bytes, unpacks to 0x%x\n",
                  g.gl_pathv[0], bzi.protocol, bzi.setup_sects, bzi.payload_len,
                  bzi.uncompressed_len);
    assert_int_equal(bzi.format, BZ_PAYLOAD_XZ);
    assert_true(bzi.protocol >= 0x020f);
    assert_true(bzi.payload > buf + 512 && bzi.payload + bzi.payload_len <= buf + len);
    assert_true(bzi.payload_len > 1u << 20);
    assert_true(bzi.uncompressed_len > bzi.payload_len && bzi.uncompressed_len < 256u << 20);
    free(buf);
    globfree(&g);
}

int main(void)
{
#define TC(fn) cmocka_unit_test_setup(fn, setup)
    const struct CMUnitTest tests[] = {
        TC(test_debian_like),
        TC(test_numeric_sizes),
        TC(test_defaults),
        TC(test_paddr_offset),
        TC(test_hypercall_page),
        TC(test_entry_bounds),
        TC(test_init_p2m_bounds),
        TC(test_other_notes_skipped),
        TC(test_notes_from_sections),
        TC(test_features),
        TC(test_loader_guest_os),
        TC(test_xen_version),
        TC(test_pae_and_strings),
        TC(test_dom0_check),
        TC(test_bad_elf),
        TC(test_bad_notes),
        TC(test_address_rules),
        TC(test_no_xen_notes),
        TC(test_too_many_notes),
        TC(test_load),
        TC(test_load_errors),
        TC(test_load_skips_flagless),
        TC(test_bz_xz),
        TC(test_bz_elf),
        TC(test_bz_compressions),
        TC(test_bz_bad),
        TC(test_real_vmlinuz),
    };

    return cmocka_run_group_tests_name("elf_image", tests, NULL, NULL);
}
