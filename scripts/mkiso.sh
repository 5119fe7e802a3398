#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds a BIOS-bootable GRUB ISO that boots Keel with multiboot2.
# usage: mkiso.sh OUT.iso KEEL_ELF "KEEL_ARGS" [DOM0] ["DOM0_ARGS"] [INITRD]
set -euo pipefail
out=$1 keel=$2 keel_args=$3 dom0=${4:-} dom0_args=${5:-} initrd=${6:-}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$keel" "$root/boot/keel.elf"
{
  echo 'set timeout=0'
  echo 'set default=0'
  echo 'serial --unit=0 --speed=115200'
  echo 'terminal_input serial console'
  echo 'terminal_output serial console'
  echo 'menuentry "Keel" {'
  echo "  multiboot2 /boot/keel.elf $keel_args"
  if [ -n "$dom0" ]; then
    cp "$dom0" "$root/boot/dom0"
    echo "  module2 /boot/dom0 dom0 $dom0_args"
    if [ -n "$initrd" ]; then
      cp "$initrd" "$root/boot/initrd"
      echo "  module2 /boot/initrd initrd"
    fi
  fi
  echo '  boot'
  echo '}'
} > "$root/boot/grub/grub.cfg"
grub-mkrescue -d /usr/lib/grub/i386-pc -o "$out" "$root" 2>/dev/null ||
  { echo "mkiso: grub-mkrescue failed (are grub-pc-bin, xorriso and mtools installed?)" >&2; exit 1; }
