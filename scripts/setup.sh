#!/usr/bin/env bash
# Installs every tool Portcullis needs to build and test, and only what is missing.
# Idempotent: a second run checks versions and returns in seconds.
# Facts behind the pins: see docs/toolchain.md — Trunk cannot download its tools here,
# Debian's wasm-opt breaks wasm-bindgen output, trunk 0.22 needs a newer rustc.
#
# Usage: scripts/setup.sh [build|test]   (default: test — everything)
set -euo pipefail

purpose=${1:-test}
root=$(cd "$(dirname "$0")/.." && pwd)

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
ESBUILD_VERSION=0.28.2
TOOLS_DIR=${PORTCULLIS_TOOLS_DIR:-$HOME/.cache/portcullis-tools}

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] error:\033[0m %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif have sudo; then sudo "$@"
    else die "need root to run: $* (run as root or install sudo)"
    fi
}

# --- Debian packages ------------------------------------------------------------------------
apt_missing=()
need_pkg() { # need_pkg COMMAND PACKAGE
    have "$1" || apt_missing+=("$2")
}
need_pkg curl curl
need_pkg gzip gzip
need_pkg python3 python3 # `make serve`'s static server (python3 -m http.server)
if [ "$purpose" = test ]; then
    need_pkg chromium chromium
    need_pkg chromedriver chromium-driver
    need_pkg iptables-restore iptables
    need_pkg nft nftables
    need_pkg shellcheck shellcheck
    need_pkg conntrack conntrack
    need_pkg socat socat
    need_pkg ip iproute2
    need_pkg ipset ipset
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${apt_missing[*]} (a minute or two)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi

# --- Rust: the toolchain of rust-toolchain.toml, its components and the wasm target ----------
if ! (cd "$root" && rustup target list --installed | grep -qx wasm32-unknown-unknown && cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1); then
    say "installing the Rust toolchain of rust-toolchain.toml with clippy, rustfmt and the wasm target (a few minutes, once)"
    (cd "$root" && rustup toolchain install)
fi

# --- trunk ----------------------------------------------------------------------------------
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
    say "installing trunk $TRUNK_VERSION with cargo (about 11 minutes on 2 cores, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# --- wasm-bindgen-cli: must equal the wasm-bindgen in Cargo.lock -----------------------------
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")
[ -n "$bindgen_version" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $bindgen_version\$" \
    || ! wasm-bindgen-test-runner --version 2>/dev/null | grep -q " $bindgen_version\$"; then
    say "installing wasm-bindgen-cli $bindgen_version with cargo (about 9 minutes on 2 cores, once)"
    # Not --locked: its lockfile wants a webpki-roots version the registry lacks.
    cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

# --- wasm-opt from npm binaryen (Debian's 108 breaks the app) --------------------------------
if ! "$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    have npm || die "npm is needed to install binaryen (wasm-opt); install Node.js"
    say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into $TOOLS_DIR (under a minute)"
    mkdir -p "$TOOLS_DIR"
    npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
fi

# --- esbuild from npm: minifies the pages' scripts (Trunk's own minifier fails on the glue) ----
if ! "$TOOLS_DIR/node_modules/.bin/esbuild" --version 2>/dev/null | grep -qx "$ESBUILD_VERSION"; then
    have npm || die "npm is needed to install esbuild; install Node.js"
    say "installing esbuild $ESBUILD_VERSION into $TOOLS_DIR (seconds)"
    mkdir -p "$TOOLS_DIR"
    npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --silent "esbuild@$ESBUILD_VERSION"
fi

# --- crates, fetched once so Trunk's offline build finds them --------------------------------
(cd "$root" && cargo fetch --locked -q)
say "all tools present"
