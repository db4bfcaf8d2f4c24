#!/usr/bin/env bash
# Prints the gzip size of what each page of the site makes the browser download (the wasm, js and
# css its HTML names) and of the analysis worker, and fails past a regression ceiling.
#
# The site is two pages with a wasm module each: the wizard (dist/index.html, what a beginner
# downloads) and the workbench (dist/workbench/index.html). Page weight is judged by the
# load-time benchmark (`make bench-load`: cold and warm first render on emulated Fast 3G, see
# docs/page-weight.md); these ceilings are only guards against accidents, about +20 % over the
# committed figures (wizard 296 KB, workbench 548 KB, worker 307 KB gzip): the workbench, or the
# lint and the exports that run in the analysis worker, creeping back into the wizard's page.
# Usage: scripts/size.sh [DIST_DIR]
set -euo pipefail

dist=${1:-dist}
wizard_budget_kb=${SIZE_BUDGET_WIZARD_KB:-355}
workbench_budget_kb=${SIZE_BUDGET_WORKBENCH_KB:-658}
worker_budget_kb=${SIZE_BUDGET_WORKER_KB:-368}

# page_size LABEL HTML BUDGET_KB: prints each wasm/js/css file the page names and their gzip
# total; sets $page_total and returns 1 past the budget.
page_size() {
    local label=$1 html=$2 budget_kb=$3 folder file raw packed
    [ -f "$html" ] || { echo "size: $html is missing: run 'make build' first" >&2; exit 1; }
    folder=$(dirname "$html")
    # Relative URLs in src/href attributes and in Trunk's loader script (`'./name.js'`).
    mapfile -t files < <(grep -oE "[\"'][^\"' ]+\.(wasm|js|css)[\"']" "$html" | tr -d "\"'" \
        | grep -vE '^([a-z][a-z0-9+.-]*:|/)' | sed 's|^\./||' | sort -u)
    [ ${#files[@]} -gt 0 ] || { echo "size: $html names no wasm/js/css" >&2; exit 1; }
    page_total=0
    printf '%s (%s)\n' "$label" "$html"
    for file in "${files[@]}"; do
        [ -f "$folder/$file" ] || { echo "size: $html names $file, which is not in $folder" >&2; exit 1; }
        raw=$(wc -c < "$folder/$file")
        packed=$(gzip -9 -c "$folder/$file" | wc -c)
        page_total=$((page_total + packed))
        printf '  %-46s %10d %10d\n' "$file" "$raw" "$packed"
    done
    printf '  %-46s %10s %10d  (%d KB; ceiling %d KB)\n' "total" "" "$page_total" $(((page_total + 512) / 1024)) "$budget_kb"
    [ "$page_total" -le $((budget_kb * 1024)) ]
}

printf '  %-46s %10s %10s\n' "file" "raw" "gzip"
over=()
page_size "wizard page — what a beginner downloads" "$dist/index.html" "$wizard_budget_kb" || over+=("wizard page (${wizard_budget_kb} KB)")
page_size "workbench page" "$dist/workbench/index.html" "$workbench_budget_kb" || over+=("workbench page (${workbench_budget_kb} KB)")
# The analysis worker (the wizard's review: summary, explanations, lint and exports; the
# workbench's analysis): not named by either page's scripts, started by the wizard once it has
# rendered and by the workbench when it first analyses.
worker_total=0
for file in "$dist"/portcullis-analysis-worker*.{wasm,js} "$dist"/analysis-worker.js; do
    [ -f "$file" ] || { echo "size: the analysis worker ($file) is missing from $dist" >&2; exit 1; }
    worker_total=$((worker_total + $(gzip -9 -c "$file" | wc -c)))
done
printf 'analysis worker, started by the wizard once it has rendered and by the workbench on its first analysis: %d KB gzip (ceiling %d KB)\n' $(((worker_total + 512) / 1024)) "$worker_budget_kb"
[ "$worker_total" -le $((worker_budget_kb * 1024)) ] || over+=("analysis worker (${worker_budget_kb} KB)")
if [ ${#over[@]} -gt 0 ]; then
    echo "size: over the gzip regression ceiling: ${over[*]}" >&2
    exit 1
fi
