#!/bin/sh
# Benchmarks for issue #3 (figures as ratios within one run on this machine).
# Usage: bench/run.sh LARGE.tgz [MINIFIED_JS...]
#   e.g. npm pack next@14.2.18 && bench/run.sh next-14.2.18.tgz /tmp/next/package/dist/compiled/next-server/app-page.runtime.prod.js
set -eu
tgz=$1; shift
cd "$(dirname "$0")/.."
cargo build -q --release
bin=target/release/shipcheck
t() { s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
best() { b=999; for _ in 1 2 3 4 5; do x=$(t "$@"); b=$(echo "if ($x < $b) $x else $b" | bc); done; echo "$b"; }
g=$(best gzip -dc "$tgz")
c=$(best "$bin" check --format json "$tgz")
echo "check $(basename "$tgz"): ${c}s   gzip -dc: ${g}s   ratio: $(echo "scale=2; $c / $g" | bc) (target <= 0.6)"
/usr/bin/time -v "$bin" check --format json "$tgz" 2>&1 >/dev/null | grep -E "Maximum resident" | sed 's/^\s*/peak RSS: /'
largest=$(tar -tvzf "$tgz" | awk '{print $3}' | sort -n | tail -1)
echo "largest entry: $largest bytes; budget 64 MB + 2x largest = $(( (64 << 20) + 2 * largest )) bytes"
node_parse() {
  node -e 'const fs=require("fs");const b=fs.readFileSync("/tmp/shipcheck-bench.map","utf8");let best=1e9;for(let i=0;i<5;i++){const t=process.hrtime.bigint();JSON.parse(b);const d=Number(process.hrtime.bigint()-t)/1e6;if(d<best)best=d}console.log(best.toFixed(1))'
}
cargo bench -q --bench check -- "$@"
command -v node >/dev/null && echo "node JSON.parse of the same map: $(node_parse) ms"
# The same on a map of real sources (bench/make-map.py; needs bench/precision.sh's packages).
if [ -f bench/.cache/pkgs/typescript-5.6.3.tgz ]; then
  [ -f bench/.cache/real.map ] || python3 bench/make-map.py
  SHIPCHECK_BENCH_MAP=bench/.cache/real.map cargo bench -q --bench check | grep '^60MB'
  command -v node >/dev/null && echo "node JSON.parse of the same map: $(node_parse) ms"
fi
