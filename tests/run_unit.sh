#!/usr/bin/env bash
# Run every cmocka binary in a folder; exit non-zero if any fails.
set -u
dir=${1:?usage: run_unit.sh BUILD/tests}
status=0
found=0
for t in "$dir"/test_*; do
    [ -x "$t" ] || continue
    found=1
    echo "== $(basename "$t")"
    "$t" || status=1
done
[ "$found" -eq 1 ] || { echo "run_unit: no unit test binaries in $dir" >&2; exit 1; }
exit $status
