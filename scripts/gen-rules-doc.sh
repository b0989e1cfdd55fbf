#!/bin/sh
# Regenerates the rule table in docs/rules.md and README.md from the registry (the test in
# tests/check_rules.rs fails when they differ).
set -eu
cd "$(dirname "$0")/.."
table=$(cargo run -q -- rules --format markdown)
for f in docs/rules.md README.md; do
  awk -v table="$table" '
    /<!-- rules:start -->/ { print; print table; skip = 1; next }
    /<!-- rules:end -->/ { skip = 0 }
    !skip { print }
  ' "$f" > "$f.tmp"
  mv "$f.tmp" "$f"
done
