#!/usr/bin/env bash
# Runs a command in a new network namespace with lo up, so that what vessel makes there (the
# bridge vessel0, veth pairs, its nftables table, ip_forward) never touches the machine's own
# network and vanishes with the namespace. Usage: tests/run_in_netns.sh COMMAND [ARG...]
set -euo pipefail
exec unshare --net -- sh -c 'ip link set lo up && exec "$@"' run_in_netns "$@"
