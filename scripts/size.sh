#!/usr/bin/env bash
# Prints the gzip size of what the site ships (wasm + js + css) and fails past the budget.
# Usage: scripts/size.sh [DIST_DIR]
set -euo pipefail

dist=${1:-dist}
budget_kb=${SIZE_BUDGET_KB:-250}

[ -f "$dist/index.html" ] || { echo "size: $dist/index.html is missing: run 'make build' first" >&2; exit 1; }

total=0
shopt -s nullglob
files=("$dist"/*.wasm "$dist"/*.js "$dist"/*.css)
[ ${#files[@]} -gt 0 ] || { echo "size: no wasm/js/css in $dist" >&2; exit 1; }
printf '%-48s %10s %10s\n' "file" "raw" "gzip"
for file in "${files[@]}"; do
    raw=$(wc -c < "$file")
    packed=$(gzip -9 -c "$file" | wc -c)
    total=$((total + packed))
    printf '%-48s %10d %10d\n' "$(basename "$file")" "$raw" "$packed"
done
printf '%-48s %10s %10d  (budget %d KB = %d bytes)\n' "total" "" "$total" "$budget_kb" $((budget_kb * 1024))
if [ "$total" -gt $((budget_kb * 1024)) ]; then
    echo "size: the site is over its ${budget_kb} KB gzip budget" >&2
    exit 1
fi
