#!/usr/bin/env bash
# Run libFuzzer targets one after another and print one table:
#   target, executions, corpus size, coverage (features), findings.
#
#   tests/fuzz/run.sh SECONDS WORKDIR BIN...
#
# Each target starts from its seed corpus tests/fuzz/corpus/<target>/ (every seed runs
# first) plus WORKDIR/<target>/, where new inputs are kept. FUZZ_RUNS=N stops a target
# after N executions (SECONDS still bounds it). A finding (crash, leak, timeout, sanitizer
# report, failed property) is saved as build/fuzz/artifacts/<target>-crash-*; the script
# goes on with the next target and fails at the end.
set -u
seconds=$1
workdir=$2
shift 2
artifacts=build/fuzz/artifacts
mkdir -p "$artifacts" "$workdir"
rows=()
failed=0
for bin in "$@"; do
    t=$(basename "$bin")
    seeds=tests/fuzz/corpus/$t
    mkdir -p "$workdir/$t" "$seeds"
    dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
    runs=()
    [ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
    log=$workdir/$t.log
    echo "== $t: ${seconds}s${FUZZ_RUNS:+ or $FUZZ_RUNS runs}"
    before=$(ls "$artifacts" | grep -c "^$t-" || true)
    "$bin" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -max_total_time="$seconds" "${runs[@]}" "${dict[@]}" \
        -artifact_prefix="$artifacts/$t-" "$workdir/$t" "$seeds" >"$log" 2>&1
    rc=$?
    after=$(ls "$artifacts" | grep -c "^$t-" || true)
    findings=$((after - before))
    if [ "$rc" -ne 0 ]; then
        [ "$findings" -gt 0 ] || findings=1
        failed=1
        grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    rows+=("$(printf '%-18s %14s %8s %10s %9s' "$t" "${execs:-?}" "${corp:-?}" "${ft:-?}" "$findings")")
done
echo
printf '%-18s %14s %8s %10s %9s\n' target execs corpus features findings
for r in "${rows[@]}"; do echo "$r"; done
exit "$failed"
