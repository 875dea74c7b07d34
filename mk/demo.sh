#!/usr/bin/env bash
# The main job, end to end on this machine: start the mock SiteGPT server (HTTPS, its own
# test CA, approving every device code by itself), log in with the device code flow, then
# ask who we are. Nothing outside build/demo is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
make -s -j2 all
demo=build/demo
rm -rf "$demo"
mkdir -p "$demo"
"$PYTHON" tests/mock/sitegpt_mock.py --certs "$demo/certs" --auto-approve --interval 1 \
    > "$demo/mock.json" 2> "$demo/mock.log" &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    [ -s "$demo/mock.json" ] && break
    kill -0 "$mock_pid" 2>/dev/null || { cat "$demo/mock.log" >&2; exit 1; }
    sleep 0.1
done
base=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["base_url"])' "$demo/mock.json")
ca=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["ca_file"])' "$demo/mock.json")
export XDG_CONFIG_HOME="$PWD/$demo/config" SSL_CERT_FILE="$ca"
unset SITEGPT_API_TOKEN SITEGPT_PROFILE SITEGPT_API_BASE
echo "demo: mock SiteGPT at $base (it approves the code by itself after a second)"
echo "+ sitegpt login --api-base $base --no-browser"
build/sitegpt login --api-base "$base" --no-browser
echo "+ sitegpt whoami"
build/sitegpt whoami
echo "+ sitegpt profiles list"
build/sitegpt profiles list
echo "demo: done; the profile is in $demo/config/sitegpt/config.json (mode $(stat -c %a "$demo/config/sitegpt/config.json"))"
