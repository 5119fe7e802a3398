#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages Keel's build, run and test need. Idempotent:
# it does nothing when everything is present.
# Usage: install-deps.sh [build|run|test|xenstore-ref]
set -euo pipefail

need_build=(gcc libc6-dev clang make binutils grub-common grub-pc-bin xorriso mtools)
need_run=(qemu-system-x86 cpio xz-utils)
# xen-utils-4.17 (without its recommends: no hypervisor, no GRUB changes)
# carries the real xenstore-control (Debian's /usr/bin one is a wrapper that
# needs a running Xen) and Debian's C xenstored, the reference the xenstore
# benchmark and XENSTORE_REFERENCE=1 test runs measure Keel's daemon against.
need_test=(libcmocka-dev libxen-dev python3-pytest libclang-rt-14-dev cpio xz-utils xenstore-utils
           xen-utils-4.17)
need_xenstore_ref=(libxen-dev xen-utils-4.17)

what=${1:-test}
wanted=("${need_build[@]}")
case "$what" in
  build) ;;
  run) wanted+=("${need_run[@]}") ;;
  test) wanted+=("${need_run[@]}" "${need_test[@]}") ;;
  xenstore-ref) wanted=("${need_xenstore_ref[@]}") ;;
  *) echo "install-deps: unknown set '$what' (build, run, test or xenstore-ref)" >&2; exit 2 ;;
esac

# QEMU must come from bookworm-backports (QEMU >= 10): Debian 12's QEMU 7.2
# pushes a wrong #GP error code for 'int n' from ring 3 under TCG, which
# breaks the PV trap path.
qemu_ok() {
  command -v qemu-system-x86_64 >/dev/null 2>&1 || return 1
  local major
  major=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p')
  [ -n "$major" ] && [ "$major" -ge 10 ]
}

missing=()
for p in "${wanted[@]}"; do
  if [ "$p" = qemu-system-x86 ]; then
    qemu_ok || missing+=("$p")
  elif ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: Keel needs these Debian packages: ${missing[*]}"
echo "  gcc/clang/binutils/make build the hypervisor; grub-*, xorriso, mtools make the boot ISO;"
echo "  qemu-system-x86 (from bookworm-backports) boots it; cmocka, clang's fuzzer runtime, libxen-dev (the reference"
echo "  ABI headers) and python3-pytest run the tests; xenstore-utils gives Debian's own xenstore clients"
echo "  (xenstore-read, -write, -ls, ...), run unchanged against Keel's xenstored by the xenstore tests;"
echo "  xen-utils-4.17 gives xenstore-control and Debian's C xenstored, the baseline of the xenstore"
echo "  benchmark (installed without recommends: no Xen hypervisor, no GRUB changes)."

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo
  else echo "install-deps: not root and no sudo: install ${missing[*]} by hand" >&2; exit 1; fi
fi

# Enable bookworm-backports by deriving it from this machine's own Debian
# source, so no mirror host name is written anywhere.
backports=/etc/apt/sources.list.d/keel-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | grep -v security | awk '{print $2}' | grep -i debian | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hs '^deb ' /etc/apt/sources.list | grep -v security | awk '{print $2}' | head -n1 || true)
  fi
  if [ -z "$uri" ]; then
    echo "install-deps: cannot find a Debian apt source to derive bookworm-backports from" >&2
    exit 1
  fi
  echo "install-deps: enabling bookworm-backports from $uri"
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
    $SUDO tee "$backports" >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q || { echo "install-deps: apt-get update failed" >&2; exit 1; }
plain=()
for p in "${missing[@]}"; do [ "$p" = qemu-system-x86 ] || plain+=("$p"); done
if [ ${#plain[@]} -gt 0 ]; then
  $SUDO apt-get install -y -q --no-install-recommends "${plain[@]}" ||
    { echo "install-deps: apt-get install ${plain[*]} failed" >&2; exit 1; }
fi
if [[ " ${missing[*]} " == *" qemu-system-x86 "* ]]; then
  $SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports qemu-system-x86 ||
    { echo "install-deps: cannot install qemu-system-x86 from bookworm-backports" >&2; exit 1; }
  qemu_ok || { echo "install-deps: QEMU >= 10 is still missing after install" >&2; exit 1; }
fi
echo "install-deps: done"
