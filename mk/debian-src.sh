# Shared by mk/*-source.sh: make trixie's source packages visible to apt and unpack one.
# Sourced, not run. The mirror comes from this machine's own apt sources; nothing here
# names a host.
SUITE=trixie
SRC_LIST=/etc/apt/sources.list.d/sitegpt-trixie-src.sources
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

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

# Newest source version of package $1 matching the version regex $2 ("3\.6\."), or nothing.
src_version() {
    apt-cache showsrc "$1" 2>/dev/null | awk -v re="^$2" '/^Version: / && $2 ~ re { print $2 }' |
        sort -V | tail -1
}

# Like src_version, but adds trixie's deb-src entry and refreshes apt when it must.
find_src_version() {
    local pkg=$1 re=$2 ver uri key
    ver=$(src_version "$pkg" "$re")
    if [ -z "$ver" ]; then
        uri=$(mirror_uri) || { echo "$pkg: no Debian mirror found in apt sources" >&2; return 1; }
        key=$(keyring) || { echo "$pkg: no Debian archive keyring" >&2; return 1; }
        printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
            "$uri" "$SUITE" "$key" | $SUDO tee "$SRC_LIST" >/dev/null
        update_src
        ver=$(src_version "$pkg" "$re")
        if [ -z "$ver" ]; then
            # trixie's release key may be newer than this keyring: take Debian's current one
            # (still verified by the keys we have) and try again
            $SUDO apt-get update -qq || true
            $SUDO apt-get install -y -qq debian-archive-keyring >/dev/null || true
            update_src
            ver=$(src_version "$pkg" "$re")
        fi
    fi
    [ -n "$ver" ] || { echo "$pkg: $SUITE offers no source matching $re" >&2; return 1; }
    echo "$ver"
}

update_src() {
    $SUDO apt-get update -qq \
        -o Dir::Etc::sourcelist="$SRC_LIST" -o Dir::Etc::sourceparts=- \
        -o APT::Get::List-Cleanup=0 || true
}

# Download (once, into DIR) and unpack source package PKG=VER into DEST (replaced).
unpack_src() {
    local pkg=$1 ver=$2 dir=$3 dest=$4 dsc
    command -v dpkg-source >/dev/null || $SUDO apt-get install -y -qq dpkg-dev >/dev/null
    dsc=$(ls "$dir"/"${pkg}_${ver#*:}".dsc 2>/dev/null || true)
    if [ -z "$dsc" ]; then
        (cd "$dir" && apt-get source --download-only -qq "$pkg=$ver")
        dsc=$(ls "$dir"/"${pkg}_${ver#*:}".dsc)
    fi
    # apt checked the files against the signed Sources index; dpkg-source's own "no public
    # key" notice about the uploader's signature is expected.
    echo "$pkg: unpacking $(basename "$dsc")"
    rm -rf "$dest"
    dpkg-source -q -x "$dsc" "$dest"
}
