#!/usr/bin/env bash
# make bench-wizard: the built site (dist/, release) in headless Chromium on localhost — first
# render of the wizard after navigation (target <= 500 ms) and one edit of a 50-rule design
# (target <= 16 ms, one frame) — then where an edit's time goes, each derived value timed alone
# in WebAssembly (release profile). A benchmark, not a test: it prints figures and never fails on
# a slow machine (only when a step cannot run).
set -euo pipefail

echo "== the built site in headless Chromium (tests/tests/bench_wizard.rs)"
if ! browser=$(cargo test --locked -p portcullis-e2e --test bench_wizard -- --ignored --nocapture 2>&1); then
    echo "$browser" >&2
    echo "bench-wizard: the browser benchmark did not run (is dist/ built? make build)" >&2
    exit 1
fi
echo "$browser" | sed -n 's/^BENCH-WIZARD //p'

echo "== where an edit's time goes (app/src/state/edit_profile.rs, wasm32 release)"
if ! profile=$(cargo test --locked --release -p portcullis-app --target wasm32-unknown-unknown --lib \
    -- --include-ignored --nocapture where_an_edit 2>&1); then
    echo "$profile" >&2
    echo "bench-wizard: the profile did not run" >&2
    exit 1
fi
echo "$profile" | sed -n 's/^BENCH-PROFILE //p'
