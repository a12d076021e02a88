#!/usr/bin/env bats
# Bridge networking (docs/network.md). ctest runs this file in a network namespace of its own
# (tests/run_in_netns.sh), which plays the host: vessel's bridge, veth pairs, nftables table and
# ip_forward live and die there. "The outside world" is one more namespace, joined to it by a veth
# pair, made here and removed by the teardown. Traffic goes only to 127.0.0.1 and to addresses in
# these namespaces (198.51.100.0/24, TEST-NET-2, on the outside link).

load helpers

setup() {
  vessel_setup
  [ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
    skip "run by ctest in a network namespace of its own (tests/run_in_netns.sh)"
  OUTSIDE_PID= SERVER_PID=
}

teardown() {
  [ -z "${SERVER_PID:-}" ] || kill "$SERVER_PID" 2>/dev/null || true
  if [ -n "${OUTSIDE_PID:-}" ]; then
    kill "$OUTSIDE_PID" 2>/dev/null
    ip link del out0 2>/dev/null || true
  fi
  vessel_teardown  # helpers.bash: also finds veth pairs left in this namespace
}

# The outside world: a namespace with 198.51.100.2, reached from "the host" at 198.51.100.1.
make_outside() {
  # Background processes close bats' fd 3, or bats waits for them at the end.
  unshare --net sleep 1000 3>&- &
  OUTSIDE_PID=$!
  sleep 0.1
  ip link add out0 type veth peer name out1 netns "$OUTSIDE_PID"
  ip addr add 198.51.100.1/24 dev out0
  ip link set out0 up
  outside ip addr add 198.51.100.2/24 dev out1
  outside ip link set out1 up
  outside ip link set lo up
}
outside() { nsenter --net=/proc/"$OUTSIDE_PID"/ns/net "$@"; }

# A web server in a detached container: busybox httpd serving "hello from NAME".
start_web() {
  local name=$1; shift
  vessel run -d --name "$name" "$@" "$IMAGE" sh -c \
    "mkdir -p /www && echo 'hello from $name' >/www/index.html && exec httpd -f -p 80 -h /www" \
    >/dev/null
}

# An HTTP GET from inside a container, printing the body's last line: busybox nc (the image's
# static busybox wget crashes resolving even a literal address without NSS).
ctr_get() { # ctr_get VESSEL-ARGS... -- HOST PORT
  local args=() host port
  while [ "$1" != -- ]; do args+=("$1"); shift; done
  host=$2 port=$3
  vessel "${args[@]}" sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $host $port | tail -1 | grep . && exit 0; sleep 0.3; done; exit 1"
}

# curl with retries while the server starts.
fetch() { curl -sS --max-time 2 --retry 20 --retry-delay 0 --retry-connrefused "$@"; }

@test "bridge is the default: eth0 with an address of the network, a default route, and inspect shows it" {
  run vessel run --rm "$IMAGE" sh -c 'ip -4 -o addr show eth0; ip route show default'
  [ "$status" -eq 0 ]
  [[ "$output" == *"eth0"*"inet 172.17.0.2/16"* ]]
  [[ "$output" == *"default via 172.17.0.1 dev eth0"* ]]
  vessel run -d --name box "$IMAGE" sleep 1000 >/dev/null
  [ "$(vessel inspect -f '{{.NetworkSettings.IPAddress}}' box)" = 172.17.0.2 ]
  [ "$(vessel inspect -f '{{.NetworkSettings.Gateway}}' box)" = 172.17.0.1 ]
  [ "$(vessel inspect -f '{{.NetworkSettings.MacAddress}}' box)" = 02:42:ac:11:00:02 ]
  [ "$(vessel exec box cat /sys/class/net/eth0/address)" = 02:42:ac:11:00:02 ]
  # The host's end is on the bridge, hairpin on.
  veth=$(jq -r .network.host_veth "$ROOT/$(vessel inspect -f '{{.Id}}' box)/state.json")
  [ "$(cat /sys/class/net/"$veth"/brport/hairpin_mode 2>/dev/null || bridge -d link show dev "$veth" | grep -c 'hairpin on')" = 1 ]
  ip -o link show "$veth" | grep -q 'master vessel0'
  vessel rm -f box
  # Its veth goes with its network namespace (the kernel deletes the pair a moment later).
  for _ in $(seq 40); do ip link show "$veth" >/dev/null 2>&1 || break; sleep 0.05; done
  run ip link show "$veth"
  [ "$status" -ne 0 ]
}

@test "two containers get distinct addresses and reach each other; the second address is reused after rm" {
  vessel run -d --name ca "$IMAGE" sleep 1000 >/dev/null
  vessel run -d --name cb "$IMAGE" sleep 1000 >/dev/null
  a=$(vessel inspect -f '{{.NetworkSettings.IPAddress}}' ca)
  b=$(vessel inspect -f '{{.NetworkSettings.IPAddress}}' cb)
  [ "$a" != "$b" ]
  vessel exec ca ping -c1 -W2 "$b"
  vessel rm -f cb
  vessel run -d --name cc "$IMAGE" sleep 1000 >/dev/null
  [ "$(vessel inspect -f '{{.NetworkSettings.IPAddress}}' cc)" = "$b" ]
}

@test "outbound traffic is masqueraded: the outside sees the host's address" {
  make_outside
  # nsenter execs python3 (no fork): $! is the server itself.
  (cd /tmp && exec nsenter --net=/proc/"$OUTSIDE_PID"/ns/net python3 -m http.server \
    --bind 198.51.100.2 8000 >"$ROOT.srv" 2>&1 3>&-) &
  SERVER_PID=$!
  run ctr_get run --rm "$IMAGE" -- 198.51.100.2 8000
  [ "$status" -eq 0 ]
  grep -q '^198.51.100.1 ' "$ROOT.srv"
  refute_grep -q '^172\.' "$ROOT.srv"
}

@test "-p HOST:CTR answers on 127.0.0.1, on the host's address, from another container and from the container itself" {
  make_outside
  start_web web -p 8080:80
  [ "$(fetch http://127.0.0.1:8080/)" = "hello from web" ]
  [ "$(fetch http://198.51.100.1:8080/)" = "hello from web" ]
  # From the outside namespace, to the host's address.
  [ "$(outside curl -sS --max-time 3 http://198.51.100.1:8080/)" = "hello from web" ]
  # Another container, through the host's address; the same container (hairpin), too.
  run ctr_get run --rm "$IMAGE" -- 198.51.100.1 8080
  [ "$output" = "hello from web" ]
  gw=$(vessel inspect -f '{{.NetworkSettings.Gateway}}' web)
  run ctr_get exec web -- "$gw" 8080
  [ "$output" = "hello from web" ]
  [ "$(vessel port web)" = "80/tcp -> 0.0.0.0:8080" ]
  vessel ps | grep -q '0.0.0.0:8080->80/tcp'
  vessel rm -f web
  run curl -sS --max-time 1 http://127.0.0.1:8080/
  [ "$status" -ne 0 ]
}

@test "a port published on 127.0.0.1 answers there only; a port already published is refused" {
  make_outside
  start_web loc -p 127.0.0.1:8081:80
  [ "$(fetch http://127.0.0.1:8081/)" = "hello from loc" ]
  run curl -sS --max-time 1 http://198.51.100.1:8081/
  [ "$status" -ne 0 ]
  run outside curl -sS --max-time 1 http://198.51.100.1:8081/
  [ "$status" -ne 0 ]
  run vessel run -d --name twice -p 127.0.0.1:8081:80 "$IMAGE" sleep 1000
  [ "$status" -eq 125 ]
  [[ "$output" == *"port is already allocated"* ]]
  # Nothing of the refused container is left: no state, no veth, no lease (the teardown checks).
  run vessel inspect twice
  [ "$status" -ne 0 ]
}

@test "-p CTRPORT picks a free host port; -p .../udp publishes UDP" {
  start_web rnd -p 80
  line=$(vessel port rnd 80)
  [[ "$line" == "0.0.0.0:"* ]]
  port=${line##*:}
  [ "$(fetch "http://127.0.0.1:$port/")" = "hello from rnd" ]
  # UDP: hog (tests/hog) waits for one datagram in the container; python3 sends it from the host.
  img=$ROOT.img
  cp -a "$IMAGE" "$img" && cp "${HOG:-$BATS_TEST_DIRNAME/../../build/tests/hog}" "$img/bin/hog"
  vessel run -d --name udp -p 127.0.0.1:5353:53/udp "$img" sh -c 'hog udp 53 >/tmp/got; sleep 1000' >/dev/null
  for _ in $(seq 20); do
    python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"ping-over-udp", ("127.0.0.1", 5353))'
    [ -s "$ROOT.got" ] || vessel exec udp cat /tmp/got >"$ROOT.got"
    [ -s "$ROOT.got" ] && break
    sleep 0.2
  done
  [ "$(cat "$ROOT.got")" = ping-over-udp ]
}

@test "a user-defined network resolves names and aliases, and forgets a container that leaves" {
  vessel network create --subnet 10.77.0.0/24 backend >/dev/null
  vessel run -d --name db --network backend --network-alias database "$IMAGE" sleep 1000 >/dev/null
  vessel run -d --name app --network backend "$IMAGE" sleep 1000 >/dev/null
  [ "$(vessel inspect -f '{{.NetworkSettings.IPAddress}}' db)" = 10.77.0.2 ]
  vessel exec app ping -c1 -W2 db
  vessel exec app ping -c1 -W2 database
  vessel exec db ping -c1 -W2 app
  vessel rm -f db
  run vessel exec app grep -w db /etc/hosts
  [ "$status" -ne 0 ]
  run vessel network rm backend
  [ "$status" -eq 125 ]
  [[ "$output" == *"active endpoints"* ]]
  vessel rm -f app
  vessel network rm backend
  run ip link show type bridge
  refute_grep -q 'vbr-' <<<"$output"
}

@test "the default network does not resolve names; --network-alias and --ip need a user-defined one" {
  run vessel run --rm --network-alias x "$IMAGE" true
  [ "$status" -eq 125 ]
  run vessel run --rm --ip 172.17.0.9 "$IMAGE" true
  [ "$status" -eq 125 ]
  vessel network create --subnet 10.78.0.0/24 fixed >/dev/null
  run vessel run --rm --network fixed --ip 10.78.0.50 "$IMAGE" ip -4 -o addr show eth0
  [[ "$output" == *"10.78.0.50/24"* ]]
  vessel network rm fixed
}

@test "30 containers started at once get 30 distinct addresses, and leave nothing" {
  local pids=()
  for i in $(seq 30); do
    vessel run -d --name "c$i" "$IMAGE" sleep 1000 >"$ROOT.out$i" 2>&1 3>&- &
    pids+=($!)
  done
  # Their pids: a bare `wait` would also wait for bats' own timeout watchdog.
  wait "${pids[@]}"
  ips=$(for i in $(seq 30); do vessel inspect -f '{{.NetworkSettings.IPAddress}}' "c$i"; done)
  [ "$(sort -u <<<"$ips" | grep -c .)" = 30 ]
  for i in $(seq 30); do vessel rm -f "c$i" >/dev/null; done
}

@test "/etc/hosts, /etc/resolv.conf and /etc/hostname are the container's, also on a read-only root" {
  run vessel run --rm --read-only --name named --hostname h1 --add-host db.local:10.1.2.3 \
    --dns 192.0.2.53 --dns-search example.test "$IMAGE" sh -c 'cat /etc/hosts; cat /etc/resolv.conf; cat /etc/hostname; hostname'
  [ "$status" -eq 0 ]
  [[ "$output" == *"127.0.0.1	localhost"* ]]
  [[ "$output" == *"10.1.2.3	db.local"* ]]
  [[ "$output" == *"172.17.0.2	h1"* ]]
  [[ "$output" == *"nameserver 192.0.2.53"* ]]
  [[ "$output" == *"search example.test"* ]]
  [ "$(tail -2 <<<"$output" | head -1)" = h1 ]
  [ "$(tail -1 <<<"$output")" = h1 ]
}

@test "--network none has only lo; --network host the host's interfaces; container: is refused clearly" {
  run vessel run --rm --network none "$IMAGE" ls /sys/class/net
  [ "$output" = lo ]
  run vessel run --rm --network host "$IMAGE" ip -o link show out0
  [ "$status" -ne 0 ]
  ip link add vhosttest type veth peer name vhosttest1
  run vessel run --rm --network host "$IMAGE" ip -o link show vhosttest
  ip link del vhosttest
  [ "$status" -eq 0 ]
  run vessel run --rm --network container:x "$IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"not supported"* ]]
}

@test "bad network input fails with 125 and leaves nothing" {
  for bad in "-p abc" "-p 70000:80" "-p 80/sctp" "--network nosuch" "--add-host nocolon" "--ip 1.2.3"; do
    # shellcheck disable=SC2086
    run vessel run --rm $bad "$IMAGE" true
    echo "$bad -> $status: $output"
    [ "$status" -eq 125 ]
  done
  run vessel network create --subnet 10.0.0.1/8 bad
  [ "$status" -eq 125 ]
  run vessel network rm vessel
  [ "$status" -eq 125 ]
}

@test "vessel killed during the network set-up leaves nothing that rm -f does not remove" {
  for i in $(seq 12); do
    "$VESSEL_BIN" --root "$ROOT" run -d -p 9000 --name "k$i" "$IMAGE" sleep 1000 >/dev/null 2>&1 3>&- &
    pid=$!
    sleep "0.0$((RANDOM % 9 + 1))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  sleep 0.5
  for id in $(vessel ps -aq); do vessel rm -f "$id" >/dev/null; done
  # The teardown's leftover check looks for state, leases and veths.
}

@test "--explain shows each netlink and nftables step, in the order they happen" {
  run vessel run --rm --explain -p 8080:80 "$IMAGE" true
  [ "$status" -eq 0 ]
  grep -q 'clone3({flags=.*CLONE_NEWNET' <<<"$output"
  steps=$(grep -oE 'lease [0-9.]+|ip link add vessel0|nft -f -|ip link add eth0 netns|child +ip addr add|child +ip route add default' <<<"$output" |
    sed -E 's/lease .*/lease/; s/child +//' | uniq | tr '\n' ',')
  # The lease; the bridge, vessel's table, the veth pair and the port (parent); eth0's address and
  # route (child); at the end the teardown unpublishes the port.
  [ "$steps" = "lease,ip link add vessel0,nft -f -,ip link add eth0 netns,nft -f -,ip addr add,ip route add default,nft -f -," ]
}
