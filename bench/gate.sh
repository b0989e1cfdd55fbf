#!/bin/sh
# `verify` vs `check` on one artifact (target: verify <= 1.1x check), best of 5 each.
# Usage: bench/gate.sh LARGE.tgz   e.g. (cd bench/.cache && npm pack next@14.2.18) && bench/gate.sh bench/.cache/next-14.2.18.tgz
set -eu
tgz=$(realpath "$1")
cd "$(dirname "$0")/.."
cargo build -q --release --bin shipcheck --example bench_approve
bin=target/release/shipcheck
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ssh-keygen -q -t ed25519 -N '' -C bench -f "$work/key"
echo "bench@example.com $(cut -d' ' -f1,2 "$work/key.pub")" > "$work/allowed_signers"
target/release/examples/bench_approve "$tgz" "$work/key" bench@example.com "$work/bundle.jsonl"
t() { s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
best() { b=999; for _ in 1 2 3 4 5; do x=$(t "$@"); b=$(echo "if ($x < $b) $x else $b" | bc); done; echo "$b"; }
"$bin" verify "$tgz" --approval "$work/bundle.jsonl" --allowed-signers "$work/allowed_signers" >/dev/null
c=$(best "$bin" check --format json "$tgz")
v=$(best "$bin" verify "$tgz" --approval "$work/bundle.jsonl" --allowed-signers "$work/allowed_signers")
echo "check $(basename "$tgz"): ${c}s   verify: ${v}s   ratio: $(echo "scale=2; $v / $c" | bc) (target <= 1.1)"
