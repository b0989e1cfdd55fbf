#!/bin/sh
# Regenerates the rule table in docs/rules.md from the registry (the test in
# tests/check_cli.rs fails when they differ).
set -eu
cd "$(dirname "$0")/.."
table=$(cargo run -q --release -- rules --format markdown)
awk -v table="$table" '
  /<!-- rules:start -->/ { print; print table; skip = 1; next }
  /<!-- rules:end -->/ { skip = 0 }
  !skip { print }
' docs/rules.md > docs/rules.md.tmp
mv docs/rules.md.tmp docs/rules.md
