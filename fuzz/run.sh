#!/usr/bin/env bash
# Runs one cargo-fuzz target for a fixed time, on one core.
#
#   fuzz/run.sh TARGET SECONDS [more libFuzzer flags]
#   e.g. fuzz/run.sh ops_vs_model 600
#
# TARGET: log_record | log_segment | snapshot | ops_vs_model | crash_recover |
#         import_json | apply_ndjson
#
# Needs (once per machine):
#   rustup toolchain install nightly   # cargo-fuzz builds with -Zsanitizer=address
#   cargo install cargo-fuzz           # 0.13.x
# The script installs cargo-fuzz itself when it is missing.
#
# What it does:
# - builds the target (release, debug assertions, AddressSanitizer: the
#   sanitizer's allocator hooks are what make -malloc_limit_mb work);
# - fuzzes with ONE process (no -jobs/-workers: the machine has 2 cores);
# - grows its corpus in fuzz/work/TARGET/ (git-ignored), reading the committed
#   seeds fuzz/corpus/TARGET/ and past crashes fuzz/regressions/TARGET/
#   without writing to them; crashes land in fuzz/artifacts/TARGET/;
# - writes libFuzzer's output to fuzz/work/TARGET.log and prints the final
#   figures (executions, exec/s, cov, ft, corpus size, peak RSS).
#
# Limits:
# - -malloc_limit_mb=1024: no harness needs a single allocation anywhere
#   near 1 GiB (inputs are at most -max_len=8192 bytes, and every decoder
#   bounds its allocations by its input), so one that big is an allocation
#   bomb — a length field trusted before it was checked. It is the size of
#   the largest record the log allows (MAX_RECORD_LEN), so a decoder that
#   allocated a claimed length first would trip it.
# - -rss_limit_mb=2048: catches leaks and runaway growth across executions
#   (a run peaks at a few hundred MB), well inside the 24 GiB machine.
# - -timeout=30: any single input taking longer is reported as a hang.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    sed -n '2,8p' "$0" >&2
    exit 2
fi
target=$1
seconds=$2
shift 2

cd "$(dirname "$0")"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz
fi

work=work/$target
mkdir -p "$work" "artifacts/$target"
seeds=("corpus/$target")
if [[ -d "regressions/$target" ]]; then
    seeds+=("regressions/$target")
fi

log=work/$target.log
set +e
cargo +nightly fuzz run "$target" "$work" "${seeds[@]}" -- \
    -max_total_time="$seconds" \
    -rss_limit_mb=2048 \
    -malloc_limit_mb=1024 \
    -max_len=8192 \
    -timeout=30 \
    -print_final_stats=1 \
    "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

echo "---- $target: ${seconds}s, exit $status"
grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
echo "corpus: $(find "$work" -type f | wc -l) files grown in $work"
exit "$status"
