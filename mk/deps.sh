#!/usr/bin/env bash
# Install the Debian packages the build, the tests and the firmware need. Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

host_pkgs=(build-essential clang llvm libclang-rt-14-dev cppcheck clang-tidy openssl ca-certificates
           libmbedtls-dev libjsmn-dev libcmocka-dev libqrencode-dev libyajl-dev clang-format
           python3 python3-pytest dpkg-dev valgrind gcovr
           time curl jq   # make bench: /usr/bin/time for peak RSS, curl and jq as the references
           cmake pkgconf mandoc zsh fish tinyproxy systemd)  # install, CMake, docs, proxy tests
# The cross tools' recommends are gigabytes: never take them.
cross_pkgs=(gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)

missing=()
for p in "${host_pkgs[@]}" "${cross_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "deps: all packages present"
    exit 0
fi
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${host_pkgs[@]}" >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${cross_pkgs[@]}" >/dev/null
echo "deps: done"
