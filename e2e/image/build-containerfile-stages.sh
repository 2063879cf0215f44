#!/usr/bin/env bash
# Builds the Containerfile's library and final stages for real, from an already published binary, on a
# machine that cannot pull images: the `build` stage is replaced by a folder holding out/meshdns
# (--build-context build=DIR), and the library stage's Debian 12 base is a minbase root filesystem made
# here with debootstrap (the library stage's apt-get then runs against Debian's mirror as usual).
#
#   e2e/image/build-containerfile-stages.sh [--binary out/meshdns] [--tag meshdns:containerfile]
#
# Only the SDK stage (publishing inside the container) is left out; .ci/run publishes the same way.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
binary="$repo/out/meshdns"
tag="meshdns:containerfile"
base="localhost/meshdns-debian12-minbase:local"
while (($#)); do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    *) echo "build-containerfile-stages: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -f "$binary" ]] || { echo "build-containerfile-stages: no binary at $binary" >&2; exit 2; }
command -v podman >/dev/null || { echo "build-containerfile-stages: needs podman" >&2; exit 2; }

if ! podman image exists "$base"; then
  command -v debootstrap >/dev/null || { echo "build-containerfile-stages: needs debootstrap (apt-get install debootstrap)" >&2; exit 2; }
  root="$(mktemp -d)"
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >&2
  tar -C "$root" -c . | podman import - "$base" >&2
fi

build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
mkdir "$build/out"
cp "$binary" "$build/out/meshdns"
podman build --network host --pull=never --target final -f "$repo/Containerfile" \
  --build-arg "LIBS_IMAGE=$base" --build-context "build=$build" \
  --build-arg "SOURCE_REVISION=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || true)" \
  --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t "$tag" "$repo" >&2
echo "$tag"
