#!/usr/bin/env bash
# gRPC (CoreDNS DnsService/Query over h2c) throughput and server CPU per request of meshdns, driven
# by h2load with the same settings the istio-coredns-plugin figures were taken with (c8 m16).
# Loopback only. See bench/README-h2load.md.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

DURATION=${BENCH_SECONDS:-15}
RUNS=${BENCH_RUNS:-2}
CLIENTS=${BENCH_CLIENTS:-8}
STREAMS=${BENCH_STREAMS:-16}
THREADS=${BENCH_THREADS:-1}
NAME=${BENCH_NAME:-service1.test.global}
WANT=${BENCH_WANT:-127.255.0.2}
EXAMPLES=${BENCH_EXAMPLES:-$REPO_ROOT/examples}
OUT_DIR=${BENCH_OUT_DIR:-$REPO_ROOT/bench/results}
KEEP=${BENCH_KEEP:-0}
HZ=$(getconf CLK_TCK)
# Reference: original istio-coredns-plugin, h2load -c 8 -m 16, on this kind of machine.
REF_LO=72000
REF_HI=84000
REF_CPU_US="18–22"
PATH_Q=/coredns.dns.DnsService/Query

die() { echo "h2load.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for v in DURATION RUNS CLIENTS STREAMS THREADS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done

# ---------------------------------------------------------------------------------------------
# Tools: h2load and nghttp come from nghttp2-client.
if ! command -v h2load >/dev/null || ! command -v nghttp >/dev/null; then
  log "installing nghttp2-client"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get install -y nghttp2-client >&2 \
    || { timeout 300 apt-get update >&2 && timeout 300 apt-get install -y nghttp2-client >&2; } \
    || die "could not install nghttp2-client"
fi
for t in h2load nghttp python3 ss getconf awk; do
  command -v "$t" >/dev/null || die "missing '$t'"
done
H2LOAD_VERSION=$(h2load --version 2>&1 | head -1)
h2load --help 2>&1 | grep -q -- '--duration' || die "this h2load ($H2LOAD_VERSION) has no -D/--duration"

# meshdns binary: $MESHDNS_BINARY, else out/meshdns (not built here).
MESHDNS=${MESHDNS_BINARY:-$REPO_ROOT/out/meshdns}
[[ -x $MESHDNS ]] || die "$MESHDNS is not an executable file (set MESHDNS_BINARY or publish to out/)"
MESHDNS=$(readlink -f "$MESHDNS")
MESHDNS_VERSION=$("$MESHDNS" --version 2>/dev/null | head -1 || true)

# ---------------------------------------------------------------------------------------------
# Cleanup and a watchdog bounding the whole run.
TMP=$(mktemp -d -t meshdns-h2load.XXXXXX)
SERVER_PID=
WATCHDOG=

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n $WATCHDOG ]]; then kill -TERM "$WATCHDOG" 2>/dev/null || true; wait "$WATCHDOG" 2>/dev/null || true; fi
  if [[ $KEEP == 1 ]]; then echo "h2load.sh: kept $TMP" >&2; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

MAX_SECONDS=$(( RUNS * (DURATION + 30) + 60 ))
bash -c 'trap "kill \$sp 2>/dev/null; wait \$sp; exit 0" TERM
  sleep "$1" & sp=$!; wait $sp
  echo "h2load.sh: watchdog: run took over $1 s, stopping" >&2; kill -TERM "$2"' \
  _ "$MAX_SECONDS" $$ </dev/null &
WATCHDOG=$!

free_port() {
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$(( 20000 + RANDOM % 40000 ))
    [[ ${USED:-} == *" $p "* ]] && continue
    if [[ -z $(ss -Hlntu "sport = :$p" 2>/dev/null) ]]; then USED="${USED:- }$p "; echo "$p"; return 0; fi
  done
  die "no free port found"
}

cpu_ticks() {  # utime+stime of PID (all threads), clock ticks
  local stat rest
  stat=$(< "/proc/$1/stat")
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest
  echo $(( ${12} + ${13} ))
}

# ---------------------------------------------------------------------------------------------
# Request body: gRPC frame (0x00 + 4-byte BE length) around DnsPacket{bytes msg = 1} holding an A
# query for NAME with ID 0x1234, RD set, and an EDNS OPT record (UDP size 1232, DO clear), like dig.
BODY=$TMP/body.bin
python3 - "$NAME" "$BODY" <<'EOF'
import struct, sys
name, path = sys.argv[1], sys.argv[2]
q = struct.pack('>HHHHHH', 0x1234, 0x0100, 1, 0, 0, 1)
for label in name.rstrip('.').split('.'):
    b = label.encode(); q += bytes([len(b)]) + b
q += b'\0' + struct.pack('>HH', 1, 1)                 # QTYPE A, QCLASS IN
q += b'\0' + struct.pack('>HHIH', 41, 1232, 0, 0)      # OPT: root, UDP 1232, ext-rcode/flags 0, no RDATA
def varint(n):
    out = b''
    while True:
        if n < 0x80: return out + bytes([n])
        out += bytes([(n & 0x7f) | 0x80]); n >>= 7
pb = b'\x0a' + varint(len(q)) + q
open(path, 'wb').write(b'\0' + struct.pack('>I', len(pb)) + pb)
EOF
BODY_HEX=$(od -An -tx1 -v "$BODY" | tr -d ' \n')

# ---------------------------------------------------------------------------------------------
# Server.
DNS_PORT=$(free_port)
GRPC_PORT=$(free_port)
URL=http://127.0.0.1:$GRPC_PORT$PATH_Q
SERVER_LOG=$TMP/meshdns.log
log "starting $MESHDNS (dns :$DNS_PORT, grpc :$GRPC_PORT)"
"$MESHDNS" --from-file "$EXAMPLES" --dns-listen "127.0.0.1:$DNS_PORT" --grpc-listen "127.0.0.1:$GRPC_PORT" \
  --http-listen off --log-level warn >"$SERVER_LOG" 2>&1 </dev/null &
SERVER_PID=$!

# Readiness + correctness: one request via nghttp must give :status 200, grpc-status 0, and a DNS
# answer containing WANT. Polled (the "meshdns serving" line is info level, not shown at warn).
WANT_HEX=$(printf '%02x' ${WANT//./ })
ok=0
for ((i = 0; i < 100; i++)); do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; die "meshdns exited during startup"; }
  if nghttp -v -d "$BODY" -H 'content-type: application/grpc' -H 'te: trailers' "$URL" \
       >"$TMP/probe.txt" 2>&1; then
    if grep -q ':status: 200' "$TMP/probe.txt" && grep -q 'grpc-status: 0' "$TMP/probe.txt"; then
      ok=1; break
    fi
  fi
  sleep 0.1
done
[[ $ok == 1 ]] || { cat "$TMP/probe.txt" >&2; die "no successful gRPC answer from meshdns"; }
nghttp -d "$BODY" -H 'content-type: application/grpc' -H 'te: trailers' "$URL" >"$TMP/resp.bin" 2>/dev/null \
  || die "nghttp body fetch failed"
RESP_HEX=$(od -An -tx1 -v "$TMP/resp.bin" | tr -d ' \n')
[[ $RESP_HEX == *"$WANT_HEX"* ]] || die "response does not contain $WANT (got $RESP_HEX)"
log "probe ok: 200, grpc-status 0, answer has $WANT (response ${#RESP_HEX} hex chars)"

# h2load single-request sanity check.
h2load -n 1 -c 1 -m 1 -d "$BODY" -H 'content-type: application/grpc' -H 'te: trailers' "$URL" >"$TMP/one.txt" 2>&1 || true
grep -q '1 succeeded' "$TMP/one.txt" && grep -q '1 2xx' "$TMP/one.txt" \
  || { cat "$TMP/one.txt" >&2; die "h2load -n 1 did not get one 2xx"; }

# ---------------------------------------------------------------------------------------------
# Runs.
CMD=(h2load -D "$DURATION" -c "$CLIENTS" -m "$STREAMS" -t "$THREADS" -d "$BODY"
     -H 'content-type: application/grpc' -H 'te: trailers' "$URL")
RUN_ROWS=()
RPS_ALL=()
for ((r = 1; r <= RUNS; r++)); do
  log "run $r/$RUNS: ${CMD[*]}"
  t0=$(cpu_ticks "$SERVER_PID")
  "${CMD[@]}" >"$TMP/run-$r.txt" 2>&1 || { cat "$TMP/run-$r.txt" >&2; die "h2load run $r failed"; }
  t1=$(cpu_ticks "$SERVER_PID")
  kill -0 "$SERVER_PID" 2>/dev/null || die "meshdns died during run $r"
  out=$TMP/run-$r.txt
  rps=$(awk '/^finished in/ { for (i = 1; i <= NF; i++) if ($(i) ~ /^req\/s/) { v = $(i-1); gsub(",", "", v); print v } }' "$out")
  read -r total started done succeeded failed errored timeout < <(awk '/^requests:/ {
    print $2, $4, $6, $8, $10, $12, $14 }' "$out")
  read -r s2 s3 s4 s5 < <(awk '/^status codes:/ { print $3, $5, $7, $9 }' "$out")
  cpu_s=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
  us_req=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v n="$succeeded" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / hz * 1e6 / n; else print "n/a" }')
  r_lo=$(awk -v x="$rps" -v y=$REF_LO 'BEGIN { printf "%.2f", x / y }')
  r_hi=$(awk -v x="$rps" -v y=$REF_HI 'BEGIN { printf "%.2f", x / y }')
  echo "run $r: $rps req/s; requests $total total, $succeeded succeeded, $failed failed, $errored errored, $timeout timeout; status 2xx=$s2 3xx=$s3 4xx=$s4 5xx=$s5; server CPU ${cpu_s} s = ${us_req} µs/req; vs plugin: ${r_lo}x of 72k, ${r_hi}x of 84k"
  RUN_ROWS+=("| $r | $rps | $succeeded | $failed | $errored | $timeout | $s2 | $cpu_s | $us_req | ${r_lo}× | ${r_hi}× |")
  RPS_ALL+=("$rps")
  sed -n '/^finished in/,$p' "$out" | sed 's/^/    /' >&2
done
kill -0 "$SERVER_PID" 2>/dev/null || die "meshdns died"
SERVER_LOG_LINES=$(wc -l <"$SERVER_LOG")

# ---------------------------------------------------------------------------------------------
# Markdown summary.
mkdir -p "$OUT_DIR"
STAMP=$(date +%Y-%m-%d-%H%M%S)
MD=$OUT_DIR/h2load-$STAMP.md
{
  echo "# meshdns gRPC (CoreDNS DnsService/Query, h2c) under h2load — $STAMP"
  echo
  echo "Host: $(nproc) CPUs, $(uname -sr). $H2LOAD_VERSION. meshdns \`${MESHDNS_VERSION:-?}\` ($MESHDNS),"
  echo "\`--from-file examples/ --http-listen off --log-level warn\`. Loopback; client and server share the CPUs."
  echo
  echo "Command (per run, same server process, $RUNS runs back to back):"
  echo
  echo '```'
  echo "h2load -D $DURATION -c $CLIENTS -m $STREAMS -t $THREADS -d body.bin -H 'content-type: application/grpc' -H 'te: trailers' http://127.0.0.1:PORT$PATH_Q"
  echo '```'
  echo
  echo "body.bin ($(stat -c %s "$BODY") bytes): gRPC frame + \`DnsPacket{msg}\` with an A query for \`$NAME\` (ID 0x1234, RD, EDNS OPT 1232):"
  echo "\`$BODY_HEX\`. Probe checked: :status 200, \`grpc-status: 0\` trailer, answer contains $WANT."
  echo
  echo "| run | req/s | succeeded | failed | errored | timeout | 2xx | server CPU s | µs CPU/req | vs 72k | vs 84k |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${RUN_ROWS[@]}"
  echo
  echo "Reference: original istio-coredns-plugin, h2load c8 m16 on this kind of machine: ~72–84k req/s at ~$REF_CPU_US µs CPU/req."
  echo "Server CPU = utime+stime of the meshdns process from /proc/PID/stat around each run (/ CLK_TCK=$HZ);"
  echo "µs CPU/req = that / succeeded requests. meshdns log lines during the benchmark (warn level): $SERVER_LOG_LINES."
  echo
  for ((r = 1; r <= RUNS; r++)); do
    echo "<details><summary>h2load output, run $r</summary>"
    echo
    echo '```'
    sed -n '/^finished in/,$p' "$TMP/run-$r.txt"
    echo '```'
    echo
    echo "</details>"
    echo
  done
} >"$MD"
log "wrote $MD"
