#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds cache/linux/initramfs.cpio.gz: a static busybox (from Debian's
# busybox-static, downloaded, not installed), the Xen driver modules of the
# cached kernel, the static test helper keel-check (tests/dom0/keel-check.c)
# and an /init for dom0 Linux.
# Usage: mkinitramfs.sh [output]
#
# /init mounts proc, sys and devtmpfs, prints "KEEL-DOM0: init started" on
# the console, loads the Xen modules (xen-privcmd, xenfs, xen-evtchn,
# xen-gntdev, xen-gntalloc and what they depend on), printing "KEEL-DOM0: modules:
# loaded=<names> failed=<names>", mounts xenfs at /proc/xen, then:
#   - with keel.test=<check>[,<check>...] on the kernel command line, runs
#     each check in order, printing one line each,
#       KEEL-DOM0: RESULT: PASS|FAIL <check>[: key=value ...][ why=...]
#     and powers off (poweroff -f: Linux's SCHEDOP_shutdown, no init
#     system to stop);
#   - otherwise runs a shell on the console (make run), where keel-check
#     is on the PATH too.
# Checks:
#   boot       init ran
#   modules    every Xen module loaded; the /dev/xen nodes exist
#   cpus       nproc, /proc/cpuinfo's processors, /sys's online CPUs
#   mem        MemTotal (memtotal_kb=)
#   xen        /sys/hypervisor type and version, xenfs mounted at /proc/xen,
#              /proc/xen/capabilities
#   hypercall  keel-check hypercall: xen_version through privcmd
#   evtchn     keel-check evtchn: VIRQ binds, a loopback pair notified
#   ptframes   keel-check ptframes: Keel's typed page-table frame count
#   grants     keel-check grants: a page granted with gntalloc, mapped with gntdev
#   storm      keel-check storm: fork/exec storm and memory stress with that
#              count around them; keel.storm=<forks>:<MiB>:<rounds> sizes
#              it (default 2000:256:4)
# An unknown check FAILs. The keel-check checks are described in
# tests/dom0/keel-check.c.
#
# Needs cpio, gzip, binutils' objcopy, xz (for .ko.xz modules) and a host
# gcc with a static libc (libc6-dev); scripts/install-deps.sh test installs
# cpio. The kernel's module tree must be cached (scripts/fetch-linux.sh).
# The busybox binary is cached as cache/linux/busybox; the archive is
# rebuilt on every run (it takes a moment) and is byte-identical for the
# same inputs.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${KEEL_LINUX_CACHE:-$repo/cache/linux}
out=${1:-$cache/initramfs.cpio.gz}

die() { echo "mkinitramfs: $*" >&2; exit 1; }

for tool in cpio gzip dpkg-deb apt-get objcopy "${HOSTCC:=gcc}"; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' is missing (scripts/install-deps.sh test installs cpio)"
done

# The kernel whose modules go in: fetch-linux.sh's cache.
[ -f "$cache/VERSION" ] && [ -f "$cache/MODULES" ] ||
  die "no cached kernel in $cache (run scripts/fetch-linux.sh, or 'make linux-image')"
kver=$(cat "$cache/VERSION")
moddir=$cache/$(cat "$cache/MODULES")
[ -d "$moddir/kernel" ] || die "$moddir has no kernel/ module tree (run scripts/fetch-linux.sh)"
# What /init loads; their dependencies are added ahead of them.
modules_wanted="xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc"

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

# ---- Xen modules ------------------------------------------------------------
# A module's file (.ko, .ko.xz or .ko.zst) under the tree; '-' and '_' are
# the same in module names.
module_file() {
  local pat=${1//[-_]/[-_]}
  find "$moddir/kernel" \( -name "$pat.ko" -o -name "$pat.ko.xz" -o -name "$pat.ko.zst" \) |
    LC_ALL=C sort | head -n1
}
# Its dependencies: modules.dep when depmod has run (Debian's package ships
# none, its postinst makes it), else the .modinfo section's depends=.
module_deps() {
  local f=$1 name rel
  if [ -f "$moddir/modules.dep" ]; then
    rel=${f#"$moddir"/}
    sed -n "s|^$rel:||p" "$moddir/modules.dep" | tr ' ' '\n' | sed -n 's|.*/||; s|\.ko.*||p'
    return
  fi
  case "$f" in
    *.xz) xz -dc "$f" >"$tmp/modinfo.ko" ;;
    *.zst) zstd -qdc "$f" >"$tmp/modinfo.ko" ;;
    *) cp "$f" "$tmp/modinfo.ko" ;;
  esac
  objcopy -O binary --only-section=.modinfo "$tmp/modinfo.ko" "$tmp/modinfo" ||
    die "objcopy cannot read the .modinfo of $f"
  tr '\0' '\n' <"$tmp/modinfo" | sed -n 's/^depends=//p' | tr ',' '\n' | sed '/^$/d'
}
# Appends $1, after its dependencies, to $order (once each).
order=
add_module() {
  local name=$1 f dep
  case " $order " in *" $name "*) return ;; esac
  f=$(module_file "$name")
  [ -n "$f" ] || die "module $name is not in $moddir/kernel"
  for dep in $(module_deps "$f"); do
    add_module "$dep"
  done
  mkdir -p "$root/lib/modules/$kver"
  # busybox insmod takes a plain .ko: decompress here.
  case "$f" in
    *.xz) xz -dc "$f" >"$root/lib/modules/$kver/$name.ko" || die "xz cannot decompress $f" ;;
    *.zst) zstd -qdc "$f" >"$root/lib/modules/$kver/$name.ko" || die "zstd cannot decompress $f" ;;
    *) cp "$f" "$root/lib/modules/$kver/$name.ko" ;;
  esac
  order="$order $name"
}
for m in $modules_wanted; do
  add_module "$m"
done
# One name a line, dependencies first: /init loads them in this order.
printf '%s\n' $order >"$root/etc/keel-modules"
echo "mkinitramfs: modules for $kver:$order"

# ---- keel-check -------------------------------------------------------------
"$HOSTCC" -static -O2 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wpointer-arith \
  -Wwrite-strings -Wmissing-prototypes -I"$repo/include" -I"$repo/hypervisor/include" \
  -o "$root/bin/keel-check" "$repo/tests/dom0/keel-check.c" ||
  die "cannot build tests/dom0/keel-check.c statically (a static libc: libc6-dev)"
strip "$root/bin/keel-check" 2>/dev/null || true

cat >"$root/init" <<'EOF'
#!/bin/sh
# Keel's dom0 test init (scripts/mkinitramfs.sh).
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
echo "KEEL-DOM0: init started"

# The Xen modules, dependencies first (/etc/keel-modules).
loaded= failed=
for m in $(cat /etc/keel-modules); do
  if insmod "/lib/modules/$(uname -r)/$m.ko" 2>/tmp/insmod.err; then
    loaded="$loaded${loaded:+,}$m"
  else
    failed="$failed${failed:+,}$m"
    echo "KEEL-DOM0: insmod $m: $(cat /tmp/insmod.err)"
  fi
done
echo "KEEL-DOM0: modules: loaded=${loaded:-none} failed=${failed:-none}"
# xenfs makes /proc/xen (CONFIG_XEN_COMPAT_XENFS) when it loads.
if mount -t xenfs xenfs /proc/xen 2>/tmp/mount.err; then
  echo "KEEL-DOM0: xenfs mounted at /proc/xen"
else
  echo "KEEL-DOM0: cannot mount xenfs at /proc/xen: $(cat /tmp/mount.err)"
fi

checks= storm=2000:256:4
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    keel.test=*) checks=${arg#keel.test=} ;;
    keel.storm=*) storm=${arg#keel.storm=} ;;
  esac
done

check=
result() {
  echo "KEEL-DOM0: RESULT: $1 $check${2:+: $2}"
}
# result of "keel-check <args>": its line, PASS when it exits 0.
helper() {
  out=$(keel-check "$@" 2>&1)
  if [ $? -eq 0 ]; then result PASS "$out"; else result FAIL "$out"; fi
}

run_check() {
  case "$check" in
    boot) result PASS ;;
    modules)
      nodes=
      for n in privcmd evtchn gntdev gntalloc; do
        [ -c /dev/xen/$n ] && nodes="$nodes${nodes:+,}$n"
      done
      why=
      [ -z "$failed" ] || why=" why=not loaded: $failed"
      [ "$nodes" = privcmd,evtchn,gntdev,gntalloc ] || why="$why why=/dev/xen has only '$nodes'"
      result "$([ -z "$why" ] && echo PASS || echo FAIL)" \
        "loaded=${loaded:-none} failed=${failed:-none} devices=${nodes:-none}$why" ;;
    cpus)
      n=$(nproc)
      c=$(grep -c '^processor' /proc/cpuinfo)
      o=$(cat /sys/devices/system/cpu/online)
      if [ "$n" = "$c" ]; then result PASS "nproc=$n cpuinfo=$c online=$o"
      else result FAIL "nproc=$n cpuinfo=$c online=$o why=nproc and cpuinfo differ"; fi ;;
    mem)
      result PASS "memtotal_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo)" ;;
    xen)
      type=$(cat /sys/hypervisor/type 2>/dev/null)
      major=$(cat /sys/hypervisor/version/major 2>/dev/null)
      minor=$(cat /sys/hypervisor/version/minor 2>/dev/null)
      extra=$(cat /sys/hypervisor/version/extra 2>/dev/null)
      xenfs=no
      grep -q '^xenfs /proc/xen xenfs ' /proc/mounts && xenfs=yes
      caps=$(cat /proc/xen/capabilities 2>/dev/null)
      out="type=${type:-missing} major=${major:-missing} minor=${minor:-missing}"
      out="$out extra=${extra:-missing} xenfs=$xenfs capabilities=${caps:-missing}"
      if [ "$type" = xen ] && [ $xenfs = yes ]; then result PASS "$out"
      else result FAIL "$out why=not xen, or no xenfs"; fi ;;
    hypercall | evtchn | ptframes | grants) helper "$check" ;;
    storm)
      IFS=: read -r forks mib rounds <<STORM
$storm
STORM
      helper storm "$forks" "$mib" "$rounds" ;;
    *) result FAIL "unknown check" ;;
  esac
}

if [ -n "$checks" ]; then
  for check in $(echo "$checks" | tr , ' '); do
    run_check
  done
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
