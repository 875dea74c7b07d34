#!/usr/bin/env bash
# Build mbedTLS 3.6 (static libs only) from Debian trixie's source package into DEST.
# The mirror comes from this machine's own apt sources (mk/debian-src.sh); nothing here
# names a host.
# The unpacked tree stays untouched so the firmware build can reuse it with its own config.
set -euo pipefail
DEST=${1:-build/deps/mbedtls-3.6}
CC=${CC:-cc}
STAMP="$DEST/.built"

if [ -f "$STAMP" ]; then
    echo "mbedtls36: $DEST already built"
    exit 0
fi
. "$(dirname "$0")/debian-src.sh"

mkdir -p "$(dirname "$DEST")"
DEPS_DIR=$(cd "$(dirname "$DEST")" && pwd)
DEST="$DEPS_DIR/$(basename "$DEST")"
STAMP="$DEST/.built"

# Parallel makes (two build trees, the firmware build) may all ask for it at once.
exec 9>"$DEPS_DIR/.mbedtls36.lock"
flock 9
if [ -f "$STAMP" ]; then
    echo "mbedtls36: $DEST already built"
    exit 0
fi

ver=$(find_src_version mbedtls '3\.6\.')
unpack_src mbedtls "$ver" "$DEPS_DIR" "$DEST"

# Only the three static libraries; tests and programs are not needed.
make -s -C "$DEST/library" CC="$CC" CFLAGS="-O2" SHARED= \
    -j"$(nproc)" libmbedcrypto.a libmbedx509.a libmbedtls.a
touch "$STAMP"
echo "mbedtls36: built $ver in $DEST"
