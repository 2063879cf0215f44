#!/usr/bin/env bash
# Coverage-guided fuzzing of MeshDns's input surfaces with AFL++ (Debian afl++) and SharpFuzz.
#   tests/MeshDns.Fuzz/fuzz.sh TARGET SECONDS     one target (dns-udp, dns-tcp, watch, yaml, cli)
#   tests/MeshDns.Fuzz/fuzz.sh all SECONDS        every target, one after the other, SECONDS each
# Builds the harness, instruments MeshDns's assemblies and YamlDotNet with the SharpFuzz tool, runs afl-fuzz from
# the seed corpus (corpus/TARGET) with hang detection (-t, FUZZ_TIMEOUT_MS, default 2000), prints each run's
# figures, and exits 1 when any crash or hang was found, naming each input and how to reproduce it.
# Findings go to out/fuzz/TARGET (FUZZ_OUT to change). FUZZ_RESUME=1 continues an earlier run's queue.
# FUZZ_EXECS=N stops a target after about N executions (afl-fuzz -E), or at SECONDS, whichever comes first.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

targets=(dns-udp dns-tcp watch yaml cli)
sharpfuzz_version=2.3.0
# The harness and what it exercises; the rest (runtime, SharpFuzz itself) stays uninstrumented.
instrumented=(MeshDns.Wire.dll MeshDns.Core.dll MeshDns.Models.dll MeshDns.Sources.dll meshdns.dll YamlDotNet.dll)

usage() { echo "usage: $0 {dns-udp|dns-tcp|watch|yaml|cli|all} SECONDS" >&2; exit 2; }
[ $# -eq 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || usage
case "$1" in
  all) run=("${targets[@]}") ;;
  dns-udp|dns-tcp|watch|yaml|cli) run=("$1") ;;
  *) usage ;;
esac
seconds=$2
work="${FUZZ_OUT:-$repo/out/fuzz}"
timeout_ms="${FUZZ_TIMEOUT_MS:-2000}"
limit=("-V" "$seconds")
if [ -n "${FUZZ_EXECS:-}" ]; then
  [[ "$FUZZ_EXECS" =~ ^[1-9][0-9]*$ ]] || { echo "FUZZ_EXECS must be a positive number of executions" >&2; exit 2; }
  limit+=("-E" "$FUZZ_EXECS")
fi

command -v afl-fuzz >/dev/null 2>&1 || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 1; }
tool="$repo/.tools/sharpfuzz-$sharpfuzz_version"
if [ ! -x "$tool/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$tool" >/dev/null ||
    { echo "could not install SharpFuzz.CommandLine $sharpfuzz_version" >&2; exit 1; }
fi

# Build, then instrument a copy: the normal build output stays as it was.
if ! dotnet build tests/MeshDns.Fuzz -c Release -v q -nologo >"$work.build.log" 2>&1; then
  cat "$work.build.log"; echo "build failed" >&2; exit 1
fi
bin="$work/bin"
rm -rf "$bin" && mkdir -p "$bin" && cp -r tests/MeshDns.Fuzz/bin/Release/net10.0/. "$bin/"
for dll in "${instrumented[@]}"; do
  "$tool/sharpfuzz" "$bin/$dll" >/dev/null || { echo "instrumenting $dll failed" >&2; exit 1; }
done

# AFL++ in a shared sandbox: no core_pattern or CPU governor changes, no pinning to a core, no memory limit
# (the .NET runtime reserves far more address space than it uses); the runtime starts once (fork server init).
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
export AFL_FORKSRV_INIT_TMOUT=60000

field() { sed -n "s/^$1 *: *//p" "$2" | head -1; }

failed=0
for target in "${run[@]}"; do
  out="$work/$target"
  input=("-i" "$here/corpus/$target")
  if [ "${FUZZ_RESUME:-0}" = 1 ] && [ -d "$out/default/queue" ]; then
    input=("-i" "-")
  else
    rm -rf "$out"
  fi
  mkdir -p "$out"
  echo "fuzz $target: ${seconds} s, hang timeout ${timeout_ms} ms, findings in $out"
  afl-fuzz "${input[@]}" -o "$out" -t "$timeout_ms" -m none "${limit[@]}" -- "$bin/MeshDns.Fuzz" "$target" >"$out/afl.log" 2>&1
  rc=$?
  stats="$out/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    tail -n 30 "$out/afl.log"; echo "fuzz $target: afl-fuzz did not run (exit $rc; log $out/afl.log)"; failed=1; continue
  fi

  crashes=$(field saved_crashes "$stats"); hangs=$(field saved_hangs "$stats")
  echo "fuzz $target: $(field execs_done "$stats") executions in $(field run_time "$stats") s" \
    "($(field execs_per_sec "$stats")/s), $(field corpus_count "$stats") paths, $(field edges_found "$stats") edges," \
    "stability $(field stability "$stats"), $crashes crashes, $hangs hangs"
  for kind in crashes hangs; do
    shown=0
    for file in "$out/default/$kind"/id:*; do
      [ -e "$file" ] || continue
      if [ "$shown" -eq 5 ]; then echo "  (more $kind in $out/default/$kind)"; break; fi
      echo "  $kind: $file"
      echo "  reproduce: dotnet run --project tests/MeshDns.Fuzz -c Release -- $target '$file'"
      shown=$((shown + 1))
    done
  done
  if [ "$rc" -ne 0 ] || [ "${crashes:-1}" != 0 ] || [ "${hangs:-1}" != 0 ] || [ "$(field execs_done "$stats")" = 0 ]; then
    [ "$rc" -eq 0 ] || { tail -n 20 "$out/afl.log"; echo "fuzz $target: afl-fuzz exited with $rc"; }
    failed=1
  fi
done
exit "$failed"
