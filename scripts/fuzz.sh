#!/usr/bin/env bash
# Runs libFuzzer harnesses for a bounded time each (`make fuzz`):
#
#   scripts/fuzz.sh FUZZ_BUILD_DIR SECONDS NAME...
#
# NAME is a harness, tests/fuzz/fuzz_NAME.c, already built as
# FUZZ_BUILD_DIR/fuzz_NAME (the Makefile does that). Each one starts from its
# seed corpus, tests/fuzz/corpus/NAME/ (read only), plus the inputs earlier
# runs found, FUZZ_BUILD_DIR/corpus/NAME/ (grows, never committed), and
# uses tests/fuzz/fuzz_NAME.dict as a dictionary when there is one.
# Extra libFuzzer flags: FUZZ_ARGS="-max_len=4096 ...".
#
# A crash, a sanitizer report, a broken invariant, a timeout (10 s per
# input) or an out-of-memory is a failure: the input that caused it is in
# FUZZ_BUILD_DIR/artifacts/NAME/ and the log in FUZZ_BUILD_DIR/logs/NAME.log.
# Every harness runs even after one failed; the exit status says if any did.
set -euo pipefail
LIB_TAG=fuzz
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "usage: $0 FUZZ_BUILD_DIR SECONDS NAME..."
dir=$(abspath "$1"); secs=$2; shift 2
case $secs in ''|*[!0-9]*) die "SECONDS must be a whole number, not '$secs'" ;; esac
cd "$TOP"

# UBSan findings are fatal (-fno-sanitize-recover=all at build time);
# stack traces make the logs useful.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
for name in "$@"; do
    bin=$dir/fuzz_$name
    [ -x "$bin" ] || die "$bin not built (make fuzz-build)"
    seeds=tests/fuzz/corpus/$name
    work=$dir/corpus/$name
    art=$dir/artifacts/$name
    logf=$dir/logs/$name.log
    mkdir -p "$work" "$art" "$(dirname "$logf")"

    args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048
          -print_final_stats=1 -artifact_prefix="$art/")
    if [ -f "tests/fuzz/fuzz_$name.dict" ]; then
        args+=(-dict="tests/fuzz/fuzz_$name.dict")
    fi
    # shellcheck disable=SC2206  # word splitting of FUZZ_ARGS is wanted
    args+=(${FUZZ_ARGS:-})
    corpora=("$work")
    [ -d "$seeds" ] && corpora+=("$seeds")

    log "$name: ${secs}s (log: $logf)"
    rc=0
    "$bin" "${args[@]}" "${corpora[@]}" > "$logf" 2>&1 || rc=$?

    # libFuzzer's final stats: "stat::number_of_executed_units: N"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logf" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$logf" | tail -1 || true)
    log "$name: ${execs:-?} inputs run, ${cov:-cov: ?}," \
        "corpus $(find "$work" -type f | wc -l) files, exit $rc"

    if [ "$rc" -ne 0 ]; then
        failed+=("$name")
        grep -E 'ERROR: |runtime error|invariant broken|SUMMARY' "$logf" \
            | head -5 >&2 || true
        for f in "$art"/*; do
            [ -e "$f" ] || continue
            log "$name: failing input: $f"
        done
        log "$name: to keep it as a regression test:" \
            "cp <input> tests/fuzz/regressions/$name/<short-name>;" \
            "make fuzz-regressions replays it"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    die "failed: ${failed[*]}"
fi
log "all passed: $*"
