#!/usr/bin/env bash
# Fail when a memory checker left a report: every non-empty file in DIR is one.
#   tests/check_reports.sh DIR NAME
set -u
dir=$1
name=$2
found=0
for f in "$dir"/*; do
    [ -s "$f" ] || continue
    found=$((found + 1))
    echo "---- $f"
    head -60 "$f"
done
if [ "$found" -gt 0 ]; then
    echo "$name: $found report(s) in $dir"
    exit 1
fi
echo "$name: no reports"
