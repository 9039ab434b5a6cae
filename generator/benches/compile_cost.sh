#!/usr/bin/env bash
# What users pay to compile the generated crate: generates a fixed sample of real APIs from
# the catalogue (`topgen sample --pick N`, the same docs on every machine), builds its
# dependencies once, then touches `src/lib.rs` and times `cargo build` and `cargo check` of
# the crate alone with CARGO_INCREMENTAL=0, printing wall time, user CPU time and peak RSS.
#
#   generator/benches/compile_cost.sh            # 100 APIs, one run each
#   PICK=210 RUNS=3 generator/benches/compile_cost.sh
#   TESTS=1 generator/benches/compile_cost.sh    # also `cargo test --no-run` (protocol tests)
#
# Run from the repository root. Wall time is noisy on shared machines: compare user CPU.
# The sample goes to $OUT (default target/compile-cost), its build to $CARGO_TARGET_DIR
# (default target)/compile-cost.
set -euo pipefail

PICK=${PICK:-100}
RUNS=${RUNS:-1}
OUT=${OUT:-target/compile-cost}
TARGET=${CARGO_TARGET_DIR:-target}/compile-cost
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time at /usr/bin/time" >&2; exit 2; }

cargo run --quiet --release -p topgen -- sample --pick "$PICK" --out "$OUT" 2>&1 | tail -n 2
MANIFEST=$OUT/generated/Cargo.toml
LIB=$OUT/generated/src/lib.rs
APIS=$(grep -c '^pub mod [a-z0-9_]*;$' "$LIB" || true)
LINES=$(cat "$OUT"/generated/src/*.rs | wc -l)

# Dependencies (top-runtime, serde, reqwest…) once, for build and for check.
cargo build --quiet --manifest-path "$MANIFEST" --target-dir "$TARGET"
cargo check --quiet --manifest-path "$MANIFEST" --target-dir "$TARGET"
if [ "${TESTS:-0}" = 1 ]; then
    cargo test --quiet --no-run --manifest-path "$MANIFEST" --target-dir "$TARGET" 2>/dev/null
fi

echo "top-apis with $APIS catalogue APIs ($LINES generated lines), CARGO_INCREMENTAL=0, after touching src/lib.rs:"
measure() {
    local what=$1
    shift
    for _ in $(seq "$RUNS"); do
        touch "$LIB"
        local report
        report=$(CARGO_INCREMENTAL=0 "$TIME" -f "%e s wall  %U s user  %M KB peak RSS" \
            cargo "$@" --quiet --manifest-path "$MANIFEST" --target-dir "$TARGET" 2>&1 >/dev/null | tail -n 1)
        printf '  %-28s %s\n' "$what" "$report"
    done
}
measure "cargo build" build
measure "cargo check" check
if [ "${TESTS:-0}" = 1 ]; then
    measure "cargo test --no-run" test --no-run
fi
