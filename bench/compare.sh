#!/bin/bash
# Two builds of shipcheck on one tarball, interleaved, best of 7: `check` against `gzip -dc` and
# `ls` against `tar -tzf` (ratios within one run). For "no slowdown" claims between commits:
#   git worktree add /tmp/old REV && (cd /tmp/old && cargo build --release)
#   bench/compare.sh /tmp/old/target/release/shipcheck target/release/shipcheck bench/.cache/next-14.2.18.tgz
set -eu
old=$1 new=$2 tgz=$3
t() { s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
declare -A best
for _ in 1 2 3 4 5 6 7; do
  for k in gzip old_check new_check tar old_ls new_ls; do
    case $k in
      gzip) x=$(t gzip -dc "$tgz") ;;
      old_check) x=$(t "$old" check --format json "$tgz") ;;
      new_check) x=$(t "$new" check --format json "$tgz") ;;
      tar) x=$(t tar -tzf "$tgz") ;;
      old_ls) x=$(t "$old" ls "$tgz") ;;
      new_ls) x=$(t "$new" ls "$tgz") ;;
    esac
    b=${best[$k]:-999}
    best[$k]=$(echo "if ($x < $b) $x else $b" | bc)
  done
done
for k in gzip old_check new_check tar old_ls new_ls; do echo "$k ${best[$k]}s"; done
echo "check / gzip -dc: old $(echo "scale=3; ${best[old_check]} / ${best[gzip]}" | bc)  new $(echo "scale=3; ${best[new_check]} / ${best[gzip]}" | bc)"
echo "ls / tar -tzf:    old $(echo "scale=3; ${best[old_ls]} / ${best[tar]}" | bc)  new $(echo "scale=3; ${best[new_ls]} / ${best[tar]}" | bc)"
