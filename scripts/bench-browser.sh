#!/usr/bin/env bash
# make bench-browser: full lint + service matrix on the generated 5,000-rule ruleset in
# WebAssembly in headless Chromium (release profile, as the site ships), next to the same work
# natively and to the naive reference measured in the browser in the same run. A benchmark, not
# a test: it prints figures and never fails on a slow machine (only when a step cannot run).
set -euo pipefail

native=$(cargo run --quiet --locked --profile native -p portcullis-engine --example bench_lint)
echo "== native"
echo "$native"

echo "== browser (headless Chromium, wasm32, release profile)"
if ! browser=$(cargo test --locked --release -p portcullis-engine --target wasm32-unknown-unknown \
    --test bench_browser -- --include-ignored --nocapture 2>&1); then
    echo "$browser" >&2
    echo "bench-browser: the browser benchmark did not run" >&2
    exit 1
fi
echo "$browser" | sed -n 's/^BENCH-BROWSER //p'

native_ms=$(echo "$native" | awk '/^lint \+ matrix/ {print $4}')
wasm_ms=$(echo "$browser" | awk '/^BENCH-WASM-MS/ {print $2}')
awk -v wasm="$wasm_ms" -v native="$native_ms" \
    'BEGIN { printf "ratio wasm / native (best runs): %.2f (%.0f ms / %.0f ms)\n", wasm / native, wasm, native }'
