#!/usr/bin/env bash
# Throughput, CPU cost per query, startup time and memory of meshdns, against Knot DNS as a
# reference authoritative server, both loaded with the same N generated names and driven by dnsperf
# with the same query file and settings. Loopback only. See bench/README-dnsperf.md.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

N=${BENCH_ENTRIES:-10000}
DURATION=${BENCH_SECONDS:-15}
EXAMPLES_DURATION=${BENCH_EXAMPLES_SECONDS:-5}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-3}
CLIENTS=${BENCH_CLIENTS:-8}
OUTSTANDING=${BENCH_OUTSTANDING:-200}
THREADS=${BENCH_THREADS:-1}
KEEP=${BENCH_KEEP:-0}
CORES=$(nproc)
HZ=$(getconf CLK_TCK)
ZONE=bench.global
TTL=30

die() { echo "dnsperf.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for v in N DURATION EXAMPLES_DURATION STARTUP_RUNS CLIENTS OUTSTANDING THREADS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
for t in dnsperf knotd knotc dig shuf awk ss getconf; do
  command -v "$t" >/dev/null || die "missing '$t' (apt-get install -y dnsperf knot dnsutils iproute2)"
done

# ---------------------------------------------------------------------------------------------
# meshdns binary: $MESHDNS_BINARY, else out/meshdns, published when missing.
if [[ -n ${MESHDNS_BINARY:-} ]]; then
  [[ -x $MESHDNS_BINARY ]] || die "MESHDNS_BINARY=$MESHDNS_BINARY is not an executable file"
  MESHDNS=$MESHDNS_BINARY
else
  MESHDNS=$REPO_ROOT/out/meshdns
  if [[ ! -x $MESHDNS ]]; then
    log "no $MESHDNS: publishing it (dotnet publish src/MeshDns -c Release -o out)"
    (cd "$REPO_ROOT" && timeout 1200 dotnet publish src/MeshDns -c Release -o out) >&2
    [[ -x $MESHDNS ]] || die "publish did not produce $MESHDNS"
  fi
fi
MESHDNS=$(readlink -f "$MESHDNS")

# ---------------------------------------------------------------------------------------------
# Process bookkeeping and cleanup. Every server started here is recorded in PIDS and stopped on
# exit; a watchdog bounds the whole run.
TMP=$(mktemp -d -t meshdns-dnsperf.XXXXXX)
PIDS=()
WATCHDOG=

stop_pid() {  # stop_pid PID: TERM, wait up to 5 s, then KILL
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ -n $WATCHDOG ]]; then kill -TERM "$WATCHDOG" 2>/dev/null || true; wait "$WATCHDOG" 2>/dev/null || true; fi
  if [[ $KEEP == 1 ]]; then
    echo "dnsperf.sh: kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Whole-run bound: a generous budget per phase. The watchdog ends its own sleep when it is stopped.
MAX_SECONDS=$(( 2 * DURATION + EXAMPLES_DURATION + 60 * (STARTUP_RUNS + 4) + N / 200 ))
bash -c 'trap "kill \$sp 2>/dev/null; wait \$sp; exit 0" TERM
  sleep "$1" & sp=$!; wait $sp
  echo "dnsperf.sh: watchdog: run took over $1 s, stopping" >&2; kill -TERM "$2"' \
  _ "$MAX_SECONDS" $$ </dev/null &
WATCHDOG=$!

forget_pid() {  # drop a stopped PID from PIDS
  local p keep=()
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

USED_PORTS=" "
free_port() {  # a port that is free on both UDP and TCP and not handed out before in this run
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$(( 20000 + RANDOM % 40000 ))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if [[ -z $(ss -Hlntu "sport = :$p" 2>/dev/null) ]]; then
      USED_PORTS+="$p "
      echo "$p"
      return 0
    fi
  done
  die "no free port found"
}

cpu_ticks() {  # "utime stime" of PID (all threads), in clock ticks; fields after the ')' of comm
  local stat rest
  stat=$(< "/proc/$1/stat")
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest   # $1 = state (field 3) ... utime = field 14 -> $12, stime = field 15 -> $13
  echo "${12} ${13}"
}

children_ticks() {  # cutime+cstime of this shell: CPU of the children it has waited for
  local stat rest
  stat=$(< "/proc/$$/stat")
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest   # cutime = field 16 -> $14, cstime = field 17 -> $15
  echo $(( ${14} + ${15} ))
}

machine_ticks() {  # CPU busy time of the whole machine from /proc/stat, in clock ticks
  local _cpu user nice system _idle _iowait irq softirq steal _rest
  read -r _cpu user nice system _idle _iowait irq softirq steal _rest < /proc/stat
  echo $(( user + nice + system + irq + softirq + steal ))
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

now_ns() { date +%s%N; }

# answers PORT NAME TYPE: the dig status line and answer, for checks
dig_q() { dig +tries=1 +time=1 +norec @127.0.0.1 -p "$1" "$2" "$3"; }

# wait_answer PORT NAME EXPECTED_ADDR PID TIMEOUT_S: poll every ~10 ms until NAME A answers with
# EXPECTED_ADDR; fails when PID dies or on timeout.
wait_answer() {
  local port=$1 name=$2 want=$3 pid=$4 limit_ns=$(( $(now_ns) + $5 * 1000000000 ))
  while :; do
    if [[ $(dig +short +tries=1 +time=1 +norec @127.0.0.1 -p "$port" "$name" A 2>/dev/null) == "$want" ]]; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    (( $(now_ns) < limit_ns )) || return 1
    sleep 0.01
  done
}

# ---------------------------------------------------------------------------------------------
# Generated data: N ServiceEntries (YAML), the same names as a Knot zone, and one query file.
addr_of() { echo "10.$(( $1 / 65536 % 256 )).$(( $1 / 256 % 256 )).$(( $1 % 256 ))"; }

log "generating $N entries in $TMP"
mkdir -p "$TMP/yaml" "$TMP/knot/run" "$TMP/knot/db" "$TMP/knot/zones" "$TMP/out"
awk -v n="$N" 'BEGIN {
  for (i = 1; i <= n; i++) {
    a = sprintf("10.%d.%d.%d", int(i / 65536) % 256, int(i / 256) % 256, i % 256)
    if (i > 1) print "---"
    print "apiVersion: networking.istio.io/v1"
    print "kind: ServiceEntry"
    printf "metadata: {name: se%d, namespace: bench}\n", i
    printf "spec: {hosts: [\"svc%d.bench.global\"], addresses: [\"%s\"], resolution: STATIC}\n", i, a
  }
}' > "$TMP/yaml/bench.yaml"

{
  # shellcheck disable=SC2016  # $ORIGIN and $TTL are zone-file directives
  printf '$ORIGIN %s.\n$TTL %d\n' "$ZONE" "$TTL"
  printf '@ SOA ns.%s. hostmaster.%s. 1 3600 600 86400 %d\n' "$ZONE" "$ZONE" "$TTL"
  printf '@ NS ns.%s.\n' "$ZONE"
  awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
    printf "svc%d A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
} > "$TMP/knot/zones/$ZONE.zone"

# Queries: every name once (A, NOERROR), ~10% AAAA of existing names (NODATA), ~5% unknown names
# (NXDOMAIN); shuffled. The same file drives both servers.
N_AAAA=$(( (N + 9) / 10 ))
N_NX=$(( (N + 19) / 20 ))
{
  awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "svc%d.bench.global A\n", i }'
  shuf -r -i "1-$N" -n "$N_AAAA" | awk '{ printf "svc%d.bench.global AAAA\n", $1 }'
  awk -v m="$N_NX" 'BEGIN { for (i = 1; i <= m; i++) printf "nx%d.bench.global A\n", i }'
} | shuf > "$TMP/queries.txt"
N_QUERIES=$(wc -l < "$TMP/queries.txt")

# Queries for the examples/ run (no --zone there: every host answered, NXDOMAIN otherwise).
cat > "$TMP/queries-examples.txt" <<'EOF'
payments.shop.global A
payments.shop.global AAAA
inventory.shop.global A
inventory.shop.global AAAA
search.web.global A
auth.global A
foo.test.global A
bar.baz.test.global A
unknown.shop.global A
nothing.example A
EOF

KNOT_PORT=$(free_port)
MESH_PORT=$(free_port)
cat > "$TMP/knot/knot.conf" <<EOF
server:
    rundir: "$TMP/knot/run"
    listen: 127.0.0.1@$KNOT_PORT
    udp-workers: $CORES
    tcp-workers: 1
    background-workers: 1

log:
  - target: stderr
    any: warning

database:
    storage: "$TMP/knot/db"

template:
  - id: default
    storage: "$TMP/knot/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none

zone:
  - domain: $ZONE.
EOF
knotc -c "$TMP/knot/knot.conf" conf-check >/dev/null || die "knot.conf does not check"

# ---------------------------------------------------------------------------------------------
# Running servers.
SERVER_PID=
BUSY_WARN=
start_meshdns() {  # start_meshdns LOG ARGS...: sets SERVER_PID
  local logf=$1; shift
  "$MESHDNS" "$@" >"$logf" 2>&1 </dev/null &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
}
start_knot() {
  knotd -c "$TMP/knot/knot.conf" >"$TMP/out/knotd.log" 2>&1 </dev/null &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
}
stop_server() { stop_pid "$SERVER_PID"; forget_pid "$SERVER_PID"; SERVER_PID=; }

# verify PORT LABEL: every kind of query in the file answers as it should, before benchmarking.
verify() {
  local port=$1 label=$2 i out
  for i in 1 $(( (N + 1) / 2 )) "$N"; do
    out=$(dig_q "$port" "svc$i.$ZONE" A)
    grep -q 'status: NOERROR' <<<"$out" || die "$label: svc$i.$ZONE A is not NOERROR"
    [[ $(dig +short +norec @127.0.0.1 -p "$port" "svc$i.$ZONE" A) == "$(addr_of "$i")" ]] \
      || die "$label: svc$i.$ZONE A is not $(addr_of "$i")"
  done
  out=$(dig_q "$port" "svc1.$ZONE" AAAA)
  if ! grep -q 'status: NOERROR' <<<"$out" || ! grep -q 'ANSWER: 0' <<<"$out"; then
    die "$label: svc1.$ZONE AAAA is not NODATA"
  fi
  out=$(dig_q "$port" "nx1.$ZONE" A)
  grep -q 'status: NXDOMAIN' <<<"$out" || die "$label: nx1.$ZONE A is not NXDOMAIN"
  out=$(dig_q "$port" "$ZONE" SOA)
  grep -q 'status: NOERROR' <<<"$out" || die "$label: $ZONE SOA is not NOERROR"
  dig_q "$port" "svc1.$ZONE" A > "$TMP/out/dig-$label.txt"
  log "$label answers svc1/svc$N A (NOERROR), AAAA (NODATA), nx1 (NXDOMAIN), SOA"
}

# run_dnsperf PORT LABEL QUERYFILE SECONDS: runs dnsperf, measuring the server's and dnsperf's CPU;
# sets R_* results.
run_dnsperf() {
  local port=$1 label=$2 qf=$3 secs=$4 out="$TMP/out/dnsperf-$2.txt"
  local u0 s0 u1 s1 c0 c1 w0 w1 b0 b1
  b0=$(machine_ticks)
  read -r u0 s0 < <(cpu_ticks "$SERVER_PID"); c0=$(children_ticks); w0=$(now_ns)
  # -t 1: a query is lost after 1 s (loopback answers take well under 1 ms); with the default 5 s,
  # dnsperf waits 5 s after the run whenever a single query was lost.
  timeout $(( secs + 30 )) dnsperf -s 127.0.0.1 -p "$port" -d "$qf" -l "$secs" -t 1 \
    -c "$CLIENTS" -q "$OUTSTANDING" -T "$THREADS" > "$out" 2>&1 || die "$label: dnsperf failed, see $out"
  read -r u1 s1 < <(cpu_ticks "$SERVER_PID"); w1=$(now_ns); c1=$(children_ticks)
  b1=$(machine_ticks)
  R_QPS=$(awk '/Queries per second:/ {printf "%.0f", $4}' "$out")
  R_DONE=$(awk '/Queries completed:/ {print $3}' "$out")
  R_SENT=$(awk '/Queries sent:/ {print $3}' "$out")
  R_LOST=$(awk '/Queries lost:/ {print $3}' "$out")
  R_LAT=$(awk '/Average Latency/ {printf "%.3f", $4 * 1000}' "$out")
  R_CODES=$(awk -F': *' '/Response codes:/ {print $2}' "$out" | sed 's/ ([0-9.]*%)//g')
  R_CPU=$(awk -v t=$(( u1 + s1 - u0 - s0 )) -v hz="$HZ" 'BEGIN {printf "%.2f", t / hz}')
  R_CPU_US=$(awk -v u=$(( u1 - u0 )) -v s=$(( s1 - s0 )) -v hz="$HZ" 'BEGIN {printf "%.2f / %.2f", u / hz, s / hz}')
  R_PKT=$(awk '/Average packet size:/ {gsub(",", ""); print $5 " / " $7}' "$out")
  R_CLIENT_CPU=$(awk -v t=$(( c1 - c0 )) -v hz="$HZ" 'BEGIN {printf "%.2f", t / hz}')
  R_WALL=$(awk -v ns=$(( w1 - w0 )) 'BEGIN {printf "%.2f", ns / 1e9}')
  # CPU used on the machine by neither the server nor dnsperf (loopback softirq work is charged to
  # the task it interrupts, so it is in theirs). Large values mean something else was running.
  R_OTHER=$(awk -v t=$(( b1 - b0 - (u1 + s1 - u0 - s0) - (c1 - c0) )) -v hz="$HZ" \
    'BEGIN {printf "%.2f", t / hz}')
  R_RUNTIME=$(awk '/Run time \(s\):/ {print $4}' "$out")
  R_UTIL=$(awk -v c="$R_CPU" -v w="${R_RUNTIME:-$R_WALL}" 'BEGIN {printf "%.0f", 100 * c / w}')
  R_US=$(awk -v c="$R_CPU" -v q="$R_DONE" 'BEGIN {printf "%.2f", (q > 0) ? c / q * 1e6 : 0}')
  [[ -n $R_QPS && -n $R_DONE ]] || die "$label: could not read dnsperf output $out"
  log "$label: $R_QPS qps, $R_LOST lost, server CPU ${R_CPU}s (${R_UTIL}%), ${R_US} us/query, dnsperf CPU ${R_CLIENT_CPU}s, other processes ${R_OTHER}s"
  if awk -v o="$R_OTHER" -v w="$R_WALL" 'BEGIN {exit !(o > 0.1 * w)}'; then
    echo "WARNING: $label: other processes used ${R_OTHER} s of CPU during the ${R_WALL} s run: the machine was not quiet, numbers are not reliable" >&2
    BUSY_WARN+="$label (${R_OTHER} s) "
  fi
}

kib_to_mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# measure_start LABEL PROBE_NAME PROBE_ADDR ARGS...: starts meshdns STARTUP_RUNS times, each time
# measuring start -> first good answer (ms); the last process is left running (SERVER_PID), and
# its RSS after load is in M_RSS_LOAD. Sets M_START_MS (median) and M_START_ALL.
measure_start() {
  local label=$1 probe=$2 want=$3; shift 3
  local r t0 t1 ms=() pid
  for ((r = 1; r <= STARTUP_RUNS; r++)); do
    t0=$(now_ns)
    start_meshdns "$TMP/out/meshdns-$label-$r.log" "$@"
    pid=$SERVER_PID
    wait_answer "$MESH_PORT" "$probe" "$want" "$pid" 30 \
      || { cat "$TMP/out/meshdns-$label-$r.log" >&2; die "meshdns ($label) did not answer $probe"; }
    t1=$(now_ns)
    ms+=("$(( (t1 - t0) / 1000000 ))")
    if (( r < STARTUP_RUNS )); then stop_server; fi
  done
  M_RSS_LOAD=$(rss_kib "$SERVER_PID")
  # What one poll costs by itself (dig's own start-up dominates): the resolution of the above.
  t0=$(now_ns)
  for ((r = 0; r < 5; r++)); do dig +short +tries=1 +time=1 +norec @127.0.0.1 -p "$MESH_PORT" "$probe" A >/dev/null; done
  DIG_MS=$(( ($(now_ns) - t0) / 5000000 ))
  M_START_MS=$(median "${ms[@]}")
  M_START_ALL=$(IFS=,; echo "${ms[*]}")
  log "meshdns ($label): first answer after ${M_START_ALL} ms (median $M_START_MS; one dig call alone: $DIG_MS ms), RSS $(kib_to_mib "$M_RSS_LOAD") MiB"
}

DNSPERF_VERSION=$(dnsperf -h 2>&1 | awk '/^Version/ {print $2}')
KNOT_VERSION=$(knotd --version | awk '{print $NF}')
MESHDNS_VERSION=$("$MESHDNS" --version 2>&1 | head -1)
log "meshdns: $MESHDNS ($MESHDNS_VERSION); knotd $KNOT_VERSION; dnsperf $DNSPERF_VERSION"
log "dnsperf settings: -l $DURATION -t 1 -c $CLIENTS -q $OUTSTANDING -T $THREADS; $N_QUERIES queries in the file"

# 1) meshdns with the repo's examples/ (startup, RSS, a short run).
log "meshdns with examples/"
measure_start examples payments.shop.global 240.0.10.1 \
  --from-file "$REPO_ROOT/examples" --dns-listen "127.0.0.1:$MESH_PORT"
run_dnsperf "$MESH_PORT" meshdns-examples "$TMP/queries-examples.txt" "$EXAMPLES_DURATION"
EX_START_MS=$M_START_MS EX_START_ALL=$M_START_ALL EX_RSS_LOAD=$M_RSS_LOAD EX_RSS_RUN=$(rss_kib "$SERVER_PID")
EX_QPS=$R_QPS EX_LOST=$R_LOST EX_US=$R_US
EX_COUNT=$(grep -o 'Loaded [0-9]* ServiceEntries' "$TMP/out/meshdns-examples-1.log" | awk '{print $2}' || true)
stop_server

# 2) meshdns with the N generated entries.
log "meshdns with $N generated entries"
measure_start generated "svc$N.$ZONE" "$(addr_of "$N")" \
  --from-file "$TMP/yaml" --dns-listen "127.0.0.1:$MESH_PORT" --zone "$ZONE" --ttl "$TTL" --log-level warn
verify "$MESH_PORT" meshdns
run_dnsperf "$MESH_PORT" meshdns "$TMP/queries.txt" "$DURATION"
M_RSS_RUN=$(rss_kib "$SERVER_PID")
M_QPS=$R_QPS M_DONE=$R_DONE M_SENT=$R_SENT M_LOST=$R_LOST M_LAT=$R_LAT M_CODES=$R_CODES M_CPU=$R_CPU
M_CPU_US=$R_CPU_US M_PKT=$R_PKT M_OTHER=$R_OTHER
M_UTIL=$R_UTIL M_US=$R_US M_CLIENT_CPU=$R_CLIENT_CPU
stop_server
M_LOG_LINES=$(cat "$TMP"/out/meshdns-generated-*.log | wc -l)

# 3) Knot with the same names.
log "knotd with $N generated records"
k0=$(now_ns)
start_knot
wait_answer "$KNOT_PORT" "svc$N.$ZONE" "$(addr_of "$N")" "$SERVER_PID" 60 \
  || { cat "$TMP/out/knotd.log" >&2; die "knotd did not answer svc$N.$ZONE"; }
K_START_MS=$(( ($(now_ns) - k0) / 1000000 ))
K_RSS_LOAD=$(rss_kib "$SERVER_PID")
verify "$KNOT_PORT" knot
run_dnsperf "$KNOT_PORT" knot "$TMP/queries.txt" "$DURATION"
K_RSS_RUN=$(rss_kib "$SERVER_PID")
K_QPS=$R_QPS K_DONE=$R_DONE K_SENT=$R_SENT K_LOST=$R_LOST K_LAT=$R_LAT K_CODES=$R_CODES K_CPU=$R_CPU
K_CPU_US=$R_CPU_US K_PKT=$R_PKT K_OTHER=$R_OTHER
K_UTIL=$R_UTIL K_US=$R_US K_CLIENT_CPU=$R_CLIENT_CPU
stop_server

# ---------------------------------------------------------------------------------------------
RATIO=$(awk -v m="$M_QPS" -v k="$K_QPS" 'BEGIN {printf "%.2f", (k > 0) ? m / k : 0}')
CPU_RATIO=$(awk -v m="$M_US" -v k="$K_US" 'BEGIN {printf "%.2f", (k > 0) ? m / k : 0}')
STAMP=$(date -u +%Y-%m-%dT%H:%M:%SZ)
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)

SUMMARY=$(cat <<EOF
# meshdns vs Knot DNS: dnsperf, $STAMP

$N names in \`$ZONE\` ($N_QUERIES queries in the file: $N A, $N_AAAA AAAA → NODATA, $N_NX unknown → NXDOMAIN, shuffled),
UDP over 127.0.0.1. \`dnsperf -l $DURATION -t 1 -c $CLIENTS -q $OUTSTANDING -T $THREADS\`, one server at a time, on $CORES cores ($CPU_MODEL)
shared by server and dnsperf. meshdns \`$MESHDNS_VERSION\` (\`--zone $ZONE --ttl $TTL --log-level warn\`); knotd $KNOT_VERSION
(udp-workers $CORES); dnsperf $DNSPERF_VERSION.

| | meshdns | Knot |
| --- | ---: | ---: |
| queries per second | $M_QPS | $K_QPS |
| meshdns / Knot qps | **$RATIO** | 1 |
| queries sent / completed | $M_SENT / $M_DONE | $K_SENT / $K_DONE |
| queries lost | $M_LOST | $K_LOST |
| response codes | $M_CODES | $K_CODES |
| average latency (ms) | $M_LAT | $K_LAT |
| average request / response size (bytes) | $M_PKT | $K_PKT |
| server CPU (s) over the run | $M_CPU ($M_UTIL% of one core) | $K_CPU ($K_UTIL% of one core) |
| server CPU user / system (s) | $M_CPU_US | $K_CPU_US |
| server CPU per query (µs) | $M_US | $K_US |
| dnsperf CPU (s) | $M_CLIENT_CPU | $K_CLIENT_CPU |
| other processes' CPU (s), should be ~0 | $M_OTHER | $K_OTHER |
| start → first answer (ms) | $M_START_MS (median of $M_START_ALL) | $K_START_MS |
| RSS after load / after run (MiB) | $(kib_to_mib "$M_RSS_LOAD") / $(kib_to_mib "$M_RSS_RUN") | $(kib_to_mib "$K_RSS_LOAD") / $(kib_to_mib "$K_RSS_RUN") |

meshdns CPU per query is $CPU_RATIO× Knot's.${BUSY_WARN:+

**Warning: other processes used CPU during ${BUSY_WARN}: the machine was not quiet, these numbers are not reliable.**}

| meshdns table | start → first answer (ms), median (runs) | RSS after load (MiB) | RSS after dnsperf (MiB) | dnsperf qps (µs CPU/query, lost) |
| --- | ---: | ---: | ---: | ---: |
| \`examples/\` (${EX_COUNT:-?} ServiceEntries, info logging) | $EX_START_MS ($EX_START_ALL) | $(kib_to_mib "$EX_RSS_LOAD") | $(kib_to_mib "$EX_RSS_RUN") | $EX_QPS ($EX_US, $EX_LOST lost; ${EXAMPLES_DURATION} s) |
| generated, $N entries (warn logging) | $M_START_MS ($M_START_ALL) | $(kib_to_mib "$M_RSS_LOAD") | $(kib_to_mib "$M_RSS_RUN") | $M_QPS ($M_US, $M_LOST lost; ${DURATION} s) |

Start → first answer: from just before the process is started to the end of the first \`dig +tries=1 +time=1\` (one new
process per poll, ~10 ms apart) that gets the expected A record of the last name loaded. One dig call by itself takes
$DIG_MS ms on this machine (measured against the running server), which bounds the resolution and is included.
EOF
)

mkdir -p "$REPO_ROOT/bench/results"
RESULT_FILE=$REPO_ROOT/bench/results/dnsperf-$(date -u +%Y-%m-%d-%H%M%S).md
printf '%s\n' "$SUMMARY" > "$RESULT_FILE"
(( M_LOG_LINES <= 2 * STARTUP_RUNS )) || echo "note: meshdns (warn) logged $M_LOG_LINES lines, see $TMP/out" >&2
echo
printf '%s\n' "$SUMMARY"
echo
echo "written to ${RESULT_FILE#"$REPO_ROOT"/}; raw dnsperf outputs in $TMP/out$([[ $KEEP == 1 ]] || echo ' (deleted at exit; BENCH_KEEP=1 keeps them)')"
