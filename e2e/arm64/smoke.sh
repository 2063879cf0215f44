#!/usr/bin/env bash
# Smoke test of the linux-arm64 meshdns binary under user-mode emulation (qemu-aarch64-static), on an
# x64 machine without binfmt_misc: qemu is invoked explicitly, with the glibc of libc6-arm64-cross.
#
#   e2e/arm64/smoke.sh [BINARY]      (default: out-arm64/meshdns, relative to the repository root)
#
# Serves examples/seed.yaml, then checks DNS over UDP and TCP and the HTTP readiness endpoint. One line
# per check ("ok: ..." or "FAIL: ..."), then "arm64 smoke: N passed, M failed"; exit code 1 on a failure.
#
# libssl: meshdns loads OpenSSL at startup, not only for TLS (the file source hashes every file it reads
# with SHA-256, which .NET on Linux computes with libcrypto), and without it the process aborts with "No
# usable version of libssl was found". Debian's cross packages have no arm64 OpenSSL, so libssl3:arm64
# is fetched with apt-get download (with its own package lists in e2e/arm64/.cache/apt, leaving the
# host's dpkg architectures and apt lists alone), unpacked with dpkg -x and given to the emulated process
# through LD_LIBRARY_PATH.
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo" || exit 1

bin="${1:-out-arm64/meshdns}"
timeout_s="${SMOKE_TIMEOUT:-60}" # startup under emulation is slow
sysroot=/usr/aarch64-linux-gnu
cache="$repo/e2e/arm64/.cache"
passed=0
failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() {
  echo "arm64 smoke: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && exit 0 || exit 1
}

# 1. Tools (Debian packages), installed only when missing.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
need=()
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
command -v dig >/dev/null 2>&1 || need+=(dnsutils)
installed libc6-arm64-cross || need+=(libc6-arm64-cross)
if ((${#need[@]})); then
  echo "installing: ${need[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } ||
    { fail "apt-get install ${need[*]}"; finish; }
fi

[ -f "$bin" ] || { fail "no binary at $bin (run e2e/arm64/publish-arm64.sh first)"; finish; }
machine=$(od -An -tu2 -j18 -N2 "$bin" | tr -d ' ')
if [ "$machine" = 183 ]; then ok "$bin is an aarch64 ELF"; else fail "$bin is not an aarch64 ELF (e_machine $machine)"; finish; fi

# 2. libssl3 for arm64: from ARM64_LIBSSL_DIR when given (a folder with libssl.so.3 and libcrypto.so.3,
#    e.g. lib/aarch64-linux-gnu of the arm64 image's root filesystem), else unpacked once into the cache.
ssl_root="$cache/libssl3-arm64"
ssl_lib="$ssl_root/usr/lib/aarch64-linux-gnu"
if [ -n "${ARM64_LIBSSL_DIR:-}" ]; then
  ssl_lib="$(realpath -m "$ARM64_LIBSSL_DIR")"
  if [ -f "$ssl_lib/libssl.so.3" ] && [ -f "$ssl_lib/libcrypto.so.3" ]; then ok "libssl3:arm64 from ARM64_LIBSSL_DIR ($ssl_lib)"
  else fail "ARM64_LIBSSL_DIR=$ARM64_LIBSSL_DIR holds no libssl.so.3 and libcrypto.so.3"; finish; fi
elif [ ! -f "$ssl_lib/libssl.so.3" ]; then
  apt_dir="$cache/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
  apt_arm64=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Dir::State::Lists="$apt_dir/lists"
    -o Dir::Cache="$apt_dir" -o Dir::Cache::archives="$apt_dir/archives" -o Dir::State::status=/dev/null
    -o APT::Sandbox::User=root)
  if apt-get "${apt_arm64[@]}" update -qq >/dev/null &&
    deb=$(cd "$apt_dir" && apt-get "${apt_arm64[@]}" download -qq libssl3 >/dev/null && find "$apt_dir" -maxdepth 1 -name 'libssl3_*_arm64.deb' | sort | tail -1) &&
    rm -rf "$ssl_root" && dpkg -x "$deb" "$ssl_root" && [ -f "$ssl_lib/libssl.so.3" ]; then
    ok "libssl3:arm64 unpacked ($(basename "$deb"))"
    rm -rf "$apt_dir" # the arm64 package lists are only needed for the download
  else
    fail "could not fetch libssl3:arm64"; finish
  fi
else
  ok "libssl3:arm64 present ($ssl_lib)"
fi

# 3. Start meshdns under qemu.
free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
for _ in range(100):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        t.close(); u.close()
    print(port); break
PY
}
dns_port=$(free_port)
http_port=$(free_port)
while [ "$http_port" = "$dns_port" ]; do http_port=$(free_port); done
log=$(mktemp)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s.%N)
qemu-aarch64-static -L "$sysroot" -E LD_LIBRARY_PATH="$ssl_lib" "$bin" \
  --from-file examples/seed.yaml --dns-listen "127.0.0.1:$dns_port" --grpc-listen off \
  --http-listen "127.0.0.1:$http_port" --lameduck 0s >"$log" 2>&1 &
pid=$!
deadline=$(($(date +%s) + timeout_s))
while ! grep -q "meshdns serving" "$log"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    fail "meshdns exited before serving; its output:"; sed 's/^/  | /' "$log"; pid=""; finish
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    fail "no 'meshdns serving' within ${timeout_s}s; its output:"; sed 's/^/  | /' "$log"; finish
  fi
  sleep 0.2
done
ok "started under qemu in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')s (dns :$dns_port, http :$http_port)"

# 4. Checks.
q() { dig @127.0.0.1 -p "$dns_port" +time=5 +tries=2 "$@" 2>&1; }
status_of() { grep -o 'status: [A-Z]*' <<<"$1" | head -1 | cut -d' ' -f2; }
answers_of() { grep -o 'ANSWER: [0-9]*' <<<"$1" | head -1 | cut -d' ' -f2; }

got=$(q service1.test.global A +short)
if [ "$got" = 127.255.0.2 ]; then ok "UDP A service1.test.global = 127.255.0.2"; else fail "UDP A service1.test.global: got '$got', want 127.255.0.2"; fi

got=$(q service1.test.global AAAA)
st=$(status_of "$got"); n=$(answers_of "$got")
if [ "$st" = NOERROR ] && [ "$n" = 0 ]; then ok "UDP AAAA service1.test.global: NOERROR, no answer"
else fail "UDP AAAA service1.test.global: status '$st', '$n' answers, want NOERROR and 0"; fi

got=$(q nope.other.global A)
st=$(status_of "$got")
if [ "$st" = NXDOMAIN ]; then ok "UDP A nope.other.global: NXDOMAIN"; else fail "UDP A nope.other.global: status '$st', want NXDOMAIN"; fi

got=$(q service1.test.global A +tcp +short)
if [ "$got" = 127.255.0.2 ]; then ok "TCP A service1.test.global = 127.255.0.2"; else fail "TCP A service1.test.global: got '$got', want 127.255.0.2"; fi

http_code() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -m 10 -w '%{http_code}' "http://127.0.0.1:$http_port$1"
  else
    python3 - "http://127.0.0.1:$http_port$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=10).status, end="")
except urllib.error.HTTPError as e:
    print(e.code, end="")
except Exception:
    print("000", end="")
PY
  fi
}
code=""
for _ in $(seq 1 20); do # readiness may lag the serving line by a moment
  code=$(http_code /readyz)
  [ "$code" = 200 ] && break
  sleep 0.5
done
if [ "$code" = 200 ]; then ok "GET /readyz: 200"; else fail "GET /readyz: $code, want 200"; fi

# 5. A clean stop on SIGTERM (no lame-duck wait: --lameduck 0s).
kill -TERM "$pid"
rc=""
for _ in $(seq 1 $((timeout_s * 5))); do
  kill -0 "$pid" 2>/dev/null || { wait "$pid"; rc=$?; break; }
  sleep 0.2
done
if [ "$rc" = 0 ]; then
  ok "stopped on SIGTERM with exit code 0"; pid=""
else
  fail "SIGTERM: exit code '${rc:-still running}', want 0"; sed 's/^/  | /' "$log"
fi
finish
