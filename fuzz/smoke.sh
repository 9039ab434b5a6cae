#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 30: the contributors' smoke), one after the
# other, one process each, on the seed corpus (built first when missing).
#
#   fuzz/smoke.sh            # ~30 s per target
#   fuzz/smoke.sh 600 spec   # 10 minutes of one target
#
# Needs `cargo install cargo-fuzz --locked`; runs on stable with `-s none` (no sanitizer).
# A crash stops the run and leaves its input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(spec page_import doc_json response prepare token_result tmc_frame tmc_message json_pull)
fi
[ -d corpus ] || python3 seed-corpus.py
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    echo "== $target: $seconds s"
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: unbounded memory is a bug.
    cargo fuzz run -s none "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -jobs=1 -workers=1 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1
done
