#!/bin/sh
# `shipcheck check` of a tarball against detect-secrets 1.5.0 (PyPI) scanning the same files
# unpacked (issue #3: >= 50x). detect-secrets is installed into bench/.cache/venv on first use.
# Usage: bench/vs-scanner.sh [TARBALL]   (default: bench/.cache/next-14.2.18.tgz, made by bench/ls.py)
set -eu
cd "$(dirname "$0")/.."
tgz=${1:-bench/.cache/next-14.2.18.tgz}
venv=bench/.cache/venv
if [ ! -x "$venv/bin/detect-secrets" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q detect-secrets==1.5.0
fi
cargo build -q --release --bin shipcheck
bin=target/release/shipcheck
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tar -xzf "$tgz" -C "$dir"
now() { date +%s.%N; }
# detect-secrets only scans paths under the current directory (an absolute path outside it
# silently yields nothing), and it runs one process per core by default.
ds_bin=$(pwd)/$venv/bin/detect-secrets
s=$(now); (cd "$dir" && "$ds_bin" scan --all-files . >"$dir.ds.json"); e=$(now)
ds=$(echo "$e - $s" | bc)
hits=$(python3 -c 'import json,sys; print(sum(len(v) for v in json.load(open(sys.argv[1]))["results"].values()))' "$dir.ds.json")
rm -f "$dir.ds.json"
best=999
for _ in 1 2 3 4 5; do
  s=$(now); "$bin" check --format json "$tgz" >/dev/null || true; e=$(now)
  t=$(echo "$e - $s" | bc); best=$(echo "if ($t < $best) $t else $best" | bc)
done
files=$(find "$dir" -type f | wc -l)
bytes=$(du -sb "$dir" | cut -f1)
echo "$files files, $bytes bytes unpacked"
echo "detect-secrets scan --all-files (unpacked): ${ds}s, $hits results"
echo "shipcheck check (tarball, every rule, best of 5): ${best}s"
echo "ratio: $(echo "scale=1; $ds / $best" | bc)x (target >= 50)"
