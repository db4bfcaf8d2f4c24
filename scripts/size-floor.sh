#!/usr/bin/env bash
# How small the wizard's page could be with its stack, whatever its views: builds two probes like
# the site (Makefile SITE_ENV, wasm-bindgen, wasm-opt -Oz) and prints their gzip sizes —
#   engine:    app/examples/size_floor_engine.rs, everything the wizard's page asks of the
#              engine (design file, each step's rules, the review's job written and its reply
#              read; the summary, the explanations, the lint and the exports run in the analysis
#              worker), no view;
#   framework: app/examples/size_floor_ui.rs, Leptos + stylist + web-sys in one trivial view;
#   both:      the two in one wasm (the standard library and allocator counted once)
# next to the wizard's own page (what a load costs: make bench-load). A measurement, not a test
# (about 10 minutes on 2 cores). Usage: make size-floor (runs scripts/size-floor.sh dist)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=${1:-$root/dist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The site's build flags come from the Makefile's SITE_ENV (`make size-floor`), the one place
# that names them, so the probes are built as the pages are.
if [[ "${RUSTFLAGS:-}" != *erase_components* ]]; then
    echo "size-floor: run it as 'make size-floor', which sets the site's build flags (Makefile SITE_ENV)" >&2
    exit 2
fi

# probe NAME: the example's wasm, as the site would ship it; prints its gzip bytes.
probe() {
    (cd "$root" && cargo build -q --locked --release --target wasm32-unknown-unknown -p portcullis-app --example "$1")
    wasm-bindgen --target web --no-typescript --out-dir "$work/$1" "$root/target/wasm32-unknown-unknown/release/examples/$1.wasm"
    wasm-opt -Oz --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
        "$work/$1/$1_bg.wasm" -o "$work/$1/opt.wasm"
    gzip -9 -c "$work/$1/opt.wasm" | wc -c
}

engine=$(probe size_floor_engine)
framework=$(probe size_floor_ui)
both=$(probe size_floor_both)
wizard=0
for file in "$dist"/portcullis-app-*_bg.wasm; do
    [ -f "$file" ] && wizard=$(gzip -9 -c "$file" | wc -c)
done
awk -v engine="$engine" -v framework="$framework" -v both="$both" -v wizard="$wizard" 'BEGIN {
    printf "engine probe (no view):          %4.0f KB gzip\n", engine / 1024
    printf "framework probe (no engine):     %4.0f KB gzip\n", framework / 1024
    printf "both in one wasm (the floor):    %4.0f KB gzip\n", both / 1024
    if (wizard > 0) printf "the wizard page'"'"'s wasm:           %4.0f KB gzip: its views and state add %.0f KB\n", wizard / 1024, (wizard - both) / 1024
}'
