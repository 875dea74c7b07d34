#!/usr/bin/env bash
# Build mbedTLS 3.6 (static libs only) from Debian trixie's source package into DEST.
# The mirror comes from this machine's own apt sources; nothing here names a host.
# The unpacked tree stays untouched so the firmware build can reuse it with its own config.
set -euo pipefail
DEST=${1:-build/deps/mbedtls-3.6}
CC=${CC:-cc}
SUITE=trixie
SRC_LIST=/etc/apt/sources.list.d/sitegpt-trixie-src.sources
STAMP="$DEST/.built"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

if [ -f "$STAMP" ]; then
    echo "mbedtls36: $DEST already built"
    exit 0
fi

# The Debian mirror URI this machine already uses (deb822 first, then one-line format).
mirror_uri() {
    local f uri
    for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && [ "$f" != "$SRC_LIST" ] || continue
        uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        uri=$(awk '$1 == "deb" || $1 == "deb-src" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    return 1
}

# A keyring that holds trixie's archive keys (bookworm's debian-archive-keyring does).
keyring() {
    local k
    for k in /usr/share/keyrings/debian-archive-keyring.gpg \
             /usr/share/keyrings/debian-archive-trixie-stable.gpg; do
        [ -f "$k" ] && { echo "$k"; return; }
    done
    return 1
}

have_src_version() {
    apt-cache showsrc mbedtls 2>/dev/null | awk '/^Version: 3\.6\./ { print $2 }' | sort -V | tail -1
}

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

ver=$(have_src_version || true)
if [ -z "$ver" ]; then
    uri=$(mirror_uri) || { echo "mbedtls36: no Debian mirror found in apt sources" >&2; exit 1; }
    key=$(keyring) || { echo "mbedtls36: no Debian archive keyring" >&2; exit 1; }
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
        "$uri" "$SUITE" "$key" | $SUDO tee "$SRC_LIST" >/dev/null
    update_src() {
        $SUDO apt-get update -qq \
            -o Dir::Etc::sourcelist="$SRC_LIST" -o Dir::Etc::sourceparts=- \
            -o APT::Get::List-Cleanup=0 || true
    }
    update_src
    ver=$(have_src_version || true)
    if [ -z "$ver" ]; then
        # trixie's release key may be newer than this keyring: take Debian's current one
        # (still verified by the keys we have) and try again
        $SUDO apt-get update -qq || true
        $SUDO apt-get install -y -qq debian-archive-keyring >/dev/null || true
        update_src
        ver=$(have_src_version || true)
    fi
    [ -n "$ver" ] || { echo "mbedtls36: $SUITE offers no mbedtls 3.6.x source" >&2; exit 1; }
fi
command -v dpkg-source >/dev/null || $SUDO apt-get install -y -qq dpkg-dev >/dev/null

dsc=$(ls "$DEPS_DIR"/mbedtls_"${ver#*:}".dsc 2>/dev/null || true)
if [ -z "$dsc" ]; then
    (cd "$DEPS_DIR" && apt-get source --download-only -qq "mbedtls=$ver")
    dsc=$(ls "$DEPS_DIR"/mbedtls_"${ver#*:}".dsc)
fi
# apt checked the files against the signed Sources index; dpkg-source's own "no public
# key" notice about the uploader's signature is expected.
echo "mbedtls36: unpacking $(basename "$dsc")"
rm -rf "$DEST"
dpkg-source -q -x "$dsc" "$DEST"

# Only the three static libraries; tests and programs are not needed.
make -s -C "$DEST/library" CC="$CC" CFLAGS="-O2" SHARED= \
    -j"$(nproc)" libmbedcrypto.a libmbedx509.a libmbedtls.a
touch "$STAMP"
echo "mbedtls36: built $ver in $DEST"
