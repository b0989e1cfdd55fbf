#!/bin/sh
# Precision run for issue #3: `shipcheck check` on real popular packages, findings by severity.
# Fetches into bench/.cache/pkgs (npm pack, pip download, crates.io) on first use.
# Usage: bench/precision.sh            prints a markdown table
set -eu
cd "$(dirname "$0")/.."
cargo build -q --release --bin shipcheck
bin=$(pwd)/target/release/shipcheck
dir=bench/.cache/pkgs
mkdir -p "$dir"
npm_pkgs="react@18.3.1 express@4.21.1 chalk@5.3.0 vue@3.5.12 lodash@4.17.21 tslib@2.8.1 zod@3.23.8
moment@2.30.1 webpack@5.96.1 typescript@5.6.3 axios@1.7.7 @babel/core@7.26.0 firebase@11.0.2
@sentry/browser@8.38.0 rxjs@7.8.1 next@14.2.18 esbuild@0.24.0 sharp@0.33.5 core-js@3.39.0
bcrypt@5.1.1 prisma@5.22.0"
for p in $npm_pkgs; do
  f=$(echo "$p" | sed 's/^@//; s/[@/]/-/g').tgz
  if [ ! -f "$dir/$f" ]; then
    out=$(npm pack "$p" --pack-destination "$dir" --ignore-scripts --silent 2>/dev/null | tail -1)
    [ -n "$out" ] && [ "$out" != "$f" ] && mv "$dir/$out" "$dir/$f"
  fi
done
for p in requests==2.32.3 certifi==2024.8.30 urllib3==2.2.3; do
  ls "$dir"/$(echo "$p" | cut -d= -f1)-*.whl >/dev/null 2>&1 || pip download -q --no-deps --only-binary :all: -d "$dir" "$p"
  ls "$dir"/$(echo "$p" | cut -d= -f1)-*.tar.gz >/dev/null 2>&1 || pip download -q --no-deps --no-binary :all: -d "$dir" "$p" 2>/dev/null || true
done
for c in regex/1.11.1 serde_json/1.0.133 libc/0.2.164; do
  n=${c%/*}; v=${c#*/}
  [ -f "$dir/$n-$v.crate" ] || curl -sSfL -o "$dir/$n-$v.crate" "https://static.crates.io/crates/$n/$n-$v.crate" || rm -f "$dir/$n-$v.crate"
done
echo "| artifact | critical | high | medium | low | info | rules at high or above |"
echo "|---|---|---|---|---|---|---|"
for f in "$dir"/*; do
  "$bin" check --format json "$f" 2>/dev/null | python3 -c '
import json, sys, collections
d = json.load(sys.stdin)
n = collections.Counter(f["severity"] for f in d["findings"] if not f.get("allowed"))
hi = sorted({f["rule"] for f in d["findings"] if f["severity"] in ("critical", "high") and not f.get("allowed")})
print("| %s | %s | %s | %s | %s | %s | %s |" % (sys.argv[1], *(n.get(s, 0) for s in ("critical", "high", "medium", "low", "info")), ", ".join(hi)))
' "$(basename "$f")" || echo "| $(basename "$f") | error | | | | | |"
done
