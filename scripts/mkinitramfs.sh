#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds cache/linux/initramfs.cpio.gz: a static busybox (from Debian's
# busybox-static, downloaded, not installed) and an /init for dom0 Linux.
# Usage: mkinitramfs.sh [output]
#
# /init mounts proc, sys and devtmpfs, prints "KEEL-DOM0: init started" on
# the console, then:
#   - with keel.test=<check> on the kernel command line, runs that check,
#     prints "KEEL-DOM0: RESULT: PASS|FAIL <check>[: why]" and powers off
#     (poweroff -f: Linux's SCHEDOP_shutdown, no init system to stop);
#   - otherwise runs a shell on the console (make run).
# Checks: boot (init ran), xen (/sys/hypervisor/type says xen), mem (prints
# MemTotal). An unknown check FAILs.
#
# Needs cpio and gzip (scripts/install-deps.sh test installs cpio). The
# busybox binary is cached as cache/linux/busybox; the archive is rebuilt
# on every run (it takes a moment) and is byte-identical for the same
# inputs.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${KEEL_LINUX_CACHE:-$repo/cache/linux}
out=${1:-$cache/initramfs.cpio.gz}

die() { echo "mkinitramfs: $*" >&2; exit 1; }

for tool in cpio gzip dpkg-deb apt-get; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' is missing (scripts/install-deps.sh test installs cpio)"
done

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if ! [ -x "$cache/busybox" ]; then
  echo "mkinitramfs: downloading busybox-static"
  # As root apt-get download drops to the _apt user, which must write here.
  chmod 777 "$tmp"
  (cd "$tmp" && apt-get download -q busybox-static >"$tmp/apt.log" 2>&1) ||
    die "apt-get download busybox-static failed: $(grep -m1 -E '^(E|W):' "$tmp/apt.log" || tail -n1 "$tmp/apt.log")"
  dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/pkg" || die "dpkg-deb cannot unpack busybox-static"
  [ -x "$tmp/pkg/bin/busybox" ] || die "busybox-static has no bin/busybox"
  # A dynamic busybox would need a libc the initramfs does not have.
  if command -v file >/dev/null 2>&1 && file "$tmp/pkg/bin/busybox" | grep -q 'dynamically linked'; then
    die "bin/busybox from busybox-static is dynamically linked"
  fi
  cp "$tmp/pkg/bin/busybox" "$cache/.busybox.new"
  mv "$cache/.busybox.new" "$cache/busybox"
  rm -rf "$tmp/pkg" "$tmp"/*.deb
fi

root=$tmp/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc}
cp "$cache/busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
# Only sh is linked here; /init installs the other applets at boot.
ln -s busybox "$root/bin/sh"
# The kernel opens /dev/console for init before anything is mounted; make
# the node when we may (root). Without it, /init reopens the console from
# devtmpfs itself.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

cat >"$root/init" <<'EOF'
#!/bin/sh
# Keel's dom0 test init (scripts/mkinitramfs.sh).
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
echo "KEEL-DOM0: init started"

check=
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    keel.test=*) check=${arg#keel.test=} ;;
  esac
done

result() {
  echo "KEEL-DOM0: RESULT: $1 $check${2:+: $2}"
}

if [ -n "$check" ]; then
  case "$check" in
    boot) result PASS ;;
    xen)
      type=$(cat /sys/hypervisor/type 2>/dev/null)
      if [ "$type" = xen ]; then result PASS
      else result FAIL "/sys/hypervisor/type is '${type:-missing}'"; fi ;;
    mem) result PASS "$(grep MemTotal /proc/meminfo)" ;;
    *) result FAIL "unknown check" ;;
  esac
  sync
  poweroff -f
  echo "KEEL-DOM0: poweroff -f returned"
  exec sleep 2147483647
fi

echo "KEEL-DOM0: no keel.test= given: starting a shell"
while true; do
  setsid cttyhack sh -l
done
EOF
chmod 755 "$root/init"

# Fixed times and order, no user names: the same inputs give the same archive.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
  cpio -o -H newc --reproducible --owner=0:0 --quiet) | gzip -9 -n >"$tmp/initramfs.cpio.gz" ||
  die "cpio or gzip failed"
mkdir -p "$(dirname "$out")"
mv "$tmp/initramfs.cpio.gz" "$out"
echo "mkinitramfs: $out ready ($(stat -c %s "$out") bytes)"
