/* SPDX-License-Identifier: MIT */
/*
 * XZ (LZMA2) decompression in one call, for the dom0 builder: the whole
 * compressed input and the whole output buffer are in memory, and the output
 * buffer doubles as the LZMA2 dictionary, so the decoder needs only a small
 * fixed workspace from the caller (XZ_WORKSPACE_SIZE) and no allocator.
 *
 * Supported: the .xz container (one or more streams, stream padding, any
 * number of blocks per stream, index), integrity checks "none", CRC32 and
 * CRC64 (verified), and the filter chains LZMA2 and x86 BCJ + LZMA2 (what
 * Linux's scripts/xz_wrap.sh produces for x86 kernels). Rejected as
 * unsupported (-EINVAL): SHA-256 and the reserved check types, and every
 * other filter (delta, the non-x86 BCJs, ARM64, RISC-V).
 *
 * A Linux bzImage payload is an .xz stream followed by the kernel's 4-byte
 * little-endian uncompressed size; pass payload_length - 4 bytes here.
 *
 * Input is untrusted: every malformed input is rejected with an error, and
 * the work done is linear in in_len + out_cap.
 */
#ifndef KEEL_XZ_H
#define KEEL_XZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bytes of workspace xz_decode() needs; any alignment (the decoder aligns
 * the pointer itself). Checked against the real need at compile time.
 */
#define XZ_WORKSPACE_SIZE   (40u * 1024u)

/*
 * Total uncompressed size of the .xz file @in[0..in_len), read from the
 * stream footers and indexes (walking backwards from the end, as
 * "xz --list" does), so a caller can size the output buffer before
 * decoding. Validates the container structure (magic bytes, header, footer
 * and index CRC32s, sizes adding up) but not the compressed data.
 * Returns 0 and sets *@size, or -EINVAL if the input is not a well-formed
 * .xz file or the total does not fit a size_t.
 */
int xz_uncompressed_size(const uint8_t *in, size_t in_len, size_t *size);

/*
 * Decompress the .xz file @in[0..in_len) into @out[0..out_cap). @work is
 * scratch memory of @work_len >= XZ_WORKSPACE_SIZE bytes, any alignment,
 * that must not overlap @in or @out. @in and @out must not overlap.
 * Every stream in the file is decoded and fully verified: block and index
 * CRC32s, the integrity check of every block, the sizes in block headers and
 * the index against the decoded data.
 * Returns 0 and sets *@out_len to the number of bytes written, or
 *   -EINVAL  the input is corrupt, truncated or uses an unsupported feature
 *            (check type or filter, see above); also for NULL pointers
 *   -ENOSPC  the output does not fit in out_cap bytes
 *   -ENOMEM  work_len is smaller than XZ_WORKSPACE_SIZE
 * On error, *@out_len is untouched and @out[0..out_cap) holds unspecified
 * (partly decoded) bytes.
 */
int xz_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
              size_t *out_len, void *work, size_t work_len);

#endif
