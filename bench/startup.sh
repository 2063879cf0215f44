#!/usr/bin/env bash
# Start-up of meshdns from one YAML file of N ServiceEntries (90 % exact hosts, 10 % wildcards): time from
# exec to the first correct answer for the LAST entry's host, and RSS once loaded. Compares with a
# baseline binary when BASELINE_BINARY is set. Loopback only; needs dig.
#   MESHDNS_BINARY=out/meshdns [BASELINE_BINARY=/path/to/old/meshdns] [SIZES="1000 10000 100000"] bench/startup.sh
set -euo pipefail

: "${MESHDNS_BINARY:?set MESHDNS_BINARY to the meshdns binary to measure}"
SIZES=${SIZES:-1000 10000 100000}
PORT=${PORT:-15353}
TIMEOUT_S=${TIMEOUT_S:-120}
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PID=

now_ms() { date +%s%3N; }

# One file, multi-document; entry i has host h<i>.bench.global (or *.w<i>.bench.global) and one address.
generate() {
  awk -v n="$1" 'BEGIN {
    for (i = 0; i < n; i++) {
      host = (i % 10 == 9) ? "\"*.w" i ".bench.global\"" : "h" i ".bench.global"
      printf "---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: e%d\n  namespace: bench\n", i
      printf "spec:\n  hosts: [%s]\n  addresses: [240.%d.%d.%d]\n  resolution: STATIC\n", host, int(i / 65536) % 256, int(i / 256) % 256, i % 256
    }
  }' > "$2"
}

# Prints "wall_ms cpu_ms rss_mb" for one run of binary $1 on file $2 whose last host is $3 answering $4.
measure() {
  local start end
  start=$(now_ms)
  "$1" --from-file="$2" --dns-listen="127.0.0.1:$PORT" --grpc-listen=off --http-listen=off --log-level=error &
  PID=$!
  until [[ $(dig +short +tries=1 +time=1 @127.0.0.1 -p "$PORT" "$3" A 2>/dev/null) == "$4" ]]; do
    (( $(now_ms) - start < TIMEOUT_S * 1000 )) || { echo "timeout" >&2; kill "$PID"; return 1; }
    sleep 0.02
  done
  end=$(now_ms)
  local rss cpu
  rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")
  # CPU time (user + system) until the answer: steadier than wall time on a busy machine.
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.0f", ($12 + $13) * 1000 / hz }' "/proc/$PID/stat")
  kill "$PID"; wait "$PID" 2>/dev/null || true
  PID=
  echo "$((end - start)) $cpu $rss"
}

echo "| entries | binary | exec → first answer (ms) | CPU until then (ms) | RSS after load (MB) |"
echo "|---:|---|---:|---:|---:|"
for n in $SIZES; do
  file="$WORK/entries-$n.yaml"
  generate "$n" "$file"
  touch -d '-1 min' "$file" # written well before start, as a mounted ConfigMap is (a fresher file is waited for as being written)
  last=$((n - 1))
  if (( last % 10 == 9 )); then host="x.w$last.bench.global"; else host="h$last.bench.global"; fi
  addr="240.$(( last / 65536 % 256 )).$(( last / 256 % 256 )).$(( last % 256 ))"
  for label in baseline new; do
    bin=$MESHDNS_BINARY
    if [[ $label == baseline ]]; then bin=${BASELINE_BINARY:-}; [[ -n $bin ]] || continue; fi
    read -r ms cpu rss < <(measure "$bin" "$file" "$host" "$addr")
    echo "| $n | $label | $ms | $cpu | $rss |"
  done
done
