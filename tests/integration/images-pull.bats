#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# vessel pull (issue 9, docs/images.md) from Debian's docker-registry, run as a plain process on
# 127.0.0.1 with a config in the test's temp dir: plain HTTP, TLS with a self-signed certificate,
# htpasswd Basic auth, Bearer tokens from tests/images/token_issuer.py; a tampered blob; a pull that failed half-way and continues; two pulls at
# once. Every registry a test starts is killed in its teardown. Offline: nothing leaves 127.0.0.1.

load helpers

setup_file() {
  export TEST_IMAGES="$BATS_FILE_TMPDIR/images"
  "$BATS_TEST_DIRNAME/../images/build.sh" "$TEST_IMAGES" "$IMAGE" >/dev/null
}

setup() {
  [ "$(id -u)" = 0 ] || skip "integration tests run as root"
  [ -x "$VESSEL_BIN" ] || skip "build/vessel is missing: run scripts/test.sh"
  command -v docker-registry >/dev/null || skip "docker-registry is not installed"
  command -v skopeo >/dev/null || skip "skopeo is not installed"
  [ -x "$(dirname "$VESSEL_BIN")/vessel-registry" ] || skip "build/vessel-registry is missing"
  ROOT=$(mktemp -d /tmp/vessel-bats.XXXXXX)
  DATA="$ROOT.data"
  REG="$ROOT.registry"
  mkdir -p "$REG"
  export ROOT DATA REG
}

teardown() {
  if [ -f "$REG/issuer.pid" ]; then
    kill "$(cat "$REG/issuer.pid")" 2>/dev/null || true
    wait "$(cat "$REG/issuer.pid")" 2>/dev/null || true
  fi
  if [ -f "$REG/pid" ]; then
    kill "$(cat "$REG/pid")" 2>/dev/null || true
    wait "$(cat "$REG/pid")" 2>/dev/null || true
  fi
  # The helpers' teardown: containers, cgroups, and $ROOT.* (data root and registry dir).
  cleanup_root "$ROOT"
  local leftovers
  leftovers=$(find_leftovers "$ROOT")
  rm -rf "$ROOT" "$ROOT".*
  [ -z "$leftovers" ] || { echo "left behind: $leftovers" >&2; return 1; }
}

vi() { "$VESSEL_BIN" --root "$ROOT" --data-root "$DATA" "$@"; }
layer_count() { find "$DATA/layers" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# start_registry [tls] [auth]: a registry on a free loopback port; sets PORT.
start_registry() {
  local tls=no auth=no arg
  for arg in "$@"; do [ "$arg" = tls ] && tls=yes; [ "$arg" = auth ] && auth=yes; done
  {
    echo "version: 0.1"
    echo "log: {level: error}"
    echo "storage: {filesystem: {rootdirectory: $REG/data}}"
    if [ $auth = yes ]; then
      htpasswd -Bbn user secret >"$REG/htpasswd"
      echo "auth: {htpasswd: {realm: vessel-test, path: $REG/htpasswd}}"
    fi
  } >"$REG/base.yml"
  start_registry_with_config "$tls"
}

# start_registry_with_config [yes]: serves $REG/base.yml plus an http section (TLS with yes).
start_registry_with_config() {
  local tls=${1:-no}
  if [ "$tls" = yes ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$REG/key.pem" -out "$REG/cert.pem" \
      -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
    mkdir -p "$REG/certs" && cp "$REG/cert.pem" "$REG/certs/ca.crt"
  fi
  for _ in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 20000))
    cp "$REG/base.yml" "$REG/config.yml"
    if [ $tls = yes ]; then
      echo "http: {addr: 127.0.0.1:$PORT, tls: {certificate: $REG/cert.pem, key: $REG/key.pem}}" >>"$REG/config.yml"
    else
      echo "http: {addr: 127.0.0.1:$PORT}" >>"$REG/config.yml"
    fi
    docker-registry serve "$REG/config.yml" >"$REG/log" 2>&1 &
    echo $! >"$REG/pid"
    for _ in $(seq 50); do
      curl -sk -o /dev/null "http$([ $tls = yes ] && echo s)://127.0.0.1:$PORT/v2/" && return 0
      kill -0 "$(cat "$REG/pid")" 2>/dev/null || break
      sleep 0.1
    done
    kill "$(cat "$REG/pid")" 2>/dev/null || true
  done
  echo "cannot start docker-registry: $(cat "$REG/log")" >&2
  return 1
}

# push SOURCE NAME [skopeo options]: puts a test image into the registry.
push() {
  local source=$1 name=$2; shift 2
  skopeo copy -q --dest-tls-verify=false "$@" "$source" "docker://127.0.0.1:$PORT/$name"
}

@test "pull over plain HTTP (--tls-verify=false); run it; a second pull downloads nothing" {
  start_registry
  push docker-archive:"$TEST_IMAGES/layered.tar" test/layered:1
  run vi pull 127.0.0.1:$PORT/test/layered:1
  [ "$status" -eq 125 ]  # https is required unless --tls-verify=false
  run vi pull --tls-verify=false 127.0.0.1:$PORT/test/layered:1
  [ "$status" -eq 0 ]
  [ "$(grep -c ': Pull complete$' <<<"$output")" -eq 3 ]
  [[ "$output" == *"Status: Downloaded image for 127.0.0.1:$PORT/test/layered:1"* ]]
  # The same image as `vessel load` of the archive makes: same config, same id.
  vi load -q -i "$TEST_IMAGES/layered.tar"
  [ "$(vi images -q | sort -u | wc -l)" -eq 1 ]
  [ "$(vi run --rm layered:1 x)" = "entry x" ]
  run vi pull --tls-verify=false 127.0.0.1:$PORT/test/layered:1
  [ "$(grep -c ': Already exists$' <<<"$output")" -eq 3 ]
  run vi pull -q --tls-verify=false 127.0.0.1:$PORT/test/layered:1
  [ "$output" = "127.0.0.1:$PORT/test/layered:1" ]
}

@test "pull of an index takes the host's platform, or --platform's" {
  start_registry
  push oci:"$TEST_IMAGES/oci-index":multi:1 test/multi:1 --all
  vi pull -q --tls-verify=false 127.0.0.1:$PORT/test/multi:1
  id=$(vi images -q)
  [ "$(vi run --rm "$id" cat /platform)" = amd64 ]
  vi pull -q --tls-verify=false --platform linux/arm64 127.0.0.1:$PORT/test/multi:1
  [ "$(vi image inspect 127.0.0.1:$PORT/test/multi:1 | jq -r '.[0].Config.architecture')" = arm64 ]
  run vi pull --tls-verify=false --platform linux/s390x 127.0.0.1:$PORT/test/multi:1
  [ "$status" -eq 125 ]
  [[ "$output" == *"no manifest for linux/s390x"* ]]
}

@test "TLS: a self-signed registry needs --cert-dir (DIR/ca.crt)" {
  start_registry tls
  push docker-archive:"$TEST_IMAGES/sibling.tar" test/sibling:1
  run vi pull 127.0.0.1:$PORT/test/sibling:1
  [ "$status" -eq 125 ]
  [[ "$output" == *"--cert-dir"* ]]
  run vi pull --cert-dir "$REG/certs" 127.0.0.1:$PORT/test/sibling:1
  [ "$status" -eq 0 ]
  [ "$(vi run --rm "$(vi images -q)" cat /sibling)" = sibling ]
}

@test "Basic auth: refused without or with wrong credentials, pulled with --creds" {
  start_registry auth
  skopeo copy -q --dest-tls-verify=false --dest-creds user:secret \
    docker-archive:"$TEST_IMAGES/sibling.tar" docker://127.0.0.1:$PORT/test/sibling:1
  run vi pull --tls-verify=false 127.0.0.1:$PORT/test/sibling:1
  [ "$status" -eq 125 ]
  [[ "$output" == *"--creds"* ]]
  run vi pull --tls-verify=false --creds user:wrong 127.0.0.1:$PORT/test/sibling:1
  [ "$status" -eq 125 ]
  [[ "$output" == *"refused the credentials"* ]]
  run vi pull --tls-verify=false --creds user:secret 127.0.0.1:$PORT/test/sibling:1
  [ "$status" -eq 0 ]
  [ "$(layer_count)" -eq 2 ]
}

@test "a tampered blob on the registry's disk fails the pull; the next pull continues" {
  start_registry
  push docker-archive:"$TEST_IMAGES/layered.tar" test/layered:1
  manifest=$(skopeo inspect --raw --tls-verify=false docker://127.0.0.1:$PORT/test/layered:1)
  layer=$(jq -r '.layers[2].digest' <<<"$manifest")
  hex=${layer#sha256:}
  data="$REG/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
  cp "$data" "$REG/good"
  printf 'X' | dd of="$data" bs=1 seek=$(( $(stat -c %s "$data") - 1 )) conv=notrunc 2>/dev/null
  run vi pull --tls-verify=false 127.0.0.1:$PORT/test/layered:1
  [ "$status" -eq 125 ]
  [[ "$output" == *"mismatch"* ]]
  run vi images -q
  [ -z "$output" ]
  [ "$(find "$DATA/tmp" -mindepth 1 | wc -l)" -eq 0 ]
  done_before=$(layer_count)
  [ "$done_before" -lt 3 ]
  # The registry is repaired: the pull fetches only what it had not finished.
  cp "$REG/good" "$data"
  run vi pull --tls-verify=false 127.0.0.1:$PORT/test/layered:1
  [ "$status" -eq 0 ]
  [ "$(grep -c ': Pull complete$' <<<"$output")" -eq $((3 - done_before)) ]
  [ "$(grep -c ': Already exists$' <<<"$output")" -eq "$done_before" ]
}

@test "two pulls at once that share a layer both succeed and unpack it once" {
  start_registry
  push docker-archive:"$TEST_IMAGES/layered.tar" test/layered:1
  push docker-archive:"$TEST_IMAGES/sibling.tar" test/sibling:1
  vi --log-level info pull -q --tls-verify=false 127.0.0.1:$PORT/test/layered:1 2>"$ROOT.a" >/dev/null &
  a=$!
  vi --log-level info pull -q --tls-verify=false 127.0.0.1:$PORT/test/sibling:1 2>"$ROOT.b" >/dev/null &
  b=$!
  wait $a
  wait $b
  base=$(vi image inspect 127.0.0.1:$PORT/test/layered:1 | jq -r '.[0].LayerDirs[0].ChainID')
  [ "$(cat "$ROOT.a" "$ROOT.b" | grep -c "layer $base unpacked")" -eq 1 ]
  [ "$(layer_count)" -eq 4 ]
}

@test "Bearer tokens: 401, a token from the issuer for repository:NAME:pull, then the pull" {
  command -v python3 >/dev/null || skip "python3 is not installed"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$REG/token-key.pem" -out "$REG/token-cert.pem" \
    -days 1 -subj /CN=vessel-token 2>/dev/null
  TOKEN_PORT=$((20000 + RANDOM % 20000))
  python3 "$BATS_TEST_DIRNAME/../images/token_issuer.py" "$TOKEN_PORT" "$REG/token-key.pem" \
    "$REG/token-cert.pem" vessel-issuer user:secret >"$REG/issuer.out" 2>&1 &
  echo $! >"$REG/issuer.pid"
  for _ in $(seq 50); do grep -q ready "$REG/issuer.out" && break; sleep 0.1; done
  {
    echo "version: 0.1"
    echo "log: {level: error}"
    echo "storage: {filesystem: {rootdirectory: $REG/data}}"
    echo "auth: {token: {realm: 'http://127.0.0.1:$TOKEN_PORT/token', service: vessel-test,"
    echo "       issuer: vessel-issuer, rootcertbundle: $REG/token-cert.pem}}"
  } >"$REG/base.yml"
  start_registry_with_config
  skopeo copy -q --dest-tls-verify=false --dest-creds user:secret \
    docker-archive:"$TEST_IMAGES/sibling.tar" docker://127.0.0.1:$PORT/test/sibling:1
  : >"$REG/$TOKEN_PORT.log"
  run vi pull --tls-verify=false 127.0.0.1:$PORT/test/sibling:1
  [ "$status" -eq 0 ]
  [ "$(layer_count)" -eq 2 ]
  # Anonymous: token requests for pull only, with the registry's service, and no Basic header.
  grep -q "GET /token service=vessel-test scope=repository:test/sibling:pull basic=no" \
    "$REG/$TOKEN_PORT.log"
  refute_grep "basic=yes" "$REG/$TOKEN_PORT.log"
  # With --creds the token request carries them.
  rm -rf "$DATA"
  : >"$REG/$TOKEN_PORT.log"
  vi pull -q --tls-verify=false --creds user:secret 127.0.0.1:$PORT/test/sibling:1
  grep -q "scope=repository:test/sibling:pull basic=yes" "$REG/$TOKEN_PORT.log"
}

@test "vessel login stores credentials 0600 after checking them; pull uses them, and docker's" {
  start_registry auth
  skopeo copy -q --dest-tls-verify=false --dest-creds user:secret \
    docker-archive:"$TEST_IMAGES/sibling.tar" docker://127.0.0.1:$PORT/test/sibling:1
  export HOME="$ROOT.home"
  mkdir -p "$HOME"
  run vi login -u user --password-stdin --tls-verify=false 127.0.0.1:$PORT <<<"wrong"
  [ "$status" -eq 125 ]
  [ ! -e "$HOME/.config/vessel/auth.json" ]
  run vi login -u user --password-stdin --tls-verify=false 127.0.0.1:$PORT <<<"secret"
  [ "$status" -eq 0 ]
  [ "$(stat -c %a "$HOME/.config/vessel/auth.json")" = 600 ]
  [ "$(stat -c %a "$HOME/.config/vessel")" = 700 ]
  [ "$(jq -r ".auths[\"127.0.0.1:$PORT\"].auth" "$HOME/.config/vessel/auth.json" | base64 -d)" = user:secret ]
  vi pull -q --tls-verify=false 127.0.0.1:$PORT/test/sibling:1
  # docker's ~/.docker/config.json alone works too.
  rm -rf "$HOME/.config" "$DATA"
  mkdir -p "$HOME/.docker"
  printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}' "$PORT" "$(printf user:secret | base64)" \
    >"$HOME/.docker/config.json"
  vi pull -q --tls-verify=false 127.0.0.1:$PORT/test/sibling:1
  [ "$(layer_count)" -eq 2 ]
}
