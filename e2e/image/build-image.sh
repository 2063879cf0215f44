#!/usr/bin/env bash
# Builds the MeshDns image from an already published binary, pulling nothing: the Containerfile's final
# stage with its `rootfs` stage replaced by a folder assembled here from the binary and this machine's
# Debian 12 libraries (make-rootfs.sh). The result is the image `docker build` makes, for machines
# without a registry.
#
#   e2e/image/build-image.sh [--binary out/meshdns] [--tag meshdns:dev] [--engine podman|docker|buildah]
#                            [--sysroot /] [--archive meshdns.tar]
#
# --sysroot  where the binary's architecture's libc6/libssl3/ca-certificates live (default: the host)
# --archive  also save the image as a docker-archive tarball (what `ctr images import` and k3s take)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
binary="$repo/out/meshdns"
tag="meshdns:dev"
engine=""
sysroot="/"
archive=""
while (($#)); do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --engine) engine=$2; shift 2 ;;
    --sysroot) sysroot=$2; shift 2 ;;
    --archive) archive=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "build-image: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "$engine" ]]; then
  for candidate in podman buildah docker; do
    if command -v "$candidate" >/dev/null; then engine=$candidate; break; fi
  done
fi
[[ -n "$engine" ]] || { echo "build-image: no podman, buildah or docker on PATH" >&2; exit 2; }
[[ -f "$binary" ]] || { echo "build-image: no binary at $binary (dotnet publish src/MeshDns -c Release -o out)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sh "$repo/e2e/image/make-rootfs.sh" "$binary" "$work/rootfs" "$sysroot"
mkdir "$work/context" # the final stage reads nothing from the build context

# The image's architecture is the binary's, as make-rootfs.sh read it (an arm64 binary makes a linux/arm64
# image; the final stage has no RUN, so no emulation is needed).
if [[ -d "$work/rootfs/lib/aarch64-linux-gnu" ]]; then arch=arm64; else arch=amd64; fi

version="$("$binary" --version 2>/dev/null | awk '{print $2}' | cut -d+ -f1 || true)"
revision="$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || true)"
args=(build --target final -f "$repo/Containerfile" --build-context "rootfs=$work/rootfs" --platform "linux/$arch"
      --build-arg "TARGETARCH=$arch" --build-arg "BUILDARCH=$arch"
      --build-arg "VERSION=${version:-0.1.0}" --build-arg "SOURCE_REVISION=$revision"
      --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t "$tag")
case "$engine" in
  buildah) buildah bud "${args[@]:1}" "$work/context" >&2 ;;
  *) "$engine" "${args[@]}" "$work/context" >&2 ;;
esac

if [[ -n "$archive" ]]; then
  rm -f "$archive"
  case "$engine" in
    docker) docker save -o "$archive" "$tag" ;;
    *) "$engine" push "$tag" "docker-archive:$archive:$tag" >&2 ;;
  esac
fi

size=$("$engine" image inspect --format '{{.Size}}' "$tag" 2>/dev/null || echo "?")
echo "built $tag with $engine: $size bytes (binary $(stat -c %s "$binary") bytes)" >&2
echo "$tag"
