#!/usr/bin/env python3
"""Writes the seed corpus (run from anywhere; rewrites corpus/<target>/). DNS queries: the ones dig and kdig sent
in the captured Knot vectors, plus queries for the fuzz table's names and malformed messages in the style of Knot's
parser tests; watch streams: events as the API server writes them; YAML: examples/ and fixture-like files;
command lines: NUL-separated arguments."""
import json, os, pathlib, struct

here = pathlib.Path(__file__).resolve().parent
repo = here.parents[2]


def name(text):
    out = b""
    for label in filter(None, text.split(".")):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qname, qtype=1, qclass=1, id=0x1234, flags=0x0100, edns=None, ednsver=0, extra=b"", counts=None):
    q = name(qname) + struct.pack(">HH", qtype, qclass)
    ar = b""
    if edns is not None:
        ar = b"\0" + struct.pack(">HHIH", 41, edns, ednsver << 16, len(extra)) + extra
    qd, an, ns, arc = counts or (1, 0, 0, 1 if edns is not None else 0)
    return struct.pack(">HHHHHH", id, flags, qd, an, ns, arc) + q + ar


def dns_seeds():
    seeds = {}
    for vector in sorted((repo / "tests/MeshDns.Tests/Vectors").glob("*.hex")):
        for line in vector.read_text().splitlines():
            if line.startswith("query "):
                seeds["knot-" + vector.stem] = bytes.fromhex(line.split()[1])
    cookie = struct.pack(">HH", 10, 8) + bytes(range(8))
    seeds.update({
        "a-exact": query("exact.test.global"),
        "a-wild": query("x.test.global", edns=1232),
        "aaaa-dual": query("dual.global", 28, edns=4096),
        "any-dual": query("dual.global", 255),
        "a-many-noedns": query("many.global"),
        "aaaa-many6-edns512": query("many6.global", 28, edns=512),
        "aaaa-many6-edns65535": query("many6.global", 28, edns=65535),
        "soa-apex": query("global", 6),
        "ns-apex": query("global", 2, edns=1232, extra=cookie),
        "txt-nodata": query("exact.test.global", 16),
        "a-nxdomain": query("nothere.global"),
        "a-outside": query("svc.example.com"),
        "a-chaos": query("version.bind", 16, 3),
        "srv-exact": query("_http._tcp.exact.test.global", 33),
        "srv-wild-edns": query("_https._tcp.x.test.global", 33, edns=1232),
        "srv-many": query("_http._tcp.many.global", 33),
        "srv-ent": query("_udp.exact.test.global", 33),
        "ptr-v4": query("1.0.0.10.in-addr.arpa", 12),
        "ptr-v6": query("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", 12, edns=1232),
        "axfr": query("global", 252),
        "edns-badvers": query("exact.test.global", edns=1232, ednsver=1),
        "opcode-notify": query("global", 6, flags=0x2000),
        "tc-set": query("exact.test.global", flags=0x0300),
        "qd0": query("x", counts=(0, 0, 0, 0))[:12],
        "qd2": query("exact.test.global", counts=(2, 0, 0, 0)),
        "response-bit": query("exact.test.global", flags=0x8100),
        "header-only-short": query("x")[:11],
        "opt-twice": query("dual.global", edns=1232)[:-11] + query("dual.global", edns=1232)[-11:] * 2,
        "opt-not-root": query("dual.global", counts=(1, 0, 0, 1)) + name("x") + struct.pack(">HHIH", 41, 1232, 0, 0),
        "pointer-self": struct.pack(">HHHHHH", 7, 0x100, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack(">HH", 1, 1),
        "pointer-forward": struct.pack(">HHHHHH", 7, 0x100, 1, 0, 0, 0) + b"\xc0\x20" + struct.pack(">HH", 1, 1) + name("a.global"),
        "label-64": struct.pack(">HHHHHH", 7, 0x100, 1, 0, 0, 0) + b"\x40" + b"a" * 64 + b"\0" + struct.pack(">HH", 1, 1),
        "name-256": struct.pack(">HHHHHH", 7, 0x100, 1, 0, 0, 0) + (b"\x3f" + b"a" * 63) * 4 + b"\0" + struct.pack(">HH", 1, 1),
        "label-type-01": struct.pack(">HHHHHH", 7, 0x100, 1, 0, 0, 0) + b"\x41" + b"\0" + struct.pack(">HH", 1, 1),
        "rdlength-past-end": query("dual.global", counts=(1, 0, 0, 1)) + b"\0" + struct.pack(">HHIH", 41, 1232, 0, 40),
        "edns-option-cut": query("dual.global", edns=1232, extra=struct.pack(">HH", 10, 30) + b"x"),
        "answer-in-query": query("dual.global", counts=(1, 1, 0, 0)) + b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 0, 4) + b"\1\2\3\4",
    })
    return seeds


def tcp_seeds(dns):
    frame = lambda m: struct.pack(">H", len(m)) + m
    a, aaaa, many = dns["a-exact"], dns["aaaa-dual"], dns["aaaa-many6-edns65535"]
    return {
        "one-whole": b"\xff" + frame(a),
        "one-bytewise": b"\x00" + frame(a),
        "pipelined-3": b"\x07" + frame(a) + frame(aaaa) + frame(many),
        "partial-last": b"\x10" + frame(a) + frame(aaaa)[:9],
        "prefix-split": b"\x00" + frame(a) + frame(a)[:1],
        "zero-length": b"\x20" + frame(a) + b"\0\0" + frame(a),
        "oversized": b"\x40" + frame(a) + b"\x10\x01" + b"x" * 16,
        "response-dropped": b"\x30" + frame(dns["response-bit"]) + frame(a),
        "garbage-frame": b"\x05" + frame(b"\x12\x34\x01") + frame(a),
    }


def se(name, ns="mesh", rv="100", hosts=("svc.global",), addresses=("10.0.0.1",), resolution="STATIC", version="v1"):
    return {"apiVersion": f"networking.istio.io/{version}", "kind": "ServiceEntry",
            "metadata": {"name": name, "namespace": ns, "resourceVersion": rv, "uid": "4a1c0c3e-" + name,
                         "creationTimestamp": "2026-11-30T09:00:00Z", "generation": 1},
            "spec": {"hosts": list(hosts), "addresses": list(addresses), "location": "MESH_INTERNAL",
                     "resolution": resolution, "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}]}}


def watch_seeds():
    line = lambda kind, obj: json.dumps({"type": kind, "object": obj}, separators=(",", ":")).encode() + b"\n"
    bookmark = {"kind": "ServiceEntry", "apiVersion": "networking.istio.io/v1",
                "metadata": {"resourceVersion": "105", "annotations": {"k8s.io/initial-events-end": "true"}}}
    gone = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "too old resource version: 1 (105)", "reason": "Expired", "code": 410}
    status = se("dns", rv="104", hosts=("db.global",), addresses=(), resolution="DNS")
    status["status"] = {"addresses": [{"value": "240.240.0.5", "host": "db.global"}]}
    return {
        "added-modified-deleted": b"\x3f" + line("ADDED", se("a")) + line("MODIFIED", se("a", rv="101", hosts=("a.global", "*.b.global"))) + line("DELETED", se("a", rv="102")),
        "bookmark": b"\xff" + line("BOOKMARK", bookmark),
        "error-410": b"\x00" + line("ADDED", se("b", rv="103")) + line("ERROR", gone),
        "status-addresses": b"\x07" + line("ADDED", status),
        "invalid-entry": b"\x1f" + line("ADDED", {**se("bad"), "spec": {"hosts": "not-a-list"}}) + line("ADDED", se("v1beta1", version="v1beta1")),
        "crlf-blank": b"\x0f" + line("ADDED", se("c"))[:-1] + b"\r\n\r\n\n" + line("DELETED", se("c")),
        "partial-last": b"\x0f" + line("ADDED", se("d")) + line("ADDED", se("e"))[:40],
        "not-json": b"\x03" + b"{\"type\":\"ADDED\",\"object\":\n",
        "no-object": b"\x03" + b"{\"type\":\"ADDED\"}\n",
        "long-line": b"\xff" + line("ADDED", {**se("long"), "metadata": {"name": "long", "annotations": {"x": "y" * 1100}}}),
    }


def yaml_seeds():
    seeds = {p.stem: p.read_bytes() for p in sorted((repo / "examples").glob("*.yaml"))}
    seeds.update({
        "anchors": b"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: a, namespace: mesh}\nspec:\n  hosts: &h [a.global, '*.b.global']\n  addresses: [10.0.0.1, 2001:db8::1]\n  resolution: STATIC\n---\napiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata: {name: b}\nspec: {hosts: *h, resolution: DNS}\nstatus: {addresses: [{value: 240.240.0.1, host: a.global}]}\n",
        "list-nested": b"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: networking.istio.io/v1alpha3\n    kind: ServiceEntry\n    metadata: {name: n}\n    spec: {hosts: [n.global], addresses: [10.1.1.1]}\n- kind: ConfigMap\n  apiVersion: v1\n",
        "invalid": b"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: x}\nspec:\n  hosts: ''\n  resolution: BOGUS\n  ports: [{number: notanumber}]\n",
        "syntax-error": b"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: x\nspec: [\n",
        "laughs": b"a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nkind: ServiceEntry\napiVersion: networking.istio.io/v1\nmetadata: {name: l}\nspec: {hosts: *c}\n",
        "flow-deep": b"kind: ServiceEntry\napiVersion: networking.istio.io/v1\nmetadata: {name: d}\nspec: {hosts: [[[[[[[[x]]]]]]]]}\n",
        "bom-utf16": "\ufeffkind: ServiceEntry\napiVersion: networking.istio.io/v1\nmetadata: {name: u}\nspec: {hosts: [u.global]}\n".encode("utf-16-le"),
        # AFL++ hangs of YamlDotNet (fixed): an unknown directive running to the end of 1024 characters.
        "hang-directive-at-1024": b"%k\0" + b"\xf4" * 1021,
        "hang-directive-at-2048": b"%- 240.0.1" + b"e" * 2038,
        "repeated": b"kind: ServiceEntry\napiVersion: networking.istio.io/v1\nmetadata: {name: r}\nspec: {hosts: [r.global]}\n---\nkind: ServiceEntry\napiVersion: networking.istio.io/v1\nmetadata: {name: r}\nspec: {hosts: [r2.global]}\n---\n",
    })
    return seeds


def cli_seeds():
    lines = {
        "file": ["--from-file", "examples/", "--dns-listen", "127.0.0.1:1053"],
        "kube": ["--kubeconfig", "/root/.kube/config", "--context", "c", "--namespace", "a,b", "--zone", "global", "--grpc-listen", "off"],
        "clusters": ["--kubeconfig", "east=/k/east", "--kubeconfig=/k/a=b/west", "-kubeconfig", "=x", "--remote-sync-timeout", "45s"],
        "go-style": ["-from-file=x.yaml", "-ttl=60", "-negative-ttl", "5", "-round-robin=false", "-lameduck", "1m30s"],
        "durations": ["--tcp-idle-timeout=250ms", "--tcp-query-timeout", "1h2m3.5s", "--max-file-size", "16Mi"],
        "sizes": ["--max-file-size=1G", "--tcp-max-connections", "4096", "--default-address", "2001:db8::1"],
        "names": ["--soa-mname", "ns1.example.", "--soa-rname", "hostmaster.example", "--zone", "a.b.", "--zone=c"],
        "listen": ["--http-listen", "[::1]:8090", "--dns-listen=:53", "--grpc-listen", "0.0.0.0:8053"],
        "switches": ["--debug-names", "--round-robin=true", "--log-level", "debug", "--log-format=json"],
        "help": ["-h"], "version": ["--version"], "unknown": ["--frobnicate"], "missing": ["--ttl"],
        "switch-reads-next": ["--round-robin", "false"], "bad-value": ["--ttl", "-1"], "stray": ["examples/"],
    }
    return {k: "\0".join(v).encode() for k, v in lines.items()}


def write(target, seeds):
    folder = here / target
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for key, data in seeds.items():
        (folder / key).write_bytes(data)


if __name__ == "__main__":
    dns = dns_seeds()
    write("dns-udp", dns)
    write("dns-tcp", tcp_seeds(dns))
    write("watch", watch_seeds())
    write("yaml", yaml_seeds())
    write("cli", cli_seeds())
