/* SPDX-License-Identifier: MIT */
/*
 * Linux bzImage recognition (Documentation/arch/x86/boot.rst): find the
 * compressed vmlinux a PV builder must unpack, and name its compression.
 *
 * The setup header sits at 0x1f1 in the boot sector. A bzImage has the
 * boot signature 0xAA55 at 0x1fe and "HdrS" at 0x202; protocol 2.08 added
 * payload_offset/payload_length (0x248/0x24c), which Xen requires too. The
 * protected-mode part starts after the (setup_sects + 1) real-mode sectors
 * (setup_sects 0 means 4), and the payload offset counts from there.
 *
 * The image is untrusted: the header is read byte by byte within the
 * length already checked, and the payload bounds are summed in 64 bits.
 * No state; nothing is decompressed here (that is keel/xz.h's job).
 */
#include <keel/elf_image.h>
#include <keel/errno.h>
#include <keel/lib.h>

#define BZ_SETUP_SECTS      0x1f1
#define BZ_BOOT_FLAG        0x1fe
#define BZ_HEADER_MAGIC     0x202
#define BZ_VERSION          0x206
#define BZ_PAYLOAD_OFFSET   0x248
#define BZ_PAYLOAD_LENGTH   0x24c
#define BZ_HEADER_END       0x250   /* through payload_length */
#define BZ_BOOT_FLAG_VALUE  0xaa55
#define BZ_MIN_VERSION      0x0208  /* payload fields exist */
#define BZ_SECTOR           512u

static const struct {
    enum bz_payload format;
    const char *name;
    uint8_t len;
    uint8_t magic[9];
} payload_magics[] = {
    { BZ_PAYLOAD_ELF,   "ELF",   4, { 0x7f, 'E', 'L', 'F' } },
    { BZ_PAYLOAD_XZ,    "xz",    6, { 0xfd, '7', 'z', 'X', 'Z', 0x00 } },
    { BZ_PAYLOAD_GZIP,  "gzip",  2, { 0x1f, 0x8b } },
    { BZ_PAYLOAD_GZIP,  "gzip",  2, { 0x1f, 0x9e } },   /* old gzip, as Xen accepts */
    { BZ_PAYLOAD_BZIP2, "bzip2", 3, { 'B', 'Z', 'h' } },
    { BZ_PAYLOAD_LZMA,  "lzma",  3, { 0x5d, 0x00, 0x00 } },
    { BZ_PAYLOAD_LZO,   "lzo",   9, { 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a } },
    { BZ_PAYLOAD_LZ4,   "lz4",   4, { 0x02, 0x21, 0x4c, 0x18 } },   /* legacy frame */
    { BZ_PAYLOAD_ZSTD,  "zstd",  4, { 0x28, 0xb5, 0x2f, 0xfd } },
};

static int __printf(3, 4) bz_fail(struct bzimage_info *bz, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(bz->err, sizeof(bz->err), fmt, ap);
    va_end(ap);
    return rc;
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

const char *bzimage_payload_name(enum bz_payload format)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(payload_magics); i++)
        if (payload_magics[i].format == format)
            return payload_magics[i].name;
    return "unknown";
}

int bzimage_probe(const void *image, size_t len, struct bzimage_info *bz)
{
    const uint8_t *p = image;
    uint64_t start, off, size;
    unsigned int i;

    memset(bz, 0, sizeof(*bz));
    if (len < BZ_VERSION || memcmp(p + BZ_HEADER_MAGIC, "HdrS", 4) != 0)
        return bz_fail(bz, -ENOENT, "bzImage: no setup header");
    if (len < BZ_HEADER_END)
        return bz_fail(bz, -EINVAL, "bzImage: setup header truncated (%lu bytes)",
                       (unsigned long)len);
    if (le16(p + BZ_BOOT_FLAG) != BZ_BOOT_FLAG_VALUE)
        return bz_fail(bz, -EINVAL, "bzImage: boot sector signature 0x%04x, expected 0xaa55",
                       le16(p + BZ_BOOT_FLAG));
    bz->protocol = (uint16_t)le16(p + BZ_VERSION);
    if (bz->protocol < BZ_MIN_VERSION)
        return bz_fail(bz, -EINVAL, "bzImage: boot protocol %u.%02u, at least 2.08 is required",
                       bz->protocol >> 8, bz->protocol & 0xff);

    bz->setup_sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : 4;
    start = (uint64_t)(bz->setup_sects + 1) * BZ_SECTOR;
    off = le32(p + BZ_PAYLOAD_OFFSET);
    size = le32(p + BZ_PAYLOAD_LENGTH);
    if (size == 0)
        return bz_fail(bz, -EINVAL, "bzImage: empty payload");
    if (start + off > len || size > len - (start + off))
        return bz_fail(bz, -EINVAL, "bzImage: payload (0x%lx bytes at 0x%lx) extends past "
                       "the end of the image (0x%lx bytes)", (unsigned long)size,
                       (unsigned long)(start + off), (unsigned long)len);
    bz->payload = p + start + off;
    bz->payload_len = size;

    for (i = 0; i < ARRAY_SIZE(payload_magics); i++)
        if (size >= payload_magics[i].len &&
            memcmp(bz->payload, payload_magics[i].magic, payload_magics[i].len) == 0)
            break;
    if (i == ARRAY_SIZE(payload_magics)) {
        bz->format = BZ_PAYLOAD_UNKNOWN;
        return bz_fail(bz, -EINVAL, "bzImage: payload format not recognised "
                       "(starts %02x %02x %02x %02x)", bz->payload[0],
                       size > 1 ? bz->payload[1] : 0, size > 2 ? bz->payload[2] : 0,
                       size > 3 ? bz->payload[3] : 0);
    }
    bz->format = payload_magics[i].format;
    if (bz->format != BZ_PAYLOAD_ELF && size >= 4)
        bz->uncompressed_len = le32(bz->payload + size - 4);

    if (bz->format != BZ_PAYLOAD_ELF && bz->format != BZ_PAYLOAD_XZ)
        return bz_fail(bz, -EOPNOTSUPP, "bzImage: unsupported compression %s "
                       "(Keel decompresses xz only; CONFIG_KERNEL_XZ)", payload_magics[i].name);
    return 0;
}
