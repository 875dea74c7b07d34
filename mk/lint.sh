#!/usr/bin/env bash
# Static analysis: cppcheck and clang-tidy over everything we write. Fails on any finding.
set -uo pipefail
cd "$(dirname "$0")/.."
make -s build/dep-include/jsmn.h >/dev/null
status=0
srcs=$(ls core/*.c port/mbedtls/*.c platform/posix/*.c examples/cli/*.c 2>/dev/null)
incs="-Icore -Ibuild/dep-include -Iport/mbedtls -Iplatform/posix -Iexamples/cli"

echo "== cppcheck"
if ! cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
        --inline-suppr --suppress=missingIncludeSystem $incs \
        -D_POSIX_C_SOURCE=200809L -D__GNUC__ $srcs; then
    status=1
fi

echo "== clang-tidy"
for f in $srcs; do
    out=$(clang-tidy --quiet "$f" -- -std=c11 $incs -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE 2>/dev/null)
    if [ -n "$out" ]; then
        echo "$out"
        status=1
    fi
done
[ $status -eq 0 ] && echo "lint: cppcheck and clang-tidy clean ($(echo $srcs | wc -w) files)"
exit $status
