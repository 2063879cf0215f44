#!/usr/bin/env bash
# Scale: for N ServiceEntries (SCALE_SIZES, default 1 1000 10000 100000) from the file source and from the Kubernetes source
# (the test suite's API server), the time from exec to the first right answer, RSS after load and after the changes,
# and change → answer p50/p90/p99/max over SCALE_CHANGES (default 200) single changes (SCALE_SOURCES: files, kubernetes or both). Given a second binary (today's
# main, say), runs it too, right before this one at each size: before and after in one table.
#   MESHDNS_BINARY=out/meshdns bench/scale.sh [BEFORE_BINARY]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."
: "${MESHDNS_BINARY:=out/meshdns}"
sizes=${SCALE_SIZES:-1 1000 10000 100000}
changes=${SCALE_CHANGES:-200}
sources=${SCALE_SOURCES:-files kubernetes}
before=${1:-}
[ -x "$MESHDNS_BINARY" ] || { echo "no binary at $MESHDNS_BINARY: publish it (dotnet publish src/MeshDns -c Release -o out)" >&2; exit 2; }
[ -z "$before" ] || [ -x "$before" ] || { echo "no binary at $before" >&2; exit 2; }
dotnet build bench/MeshDns.PropagationBench -c Release -v q -nologo >/dev/null
bench=bench/MeshDns.PropagationBench/bin/Release/net10.0/MeshDns.PropagationBench

log=$(mktemp /tmp/meshdns-scale.XXXXXX.log)
echo "(burst figures and any failure's output: $log)" >&2
BENCH_LABEL=binary "$bench" header
for source in $sources; do
  for n in $sizes; do
    if [ -n "$before" ]; then
      MESHDNS_BINARY="$before" BENCH_LABEL=before "$bench" "$source" "$n" "$changes" 2>>"$log"
    fi
    MESHDNS_BINARY="$MESHDNS_BINARY" BENCH_LABEL=after "$bench" "$source" "$n" "$changes" 2>>"$log"
  done
done
