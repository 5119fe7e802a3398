/* SPDX-License-Identifier: MIT */
/*
 * ELF64 PV kernel images: header and program-header validation, the "Xen"
 * ELF notes, Xen's address checks, and loading by physical address.
 *
 * The rules are Xen's libelf (elf_init, elf_parse_binary, elf_load_binary,
 * elf_xen_parse) and the PV dom0 builder's, with two deliberate differences:
 * anything libelf would silently read as zero or past a table (a numeric
 * note of odd size, a note running off its segment, a string without its
 * NUL) is rejected here; and only 64-bit little-endian x86 images are
 * accepted, since Keel runs 64-bit PV guests only.
 *
 * Safety model: the image is untrusted and may be any length. Every offset
 * and size read from it is checked with 64-bit arithmetic that cannot wrap
 * before the bytes are touched (in_image()); headers are copied into local
 * structs with memcpy, so nothing depends on the buffer's alignment. Loops
 * are bounded by 16-bit header counts, by ELF_MAX_NOTES, or by the image
 * length. elf_image_load() re-reads and re-checks every header rather than
 * trusting what elf_image_init() saw, because the toolstack's image may sit
 * in memory another party can still write.
 *
 * No locks and no global state: all state lives in the caller's
 * struct elf_image_info.
 */
#include <keel/elf_image.h>
#include <keel/errno.h>
#include <keel/lib.h>

#include <public/elfnote.h>
#include <public/features.h>

/* ---- ELF64 layout (System V gABI); fields are little-endian here ------- */

#define EI_NIDENT       16
#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1
#define ET_EXEC         2
#define ET_DYN          3
#define EM_X86_64       62
#define PN_XNUM         0xffff
#define PT_LOAD         1
#define PT_NOTE         4
#define PF_X            0x1
#define PF_W            0x2
#define PF_R            0x4
#define SHT_NOTE        7

struct elf64_ehdr {
    uint8_t e_ident[EI_NIDENT];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};

struct elf64_shdr {
    uint32_t sh_name;
    uint32_t sh_type;
    uint64_t sh_flags;
    uint64_t sh_addr;
    uint64_t sh_offset;
    uint64_t sh_size;
    uint32_t sh_link;
    uint32_t sh_info;
    uint64_t sh_addralign;
    uint64_t sh_entsize;
};

/* Note header; name and descriptor follow, each padded to 4 bytes. */
struct elf64_nhdr {
    uint32_t n_namesz;
    uint32_t n_descsz;
    uint32_t n_type;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");
_Static_assert(sizeof(struct elf64_shdr) == 64, "ELF64 section header is 64 bytes");
_Static_assert(sizeof(struct elf64_nhdr) == 12, "ELF note header is 12 bytes");
_Static_assert(XEN_ELFNOTE_MAX < 32, "notes_seen has a bit per note type");

/* Xen's ceiling on notes read from one image (ELF_MAX_TOTAL_NOTE_COUNT). */
#define ELF_MAX_NOTES   65536u
/* Note names and descriptors are padded to 4 bytes in Xen's notes. */
#define NOTE_ALIGN      4u

/* ---- Helpers -------------------------------------------------------------- */

static int __printf(3, 4) fail(struct elf_image_info *ei, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ei->err, sizeof(ei->err), fmt, ap);
    va_end(ap);
    return rc;
}

/* Whether [off, off + size) lies inside [0, len), without wrapping. */
static bool in_image(uint64_t off, uint64_t size, uint64_t len)
{
    return off <= len && size <= len - off;
}

static void read_phdr(const struct elf_image_info *ei, unsigned int i, struct elf64_phdr *ph)
{
    memcpy(ph, ei->image + ei->phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

static void read_shdr(const struct elf_image_info *ei, unsigned int i, struct elf64_shdr *sh)
{
    memcpy(sh, ei->image + ei->shoff + (uint64_t)i * sizeof(*sh), sizeof(*sh));
}

/* libelf's elf_phdr_is_loadable(): PT_LOAD with at least one of R, W, X. */
static bool phdr_loadable(const struct elf64_phdr *ph)
{
    return ph->p_type == PT_LOAD && (ph->p_flags & (PF_R | PF_W | PF_X)) != 0;
}

/*
 * Checks of one loadable segment shared by init and load. @i names it in
 * the message.
 */
static int check_load_phdr(struct elf_image_info *ei, unsigned int i, const struct elf64_phdr *ph)
{
    if (ph->p_filesz > ph->p_memsz)
        return fail(ei, -EINVAL, "ELF: program header %u has p_filesz 0x%lx > p_memsz 0x%lx", i,
                    (unsigned long)ph->p_filesz, (unsigned long)ph->p_memsz);
    if (ph->p_filesz != 0 && !in_image(ph->p_offset, ph->p_filesz, ei->image_len))
        return fail(ei, -EINVAL, "ELF: program header %u extends past the end of the image", i);
    if (ph->p_memsz > UINT64_MAX - ph->p_paddr)
        return fail(ei, -EINVAL, "ELF: program header %u: p_paddr + p_memsz overflows", i);
    return 0;
}

/* ---- ELF header and program headers -------------------------------------- */

int elf_image_init(struct elf_image_info *ei, const void *image, size_t len)
{
    struct elf64_ehdr eh;
    struct elf64_phdr ph;
    uint64_t low = UINT64_MAX, high = 0, total = 0, span;
    unsigned int i;
    int rc;

    memset(ei, 0, sizeof(*ei));
    ei->image = image;
    ei->image_len = len;

    if (len < sizeof(eh))
        return fail(ei, -ENOEXEC, "ELF: image too short for an ELF header (%lu bytes)",
                    (unsigned long)len);
    memcpy(&eh, image, sizeof(eh));
    if (memcmp(eh.e_ident, "\177ELF", 4) != 0)
        return fail(ei, -ENOEXEC, "ELF: not an ELF image (bad magic)");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
        return fail(ei, -EINVAL, "ELF: not a 64-bit image (class %u); only 64-bit PV kernels load",
                    eh.e_ident[EI_CLASS]);
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(ei, -EINVAL, "ELF: not little-endian (data encoding %u)", eh.e_ident[EI_DATA]);
    if (eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_version != EV_CURRENT)
        return fail(ei, -EINVAL, "ELF: unknown ELF version %u/%u", eh.e_ident[EI_VERSION],
                    eh.e_version);
    if (eh.e_machine != EM_X86_64)
        return fail(ei, -EINVAL, "ELF: not an x86-64 image (machine %u)", eh.e_machine);
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
        return fail(ei, -EINVAL, "ELF: not an executable (type %u)", eh.e_type);

    if (eh.e_phnum == 0)
        return fail(ei, -EINVAL, "ELF: no program headers");
    if (eh.e_phnum == PN_XNUM)
        return fail(ei, -EINVAL, "ELF: extended program header numbering is not supported");
    if (eh.e_phentsize != sizeof(ph))
        return fail(ei, -EINVAL, "ELF: program header size %u, expected %u", eh.e_phentsize,
                    (unsigned int)sizeof(ph));
    if (!in_image(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(ph), len))
        return fail(ei, -EINVAL, "ELF: program header table (offset 0x%lx, %u entries) "
                    "extends past the end of the image", (unsigned long)eh.e_phoff, eh.e_phnum);
    if (eh.e_shnum != 0) {
        if (eh.e_shentsize != sizeof(struct elf64_shdr))
            return fail(ei, -EINVAL, "ELF: section header size %u, expected %u",
                        eh.e_shentsize, (unsigned int)sizeof(struct elf64_shdr));
        if (!in_image(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(struct elf64_shdr), len))
            return fail(ei, -EINVAL, "ELF: section header table (offset 0x%lx, %u entries) "
                        "extends past the end of the image", (unsigned long)eh.e_shoff,
                        eh.e_shnum);
    }

    ei->e_type = eh.e_type;
    ei->e_entry = eh.e_entry;
    ei->phoff = eh.e_phoff;
    ei->phnum = eh.e_phnum;
    ei->shoff = eh.e_shoff;
    ei->shnum = eh.e_shnum;
    ei->shstrndx = eh.e_shstrndx;

    for (i = 0; i < ei->phnum; i++) {
        read_phdr(ei, i, &ph);
        if (!phdr_loadable(&ph))
            continue;
        rc = check_load_phdr(ei, i, &ph);
        if (rc)
            return rc;
        low = min(low, ph.p_paddr);
        high = max(high, ph.p_paddr + ph.p_memsz);
        if (ph.p_memsz > UINT64_MAX - total)
            return fail(ei, -EINVAL, "ELF: loadable segment sizes overflow");
        total += ph.p_memsz;
        ei->nr_load++;
    }
    if (ei->nr_load == 0)
        return fail(ei, -EINVAL, "ELF: no loadable segments");

    /*
     * Overlapping segments would let a small image make the loader write
     * far more than the kernel's size; Xen allows twice the destination.
     */
    span = high - low;
    if (total > span && total - span > span)
        return fail(ei, -EINVAL, "ELF: loadable segments overlap (0x%lx bytes in a 0x%lx span)",
                    (unsigned long)total, (unsigned long)span);

    ei->pstart = low;
    ei->pend = high;
    return 0;
}

/* ---- Loading ------------------------------------------------------------- */

int elf_image_load(struct elf_image_info *ei, void *dest, size_t dest_len)
{
    uint8_t *out = dest;
    struct elf64_phdr ph;
    uint64_t off;
    unsigned int i;
    int rc;

    if (ei->pend - ei->pstart > dest_len)
        return fail(ei, -ENOSPC, "ELF: kernel needs 0x%lx bytes, destination has 0x%lx",
                    (unsigned long)(ei->pend - ei->pstart), (unsigned long)dest_len);
    memset(out, 0, ei->pend - ei->pstart);

    for (i = 0; i < ei->phnum; i++) {
        read_phdr(ei, i, &ph);
        if (!phdr_loadable(&ph))
            continue;
        rc = check_load_phdr(ei, i, &ph);
        if (rc)
            return rc;
        if (ph.p_paddr < ei->pstart || !in_image(ph.p_paddr - ei->pstart, ph.p_memsz, dest_len))
            return fail(ei, -EINVAL, "ELF: program header %u changed since it was parsed", i);
        off = ph.p_paddr - ei->pstart;
        /* p_offset is unchecked when p_filesz is 0: form no pointer from it. */
        if (ph.p_filesz != 0)
            memcpy(out + off, ei->image + ph.p_offset, ph.p_filesz);
        memset(out + off + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
    }
    return 0;
}

/* ---- Xen ELF notes -------------------------------------------------------- */

enum note_kind {
    NOTE_NONE,      /* unknown to Xen: ignored */
    NOTE_NUM,       /* little-endian number of 1, 2, 4 or 8 bytes */
    NOTE_STR,       /* NUL-terminated string */
    NOTE_BITMAP,    /* array of 32-bit XENFEAT submaps */
    NOTE_PAIR,      /* two 64-bit numbers (L1_MFN_VALID mask and value) */
};

static const struct {
    const char *name;
    enum note_kind kind;
} xen_notes[XEN_ELFNOTE_MAX + 1] = {
    [XEN_ELFNOTE_ENTRY]              = { "ENTRY", NOTE_NUM },
    [XEN_ELFNOTE_HYPERCALL_PAGE]     = { "HYPERCALL_PAGE", NOTE_NUM },
    [XEN_ELFNOTE_VIRT_BASE]          = { "VIRT_BASE", NOTE_NUM },
    [XEN_ELFNOTE_PADDR_OFFSET]       = { "PADDR_OFFSET", NOTE_NUM },
    [XEN_ELFNOTE_XEN_VERSION]        = { "XEN_VERSION", NOTE_STR },
    [XEN_ELFNOTE_GUEST_OS]           = { "GUEST_OS", NOTE_STR },
    [XEN_ELFNOTE_GUEST_VERSION]      = { "GUEST_VERSION", NOTE_STR },
    [XEN_ELFNOTE_LOADER]             = { "LOADER", NOTE_STR },
    [XEN_ELFNOTE_PAE_MODE]           = { "PAE_MODE", NOTE_STR },
    [XEN_ELFNOTE_FEATURES]           = { "FEATURES", NOTE_STR },
    [XEN_ELFNOTE_BSD_SYMTAB]         = { "BSD_SYMTAB", NOTE_STR },
    [XEN_ELFNOTE_HV_START_LOW]       = { "HV_START_LOW", NOTE_NUM },
    [XEN_ELFNOTE_L1_MFN_VALID]       = { "L1_MFN_VALID", NOTE_PAIR },
    [XEN_ELFNOTE_SUSPEND_CANCEL]     = { "SUSPEND_CANCEL", NOTE_NUM },
    [XEN_ELFNOTE_INIT_P2M]           = { "INIT_P2M", NOTE_NUM },
    [XEN_ELFNOTE_MOD_START_PFN]      = { "MOD_START_PFN", NOTE_NUM },
    [XEN_ELFNOTE_SUPPORTED_FEATURES] = { "SUPPORTED_FEATURES", NOTE_BITMAP },
    [XEN_ELFNOTE_PHYS32_ENTRY]       = { "PHYS32_ENTRY", NOTE_NUM },
};

/*
 * XENFEAT names FEATURES may list. Xen's libelf knows seven of them; this
 * takes every name in public/features.h, since whether a required feature
 * is acceptable is the builder's decision (elf_image_check_dom0()).
 */
static const char *const feature_names[32] = {
    [XENFEAT_writable_page_tables]       = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap]    = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel]     = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb]        = "pae_pgdir_above_4gb",
    [XENFEAT_mmu_pt_update_preserve_ad]  = "mmu_pt_update_preserve_ad",
    [XENFEAT_highmem_assist]             = "highmem_assist",
    [XENFEAT_gnttab_map_avail_bits]      = "gnttab_map_avail_bits",
    [XENFEAT_hvm_callback_vector]        = "hvm_callback_vector",
    [XENFEAT_hvm_safe_pvclock]           = "hvm_safe_pvclock",
    [XENFEAT_hvm_pirqs]                  = "hvm_pirqs",
    [XENFEAT_dom0]                       = "dom0",
    [XENFEAT_memory_op_vnode_supported]  = "memory_op_vnode_supported",
    [XENFEAT_ARM_SMCCC_supported]        = "ARM_SMCCC_supported",
    [XENFEAT_linux_rsdp_unrestricted]    = "linux_rsdp_unrestricted",
    [XENFEAT_not_direct_mapped]          = "not_direct_mapped",
    [XENFEAT_direct_mapped]              = "direct_mapped",
};

static uint64_t read_le(const uint8_t *p, unsigned int size)
{
    uint64_t v = 0;

    while (size--)
        v = (v << 8) | p[size];
    return v;
}

/*
 * Copy at most @n bytes of @src, stopping at a NUL, into @dst[@size] for
 * display: truncated, always terminated, non-printables replaced by '?' so
 * an error line stays one line.
 */
static void copy_printable(char *dst, size_t size, const char *src, size_t n)
{
    size_t i;

    for (i = 0; i + 1 < size && i < n && src[i] != '\0'; i++)
        dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
    dst[i] = '\0';
}

static void copy_str(char *dst, const char *src)
{
    copy_printable(dst, ELF_IMAGE_STR_LEN, src, SIZE_MAX);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool contains(const char *s, const char *needle)
{
    for (; *s != '\0'; s++)
        if (starts_with(s, needle))
            return true;
    return false;
}

static bool has_nul(const uint8_t *p, size_t n)
{
    while (n--)
        if (*p++ == '\0')
            return true;
    return false;
}

/*
 * Parse FEATURES: names separated by '|', each optionally prefixed with
 * '!' for "required" (required features are also supported). Unknown
 * names are ignored unless required, as in Xen.
 */
static int parse_features(struct elf_image_info *ei, const char *s)
{
    const char *tok, *end;
    char shown[ELF_IMAGE_STR_LEN];
    bool required;
    size_t n;
    unsigned int i;

    for (tok = s; *tok != '\0'; tok = *end ? end + 1 : end) {
        end = strchr(tok, '|');
        if (end == NULL)
            end = tok + strlen(tok);
        required = *tok == '!';
        if (required)
            tok++;
        n = (size_t)(end - tok);
        for (i = 0; i < ARRAY_SIZE(feature_names); i++)
            if (feature_names[i] && strlen(feature_names[i]) == n &&
                memcmp(feature_names[i], tok, n) == 0)
                break;
        if (i == ARRAY_SIZE(feature_names)) {
            if (!required)
                continue;
            copy_printable(shown, sizeof(shown), tok, n);
            return fail(ei, -EINVAL, "ELF: FEATURES requires unknown feature '%s'", shown);
        }
        ei->f_supported |= 1u << i;
        if (required)
            ei->f_required |= 1u << i;
    }
    return 0;
}

/*
 * Decode one "Xen" note of @type with descriptor @desc[0, @descsz), which
 * sits in @padded bytes (descsz rounded up to the note alignment, all inside
 * the image). A string's NUL may be in that padding: Linux's FEATURES note
 * counts only the characters, as Xen's libelf accepts.
 */
static int parse_xen_note(struct elf_image_info *ei, uint32_t type, const uint8_t *desc,
                          uint32_t descsz, uint64_t padded)
{
    const char *name, *str = (const char *)desc;
    uint64_t val = 0;

    if (type > XEN_ELFNOTE_MAX || xen_notes[type].kind == NOTE_NONE)
        return 0;
    name = xen_notes[type].name;

    switch (xen_notes[type].kind) {
    case NOTE_NUM:
        if (descsz != 1 && descsz != 2 && descsz != 4 && descsz != 8)
            return fail(ei, -EINVAL, "ELF: note %s has a %u-byte value (want 4 or 8)", name,
                        descsz);
        val = read_le(desc, descsz);
        break;
    case NOTE_STR:
        if (!has_nul(desc, padded))
            return fail(ei, -EINVAL, "ELF: note %s is not a NUL-terminated string", name);
        break;
    case NOTE_BITMAP:
        if (descsz == 0 || descsz % 4 != 0)
            return fail(ei, -EINVAL, "ELF: note %s has a %u-byte bitmap (want 4-byte words)",
                        name, descsz);
        break;
    case NOTE_PAIR:
        if (descsz != 16)
            return fail(ei, -EINVAL, "ELF: note %s has %u bytes (want two 8-byte values)", name,
                        descsz);
        break;
    case NOTE_NONE:
        break;
    }
    ei->notes_seen |= 1u << type;
    ei->nr_xen_notes++;

    switch (type) {
    case XEN_ELFNOTE_ENTRY:
        ei->has_entry = true;
        ei->virt_entry = val;
        break;
    case XEN_ELFNOTE_HYPERCALL_PAGE:
        ei->has_hypercall_page = true;
        ei->hypercall_page = val;
        break;
    case XEN_ELFNOTE_VIRT_BASE:
        ei->has_virt_base = true;
        ei->virt_base = val;
        break;
    case XEN_ELFNOTE_PADDR_OFFSET:
        ei->has_paddr_offset = true;
        ei->paddr_offset = val;
        break;
    case XEN_ELFNOTE_XEN_VERSION:
        copy_str(ei->xen_version, str);
        break;
    case XEN_ELFNOTE_GUEST_OS:
        copy_str(ei->guest_os, str);
        break;
    case XEN_ELFNOTE_GUEST_VERSION:
        copy_str(ei->guest_version, str);
        break;
    case XEN_ELFNOTE_LOADER:
        copy_str(ei->loader, str);
        break;
    case XEN_ELFNOTE_PAE_MODE:
        if (strcmp(str, "yes") == 0)
            ei->pae = ELF_PAE_YES;
        if (contains(str, "bimodal"))
            ei->pae = ELF_PAE_BIMODAL;
        break;
    case XEN_ELFNOTE_FEATURES:
        return parse_features(ei, str);
    case XEN_ELFNOTE_BSD_SYMTAB:
        if (strcmp(str, "yes") == 0)
            return fail(ei, -EOPNOTSUPP, "ELF: BSD_SYMTAB (loading a BSD symbol table) "
                        "is not supported");
        break;
    case XEN_ELFNOTE_HV_START_LOW:
        ei->has_hv_start_low = true;
        ei->hv_start_low = val;
        break;
    case XEN_ELFNOTE_L1_MFN_VALID:
        ei->has_l1_mfn_valid = true;
        ei->l1_mfn_valid_mask = read_le(desc, 8);
        ei->l1_mfn_valid_value = read_le(desc + 8, 8);
        break;
    case XEN_ELFNOTE_SUSPEND_CANCEL:
        ei->suspend_cancel = val != 0;
        break;
    case XEN_ELFNOTE_INIT_P2M:
        ei->has_init_p2m = true;
        ei->init_p2m = val;
        break;
    case XEN_ELFNOTE_MOD_START_PFN:
        ei->mod_start_pfn = val != 0;
        break;
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        /* Submap 0 is the only one (XENFEAT_NR_SUBMAPS); later words are ignored. */
        ei->has_supported_features = true;
        ei->f_supported |= (uint32_t)read_le(desc, 4);
        break;
    case XEN_ELFNOTE_PHYS32_ENTRY:
        ei->has_phys32_entry = true;
        ei->phys32_entry = (uint32_t)val;
        break;
    }
    return 0;
}

/*
 * Walk the notes in @image[@off, @off + @size) (already known to be inside
 * the image), decoding those named "Xen". Bytes too few for a note header
 * at the end are padding and ignored, as libelf ignores them; a note whose
 * name or descriptor runs past the end is an error. @what names the
 * container in messages. Returns the number of Xen notes or -errno.
 */
static int walk_notes(struct elf_image_info *ei, uint64_t off, uint64_t size, const char *what,
                      unsigned int idx, unsigned int *total)
{
    const uint8_t *p = ei->image + off;
    struct elf64_nhdr nh;
    uint64_t pos = 0, namesz, descsz;
    int found = 0, rc;

    while (size - pos >= sizeof(nh)) {
        if (++*total > ELF_MAX_NOTES)
            return fail(ei, -EINVAL, "ELF: more than %u notes", ELF_MAX_NOTES);
        memcpy(&nh, p + pos, sizeof(nh));
        namesz = ROUNDUP((uint64_t)nh.n_namesz, NOTE_ALIGN);
        descsz = ROUNDUP((uint64_t)nh.n_descsz, NOTE_ALIGN);
        pos += sizeof(nh);
        if (namesz > size - pos || descsz > size - pos - namesz)
            return fail(ei, -EINVAL, "ELF: note at offset 0x%lx runs past the end of %s %u",
                        (unsigned long)(off + pos - sizeof(nh)), what, idx);
        /* The name "Xen", NUL-terminated inside n_namesz (or exactly 3 bytes). */
        if (nh.n_namesz >= 3 && memcmp(p + pos, "Xen", 3) == 0 &&
            (nh.n_namesz == 3 || p[pos + 3] == '\0')) {
            rc = parse_xen_note(ei, nh.n_type, p + pos + namesz, nh.n_descsz, descsz);
            if (rc)
                return rc;
            found++;
        }
        pos += namesz + descsz;
    }
    return found;
}

/* Whether a section is named "__xen_guest" (the pre-2006 notes format). */
static bool has_xen_guest_section(const struct elf_image_info *ei)
{
    static const char want[] = "__xen_guest";
    struct elf64_shdr strtab, sh;
    unsigned int i;

    if (ei->shstrndx == 0 || ei->shstrndx >= ei->shnum)
        return false;
    read_shdr(ei, ei->shstrndx, &strtab);
    if (!in_image(strtab.sh_offset, strtab.sh_size, ei->image_len))
        return false;
    for (i = 1; i < ei->shnum; i++) {
        read_shdr(ei, i, &sh);
        if (sh.sh_name < strtab.sh_size && strtab.sh_size - sh.sh_name >= sizeof(want) &&
            memcmp(ei->image + strtab.sh_offset + sh.sh_name, want, sizeof(want)) == 0)
            return true;
    }
    return false;
}

static int read_all_notes(struct elf_image_info *ei)
{
    struct elf64_phdr ph;
    struct elf64_shdr sh;
    unsigned int i, total = 0, found = 0;
    int n;

    for (i = 0; i < ei->phnum; i++) {
        read_phdr(ei, i, &ph);
        /* Some binutils leave p_offset 0 in note segments; libelf skips those. */
        if (ph.p_type != PT_NOTE || ph.p_offset == 0)
            continue;
        if (!in_image(ph.p_offset, ph.p_filesz, ei->image_len))
            return fail(ei, -EINVAL, "ELF: program header %u extends past the end of the image",
                        i);
        n = walk_notes(ei, ph.p_offset, ph.p_filesz, "program header", i, &total);
        if (n < 0)
            return n;
        found += (unsigned int)n;
    }
    /* Like libelf, any note named "Xen" counts, even of a type it ignores. */
    if (found != 0)
        return 0;

    /* No Xen notes in segments: libelf falls back to SHT_NOTE sections. */
    for (i = 1; i < ei->shnum; i++) {
        read_shdr(ei, i, &sh);
        if (sh.sh_type != SHT_NOTE)
            continue;
        if (!in_image(sh.sh_offset, sh.sh_size, ei->image_len))
            return fail(ei, -EINVAL, "ELF: section %u extends past the end of the image", i);
        n = walk_notes(ei, sh.sh_offset, sh.sh_size, "section", i, &total);
        if (n < 0)
            return n;
        found += (unsigned int)n;
    }
    if (found != 0) {
        ei->notes_from_sections = true;
        return 0;
    }

    if (has_xen_guest_section(ei))
        return fail(ei, -EOPNOTSUPP, "ELF: legacy __xen_guest section is not supported; "
                    "the kernel needs Xen ELF notes");
    return fail(ei, -EINVAL, "ELF: no Xen ELF notes: not a Xen PV kernel");
}

/* ---- Xen's checks ---------------------------------------------------------- */

/* libelf's elf_xen_note_check(), for PV. */
static int check_notes(struct elf_image_info *ei)
{
    if (!starts_with(ei->loader, "generic") && !starts_with(ei->guest_os, "linux"))
        return fail(ei, -EINVAL, "ELF: kernel is neither for the generic loader nor Linux "
                    "(LOADER '%s', GUEST_OS '%s')", ei->loader, ei->guest_os);
    if (!starts_with(ei->xen_version, "xen-3.0"))
        return fail(ei, -EINVAL, "ELF: XEN_VERSION is '%s', expected 'xen-3.0'",
                    ei->xen_version);
    return 0;
}

/* libelf's elf_xen_addr_calc_check(), for PV. */
static int check_addresses(struct elf_image_info *ei)
{
    if (ei->has_paddr_offset && !ei->has_virt_base)
        return fail(ei, -EINVAL, "ELF: PADDR_OFFSET given without VIRT_BASE");
    /* Defaults: VIRT_BASE 0; PADDR_OFFSET 0 (virt_base only for __xen_guest). */
    if (!ei->has_virt_base)
        ei->virt_base = 0;
    if (!ei->has_paddr_offset)
        ei->paddr_offset = 0;
    if (!ei->has_entry)
        ei->virt_entry = ei->e_entry;

    ei->virt_offset = ei->virt_base - ei->paddr_offset;
    ei->virt_kstart = ei->pstart + ei->virt_offset;
    ei->virt_kend = ei->pend + ei->virt_offset;

    if (ei->virt_kstart > ei->virt_kend)
        return fail(ei, -EINVAL, "ELF: kernel wraps the address space (0x%lx-0x%lx)",
                    (unsigned long)ei->virt_kstart, (unsigned long)ei->virt_kend);
    if (ei->virt_base > ei->virt_kstart)
        return fail(ei, -EINVAL, "ELF: VIRT_BASE 0x%lx is above the kernel start 0x%lx",
                    (unsigned long)ei->virt_base, (unsigned long)ei->virt_kstart);
    if (ei->virt_entry < ei->virt_kstart || ei->virt_entry > ei->virt_kend)
        return fail(ei, -EINVAL, "ELF: entry 0x%lx is outside the kernel 0x%lx-0x%lx",
                    (unsigned long)ei->virt_entry, (unsigned long)ei->virt_kstart,
                    (unsigned long)ei->virt_kend);
    if (ei->has_init_p2m && ei->init_p2m >= ei->virt_kstart && ei->init_p2m < ei->virt_kend)
        return fail(ei, -EINVAL, "ELF: INIT_P2M 0x%lx is inside the kernel 0x%lx-0x%lx",
                    (unsigned long)ei->init_p2m, (unsigned long)ei->virt_kstart,
                    (unsigned long)ei->virt_kend);
    return 0;
}

int elf_image_xen_parse(struct elf_image_info *ei)
{
    int rc;

    rc = read_all_notes(ei);
    if (rc)
        return rc;
    rc = check_notes(ei);
    if (rc)
        return rc;
    return check_addresses(ei);
}

int elf_image_parse(struct elf_image_info *ei, const void *image, size_t len)
{
    int rc;

    rc = elf_image_init(ei, image, len);
    if (rc)
        return rc;
    return elf_image_xen_parse(ei);
}

int elf_image_check_dom0(struct elf_image_info *ei, uint32_t hv_features)
{
    uint32_t missing = ei->f_required & ~hv_features;
    unsigned int bit;

    /* Xen tests f_supported, which FEATURES names feed too. */
    if (ei->has_supported_features && !(ei->f_supported & (1u << XENFEAT_dom0)))
        return fail(ei, -EINVAL, "ELF: kernel does not support dom0 operation "
                    "(no XENFEAT_dom0 in SUPPORTED_FEATURES)");
    if (missing) {
        bit = (unsigned int)__builtin_ctz(missing);
        return fail(ei, -EINVAL, "ELF: kernel requires feature %s, which Keel lacks",
                    feature_names[bit] ? feature_names[bit] : "(unnamed)");
    }
    return 0;
}
