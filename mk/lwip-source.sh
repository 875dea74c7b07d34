#!/usr/bin/env bash
# Unpack lwIP 2.2.x from Debian trixie's source package into DEST (build/deps/lwip-2.2.x,
# shared by every worktree). Only the source is needed: mk/freertos.mk compiles it for the
# target with examples/firmware-freertos/lwipopts.h.
set -euo pipefail
DEST=${1:-build/deps/lwip-2.2.x}
STAMP="$DEST/.unpacked"
[ -f "$STAMP" ] && { echo "lwip: $DEST already unpacked"; exit 0; }
. "$(dirname "$0")/debian-src.sh"

mkdir -p "$(dirname "$DEST")"
DEPS_DIR=$(cd "$(dirname "$DEST")" && pwd)
DEST="$DEPS_DIR/$(basename "$DEST")"
STAMP="$DEST/.unpacked"
exec 9>"$DEPS_DIR/.lwip.lock"
flock 9
[ -f "$STAMP" ] && { echo "lwip: $DEST already unpacked"; exit 0; }

ver=$(find_src_version lwip '2\.2\.')
unpack_src lwip "$ver" "$DEPS_DIR" "$DEST"
[ -f "$DEST/src/core/tcp.c" ] || { echo "lwip: $DEST has no src/core/tcp.c" >&2; exit 1; }
touch "$STAMP"
echo "lwip: $ver in $DEST"
