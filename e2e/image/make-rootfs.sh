#!/bin/sh
# Assembles the root filesystem of the MeshDns image: the binary and exactly what it loads at run time.
#
#   make-rootfs.sh BINARY ROOTFS [SYSROOT]
#
# BINARY   a published meshdns (linux-x64 or linux-arm64 NativeAOT)
# ROOTFS   the folder to fill (created; must not exist or be empty)
# SYSROOT  where the target's Debian 12 libraries are (default /): the host, or a folder into which
#          libc6 and libssl3 of the target architecture were unpacked
#
# What goes in, and why:
#   glibc (libc, libm, the dynamic loader)  the binary links against them (ldd lists exactly these)
#   libssl.so.3, libcrypto.so.3             .NET opens OpenSSL lazily (dlopen) for TLS to the API server;
#                                           ldd does not list them, but HTTPS fails without them
#   etc/passwd, etc/group                   uid/gid 1337 has a name (Istio's proxy uid)
#   etc/nsswitch.conf                       host names resolve through files then DNS
#   etc/ssl/certs/ca-certificates.crt       kubeconfig servers with publicly signed certificates
# Nothing else: no shell, no package manager, no coreutils. POSIX sh only: it also runs in debian:12-slim.
set -eu

binary=$1
rootfs=$2
sysroot=${3:-/}

[ -f "$binary" ] || { echo "make-rootfs: no binary at $binary" >&2; exit 2; }
if [ -d "$rootfs" ] && [ -n "$(ls -A "$rootfs")" ]; then
  echo "make-rootfs: $rootfs is not empty" >&2; exit 2
fi

# ELF e_machine (offset 18, little-endian): 0x3e x86-64, 0xb7 AArch64. The loader path is the one the
# binary names in its PT_INTERP; glibc's fixed per-architecture paths.
machine=$(od -An -tx1 -j18 -N1 "$binary" | tr -d ' \n')
case "$machine" in
  3e) triplet=x86_64-linux-gnu;  loader=ld-linux-x86-64.so.2; interp=/lib64/ld-linux-x86-64.so.2 ;;
  b7) triplet=aarch64-linux-gnu; loader=ld-linux-aarch64.so.1; interp=/lib/ld-linux-aarch64.so.1 ;;
  *) echo "make-rootfs: $binary is not an x86-64 or AArch64 ELF binary (e_machine 0x$machine)" >&2; exit 2 ;;
esac

# Debian keeps glibc in /lib/<triplet> and OpenSSL in /usr/lib/<triplet> (one folder on merged-/usr systems).
find_lib() {
  for dir in "$sysroot/lib/$triplet" "$sysroot/usr/lib/$triplet"; do
    if [ -e "$dir/$1" ]; then echo "$dir/$1"; return 0; fi
  done
  echo "make-rootfs: $1 not found for $triplet under $sysroot (install $2)" >&2
  exit 2
}

mkdir -p "$rootfs/usr/local/bin" "$rootfs/lib/$triplet" "$rootfs/etc/ssl/certs"
cp "$binary" "$rootfs/usr/local/bin/meshdns"
chmod 0755 "$rootfs/usr/local/bin/meshdns"
# Charts written for istio-coredns-plugin run /usr/local/bin/plugin with no arguments.
ln -s meshdns "$rootfs/usr/local/bin/plugin"

for lib in libc.so.6:libc6 libm.so.6:libc6 "$loader":libc6 libssl.so.3:libssl3 libcrypto.so.3:libssl3; do
  name=${lib%%:*}
  path=$(find_lib "$name" "${lib#*:}") || exit 2 # the subshell's exit does not stop this script
  cp -L "$path" "$rootfs/lib/$triplet/$name"
done
chmod 0755 "$rootfs/lib/$triplet/$loader"
mkdir -p "$rootfs$(dirname "$interp")"
[ -e "$rootfs$interp" ] || ln -s "/lib/$triplet/$loader" "$rootfs$interp"

certs="$sysroot/etc/ssl/certs/ca-certificates.crt"
[ -f "$certs" ] || { echo "make-rootfs: no $certs (install ca-certificates)" >&2; exit 2; }
cp -L "$certs" "$rootfs/etc/ssl/certs/ca-certificates.crt"

printf 'root:x:0:0:root:/nonexistent:/sbin/nologin\nmeshdns:x:1337:1337:meshdns:/nonexistent:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nmeshdns:x:1337:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

# Reproducible: fixed modes; the image builder sets owners (root) and the binary runs as 1337.
find "$rootfs" -type d -exec chmod 0755 {} +
chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group" "$rootfs/etc/nsswitch.conf" "$rootfs/etc/ssl/certs/ca-certificates.crt"
