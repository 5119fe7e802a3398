#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches Debian's current amd64 kernel into cache/linux/ (git-ignored).
# Usage: fetch-linux.sh [--dbg]
#
# The kernel package is whatever apt's candidate linux-image-amd64 depends
# on (linux-image-<abi>-amd64): the ABI number is never written here. The
# script downloads that .deb, unpacks it to cache/linux/pkg/ (kept: the
# frontend modules xen-blkfront.ko and xen-netfront.ko are under
# pkg/lib/modules/<ver>/kernel/drivers/{block,net}/), and leaves:
#   cache/linux/vmlinuz-<ver>   the bzImage (tests/unit globs this name)
#   cache/linux/vmlinuz         a symlink to it
#   cache/linux/VERSION         <ver>, e.g. 6.1.0-NN-amd64
#   cache/linux/MODULES         the path of its module tree
# With --dbg it also takes System.map-<ver> (and the symlink System.map)
# out of linux-image-<ver>-dbg, which is large: only the map is kept.
#
# Idempotent: when VERSION already names the version apt resolves and the
# files are there, it does nothing. With apt unreachable it keeps using a
# complete cache and says so.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${KEEL_LINUX_CACHE:-$repo/cache/linux}
want_dbg=0
case "${1:-}" in
  "") ;;
  --dbg) want_dbg=1 ;;
  *) echo "fetch-linux: unknown option '$1' (only --dbg)" >&2; exit 2 ;;
esac

die() { echo "fetch-linux: $*" >&2; exit 1; }

for tool in apt-cache apt-get dpkg-deb tar; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing: this needs a Debian host with apt"
done

# The kernel package behind the meta-package, as apt's candidate sees it.
resolve() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *|\{0,1\}Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
}

cached_ver=
[ -f "$cache/VERSION" ] && cached_ver=$(cat "$cache/VERSION")
complete() {
  local v=$1
  [ -n "$v" ] && [ -f "$cache/vmlinuz-$v" ] && [ -d "$cache/pkg/lib/modules/$v" ] &&
    [ "$(readlink "$cache/vmlinuz" 2>/dev/null)" = "vmlinuz-$v" ] &&
    { [ $want_dbg -eq 0 ] || [ -f "$cache/System.map-$v" ]; }
}

pkg=$(resolve)
if [ -z "$pkg" ]; then
  # apt's lists may be empty on a fresh machine: one update, as root.
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -q >/dev/null 2>&1 || true
    pkg=$(resolve)
  fi
fi
if [ -z "$pkg" ]; then
  if complete "$cached_ver"; then
    echo "fetch-linux: apt cannot resolve linux-image-amd64; using the cached $cached_ver"
    exit 0
  fi
  die "apt cannot resolve linux-image-amd64 to a linux-image-<abi>-amd64 package (run 'apt-get update' as root?)"
fi
ver=${pkg#linux-image-}

if complete "$ver"; then
  echo "fetch-linux: $ver is cached in $cache"
  exit 0
fi

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# apt-get download writes into the current directory; as root it drops to
# the _apt user, which must be able to write there.
download() {
  (cd "$tmp" && chmod 777 . && apt-get download -q "$1" >"$tmp/apt.log" 2>&1) ||
    die "apt-get download $1 failed: $(grep -m1 -E '^(E|W):' "$tmp/apt.log" || tail -n1 "$tmp/apt.log")"
  ls "$tmp"/"$1"_*.deb >/dev/null 2>&1 || die "apt-get download $1 left no .deb"
}

if ! [ -f "$cache/vmlinuz-$ver" ] || ! [ -d "$cache/pkg/lib/modules/$ver" ]; then
  echo "fetch-linux: downloading $pkg"
  download "$pkg"
  rm -rf "$tmp/pkg"
  dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/pkg" || die "dpkg-deb cannot unpack $pkg"
  [ -f "$tmp/pkg/boot/vmlinuz-$ver" ] || die "$pkg has no boot/vmlinuz-$ver"
  [ -d "$tmp/pkg/lib/modules/$ver" ] || die "$pkg has no lib/modules/$ver"
  rm -rf "$cache/pkg"
  mv "$tmp/pkg" "$cache/pkg"
  cp "$cache/pkg/boot/vmlinuz-$ver" "$cache/.vmlinuz-$ver.new"
  mv "$cache/.vmlinuz-$ver.new" "$cache/vmlinuz-$ver"
fi

if [ $want_dbg -eq 1 ] && ! [ -f "$cache/System.map-$ver" ]; then
  echo "fetch-linux: downloading $pkg-dbg for its System.map (a large package)"
  download "$pkg-dbg"
  # Only the map: the unstripped vmlinux would add hundreds of MiB.
  dpkg-deb --fsys-tarfile "$tmp"/"$pkg"-dbg_*.deb |
    tar -x -C "$tmp" --wildcards "./usr/lib/debug/boot/System.map-$ver" ||
    die "$pkg-dbg has no usr/lib/debug/boot/System.map-$ver"
  mv "$tmp/usr/lib/debug/boot/System.map-$ver" "$cache/System.map-$ver"
fi

# Older versions' files go, so the unit tests' vmlinuz-* glob finds one.
for f in "$cache"/vmlinuz-* "$cache"/System.map-*; do
  [ -e "$f" ] || continue
  case "$f" in
    */vmlinuz-"$ver" | */System.map-"$ver") ;;
    *) rm -f "$f" ;;
  esac
done
ln -sfn "vmlinuz-$ver" "$cache/vmlinuz"
if [ -f "$cache/System.map-$ver" ]; then
  ln -sfn "System.map-$ver" "$cache/System.map"
else
  rm -f "$cache/System.map"
fi
echo "$ver" >"$cache/VERSION"
echo "pkg/lib/modules/$ver" >"$cache/MODULES"
echo "fetch-linux: $ver ready: $cache/vmlinuz -> vmlinuz-$ver"
