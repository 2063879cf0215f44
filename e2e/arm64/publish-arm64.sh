#!/usr/bin/env bash
# Cross-compiles the meshdns NativeAOT binary for linux-arm64 on an x64 Debian 12 machine.
#
#   e2e/arm64/publish-arm64.sh [OUT_DIR]     (default: out-arm64, relative to the repository root)
#
# Installs the cross toolchain when it is missing, publishes with the same bar as .ci/run (no
# IL/CS/NETSDK warning, nor any other build or linker warning; the binary under 15 MiB) and prints the
# size. Exit code 0 on success.
#
# How the cross link works: the ILCompiler targets add --target=aarch64-linux-gnu to the link line by
# themselves whenever the target architecture differs from the host's, so the linker must be clang (gcc
# rejects --target). clang finds Debian's cross layout (/usr/aarch64-linux-gnu, /usr/lib/gcc-cross) on
# its own; SysRoot must stay unset, since with --sysroot=/usr/aarch64-linux-gnu ld prefixes the absolute
# paths inside that folder's libc.so script a second time. LinkerFlavor stays bfd: clang then runs
# aarch64-linux-gnu-ld.bfd. The symbol stripper (StripSymbols) must read aarch64 ELF: the host objcopy
# cannot, llvm-objcopy is not always there, aarch64-linux-gnu-objcopy is.
#
# Build outputs go to e2e/arm64/.build (ArtifactsPath), so the arm64 build never writes into the
# bin/ and obj/ folders of src/ that the x64 publish uses.
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo" || exit 1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

out="${1:-out-arm64}"
case "$(realpath -m "$out")" in
  / | "$repo" | "$repo/src" | "$repo/out") echo "publish-arm64: refusing to use $out as the output folder"; exit 1 ;;
esac
artifacts="$repo/e2e/arm64/.build"
limit=$((15 * 1024 * 1024)) # the same threshold as .ci/run

# 1. The cross toolchain (Debian packages), installed only when missing.
clang_cmd=""
for c in clang clang-14; do
  if command -v "$c" >/dev/null 2>&1; then clang_cmd="$c"; break; fi
done
need=()
[ -n "$clang_cmd" ] || { need+=(clang-14); clang_cmd=clang-14; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
for p in binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu libc6-dev-arm64-cross; do
  installed "$p" || need+=("$p")
done
if ((${#need[@]})); then
  echo "installing: ${need[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } ||
    { echo "apt-get install ${need[*]} failed"; exit 1; }
fi
command -v dotnet >/dev/null 2>&1 || { echo "the .NET SDK (dotnet) is not on PATH"; exit 1; }

# 2. Publish.
props=(
  -p:CppCompilerAndLinker="$clang_cmd"
  -p:ObjCopyName=aarch64-linux-gnu-objcopy
  -p:ArtifactsPath="$artifacts"
)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rm -rf "$out"
echo "dotnet publish src/MeshDns -c Release -r linux-arm64 -o $out ${props[*]}"
start=$(date +%s.%N)
if ! dotnet publish src/MeshDns -c Release -r linux-arm64 -o "$out" "${props[@]}" 2>&1 | tee "$log"; then
  echo "publish failed"; exit 1
fi
seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

# The .ci/run bar (warning IL/CS/NETSDK...), widened to any MSBuild code and to native tool warnings
# ("clang : warning : ...", "ld.bfd: warning: ...") that a cross link could add.
if grep -E "warning [A-Z]+[0-9]+|: warning( :|:)" "$log"; then
  echo "publish printed warnings (above)"; exit 1
fi
bin="$out/meshdns"
[ -f "$bin" ] || { echo "no binary at $bin"; exit 1; }
# ELF e_machine (2 bytes at offset 18) is 183 for aarch64.
machine=$(od -An -tu2 -j18 -N2 "$bin" | tr -d ' ')
[ "$machine" = 183 ] || { echo "$bin is not an aarch64 ELF (e_machine $machine)"; exit 1; }
command -v file >/dev/null 2>&1 && file "$bin"
size=$(stat -c %s "$bin")
echo "meshdns linux-arm64 binary: $size bytes ($bin), published in ${seconds}s"
if [ "$size" -ge "$limit" ]; then
  echo "binary is 15 MB or larger"; exit 1
fi
