#!/bin/sh
# Precision run for issue #13 on a fresh set (bench/precision-fresh.list), kept outside the repo.
# Usage: bench/precision-fresh.sh [CACHE_DIR]   (default /work/prec-cache)
# Prints a markdown table per artifact, then every critical/high finding (rule, path, message)
# for classification as true or false positive.
set -eu
cd "$(dirname "$0")/.."
list=$(pwd)/bench/precision-fresh.list
dir=${1:-/work/prec-cache}
mkdir -p "$dir"
cargo build -q --release --bin shipcheck
bin=$(pwd)/target/release/shipcheck
grep -v '^#' "$list" | while read -r kind spec; do
  [ -n "$kind" ] || continue
  case $kind in
  npm)
    f=$(echo "$spec" | sed 's/^@//; s/[@/]/-/g').tgz
    if [ ! -f "$dir/$f" ]; then
      out=$(cd "$dir" && npm pack "$spec" --ignore-scripts --silent 2>/dev/null | tail -1)
      [ -n "$out" ] && [ "$out" != "$f" ] && mv "$dir/$out" "$dir/$f"
    fi ;;
  pypi-whl)
    n=${spec%%==*}
    ls "$dir"/*.whl 2>/dev/null | grep -qi "/$(echo "$n" | tr - _)-${spec#*==}-" ||
      pip download -q --no-deps --only-binary :all: -d "$dir" "$spec" || true ;;
  pypi-sdist)
    # The sdist file itself, found in PyPI's simple index (JSON form): `pip download
    # --no-binary` would build it to read its metadata (cryptography's needs a Rust toolchain).
    n=${spec%%==*}; v=${spec#*==}
    url=$(curl -sSf -H 'Accept: application/vnd.pypi.simple.v1+json' "https://pypi.org/simple/$n/" |
      python3 -c '
import json, sys, re
n, v = sys.argv[1], sys.argv[2]
want = re.compile(r"(?i)%s-%s\.tar\.gz$" % (re.sub(r"[-_.]+", "[-_.]", n), re.escape(v)))
print(next(f["url"] for f in json.load(sys.stdin)["files"] if want.match(f["filename"])))' "$n" "$v") || url=
    f=${url##*/}
    [ -z "$url" ] || [ -f "$dir/$f" ] || curl -sSfL -o "$dir/$f" "$url" || true ;;
  crate)
    n=${spec%/*}; v=${spec#*/}
    [ -f "$dir/$n-$v.crate" ] ||
      curl -sSfL -o "$dir/$n-$v.crate" "https://crates.io/api/v1/crates/$n/$v/download" ||
      curl -sSfL -o "$dir/$n-$v.crate" "https://static.crates.io/crates/$n/$n-$v.crate" ||
      rm -f "$dir/$n-$v.crate" ;;
  esac
done
out=$(mktemp -d)
echo "| artifact | critical | high | medium | low | info | rules at high or above |"
echo "|---|---|---|---|---|---|---|"
for f in "$dir"/*; do
  b=$(basename "$f")
  "$bin" check --format json "$f" >"$out/$b.json" 2>/dev/null || [ -s "$out/$b.json" ] || { echo "| $b | error | | | | | |"; continue; }
  python3 - "$b" "$out/$b.json" <<'PY'
import json, sys, collections
d = json.load(open(sys.argv[2]))
live = [f for f in d["findings"] if not f.get("allowed")]
n = collections.Counter(f["severity"] for f in live)
hi = sorted({f["rule"] for f in live if f["severity"] in ("critical", "high")})
print("| %s | %s | %s | %s | %s | %s | %s |" % (sys.argv[1], *(n.get(s, 0) for s in ("critical", "high", "medium", "low", "info")), ", ".join(hi)))
PY
done
echo
echo "## critical and high findings"
for j in "$out"/*.json; do
  python3 - "$j" <<'PY'
import json, sys, os
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    if f["severity"] in ("critical", "high") and not f.get("allowed"):
        print("- %s: %s %s %s:%s: %s" % (os.path.basename(sys.argv[1])[:-5], f["severity"], f["rule"], f["path"], f.get("line"), f["message"][:200]))
PY
done
rm -rf "$out"
