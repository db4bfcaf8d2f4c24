#!/usr/bin/env bash
# Prints the gzip size of what the site ships (wasm + js + css) next to the issue's 250 KB target,
# and fails past the regression ceiling.
#
# The target is NOT met (about 660 KB with the wizard and the workbench: the Leptos runtime and
# its views, serde_json, the analysis engine); the ceiling catches growth while the size work —
# loading the workbench as a second module on demand — is pending.
# Usage: scripts/size.sh [DIST_DIR]
set -euo pipefail

dist=${1:-dist}
target_kb=250
budget_kb=${SIZE_BUDGET_KB:-700}

[ -f "$dist/index.html" ] || { echo "size: $dist/index.html is missing: run 'make build' first" >&2; exit 1; }

total=0
on_demand=0
shopt -s nullglob
files=("$dist"/*.wasm "$dist"/*.js "$dist"/*.css)
[ ${#files[@]} -gt 0 ] || { echo "size: no wasm/js/css in $dist" >&2; exit 1; }
printf '%-48s %10s %10s\n' "file" "raw" "gzip"
for file in "${files[@]}"; do
    raw=$(wc -c < "$file")
    packed=$(gzip -9 -c "$file" | wc -c)
    case "$(basename "$file")" in
        # The workbench's analysis worker: fetched when the workbench first analyses, not on page load.
        portcullis-analysis-worker*) on_demand=$((on_demand + packed)); note=" (on demand)" ;;
        *) total=$((total + packed)); note="" ;;
    esac
    printf '%-48s %10d %10d%s\n' "$(basename "$file")" "$raw" "$packed" "$note"
done
printf '%-48s %10s %10d\n' "loaded on demand (analysis worker)" "" "$on_demand"
printf '%-48s %10s %10d  (target %d KB: %s; ceiling %d KB)\n' "total" "" "$total" "$target_kb" \
    "$(awk -v total="$total" -v target=$((target_kb * 1024)) 'BEGIN { printf "%.2fx the target", total / target }')" "$budget_kb"
if [ "$total" -gt $((budget_kb * 1024)) ]; then
    echo "size: the site is over its ${budget_kb} KB gzip regression ceiling" >&2
    exit 1
fi
