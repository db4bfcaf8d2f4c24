#!/usr/bin/env bash
# make fuzz: each fuzz target (fuzz/fuzz_targets/) for FUZZ_SECONDS seconds (default 600) with
# cargo-fuzz (libFuzzer) on the nightly pinned in fuzz/rust-toolchain.toml, then the corpus
# minimised. A crash is kept in fuzz/regressions/<target>/ (replayed by every `make test`,
# engine/tests/fuzz_corpus.rs) and fails the run. Installs the nightly and cargo-fuzz if missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-600}
targets=${FUZZ_TARGETS:-import design_file survey packet}
cd "$root/fuzz"
rustup toolchain install >/dev/null
cargo fuzz --version >/dev/null 2>&1 || cargo +stable install cargo-fuzz --version 0.13.2 --locked
found=()
for target in $targets; do
    echo "== fuzz $target for ${seconds}s"
    mkdir -p "corpus/$target" "regressions/$target"
    if ! cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 2>"artifacts-$target.log"; then
        for crash in artifacts/"$target"/*; do
            [ -f "$crash" ] || continue
            cp "$crash" "regressions/$target/$(basename "$crash")"
            found+=("regressions/$target/$(basename "$crash")")
        done
        tail -n 30 "artifacts-$target.log" >&2
    fi
    grep -E '^(Done|stat::number_of_executed_units)' "artifacts-$target.log" || true
    cargo fuzz cmin -O "$target" "corpus/$target" -- -max_len=4096 >/dev/null 2>&1
    echo "   corpus: $(find "corpus/$target" -type f | wc -l) inputs"
    rm -f "artifacts-$target.log"
done
if [ ${#found[@]} -gt 0 ]; then
    echo "fuzz: crashes kept as regression inputs (fix them, then commit): ${found[*]}" >&2
    exit 1
fi
echo "fuzz: no crash in $targets"
