/* SPDX-License-Identifier: MIT */
/*
 * Wraps the flat hypervisor image in a 32-bit ELF, the only ELF class
 * QEMU's multiboot loader accepts. GRUB's multiboot2 loader takes it too.
 * KEEL_BIN is the image from KEEL_PHYS_START; KEEL_BSS_SIZE is the zeroed
 * tail the loaders must reserve behind it.
 */
        .section .image, "awx"
        .incbin KEEL_BIN

        .section .bss
        .space  KEEL_BSS_SIZE
