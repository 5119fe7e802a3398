/* SPDX-License-Identifier: MIT */
/*
 * Wraps the flat hypervisor image in a 32-bit ELF, the only ELF class
 * QEMU's multiboot loader accepts. GRUB's multiboot2 loader takes it too.
 * KEEL_BIN is the image from KEEL_PHYS_START; KEEL_BSS_SIZE is the rest of
 * the image up to __image_phys_end (alignment gap and .bss), all zeros. The tail is stored as file-backed zeros, not as a NOBITS section:
 * QEMU's multiboot loader places the boot information right after the file
 * contents of the segment, which would otherwise land inside .bss.
 */
        .section .image, "awx"
        .incbin KEEL_BIN
        .space  KEEL_BSS_SIZE
