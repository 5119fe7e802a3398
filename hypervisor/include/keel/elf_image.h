/* SPDX-License-Identifier: MIT */
/*
 * PV kernel images: the Linux bzImage wrapper, the ELF64 kernel inside it
 * and the "Xen" ELF notes that tell a domain builder where and how to load
 * it. Shared by the hypervisor's dom0 builder and the toolstack's domain
 * builder, so it is portable C: every function works on an untrusted byte
 * buffer and its length, and rejects anything malformed with a negative
 * errno and one line of text in the result's err[] buffer.
 *
 * A builder's sequence:
 *
 *   bzimage_probe(mod, len, &bz)     -ENOENT: not a bzImage, @mod is the ELF
 *                                    0, BZ_PAYLOAD_ELF: bz.payload is the ELF
 *                                    0, BZ_PAYLOAD_XZ: decompress bz.payload
 *   elf_image_parse(&ei, elf, len)   headers, PT_LOADs, Xen notes, checks
 *   elf_image_check_dom0(&ei, feat)  dom0 only
 *   elf_image_load(&ei, dst, size)   size >= ei.pend - ei.pstart
 *
 * Nothing here allocates or keeps state between calls; the structures
 * point into the caller's image, which must outlive them.
 */
#ifndef KEEL_ELF_IMAGE_H
#define KEEL_ELF_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Size of every err[] buffer: one line, NUL included. */
#define ELF_IMAGE_ERR_LEN   128
/* Size of the note string copies (longer strings are truncated). */
#define ELF_IMAGE_STR_LEN   32

/* ---- bzImage ------------------------------------------------------------ */

/* What the protected-mode payload of a bzImage is, by its leading magic. */
enum bz_payload {
    BZ_PAYLOAD_UNKNOWN,
    BZ_PAYLOAD_ELF,     /* uncompressed vmlinux */
    BZ_PAYLOAD_XZ,      /* the only compression Keel decompresses */
    BZ_PAYLOAD_GZIP,
    BZ_PAYLOAD_BZIP2,
    BZ_PAYLOAD_LZMA,
    BZ_PAYLOAD_LZO,
    BZ_PAYLOAD_LZ4,
    BZ_PAYLOAD_ZSTD,
};

struct bzimage_info {
    uint16_t protocol;          /* boot protocol, 0x020f for 2.15 */
    unsigned int setup_sects;   /* 512-byte real-mode sectors (0 read as 4) */
    enum bz_payload format;
    const uint8_t *payload;     /* inside the image given to bzimage_probe() */
    size_t payload_len;
    /*
     * Decompressed size the kernel build appends as the payload's last four
     * bytes (little-endian); 0 for an ELF payload. Untrusted: a hint for
     * sizing the output buffer, which the decompressor must still bound.
     * Those four bytes are not part of the xz stream: hand xz_decode()
     * payload_len - 4 bytes.
     */
    uint32_t uncompressed_len;
    char err[ELF_IMAGE_ERR_LEN];
};

/*
 * Recognise a Linux bzImage in @image[0, @len) and locate its payload.
 * Returns 0 if the payload is an ELF or xz stream (@bz->format says which),
 * -ENOENT if @image has no bzImage header (it may be a plain ELF), -EINVAL
 * for a malformed bzImage (truncated header, boot signature missing,
 * protocol older than 2.08, payload outside the image, unrecognised payload)
 * and -EOPNOTSUPP for a payload compressed with anything but xz. On every
 * error but -ENOENT, @bz->err holds the reason.
 */
int bzimage_probe(const void *image, size_t len, struct bzimage_info *bz);

/* "xz", "gzip", ...: the name of @format for messages. */
const char *bzimage_payload_name(enum bz_payload format);

/* ---- ELF kernel and Xen notes ------------------------------------------- */

/* XEN_ELFNOTE_PAE_MODE; meaningless for a 64-bit kernel (Xen ignores it). */
enum elf_pae_mode {
    ELF_PAE_NO,
    ELF_PAE_YES,        /* "yes": extended-cr3 capable */
    ELF_PAE_BIMODAL,    /* contains "bimodal" */
};

struct elf_image_info {
    /* ELF view (elf_image_init). */
    const uint8_t *image;       /* the caller's buffer, not copied */
    size_t image_len;
    uint16_t e_type;            /* ET_EXEC or ET_DYN */
    uint16_t phnum;
    uint16_t shnum;             /* 0 if there is no section header table */
    uint16_t shstrndx;
    uint64_t phoff;
    uint64_t shoff;
    uint64_t e_entry;           /* ELF entry (physical for Linux; not the PV entry) */
    unsigned int nr_load;       /* loadable PT_LOADs (type PT_LOAD, some of R/W/X) */
    uint64_t pstart;            /* lowest p_paddr of the loadable segments */
    uint64_t pend;              /* highest p_paddr + p_memsz, exclusive */

    /* Xen notes, as found (elf_image_xen_parse). */
    uint32_t notes_seen;        /* bit n: a "Xen" note of type n was read */
    unsigned int nr_xen_notes;  /* "Xen" notes of the types decoded here */
    bool notes_from_sections;   /* read from SHT_NOTE sections, not PT_NOTE */
    bool has_virt_base;
    bool has_paddr_offset;
    bool has_entry;
    bool has_hypercall_page;
    bool has_init_p2m;
    bool has_hv_start_low;
    bool has_l1_mfn_valid;
    bool has_phys32_entry;
    bool has_supported_features;
    bool suspend_cancel;        /* SUSPEND_CANCEL != 0 */
    bool mod_start_pfn;         /* MOD_START_PFN != 0: initrd may stay unmapped */
    enum elf_pae_mode pae;
    uint64_t hypercall_page;    /* VA, if has_hypercall_page */
    uint64_t init_p2m;          /* VA of the P2M list, if has_init_p2m */
    uint64_t hv_start_low;      /* 32-bit guests only */
    uint64_t l1_mfn_valid_mask;
    uint64_t l1_mfn_valid_value;
    uint32_t phys32_entry;      /* PVH entry; unused for PV */
    /* XENFEAT_* bitmaps: FEATURES names ORed with SUPPORTED_FEATURES. */
    uint32_t f_supported;
    uint32_t f_required;        /* FEATURES names with a '!' prefix */
    char xen_version[ELF_IMAGE_STR_LEN];
    char guest_os[ELF_IMAGE_STR_LEN];
    char guest_version[ELF_IMAGE_STR_LEN];
    char loader[ELF_IMAGE_STR_LEN];

    /* Derived addresses, after the defaults Xen applies (elf_image_xen_parse). */
    uint64_t virt_base;         /* VIRT_BASE, or 0 */
    uint64_t paddr_offset;      /* PADDR_OFFSET, or 0 */
    uint64_t virt_offset;       /* virt_base - paddr_offset (mod 2^64) */
    uint64_t virt_kstart;       /* pstart + virt_offset */
    uint64_t virt_kend;         /* pend + virt_offset, exclusive */
    uint64_t virt_entry;        /* ENTRY, or e_entry: the initial RIP */

    char err[ELF_IMAGE_ERR_LEN];
};

/*
 * Validate the ELF64 header and program headers of @image[0, @len) and
 * compute pstart/pend. Needs a little-endian x86-64 ET_EXEC/ET_DYN image
 * whose header tables and loadable segments lie inside @len, with
 * p_filesz <= p_memsz, no p_paddr + p_memsz overflow, and at least one
 * loadable segment; overlapping segments may not add up to more than twice
 * pend - pstart (Xen's copy budget). Returns 0, -ENOEXEC
 * if @image is not ELF at all, -EINVAL for anything else wrong.
 */
int elf_image_init(struct elf_image_info *ei, const void *image, size_t len);

/*
 * After elf_image_init(): read the "Xen" notes (PT_NOTE segments, else
 * SHT_NOTE sections), apply Xen's defaults and checks: LOADER "generic" or
 * GUEST_OS "linux", XEN_VERSION "xen-3.0*", VIRT_BASE <= virt_kstart <=
 * virt_entry <= virt_kend, INIT_P2M outside [virt_kstart, virt_kend).
 * Returns 0, -EINVAL (no Xen notes, malformed note, a check failed) or
 * -EOPNOTSUPP (legacy __xen_guest section, BSD_SYMTAB).
 */
int elf_image_xen_parse(struct elf_image_info *ei);

/* elf_image_init() then elf_image_xen_parse(); returns the first error. */
int elf_image_parse(struct elf_image_info *ei, const void *image, size_t len);

/*
 * Dom0-only checks on a parsed image: if it has a SUPPORTED_FEATURES note,
 * XENFEAT_dom0 must be supported; every required feature must be in
 * @hv_features (the XENFEAT_* bitmap the hypervisor implements for the
 * guest, which may exceed what XENVER_get_features reports). Returns 0 or
 * -EINVAL.
 */
int elf_image_check_dom0(struct elf_image_info *ei, uint32_t hv_features);

/*
 * After elf_image_init(): zero @dest[0, pend - pstart), then copy each
 * loadable segment's p_filesz bytes to @dest + (p_paddr - pstart) and zero
 * it up to p_memsz, in program-header order (later segments win where they
 * overlap). Re-checks every header against the image and @dest_len, so an
 * image changed since elf_image_init() cannot make it write out of bounds.
 * Returns 0, -ENOSPC if @dest_len < pend - pstart, -EINVAL if the image
 * changed.
 */
int elf_image_load(struct elf_image_info *ei, void *dest, size_t dest_len);

#endif
