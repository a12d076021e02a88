#!/bin/bash
# firewall_smoke.sh: vessel's nftables rules for real (src/network/firewall.cpp, vessel-nft),
# inside a private network namespace that this script creates: the host's own network, its
# nftables ruleset and its sysctls are never touched. Needs root, `ip`, busybox, curl and python3.
#
#   tests/network/firewall_smoke.sh BUILD_DIR     (BUILD_DIR holds vessel-nft and firewall_driver)
#
# A bridge vessel0 (10.88.0.1/16) and a fake container (a process in a network namespace of its
# own, with a veth on the bridge at 10.88.0.2 and busybox httpd on port 80) stand in for what
# vessel's links room sets up.
set -euo pipefail

build=$(realpath "${1:?usage: $0 BUILD_DIR}")
driver=$build/firewall_driver
[[ -x $driver && -x $build/vessel-nft ]] || { echo "no $driver or vessel-nft" >&2; exit 2; }

if [[ ${VESSEL_SMOKE_NETNS:-} != private ]]; then
    # Everything below runs in a new network namespace (and mount namespace: nothing of /run or
    # /sys is shared either); it disappears with its last process.
    exec env VESSEL_SMOKE_NETNS=private unshare --net --mount --propagation private "$0" "$@"
fi

work=$(mktemp -d /tmp/firewall-smoke.XXXXXX)
container_pid= httpd_pid= neighbour_pid= host_httpd_pid=
cleanup() {
    set +e  # each step runs, whatever the one before did (a process may be gone already)
    local pid
    for pid in "$host_httpd_pid" "$httpd_pid" "$container_pid" "$neighbour_pid"; do
        [[ -n $pid ]] && kill "$pid" 2>/dev/null
    done
    wait
    rm -rf "$work"
}
trap cleanup EXIT
# A signal (a closed output pipe, ^C, timeout) still stops the fake container's processes.
trap 'exit 1' HUP INT PIPE TERM

failures=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }

# --- the namespace's network: lo, forwarding, the bridge -----------------------------------------
ip link set lo up
echo 1 > /proc/sys/net/ipv4/ip_forward
ip link add vessel0 type bridge
ip addr add 10.88.0.1/16 dev vessel0
ip link set vessel0 up
echo 1 > /proc/sys/net/ipv4/conf/vessel0/route_localnet

# --- the fake container ---------------------------------------------------------------------------
mkdir -p "$work/www"
echo hello-from-container > "$work/www/hello"
mkdir -p "$work/secret"
echo host-secret > "$work/secret/hello"
unshare --net sleep 600 &
container_pid=$!
sleep 0.1
in_container() { nsenter --target "$container_pid" --net "$@"; }
ip link add veth-c0 type veth peer name eth0 netns "$container_pid"
ip link set veth-c0 master vessel0 up
ip link set veth-c0 type bridge_slave hairpin on
in_container ip link set lo up
in_container ip addr add 10.88.0.2/16 dev eth0
in_container ip link set eth0 up
in_container ip route add default via 10.88.0.1
# -f: ours to stop, not a daemon; nsenter itself (not the function) so that $! is httpd
nsenter --target "$container_pid" --net busybox httpd -f -p 80 -h "$work/www" &
httpd_pid=$!
sleep 0.1

# --- a neighbour: another machine on the host's LAN (192.168.77.0/24), which routes 127.0.0.1 to
# the host, as in moby/moby#41872.
unshare --net sleep 600 &
neighbour_pid=$!
sleep 0.1
ip link add lan0 type veth peer name eth0 netns "$neighbour_pid"
ip addr add 192.168.77.1/24 dev lan0
ip link set lan0 up
in_neighbour() { nsenter --target "$neighbour_pid" --net "$@"; }
in_neighbour ip addr add 192.168.77.2/24 dev eth0
in_neighbour ip link set eth0 up
# (/proc/sys/net is the writer's network namespace's: sh runs inside the neighbour's)
in_neighbour sh -c 'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet'
in_neighbour sh -c 'echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet'
in_neighbour ip route add 127.0.0.1/32 via 192.168.77.1 dev eth0

fetch() { curl -s --max-time 2 "http://$1/hello"; }
in_container_fetch() { in_container curl -s --max-time 2 "http://$1/hello"; }
ruleset() { nft list table ip vessel; }

# --- the checks -------------------------------------------------------------------------------------
"$driver" ensure vessel vessel0 10.88.0.0/16
first=$(ruleset)
"$driver" ensure vessel vessel0 10.88.0.0/16
[[ $(ruleset) == "$first" ]] && pass "ensure_network_rules twice: the same ruleset" ||
    fail "ensure_network_rules is not idempotent"

# (wait PIDS: a bare wait would wait for the fake container too)
pids=()
# route_localnet on the bridge lets 127.0.0.0/8 in from it: a container that routes 127.0.0.2 to
# its gateway must still not reach the host's loopback services (CVE-2020-8558).
busybox httpd -f -p 127.0.0.2:7777 -h "$work/secret" &
host_httpd_pid=$!
in_container ip route del 127.0.0.0/8 table local  # (local 127.0.0.1 stays)
in_container sh -c 'echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet'
in_container ip route add 127.0.0.2/32 via 10.88.0.1 dev eth0
sleep 0.1
[[ -z $(in_container curl -s --max-time 2 http://127.0.0.2:7777/hello) ]] &&
    pass "a container does not reach the host's 127.0.0.2:7777 through the bridge" ||
    fail "a container reaches the host's loopback service 127.0.0.2:7777"
kill "$host_httpd_pid"

for i in 1 2 3 4 5 6 7 8; do "$driver" ensure vessel vessel0 10.88.0.0/16 & pids+=($!); done
wait "${pids[@]}"
[[ $(ruleset) == "$first" ]] && pass "8 concurrent ensure_network_rules: the same ruleset" ||
    fail "concurrent ensure_network_rules changed the ruleset"

pids=()
for i in 1 2 3 4 5 6 7 8; do
    "$driver" publish "10.88.1.$i" -p 127.0.0.1:7070:80 >"$work/race.$i" 2>&1 &
    pids+=($!)
done
wait "${pids[@]}" || true
count_files() { (grep -l "$1" "$work"/race.* || true) | wc -l; }
winners=$(count_files '^80/tcp -> 127.0.0.1:7070$')
losers=$(count_files 'Bind for 127.0.0.1:7070 failed: port is already allocated')
[[ $winners == 1 && $losers == 7 ]] && pass "8 concurrent publishes of 127.0.0.1:7070: one wins" ||
    fail "8 concurrent publishes of 127.0.0.1:7070: $winners won, $losers refused"

"$driver" publish 10.88.0.2 -p 127.0.0.1:8080:80 >/dev/null
[[ $(fetch 127.0.0.1:8080) == hello-from-container ]] &&
    pass "127.0.0.1:8080 reaches the container's port 80" ||
    fail "127.0.0.1:8080 does not reach the container"

if out=$("$driver" publish 10.88.0.3 -p 127.0.0.1:8080:80 2>&1); then
    fail "a second publish of 127.0.0.1:8080 was accepted"
elif [[ $out == *"Bind for 127.0.0.1:8080 failed: port is already allocated"* ]]; then
    pass "a second publish of 127.0.0.1:8080 is refused"
else
    fail "a second publish of 127.0.0.1:8080 fails with: $out"
fi

if out=$("$driver" publish 10.88.0.3 -p 8080:80 2>&1); then
    fail "0.0.0.0:8080 over 127.0.0.1:8080 was accepted"
elif [[ $out == *"Bind for 0.0.0.0:8080 failed: port is already allocated"* ]]; then
    pass "0.0.0.0:8080 over 127.0.0.1:8080 is refused"
else
    fail "0.0.0.0:8080 over 127.0.0.1:8080 fails with: $out"
fi

"$driver" publish 10.88.0.2 -p 9090:80 >/dev/null
[[ $(in_neighbour curl -s --max-time 2 http://192.168.77.1:9090/hello) == hello-from-container ]] &&
    pass "a neighbour reaches 0.0.0.0:9090 on the host's LAN address" ||
    fail "a neighbour does not reach the host's 192.168.77.1:9090"
[[ -z $(in_neighbour curl -s --max-time 2 http://127.0.0.1:8080/hello) ]] &&
    pass "a neighbour routing 127.0.0.1 to the host does not reach 127.0.0.1:8080 (moby#41872)" ||
    fail "a neighbour reaches the port published on 127.0.0.1:8080"
if out=$("$driver" publish 10.88.0.3 -p 127.0.0.1:9090:80 2>&1); then
    fail "127.0.0.1:9090 under 0.0.0.0:9090 was accepted"
else
    [[ $out == *"Bind for 127.0.0.1:9090 failed: port is already allocated"* ]] &&
        pass "127.0.0.1:9090 under 0.0.0.0:9090 is refused" ||
        fail "127.0.0.1:9090 under 0.0.0.0:9090 fails with: $out"
fi
[[ $(fetch 10.88.0.1:9090) == hello-from-container ]] &&
    pass "the gateway's address:9090 reaches the container (from the host)" ||
    fail "10.88.0.1:9090 from the host"
[[ $(in_container_fetch 10.88.0.1:9090) == hello-from-container ]] &&
    pass "the container reaches its own published port (hairpin)" ||
    fail "hairpin: the container does not reach 10.88.0.1:9090"
[[ -z $(in_container_fetch 10.88.0.1:8080) ]] &&
    pass "a port published on 127.0.0.1 only is not reachable on the gateway's address" ||
    fail "127.0.0.1:8080 answers on 10.88.0.1"

# UDP: a datagram to 127.0.0.1:5353 arrives at the container's port 53 (python3: this busybox's
# nc has no -u).
python=$(command -v python3)
nsenter --target "$container_pid" --net timeout 5 "$python" -c "
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 53))
print(s.recvfrom(100)[0].decode(), flush=True)" >"$work/udp" &
udp_pid=$!
sleep 0.3
"$driver" publish 10.88.0.2 -p 127.0.0.1:5353:53/udp >/dev/null
"$python" -c "import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'datagram', ('127.0.0.1', 5353))"
wait "$udp_pid" || true
[[ $(cat "$work/udp") == datagram ]] && pass "udp 127.0.0.1:5353 reaches the container's port 53" ||
    fail "udp 127.0.0.1:5353: got '$(cat "$work/udp")'"

chosen=$("$driver" publish 10.88.0.2 -p 127.0.0.1::80)
port=${chosen##*:}
[[ $chosen == "80/tcp -> 127.0.0.1:"* && $(fetch "127.0.0.1:$port") == hello-from-container ]] &&
    pass "a chosen host port ($chosen) works" || fail "chosen host port: '$chosen'"

# A host range for one container port takes the first port no container publishes.
"$driver" publish 10.88.0.3 -p 127.0.0.1:7100:80 >/dev/null
ranged=$("$driver" publish 10.88.0.2 -p 127.0.0.1:7100-7102:80 2>&1 || true)
[[ $ranged == "80/tcp -> 127.0.0.1:7101" ]] && pass "-p 127.0.0.1:7100-7102:80 takes 7101 (7100 is published)" ||
    fail "-p 127.0.0.1:7100-7102:80 gave '$ranged'"

"$driver" unpublish 10.88.0.3 -p 127.0.0.1:8080:80
[[ $(fetch 127.0.0.1:8080) == hello-from-container ]] &&
    pass "another container's unpublish leaves 127.0.0.1:8080 alone" ||
    fail "another container's unpublish removed 127.0.0.1:8080"
"$driver" unpublish 10.88.0.2 -p 127.0.0.1:8080:80
[[ -z $(fetch 127.0.0.1:8080) ]] && ! ruleset | grep -q '127.0.0.1 . 8080 ' &&
    pass "unpublish removes 127.0.0.1:8080" || fail "127.0.0.1:8080 still published"
"$driver" unpublish 10.88.0.2 -p 127.0.0.1:8080:80 &&
    pass "unpublish is quiet when the port is gone" || fail "a second unpublish failed"
"$driver" publish 10.88.0.3 -p 127.0.0.1:8080:80 >/dev/null &&
    pass "127.0.0.1:8080 can be published again once free" || fail "8080 not free again"

"$driver" remove vessel vessel0 10.88.0.0/16
! ruleset | grep -q '10.88.0.0/16' && pass "remove_network_rules drops the subnet" ||
    fail "the subnet is still in @subnets"
"$driver" remove vessel vessel0 10.88.0.0/16 && pass "remove_network_rules is quiet twice" ||
    fail "a second remove_network_rules failed"

echo "--- the ruleset at the end"
ruleset
exit $((failures > 0))
