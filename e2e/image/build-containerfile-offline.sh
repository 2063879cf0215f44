#!/usr/bin/env bash
# Builds the real Containerfile on a machine that can pull no image, to test it: the two base images it
# names are replaced by local stand-ins made here, everything else runs as written.
#
#   e2e/image/build-containerfile-offline.sh [--tag meshdns:containerfile] [--platform linux/amd64]
#                                            [--target final] [--binary out/meshdns]
#
# LIBS_IMAGE  (debian:12-slim)  → a Debian 12 minbase root filesystem made with debootstrap
# BUILD_IMAGE (debian:12)       → the same plus this machine's .NET SDK (the SDK stage then skips installing
#                                  dotnet-sdk-10.0 from packages.microsoft.com, which is not reachable here)
#                                  and this machine's CA bundle as SSL_CERT_FILE, so that NuGet's TLS works
#                                  through this machine's network; the CA bundle never reaches the image
# --binary    skips the SDK stage: the published binary stands in for its output (--build-context build=)
# --platform linux/arm64 --target build  cross-compiles the arm64 binary in the SDK stage (the library
#             stage of an arm64 image needs arm64 emulation, which this machine lacks)
# podman 4.3 sets BUILDPLATFORM to the target platform, so the build platform is passed explicitly.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tag="meshdns:containerfile"
platform="linux/amd64"
target="final"
binary=""
base="localhost/meshdns-debian12-minbase:local"
sdk="localhost/meshdns-debian12-sdk:local"
while (($#)); do
  case "$1" in
    --tag) tag=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "build-containerfile-offline: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v podman >/dev/null || { echo "build-containerfile-offline: needs podman" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! podman image exists "$base"; then
  debootstrap=$(command -v debootstrap || echo /usr/sbin/debootstrap)
  [[ -x "$debootstrap" ]] || { echo "build-containerfile-offline: needs debootstrap (apt-get install debootstrap)" >&2; exit 2; }
  "$debootstrap" --variant=minbase bookworm "$work/root" http://deb.debian.org/debian >&2
  tar -C "$work/root" -c . | podman import - "$base" >&2
  rm -rf "$work/root"
fi

case "$(uname -m)" in x86_64) host=amd64 ;; aarch64) host=arm64 ;; *) echo "build-containerfile-offline: unsupported host $(uname -m)" >&2; exit 2 ;; esac
args=(build --network host --pull=never --platform "$platform" --target "$target" -f "$repo/Containerfile"
      --build-arg "BUILDPLATFORM=linux/$host" --build-arg "BUILDARCH=$host"
      --build-arg "LIBS_IMAGE=$base"
      --build-arg "SOURCE_REVISION=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || true)"
      --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t "$tag")
if [[ -n "$binary" ]]; then
  mkdir "$work/build" "$work/build/out"
  cp "$binary" "$work/build/out/meshdns"
  args+=(--build-context "build=$work/build")
else
  if ! podman image exists "$sdk"; then
    dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
    mkdir "$work/sdk"
    cp -a "$dotnet_root" "$work/sdk/dotnet"
    cp /etc/ssl/certs/ca-certificates.crt "$work/sdk/host-ca.crt"
    printf '%s\n' "FROM $base" "COPY dotnet /usr/share/dotnet" "COPY host-ca.crt /etc/ssl/host-ca.crt" \
      "RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet" \
      "ENV SSL_CERT_FILE=/etc/ssl/host-ca.crt NUGET_CERT_REVOCATION_MODE=offline" >"$work/sdk/Containerfile"
    podman build --network host --pull=never -t "$sdk" "$work/sdk" >&2
    rm -rf "$work/sdk"
  fi
  args+=(--build-arg "BUILD_IMAGE=$sdk")
fi
podman "${args[@]}" "$repo" >&2
echo "$tag"
