# Portcullis — the two commands: `make serve` and `make test`. Both install what is missing first
# (scripts/setup.sh; about 20 minutes once on 2 cores, seconds afterwards).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

TOOLS_DIR ?= $(HOME)/.cache/portcullis-tools
export PORTCULLIS_TOOLS_DIR := $(TOOLS_DIR)
# npm binaryen's wasm-opt first: Debian's (version 108) breaks wasm-bindgen output.
export PATH := $(TOOLS_DIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CHROMEDRIVER := /usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON := $(CURDIR)/app/webdriver.json
export WASM_BINDGEN_TEST_TIMEOUT := 120

HOST_CRATES := -p portcullis-engine -p portcullis-cli -p portcullis-e2e
# The site is built with Leptos' type-erased components (`--cfg erase_components`, a stable
# flag): 14% less gzip, same behaviour. Only the site build gets it (tests keep their cached
# artifacts). The toolchain is plain stable Rust, pinned in rust-toolchain.toml; no unstable
# flags (docs/page-weight.md: what they would save, measured by the load-time benchmark).
SITE_ENV := RUSTFLAGS="--cfg erase_components"

.PHONY: serve build test setup-build setup-test test-engine test-app test-e2e lint size size-floor bench-parse bench-lint bench-router bench-simulate bench-browser bench-wizard bench-workbench bench-load fuzz clean

## serve: build the release site (both pages) and serve dist/ on http://127.0.0.1:8080
serve: build
	@echo "Portcullis: the wizard on http://127.0.0.1:8080/, the workbench on http://127.0.0.1:8080/workbench/ (Ctrl-C stops)"
	@# A plain static server, as any host would be (trunk serve serves one page only).
	python3 -m http.server --bind 127.0.0.1 --directory dist 8080

## build: the release site in dist/ — the wizard's page (index.html) and the workbench's (workbench/index.html), one wasm each
build: setup-build
	@# Trunk builds one page a run: the wizard first (it empties dist/), then the workbench into
	@# dist/workbench/ (Trunk.toml's public_url "./" keeps its asset URLs relative to that folder).
	$(SITE_ENV) trunk build app/index.html --release
	$(SITE_ENV) trunk build app/workbench.html --dist dist/workbench --release
	@# Trunk's JS minifier fails on wasm-bindgen's glue (`export default`): esbuild minifies every
	@# script in place (same names, so the pages and the service worker still find them).
	@# 7.0 → 5.5 KB gzip on the wizard's page.
	for script in dist/*.js dist/workbench/*.js; do esbuild "$$script" --minify --allow-overwrite --log-level=warning --outfile="$$script"; done

## test: every suite — engine, CLI, lint, browser components, site size, end-to-end (browser, iptables, kernel)
test: setup-test
	@$(MAKE) --no-print-directory test-engine lint test-app build size test-e2e
	@echo "make test: all suites passed"

setup-build:
	@scripts/setup.sh build

setup-test:
	@scripts/setup.sh test

test-engine:
	cargo test --locked -p portcullis-engine -p portcullis-cli

lint:
	cargo clippy --locked $(HOST_CRATES) --all-targets -- -D warnings
	cargo clippy --locked -p portcullis-app --target wasm32-unknown-unknown --all-targets -- -D warnings

test-app:
	cargo test --locked -p portcullis-app --target wasm32-unknown-unknown

size:
	@scripts/size.sh dist

## size-floor: how small the wizard's page could be on its stack — an engine-only and a framework-only probe built like the site, their gzip next to the page's (a measurement, ~10 minutes)
size-floor: setup-build
	$(SITE_ENV) scripts/size-floor.sh dist

test-e2e:
	cargo test --locked -p portcullis-e2e

## bench-parse: importer speed on a 5,000-rule dump next to iptables-restore --test (a benchmark, not a test)
bench-parse:
	cargo run --locked --profile native -p portcullis-engine --example bench_parse

## bench-lint: full lint + service matrix on a generated 5,000-rule / 100-chain ruleset next to a naive pairwise reference
bench-lint:
	cargo run --locked --profile native -p portcullis-engine --example bench_lint

## bench-router: lint (<= 0.3 s, <= 150 MB) and FORWARD matrix (<= 10 s, <= 1 GB, <= 5,000 lines of text) of a generated 5,600-rule university router, each phase's peak memory, and the curve over 1k-20k rules (a benchmark, ~10 minutes; BUDGET=60 s a phase)
bench-router:
	cargo run --locked --profile native -p portcullis-engine --example bench_router

## bench-simulate: batch verdicts (packets/s) and single-packet traces on the same ruleset, next to references
bench-simulate:
	cargo run --locked --profile native -p portcullis-engine --example bench_simulate

## bench-browser: lint + matrix in WebAssembly in headless Chromium, next to native and the naive reference
bench-browser: setup-test
	scripts/bench-browser.sh

## bench-wizard: the built wizard in headless Chromium — first render (<= 500 ms) and one edit of a 50-rule design (<= 16 ms) — and where an edit's time goes
bench-wizard: setup-test build
	scripts/bench-wizard.sh

## bench-load: the built wizard's page served compressed (brotli/gzip) to headless Chromium on emulated Fast 3G — cold first interactive render (<= 2.5 s) and warm, from the service worker (<= 300 ms) — with the page's gzip and brotli sizes
bench-load: setup-test build
	@cargo test --locked -p portcullis-e2e --test bench_load -- --ignored --nocapture 2>&1 | sed -n 's/^BENCH-LOAD //p'

## fuzz: each fuzz target (the dump/script reader, the design file, the survey, the packet parser) for FUZZ_SECONDS (600) seconds with cargo-fuzz on a pinned nightly; crashes are kept in fuzz/regressions/ and replayed by make test
fuzz:
	scripts/fuzz.sh

## bench-workbench: a 10,000-rule dump imported into the built workbench in headless Chromium — Import to the table's first rows (<= 1 s), p50/p95 of scroll and edit frames (<= 16 ms), the background analysis
bench-workbench: setup-test build
	scripts/bench-workbench.sh

clean:
	rm -rf dist tests/artifacts
