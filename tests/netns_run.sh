#!/usr/bin/env bash
# Run a command in a private network namespace that has only loopback (brought up), as
# an unprivileged user mapped to root inside it: nothing the command starts can reach any
# other network. Used by `make firmware-freertos-test` for QEMU and the mock together.
set -euo pipefail
if [ "$#" -eq 0 ]; then
    echo "usage: tests/netns_run.sh COMMAND [ARG...]" >&2
    exit 2
fi
if [ "${SITEGPT_NETNS:-}" = 1 ]; then
    exec "$@" # already inside
fi
exec unshare --user --map-root-user --net -- \
    env SITEGPT_NETNS=1 sh -c 'ip link set lo up && exec "$@"' netns_run "$@"
