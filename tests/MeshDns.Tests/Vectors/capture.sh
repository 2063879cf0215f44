#!/usr/bin/env bash
# Capture real DNS wire-format test vectors from Knot DNS.
#
#   bash tests/MeshDns.Tests/Vectors/capture.sh
#
# Writes a Knot config + zone file to a temp dir, starts knotd on 127.0.0.1
# (loopback only), starts relay.py in front of it, runs a fixed list of dig /
# kdig queries through the relay and writes one <case>.hex file per query next
# to this script.  Re-running regenerates every file (IDs, cookies and DNSSEC
# signatures differ between runs, everything else is stable).
#
# Environment overrides: KNOT_PORT (default 53531, next free port is used),
# KEEP_WORK=1 (keep the temp dir for debugging).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LISTEN=127.0.0.1

die() { echo "capture.sh: $*" >&2; exit 1; }

for tool in knotd knotc dig kdig python3 timeout; do
    command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found"
done

KNOT_VERSION="$(knotd --version 2>&1 | head -n1)"
DIG_VERSION="$(dig -v 2>&1 | head -n1)"
KDIG_VERSION="$(kdig --version 2>&1 | head -n1)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/meshdns-vectors.XXXXXX")"
KNOT_PID=""
RELAY_PID=""      # pid started by this script (may be a python launcher shim)
RELAY_PY_PID=""   # pid reported by relay.py itself

stop_pid() {
    # stop_pid <pid>: TERM, wait up to 5 s, then KILL. Only our own children.
    local pid="$1" i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    stop_pid "$RELAY_PY_PID"
    stop_pid "$RELAY_PID"
    stop_pid "$KNOT_PID"
    if [ "${KEEP_WORK:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
        echo "capture.sh: work dir kept at $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --------------------------------------------------------------------------
# free loopback ports (UDP and TCP both free)
free_port() {
    python3 - "$1" "$LISTEN" <<'PY'
import socket, sys
start, host = int(sys.argv[1]), sys.argv[2]
for port in range(start, start + 200):
    ok = True
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind((host, port))
        except OSError:
            ok = False
        finally:
            s.close()
    if ok:
        print(port)
        sys.exit(0)
sys.exit("no free port")
PY
}

KNOT_PORT="$(free_port "${KNOT_PORT:-53531}")"
RELAY_PORT="$(free_port $((KNOT_PORT + 1)))"
echo "knotd on $LISTEN:$KNOT_PORT, relay on $LISTEN:$RELAY_PORT, work dir $WORK"

# --------------------------------------------------------------------------
# zone file
mkdir -p "$WORK/run" "$WORK/storage" "$WORK/out" "$WORK/vectors"

# long TXT: one 255-octet string (maximum) + one 200-octet string
LONG1="$(python3 -c 'print(("0123456789" * 26)[:255])')"
LONG2="$(python3 -c 'print(("abcdefghijklmnopqrstuvwxyz" * 8)[:200])')"

{
cat <<'EOF'
$ORIGIN example.test.
$TTL 3600
@               IN SOA   ns1.example.test. hostmaster.example.test. (
                         2024010101 ; serial
                         7200       ; refresh
                         3600       ; retry
                         1209600    ; expire
                         300 )      ; negative TTL
@               IN NS    ns1.example.test.
@               IN MX    10 mail.example.test.
ns1             IN A     192.0.2.53
ns1             IN AAAA  2001:db8::53
www             IN A     192.0.2.10
www             IN A     192.0.2.11
www             IN AAAA  2001:db8::10
mail       300  IN A     192.0.2.25
alias           IN CNAME www.example.test.
txt             IN TXT   "hello world" "second string"
*.wild          IN A     192.0.2.99
MiXeD.CaSe      IN A     192.0.2.77
mixed-cname     IN CNAME MiXeD.CaSe.example.test.
_sip._udp       IN SRV   10 60 5060 www.example.test.
EOF
echo "long            IN TXT   \"$LONG1\" \"$LONG2\""
for i in $(seq 1 60); do
    echo "big             IN A     198.51.100.$i"
done
} > "$WORK/example.test.zone"

# --------------------------------------------------------------------------
# knot config (loopback only, everything under $WORK, runs as current user)
# write_knot_conf <extra template line>
write_knot_conf() {
cat > "$WORK/knot.conf" <<EOF
server:
    rundir: "$WORK/run"
    user: $(id -un):$(id -gn)
    listen: $LISTEN@$KNOT_PORT
    identity: "meshdns-vectors.example.test"
    nsid: "meshdns-knot"
    answer-rotation: off

control:
    listen: "$WORK/run/knot.sock"

database:
    storage: "$WORK/storage"

log:
  - target: stderr
    any: info

mod-cookies:
  - id: vectors
    secret: 0x000102030405060708090a0b0c0d0e0f

policy:
  - id: vectors
    algorithm: ecdsap256sha256
    nsec3: off

template:
  - id: default
    storage: "$WORK"
$1

zone:
  - domain: example.test.
    file: "$WORK/example.test.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    dnssec-signing: on
    dnssec-policy: vectors
EOF
timeout 10 knotc -c "$WORK/knot.conf" conf-check >/dev/null \
    || die "knot config check failed"
}

# phase 1: no cookie module (Knot then ignores the client COOKIE option)
write_knot_conf ""

knotd -c "$WORK/knot.conf" >"$WORK/knotd.log" 2>&1 &
KNOT_PID=$!

# wait until the signed zone is served (DNSKEY present)
ready=0
for _ in $(seq 1 100); do
    kill -0 "$KNOT_PID" 2>/dev/null || { cat "$WORK/knotd.log" >&2; die "knotd exited"; }
    if [ -n "$(timeout 3 kdig @"$LISTEN" -p "$KNOT_PORT" +time=1 +retry=0 +short \
                example.test. DNSKEY 2>/dev/null)" ]; then
        ready=1; break
    fi
    sleep 0.2
done
[ "$ready" = 1 ] || { cat "$WORK/knotd.log" >&2; die "knotd did not come up"; }

python3 "$HERE/relay.py" --listen "$LISTEN" --port "$RELAY_PORT" \
    --upstream "$LISTEN" --upstream-port "$KNOT_PORT" \
    --log "$WORK/relay.jsonl" --timeout 3 --ready-file "$WORK/relay.ready" \
    2>"$WORK/relay.log" &
RELAY_PID=$!
for _ in $(seq 1 50); do
    [ -s "$WORK/relay.ready" ] && break
    kill -0 "$RELAY_PID" 2>/dev/null || { cat "$WORK/relay.log" >&2; die "relay exited"; }
    sleep 0.1
done
[ -s "$WORK/relay.ready" ] || die "relay did not come up"
RELAY_PY_PID="$(head -n1 "$WORK/relay.ready")"
touch "$WORK/relay.jsonl"

# --------------------------------------------------------------------------
# cases
CASES=()

# [NTH=n] capture <case> <udp|tcp> <note> <command...>
# stores the NTH (0-based, default 0) recorded exchange of that transport
capture() {
    local name="$1" proto="$2" note="$3"
    shift 3
    local before cmd tool_version
    before="$(wc -l < "$WORK/relay.jsonl")"
    cmd="$(printf '%s ' "$@")"; cmd="${cmd% }"
    case "$1" in
        dig)  tool_version="$DIG_VERSION" ;;
        kdig) tool_version="$KDIG_VERSION" ;;
        *)    tool_version="$1" ;;
    esac
    echo "  $name: $cmd"
    timeout 20 "$@" >"$WORK/out/$name.txt" 2>&1 || true
    python3 - "$WORK/relay.jsonl" "$before" "$proto" "$WORK/vectors/$name.hex" \
        "$name" "$cmd" "$tool_version" "$KNOT_VERSION" \
        "$LISTEN:$KNOT_PORT" "$LISTEN:$RELAY_PORT" "$note" "$WORK/out/$name.txt" \
        "${NTH:-0}" "$KNOT_CONFIG_NOTE" <<'PY'
import json, sys
(log, before, proto, out, name, cmd, client, server,
 server_addr, relay_addr, note, client_out, nth, confnote) = sys.argv[1:]
before, nth = int(before), int(nth)
with open(log) as f:
    entries = [json.loads(l) for l in f.read().splitlines()[before:] if l.strip()]
match = [e for e in entries if e["proto"] == proto and e["response"]]
if len(match) <= nth:
    sys.exit(f"{name}: no {proto} exchange #{nth + 1} recorded ({len(entries)} new entries)")
e = match[nth]
lines = [
    f"# case: {name}",
    f"# command: {cmd}",
    f"# client: {client}",
    f"# server: {server} at {server_addr} (queried through relay.py at {relay_addr})",
    f"# server config: {confnote}",
    f"# transport: {proto}" + (" (messages without the 2-octet TCP length prefix)" if proto == "tcp" else ""),
    f"# note: {note}",
]
if len(entries) > 1:
    lines.append(f"# exchanges recorded for this command: {len(entries)} (this file holds {proto} exchange #{nth + 1})")
lines.append("# client output:")
with open(client_out, errors="replace") as f:
    for l in f.read().splitlines():
        lines.append(("# " + l).rstrip())
lines.append(f"query {e['query']}")
lines.append(f"response {e['response']}")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
PY
    CASES+=("$name")
}

S="@$LISTEN -p $RELAY_PORT"
KNOT_CONFIG_NOTE="zone example.test. signed on the fly (ECDSAP256SHA256, NSEC); no cookie module"
# shellcheck disable=SC2086
{
capture a-www            udp "A, dig defaults: RD+AD, EDNS0 (bufsize 1232) with client COOKIE" \
    dig $S www.example.test A
capture a-www-noedns     udp "A without EDNS (no OPT record)" \
    dig $S +norec +noedns www.example.test A
capture a-www-nocookie   udp "A with EDNS0 but no COOKIE option" \
    dig $S +norec +nocookie www.example.test A
capture aaaa-www         udp "AAAA" \
    dig $S +norec www.example.test AAAA
capture cname-alias      udp "A on a CNAME: answer is CNAME + target A RRset, compressed names" \
    dig $S +norec alias.example.test A
capture ns-apex          udp "NS at apex, glue A/AAAA in additional" \
    dig $S +norec example.test NS
capture soa-apex         udp "SOA at apex" \
    dig $S +norec example.test SOA
capture mx-apex          udp "MX at apex, target A in additional" \
    dig $S +norec example.test MX
capture srv              udp "SRV record" \
    dig $S +norec _sip._udp.example.test SRV
capture txt              udp "TXT with two character-strings" \
    dig $S +norec txt.example.test TXT
capture txt-long         udp "TXT with a 255-octet and a 200-octet character-string" \
    dig $S +norec long.example.test TXT
capture any-www          udp "ANY over UDP (dig would use TCP for ANY unless +notcp; +ignore: no TCP retry on TC)" \
    dig $S +norec +notcp +ignore www.example.test ANY
capture any-www-tcp      tcp "ANY over TCP" \
    kdig $S +tcp +norec www.example.test ANY
capture kdig-a-www       udp "kdig defaults (RD, no EDNS)" \
    kdig $S www.example.test A
capture kdig-nsid        udp "kdig with EDNS NSID option and bufsize 1232" \
    kdig $S +norec +nsid +bufsize=1232 www.example.test A
capture nxdomain         udp "unknown name: NXDOMAIN with SOA in authority" \
    dig $S +norec nope.example.test A
capture nodata           udp "existing name, missing type: NOERROR/NODATA with SOA in authority" \
    dig $S +norec www.example.test MX
capture mixed-case       udp "0x20-style mixed-case QNAME; question echoed as sent" \
    dig $S +norec WwW.ExAmPlE.tEsT A
capture mixed-case-owner udp "owner name written MiXeD.CaSe in the zone file, queried lower-case" \
    dig $S +norec mixed.case.example.test A
capture mixed-case-cname udp "CNAME whose target is written MiXeD.CaSe.example.test. in the zone file" \
    dig $S +norec mixed-cname.example.test A
capture wildcard         udp "name synthesised from *.wild.example.test" \
    dig $S +norec foo.wild.example.test A
capture dnssec-a-www     udp "DO bit set: A + RRSIG (zone is signed on the fly, ECDSAP256SHA256)" \
    dig $S +norec +dnssec www.example.test A
capture dnssec-nxdomain  udp "DO bit set on an unknown name: SOA, NSEC and RRSIGs in authority" \
    dig $S +norec +dnssec nope.example.test A
capture dnssec-dnskey    udp "DNSKEY at apex with DO bit" \
    dig $S +norec +dnssec example.test DNSKEY
capture edns-badvers     udp "EDNS version 1: BADVERS (extended RCODE 16 in OPT)" \
    dig $S +norec +edns=1 +noednsnegotiation www.example.test A
capture chaos-version    udp "CHAOS class TXT version.bind" \
    dig $S +norec CH TXT version.bind
capture chaos-id         udp "CHAOS class TXT id.server" \
    dig $S +norec CH TXT id.server
capture refused          udp "name outside any served zone" \
    dig $S +norec www.example.org A
capture truncated        udp "60 A records, no EDNS: UDP answer exceeds 512 octets so TC is set" \
    dig $S +norec +noedns +ignore big.example.test A
capture big-tcp          tcp "same 60 A records over TCP (not truncated)" \
    dig $S +norec +tcp big.example.test A
}

# phase 2: reload knotd with mod-cookies (fixed secret) for the cookie cases
write_knot_conf "    global-module: mod-cookies/vectors"
timeout 10 knotc -c "$WORK/knot.conf" reload >/dev/null || die "knotc reload failed"
ready=0
for _ in $(seq 1 50); do
    if timeout 3 kdig @"$LISTEN" -p "$KNOT_PORT" +time=1 +retry=0 +cookie +nobadcookie \
            www.example.test. A 2>/dev/null | grep -q BADCOOKIE; then
        ready=1; break
    fi
    sleep 0.2
done
[ "$ready" = 1 ] || die "mod-cookies did not become active after reload"
KNOT_CONFIG_NOTE="zone example.test. signed on the fly (ECDSAP256SHA256, NSEC); mod-cookies enabled (over UDP a query with only a client cookie gets BADCOOKIE)"
# shellcheck disable=SC2086
{
capture cookie-badcookie udp "client cookie only over UDP: BADCOOKIE (extended RCODE 23) + server cookie (+nobadcookie: dig does not retry)" \
    dig $S +norec +nobadcookie www.example.test A
NTH=1 capture cookie-valid udp "dig's retry carrying client+server cookie (24 octets): NOERROR, cookie echoed" \
    dig $S +norec www.example.test A
capture cookie-tcp       tcp "client cookie only over TCP: normal answer + server cookie" \
    dig $S +norec +tcp www.example.test A
}

# --------------------------------------------------------------------------
# verify, then replace the committed vectors
python3 - "$WORK/vectors" "${CASES[@]}" <<'PY'
import os, sys
d, names = sys.argv[1], sys.argv[2:]
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
          5: "REFUSED", 16: "BADVERS", 23: "BADCOOKIE"}
TYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 15: "MX", 16: "TXT", 28: "AAAA",
         33: "SRV", 41: "OPT", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 255: "ANY"}
CLASSES = {1: "IN", 3: "CH"}

def qname(m):
    i, labels = 12, []
    while m[i]:
        labels.append(m[i + 1:i + 1 + m[i]].decode("ascii", "replace"))
        i += 1 + m[i]
    return ".".join(labels) + ".", int.from_bytes(m[i + 1:i + 3], "big"), int.from_bytes(m[i + 3:i + 5], "big")

def ext_rcode(m):
    # extended RCODE from the OPT record (if any) in the additional section
    an, ns, ar = (int.from_bytes(m[o:o + 2], "big") for o in (6, 8, 10))
    i = 12
    for _ in range(int.from_bytes(m[4:6], "big")):
        while True:
            if m[i] >= 0xC0: i += 2; break
            if m[i] == 0: i += 1; break
            i += 1 + m[i]
        i += 4
    opt = None
    for n in range(an + ns + ar):
        while True:
            if m[i] >= 0xC0: i += 2; break
            if m[i] == 0: i += 1; break
            i += 1 + m[i]
        t = int.from_bytes(m[i:i + 2], "big")
        rdlen = int.from_bytes(m[i + 8:i + 10], "big")
        if t == 41 and n >= an + ns:
            opt = m[i + 4]
        i += 10 + rdlen
    if i != len(m):
        raise ValueError(f"parse ended at {i}, message has {len(m)} octets")
    return (opt << 4) | (m[3] & 0x0F) if opt is not None else m[3] & 0x0F, opt is not None

# expected rcode (default NOERROR) and TC bit (default clear)
EXPECT_RCODE = {"nxdomain": 3, "dnssec-nxdomain": 3, "refused": 5, "edns-badvers": 16,
                "cookie-badcookie": 23}
EXPECT_TC = {"truncated"}

bad = 0
for n in names:
    p = os.path.join(d, n + ".hex")
    if not os.path.exists(p) or os.path.getsize(p) == 0:
        print(f"MISSING {n}"); bad += 1; continue
    q = r = None
    for line in open(p):
        if line.startswith("query "): q = bytes.fromhex(line.split()[1])
        elif line.startswith("response "): r = bytes.fromhex(line.split()[1])
    if not q or not r:
        print(f"INCOMPLETE {n}"); bad += 1; continue
    if not (r[2] & 0x80):
        print(f"NO-QR {n}"); bad += 1
    if q[:2] != r[:2]:
        print(f"ID-MISMATCH {n}"); bad += 1
    name, t, c = qname(r)
    rc, has_opt = ext_rcode(r)
    flags = [f for f, b in (("qr", 0x8000), ("aa", 0x0400), ("tc", 0x0200), ("rd", 0x0100),
                            ("ra", 0x0080), ("ad", 0x0020), ("cd", 0x0010))
             if int.from_bytes(r[2:4], "big") & b]
    if rc != EXPECT_RCODE.get(n, 0):
        print(f"UNEXPECTED-RCODE {n}: {RCODES.get(rc, rc)}"); bad += 1
    if bool(r[2] & 0x02) != (n in EXPECT_TC):
        print(f"UNEXPECTED-TC {n}"); bad += 1
    counts = "/".join(str(int.from_bytes(r[o:o + 2], "big")) for o in (4, 6, 8, 10))
    print(f"{n:18} {name} {CLASSES.get(c, c)} {TYPES.get(t, t):6} -> "
          f"{RCODES.get(rc, rc):9} flags={','.join(flags):12} qd/an/ns/ar={counts:10} "
          f"q={len(q)}B r={len(r)}B{' edns' if has_opt else ''}")
sys.exit(1 if bad else 0)
PY

rm -f "$HERE"/*.hex
cp "$WORK"/vectors/*.hex "$HERE"/
echo "wrote ${#CASES[@]} vectors to $HERE"
