#!/usr/bin/env bash
# make bench-workbench: the built site (dist/, release) in headless Chromium on localhost with a
# generated 10,000-rule dump pasted into the workbench — time from Import to the table's first
# rows (target <= 1 s), p50/p95 of scroll frames and of edit frames (target <= 16 ms), and how long
# the background analysis (lint + matrix) takes and blocks the page. A benchmark, not a test: it
# prints figures and never fails on a slow machine (only when a step cannot run). Then where an edit's
# time goes in the state, timed alone in WebAssembly (release profile).
set -euo pipefail

echo "== 10,000 rules in the built workbench, headless Chromium (tests/tests/bench_workbench.rs)"
if ! browser=$(cargo test --locked -p portcullis-e2e --test bench_workbench -- --ignored --nocapture 2>&1); then
    echo "$browser" >&2
    echo "bench-workbench: the browser benchmark did not run (is dist/ built? make build)" >&2
    exit 1
fi
echo "$browser" | sed -n 's/^BENCH-WORKBENCH //p'

echo "== where a workbench edit's time goes (app/src/state/workbench_profile.rs, wasm32 release)"
if ! profile=$(cargo test --locked --release -p portcullis-app --target wasm32-unknown-unknown --lib \
    -- --include-ignored --nocapture where_a_workbench 2>&1); then
    echo "$profile" >&2
    echo "bench-workbench: the profile did not run" >&2
    exit 1
fi
echo "$profile" | sed -n 's/^BENCH-PROFILE //p'
