#!/usr/bin/env bash
# The reference for `make bench`: `sitegpt tokens list --all` as a shell user would write it
# with curl and jq, page by page over the same pages (one curl and two jq per page).
#
#   tokens_curl.sh BASE_URL CA_FILE HEADER_FILE LIMIT
#
# HEADER_FILE holds the line "Authorization: Bearer <token>" (mode 0600; never argv).
# Prints one line per token: id, name, scopes.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 BASE_URL CA_FILE HEADER_FILE LIMIT" >&2; exit 2; }
base=$1 ca=$2 header=$3 limit=$4
cursor=""
while :; do
    page=$(curl -sS --fail-with-body --cacert "$ca" -H "@$header" -G --data-urlencode "limit=$limit" \
           ${cursor:+--data-urlencode "cursor=$cursor"} "$base/api/v2/tokens")
    jq -r '.data.tokens[] | [.id, .name, (.scopes | join(" "))] | @tsv' <<<"$page"
    cursor=$(jq -r '.data.pagination | if .hasNextPage then .nextCursor else empty end' <<<"$page")
    [ -n "$cursor" ] || break
done
