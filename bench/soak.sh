#!/usr/bin/env bash
# Soak: one meshdns with both sources (--from-file and the test suite's fake Kubernetes API) under mixed load
# (dnsperf over UDP, TCP clients including idle and slow ones, h2load on gRPC, /metrics and /debug/names
# scrapes) while the table churns; samples RSS, threads, fds and GC heap every 10 s and exits 1 when a limit
# is broken. bench/MeshDns.Soak does the churn, the TCP clients and the answer checks.
#   MESHDNS_BINARY=out/meshdns SOAK_SECONDS=180 bench/soak.sh
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_SECONDS=${SOAK_SECONDS:-1800}
SAMPLE_SECONDS=10
SEED=${SOAK_SEED:-11}
DNSPERF_QPS=${SOAK_DNSPERF_QPS:-20000}   # a steady rate, not the maximum: the soak is about staying healthy
H2_CLIENTS=4
H2_RPS=${SOAK_H2_RPS:-250}               # per h2load client
TCP_QPS=${SOAK_TCP_QPS:-2000}            # the helper's pipelined TCP load
OUT_DIR=${SOAK_OUT_DIR:-$REPO_ROOT/bench/results}
KEEP=${SOAK_KEEP:-0}
# Limits. Growth is measured after the warm-up (the first WARMUP_PCT % of the run): the highest sample of the
# last quarter of the rest against the highest of its first quarter.
WARMUP_PCT=20
RSS_GROWTH_MIB=16
RSS_GROWTH_PCT=20                        # RSS may grow by 16 MiB or by 20 %, whichever is larger
THREADS_SLACK=4
FDS_SLACK=16                             # the TCP clients open and close connections all the time
MAX_LOST_PCT=1

die() { echo "soak.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[[ $RUN_SECONDS =~ ^[1-9][0-9]*$ && $RUN_SECONDS -ge 60 ]] || die "SOAK_SECONDS must be a whole number of seconds, at least 60 (got '$RUN_SECONDS')"
missing=()
for t in dotnet dnsperf h2load gnuplot dig curl ss awk; do command -v "$t" >/dev/null || missing+=("$t"); done
[[ ${#missing[@]} == 0 ]] || die "missing ${missing[*]} (Debian: apt-get install dnsperf nghttp2-client gnuplot-nox dnsutils curl iproute2; dotnet: the .NET 10 SDK)"
MESHDNS=${MESHDNS_BINARY:-$REPO_ROOT/out/meshdns}
[[ -x $MESHDNS ]] || die "$MESHDNS is not an executable file (set MESHDNS_BINARY or publish to out/)"
MESHDNS=$(readlink -f "$MESHDNS")

TMP=$(mktemp -d -t meshdns-soak.XXXXXX)
PIDS=()      # background jobs to stop at the end, meshdns last
SERVER_PID=

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ $KEEP == 1 || $rc != 0 ]]; then echo "soak.sh: kept $TMP" >&2; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Below the kernel's ephemeral range (32768 up by default), so that no client socket takes it meanwhile.
pick_port() {
  local p i
  for ((i = 0; i < 100; i++)); do
    p=$(( 20000 + RANDOM % 12000 ))
    [[ " ${TAKEN:-} " == *" $p "* ]] && continue
    [[ -z $(ss -Hlntu "sport = :$p" 2>/dev/null) ]] || continue
    TAKEN="${TAKEN:-} $p"; echo "$p"; return 0
  done
  die "no free port"
}

# Waits up to $2 seconds for file $1 while the processes $3... live.
wait_for_file() {
  local i p file=$1 limit=$2
  shift 2
  for ((i = 0; i < limit * 10; i++)); do
    [[ -e $file ]] && return 0
    for p in "$@"; do kill -0 "$p" 2>/dev/null || return 1; done
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
log "building bench/MeshDns.Soak"
dotnet build "$REPO_ROOT/bench/MeshDns.Soak" -c Release --nologo -v q -o "$TMP/helper" >"$TMP/build.log" 2>&1 \
  || { cat "$TMP/build.log" >&2; die "the helper did not build"; }
DNS_PORT=$(pick_port); GRPC_PORT=$(pick_port); HTTP_PORT=$(pick_port)
HTTP=http://127.0.0.1:$HTTP_PORT

log "seed $SEED; helper: fake Kubernetes API, YAML files, TCP clients and checks"
dotnet "$TMP/helper/MeshDns.Soak.dll" --work "$TMP" --dns "127.0.0.1:$DNS_PORT" --grpc "127.0.0.1:$GRPC_PORT" \
  --seconds "$RUN_SECONDS" --seed "$SEED" --tcp-qps "$TCP_QPS" >"$TMP/helper.out" 2>"$TMP/helper.err" </dev/null &
HELPER_PID=$!
PIDS+=("$HELPER_PID")
wait_for_file "$TMP/ready" 120 "$HELPER_PID" || { cat "$TMP/helper.err" >&2; die "the helper did not get ready"; }
ready() { awk -F= -v k="$1" '$1 == k { print $2 }' "$TMP/ready"; }
ZONE=$(ready zone)
GRPC_PATH=$(ready grpc_path)

log "starting $MESHDNS (dns :$DNS_PORT, grpc :$GRPC_PORT, http :$HTTP_PORT)"
"$MESHDNS" --from-file "$TMP/files" --kubeconfig "$TMP/kubeconfig" --zone "$ZONE" \
  --dns-listen "127.0.0.1:$DNS_PORT" --grpc-listen "127.0.0.1:$GRPC_PORT" --http-listen "127.0.0.1:$HTTP_PORT" \
  --log-level warn >"$TMP/meshdns.log" 2>&1 </dev/null &
SERVER_PID=$!
wait_for_file "$TMP/serving" 150 "$HELPER_PID" "$SERVER_PID" || { cat "$TMP/meshdns.log" "$TMP/helper.err" >&2; die "meshdns did not answer the stable hosts"; }
log "serving; running ${RUN_SECONDS} s"

# ---------------------------------------------------------------------------------------------
# Load for the whole run.
START=$(date +%s)
END=$(( START + RUN_SECONDS ))
dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$TMP/queries.txt" -l "$RUN_SECONDS" -Q "$DNSPERF_QPS" -c 4 -q 200 -t 2 \
  >"$TMP/dnsperf.txt" 2>&1 </dev/null &
DNSPERF_PID=$!
h2load -D "$RUN_SECONDS" -c "$H2_CLIENTS" -m 4 -t 1 --rps "$H2_RPS" -d "$TMP/grpc-body.bin" \
  -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$GRPC_PORT$GRPC_PATH" \
  >"$TMP/h2load.txt" 2>&1 </dev/null &
H2LOAD_PID=$!
PIDS+=("$DNSPERF_PID" "$H2LOAD_PID")

# /metrics every second, /debug/names every fifth; one line per scrape: path and HTTP status (000: none).
scrape() {
  local n=0
  while (( $(date +%s) < END )); do
    echo "metrics $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$HTTP/metrics" || true)"
    if (( n++ % 5 == 0 )); then
      echo "names $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$HTTP/debug/names" || true)"
    fi
    sleep 1
  done
}
scrape >"$TMP/scrapes.txt" 2>/dev/null </dev/null &
SCRAPE_PID=$!
PIDS+=("$SCRAPE_PID")

# ---------------------------------------------------------------------------------------------
# Samples: seconds into the run, RSS (KiB), threads, open fds, GC heap after the last collection (bytes, from
# /metrics), open DNS-over-TCP connections and CPU seconds.
CSV=$TMP/samples.csv
echo "seconds,rss_kib,threads,fds,gc_heap_bytes,tcp_connections,cpu_seconds" >"$CSV"
metric() { awk -v m="$1" '$1 == m { print $2; exit }' "$2"; }
sample() {
  local status=/proc/$SERVER_PID/status
  curl -s --max-time 5 "$HTTP/metrics" >"$TMP/sample.prom" || true
  printf '%s,%s,%s,%s,%s,%s,%s\n' "$1" \
    "$(awk '/^VmRSS:/ { print $2 }' "$status")" "$(awk '/^Threads:/ { print $2 }' "$status")" \
    "$(find "/proc/$SERVER_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" \
    "$(metric dotnet_gc_heap_bytes "$TMP/sample.prom")" "$(metric meshdns_tcp_connections_open "$TMP/sample.prom")" \
    "$(metric process_cpu_seconds_total "$TMP/sample.prom")" >>"$CSV"
}
for ((t = 0; t < RUN_SECONDS; t += SAMPLE_SECONDS)); do
  now=$(date +%s)
  (( START + t > now )) && sleep $(( START + t - now ))
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$TMP/meshdns.log" >&2; die "meshdns exited after ${t} s"; }
  sample "$t"
  (( t % 60 == 0 )) && log "$(tail -1 "$CSV")"
done

# ---------------------------------------------------------------------------------------------
log "load done; waiting for the clients"
wait "$DNSPERF_PID" || die "dnsperf failed: $(tail -5 "$TMP/dnsperf.txt")"
wait "$H2LOAD_PID" || die "h2load failed: $(tail -5 "$TMP/h2load.txt")"
wait_for_file "$TMP/finished" 120 "$HELPER_PID" || { cat "$TMP/helper.err" >&2; die "the helper failed"; }
wait "$SCRAPE_PID" || true
curl -s --max-time 5 "$HTTP/metrics" >"$TMP/final.prom" || die "no final /metrics"
kill -TERM "$SERVER_PID"
server_rc=0
wait "$SERVER_PID" || server_rc=$?
SERVER_PID=
touch "$TMP/done"
wait "$HELPER_PID" || { cat "$TMP/helper.err" >&2; die "the helper failed"; }
PIDS=()

# ---------------------------------------------------------------------------------------------
# Figures and limits.
helper() { awk -F= -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }' "$TMP/helper.out"; }
sum_metric() { awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%d", s }' "$TMP/final.prom"; }
FAILED=0
ROWS=()
# check NAME VALUE LIMIT-TEXT OK(0|1)
check() {
  local verdict=ok
  [[ $4 == 1 ]] || { verdict=BROKEN; FAILED=1; }
  ROWS+=("| $1 | $2 | $3 | $verdict |")
}

sent=$(awk '/Queries sent:/ { print $3 }' "$TMP/dnsperf.txt")
completed=$(awk '/Queries completed:/ { print $3 }' "$TMP/dnsperf.txt")
lost=$(awk '/Queries lost:/ { print $3 }' "$TMP/dnsperf.txt")
qps=$(awk '/Queries per second:/ { printf "%d", $4 }' "$TMP/dnsperf.txt")
rcodes=$(awk '/Response codes:/ { sub(/.*Response codes: */, ""); print }' "$TMP/dnsperf.txt")
other_rcodes=$(awk '/Response codes:/ { sub(/.*Response codes: */, ""); n = split($0, f, ", ")
  for (i = 1; i <= n; i++) { split(f[i], w, " "); if (w[1] != "NOERROR" && w[1] != "NXDOMAIN") s += w[2] } } END { printf "%d", s }' "$TMP/dnsperf.txt")
lost_pct=$(awk -v l="${lost:-0}" -v s="${sent:-0}" 'BEGIN { printf "%.3f", s ? 100 * l / s : 100 }')
read -r h2_ok h2_failed h2_errored < <(awk '/^requests:/ { print $8, $10, $12 }' "$TMP/h2load.txt")
h2_rps=$(awk '/^finished in/ { for (i = 1; i <= NF; i++) if ($i ~ /^req\/s/) { v = $(i - 1); gsub(",", "", v); print v } }' "$TMP/h2load.txt")
scrapes_ok=$(grep -c ' 200$' "$TMP/scrapes.txt" || true)
scrapes_bad=$(grep -vc ' 200$' "$TMP/scrapes.txt" || true)

stable_ok=0; stable_bad=0
for t in udp tcp grpc tcp_slow; do
  stable_ok=$(( stable_ok + $(helper "stable.$t.ok") ))
  stable_bad=$(( stable_bad + $(helper "stable.$t.wrong") + $(helper "stable.$t.missing") ))
done
stale=$(( $(helper propagation.kube.stale) + $(helper propagation.file.stale) ))
relists=$(sum_metric meshdns_kubernetes_relists_total)
gone=$(helper kube.gone_410)

WARMUP=$(( RUN_SECONDS * WARMUP_PCT / 100 ))
read -r rss0 rss1 thr0 thr1 fds0 fds1 slope < <(awk -F, -v w="$WARMUP" -v T="$RUN_SECONDS" '
  NR > 1 && $1 >= w {
    q = (T - w) / 4
    if ($1 <= w + q) { if ($2 > r0) r0 = $2; if ($3 > t0) t0 = $3; if ($4 > f0) f0 = $4 }
    if ($1 >= T - q) { if ($2 > r1) r1 = $2; if ($3 > t1) t1 = $3; if ($4 > f1) f1 = $4 }
    n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2
  }
  END { d = n * sxx - sx * sx; b = d ? (n * sxy - sx * sy) / d : 0   # KiB per second
        printf "%d %d %d %d %d %d %.1f\n", r0, r1, t0, t1, f0, f1, b * 3600 / 1024 }' "$CSV")
rss_limit=$(( RSS_GROWTH_MIB * 1024 > rss0 * RSS_GROWTH_PCT / 100 ? RSS_GROWTH_MIB * 1024 : rss0 * RSS_GROWTH_PCT / 100 ))
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

check "stable answers wrong or missing (UDP, TCP, slow TCP, gRPC)" "$stable_bad of $(( stable_ok + stable_bad ))" "0" $(( stable_bad == 0 && stable_ok > 0 ))
check "churn not seen within $(ready propagation_limit_s) s (Kubernetes, file)" "$stale of $(( $(helper propagation.kube.seen) + $(helper propagation.file.seen) + stale ))" "0" $(( stale == 0 ))
check "dnsperf answers other than NOERROR/NXDOMAIN" "$other_rcodes" "0" $(( other_rcodes == 0 && ${completed:-0} > 0 ))
check "dnsperf lost" "${lost:-?} of ${sent:-?} ($lost_pct %)" "≤ $MAX_LOST_PCT %" "$(awk -v p="$lost_pct" -v m=$MAX_LOST_PCT 'BEGIN { print (p <= m) }')"
check "TCP load answers other than NOERROR/NXDOMAIN" "$(helper tcp.load.bad_answers) of $(( $(helper tcp.load.answers) + $(helper tcp.load.bad_answers) ))" "0" $(( $(helper tcp.load.bad_answers) == 0 && $(helper tcp.load.answers) > 0 ))
check "h2load failed or errored" "$(( ${h2_failed:-1} + ${h2_errored:-1} )) of $(( ${h2_ok:-0} + ${h2_failed:-0} + ${h2_errored:-0} ))" "0" $(( ${h2_failed:-1} + ${h2_errored:-1} == 0 && ${h2_ok:-0} > 0 ))
check "scrapes not 200 (/metrics, /debug/names)" "$scrapes_bad of $(( scrapes_ok + scrapes_bad ))" "0" $(( scrapes_bad == 0 ))
check "410 Gone answered by a relist" "$relists relists, $gone 410s" "relists ≥ 410s" $(( relists >= gone ))
check "RSS growth after warm-up" "$(mib "$rss0") → $(mib "$rss1") ($slope MiB/h fitted)" "≤ $(mib "$rss_limit")" $(( rss1 - rss0 <= rss_limit ))
check "threads after warm-up" "$thr0 → $thr1" "≤ +$THREADS_SLACK" $(( thr1 - thr0 <= THREADS_SLACK ))
check "open fds after warm-up" "$fds0 → $fds1" "≤ +$FDS_SLACK" $(( fds1 - fds0 <= FDS_SLACK ))
check "meshdns exit on SIGTERM" "$server_rc" "0" $(( server_rc == 0 ))

# ---------------------------------------------------------------------------------------------
mkdir -p "$OUT_DIR"
STAMP=$(date -u +%Y-%m-%d-%H%M%S)
BASE=$OUT_DIR/soak-$STAMP
cp "$CSV" "$BASE.csv"
gnuplot <<GNUPLOT || die "gnuplot failed"
set terminal pngcairo size 900,420 font ",10"
set output '$BASE.png'
set datafile separator ','
set title "meshdns under load and churn: $RUN_SECONDS s, $(date -u +%Y-%m-%d)"
set xlabel 'minutes'
set ylabel 'MiB'
set yrange [0:*]
set grid
set key bottom right
set arrow from $WARMUP / 60.0, graph 0 to $WARMUP / 60.0, graph 1 nohead dashtype 2
set label 'end of warm-up' at $WARMUP / 60.0, graph 0.05 offset 0.5, 0
plot '$CSV' every ::1 using (\$1 / 60):(\$2 / 1024) with lines linewidth 2 title 'RSS', \
     '' every ::1 using (\$1 / 60):(\$5 / 1048576) with lines title 'GC heap after the last collection'
GNUPLOT

log_levels=$(awk '{ l[$2]++ } END { for (k in l) printf "%s %d ", k, l[k] }' "$TMP/meshdns.log")
{
  echo "# meshdns soak, $STAMP"
  echo
  echo "\`SOAK_SECONDS=$RUN_SECONDS bench/soak.sh\`, seed $SEED, $(nproc) CPUs, \`$("$MESHDNS" --version 2>/dev/null | head -1)\`."
  echo
  echo "- UDP, dnsperf -Q $DNSPERF_QPS: ${qps:-?} answers/s; ${completed:-?} of ${sent:-?} answered ($rcodes)"
  echo "- gRPC, h2load $H2_CLIENTS clients × $H2_RPS req/s: ${h2_rps:-?} req/s, ${h2_ok:-?} succeeded"
  echo "- TCP: $(helper tcp.load.answers) pipelined answers ($TCP_QPS/s asked); the server closed" \
       "$(helper tcp.idle.closed_by_server) idle and $(helper tcp.cut.closed_by_server) trickling connections"
  echo "- scrapes: $scrapes_ok /metrics and /debug/names with 200"
  echo "- Kubernetes: $(( $(helper kube.creates) + $(helper kube.updates) + $(helper kube.deletes) )) writes," \
       "$(helper kube.watch_drops) dropped watches, $gone 410s; write → answer p50 $(helper propagation.kube.p50_ms) ms, max $(helper propagation.kube.max_ms) ms"
  echo "- file: $(helper file.renames) renames and $(helper file.in_place_writes) in-place writes;" \
       "write → answer p50 $(helper propagation.file.p50_ms) ms, max $(helper propagation.file.max_ms) ms (it waits 200 ms for the file to settle)"
  echo "- tables built: $(sum_metric meshdns_table_rebuilds_total); stable UDP questions lost under load (asked again): $(helper stable.udp.unanswered)"
  echo "- meshdns log lines by level: ${log_levels:-none}"
  echo
  echo "| limit | measured | allowed | |"
  echo "| --- | --- | --- | --- |"
  printf '%s\n' "${ROWS[@]}"
  grep '^problem:' "$TMP/helper.out" | sed 's/^/    /' || true
} >"$BASE.md"
cat "$BASE.md"
log "wrote $BASE.md, $BASE.csv, $BASE.png"
[[ $FAILED == 0 ]] || die "a limit was broken"
