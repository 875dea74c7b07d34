#!/usr/bin/env bash
# Static analysis: cppcheck and clang-tidy over everything we write. Fails on any finding.
set -uo pipefail
cd "$(dirname "$0")/.."
make -s build/dep-include/jsmn.h >/dev/null
status=0
srcs=$(ls core/*.c port/mbedtls/*.c port/null/*.c platform/posix/*.c examples/cli/*.c examples/gateway/*.c examples/common/*.c 2>/dev/null)
incs="-Icore -Ibuild/dep-include -Iport/mbedtls -Iplatform/posix -Iexamples/cli -Iexamples/gateway -Iexamples/common"

echo "== cppcheck"
if ! cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
        --inline-suppr --suppress=missingIncludeSystem $incs \
        -D_POSIX_C_SOURCE=200809L -D__GNUC__ $srcs; then
    status=1
fi

echo "== clang-tidy"
tidy_out=$(mktemp)
# shellcheck disable=SC2086
printf '%s\n' $srcs | xargs -P "${JOBS:-2}" -I{} sh -c \
    'clang-tidy --quiet "$1" -- -std=c11 '"$incs"' -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE 2>/dev/null' _ {} \
    > "$tidy_out"
if [ -s "$tidy_out" ]; then
    cat "$tidy_out"
    status=1
fi
rm -f "$tidy_out"
if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    echo "== firmware sources, for the target"
    make -s lint-firmware || status=1
fi
[ $status -eq 0 ] && echo "lint: cppcheck and clang-tidy clean ($(echo $srcs | wc -w) host files)"
exit $status
