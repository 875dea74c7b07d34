#!/usr/bin/env bash
# Static analysis: cppcheck and clang-tidy over everything we write. Fails on any finding.
set -uo pipefail
cd "$(dirname "$0")/.."
make -s build/dep-include/jsmn.h >/dev/null
status=0
srcs=$(ls core/*.c port/mbedtls/*.c port/null/*.c platform/posix/*.c examples/cli/*.c examples/gateway/*.c examples/common/*.c examples/minimal/*.c 2>/dev/null)
incs="-Iinclude -Icore -Ibuild/dep-include -Iport/mbedtls -Iplatform/posix -Iexamples/cli -Iexamples/gateway -Iexamples/common"

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
echo "== format (.clang-format, every C file we write; braces: clang-tidy, .clang-tidy)"
fmt_files=$(git ls-files '*.c' '*.h' | grep -E '^(include|core|port|platform|examples|tests)/')
# shellcheck disable=SC2086
for f in $fmt_files; do
    if ! clang-format "$f" | diff -u "$f" - >/dev/null; then
        echo "$f: not formatted as .clang-format says (run: clang-format -i $f)"
        status=1
    fi
done

echo "== public headers compile as C++ (extern \"C\" guards)"
cxx_src=$(mktemp --suffix=.cpp)
printf '#include "%s"\n' sitegpt/sitegpt.h sitegpt/sg_proxy.h sitegpt/sg_options.h internal/sg__utf8.h sg_tls.h sitegpt/sg_posix.h sg_file.h sg_posix_client.h sitegpt/sg_rtos.h \
    > "$cxx_src"
# shellcheck disable=SC2086
if ! ${CXX:-g++} -std=c++17 -Wall -Wextra -Werror -fsyntax-only $incs -Iplatform/rtos -D_POSIX_C_SOURCE=200809L \
        "$cxx_src"; then
    status=1
fi
rm -f "$cxx_src"

echo "== man pages (mandoc -T lint)"
if command -v mandoc >/dev/null 2>&1; then
    mandoc -T lint -W warning doc/man/sitegpt.1 doc/man/sitegpt-gateway.8 || status=1
else
    echo "mandoc is missing: run make deps"
    status=1
fi

if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    echo "== firmware sources, for the target"
    make -s lint-firmware || status=1
    # The FreeRTOS + lwIP sources need the kernel and lwIP's headers (mk/freertos.mk).
    if [ -f "${FREERTOS_DIR:-../shared/vendor/FreeRTOS-Kernel}/tasks.c" ] &&
       [ -f build/deps/lwip-2.2.x/.unpacked ]; then
        echo "== FreeRTOS + lwIP firmware sources, for the target"
        make -s lint-firmware-freertos || status=1
    else
        echo "== FreeRTOS + lwIP firmware sources: skipped (no FreeRTOS kernel or lwIP source;" \
             "see examples/firmware-freertos/README.md)"
    fi
fi
[ $status -eq 0 ] && echo "lint: cppcheck and clang-tidy clean ($(echo $srcs | wc -w) host files)"
exit $status
