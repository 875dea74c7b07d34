#!/usr/bin/env bash
# The reference for `make bench`: the device login (RFC 8628) a shell user would write with
# curl and jq, doing what `sitegpt login` does: discovery, device authorization, polling at
# the interval, then GET /api/v2/me with the new token. Every curl is a new process, so a
# new TCP connection and a full TLS handshake.
#
#   login_curl.sh BASE_URL CA_FILE TOKEN_FILE
#
# The user code goes to stderr; the token to TOKEN_FILE (mode 0600); secrets never reach
# argv (curl reads form bodies and the Authorization header from stdin).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 BASE_URL CA_FILE TOKEN_FILE" >&2; exit 2; }
base=$1 ca=$2 token_file=$3
umask 077
client_id=sitegpt-cli
grant='urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code'

meta=$(curl -sS --cacert "$ca" "$base/.well-known/oauth-authorization-server")
device_ep=$(jq -r '.device_authorization_endpoint // empty' <<<"$meta")
token_ep=$(jq -r '.token_endpoint // empty' <<<"$meta")
device_ep=${device_ep:-$base/oauth/device_authorization}
token_ep=${token_ep:-$base/oauth/token}

auth=$(curl -sS --cacert "$ca" -d "client_id=$client_id" "$device_ep")
device_code=$(jq -er .device_code <<<"$auth")
interval=$(jq -r '.interval // 5' <<<"$auth")
jq -r '"Open \(.verification_uri) and enter the code \(.user_code)"' <<<"$auth" >&2

while :; do
    sleep "$interval"
    reply=$(printf 'grant_type=%s&client_id=%s&device_code=%s' "$grant" "$client_id" "$device_code" |
            curl -sS --cacert "$ca" -d @- "$token_ep")
    error=$(jq -r '.error // empty' <<<"$reply")
    case $error in
        "") jq -er .access_token <<<"$reply" > "$token_file"; break ;;
        authorization_pending) ;;
        slow_down) interval=$((interval + 5)) ;;
        *) echo "login failed: $error" >&2; exit 1 ;;
    esac
done

printf 'Authorization: Bearer %s\n' "$(cat "$token_file")" |
    curl -sS --cacert "$ca" -H @- "$base/api/v2/me" | jq -er '"Logged in as \(.data.user.email)"' >&2
