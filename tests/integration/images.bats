#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# Images (issue 9, docs/images.md): load, images, rmi, image inspect/prune, save, run IMAGE, and
# the safe unpacker's rules with crafted layers. Offline: the images come from
# tests/images/build.sh; every test has its own data root beside its state root.

load helpers

setup_file() {
  export TEST_IMAGES="$BATS_FILE_TMPDIR/images"
  "$BATS_TEST_DIRNAME/../images/build.sh" "$TEST_IMAGES" "$IMAGE" >/dev/null
}

setup() {
  [ "$(id -u)" = 0 ] || skip "integration tests run as root"
  [ -x "$VESSEL_BIN" ] || skip "build/vessel is missing: run scripts/test.sh"
  ROOT=$(mktemp -d /tmp/vessel-bats.XXXXXX)
  DATA="$ROOT.data"  # removed by the helpers' teardown with the state root
  export ROOT DATA
}

vi() { "$VESSEL_BIN" --root "$ROOT" --data-root "$DATA" "$@"; }
layer_count() { find "$DATA/layers" -mindepth 1 -maxdepth 1 | wc -l; }
blob_count() { find "$DATA/blobs/sha256" -type f | wc -l; }

@test "load a docker archive; images lists it in every format" {
  run vi load -i "$TEST_IMAGES/layered.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: layered:1" ]
  run vi images
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
  [[ "${lines[1]}" =~ ^layered\ +1\ +[0-9a-f]{12}\  ]]
  run vi images -q
  [[ "$output" =~ ^[0-9a-f]{12}$ ]]
  run vi images --digests
  [[ "${lines[1]}" =~ sha256:[0-9a-f]{64} ]]
  run vi images --format json
  [ "$(jq -r .Repository <<<"$output")" = layered ]
  [ "$(jq -r .Layers <<<"$output")" = 3 ]
  # From stdin too, and a second load finds every layer in the store.
  run --separate-stderr vi --log-level info load <"$TEST_IMAGES/layered.tar"
  [ "$status" -eq 0 ]
  [ "$(grep -c 'already in the store' <<<"$stderr")" -eq 3 ]
  refute_grep unpacked <<<"$stderr"
}

@test "run IMAGE applies the config: Entrypoint+Cmd, Env, WorkingDir, User; --entrypoint overrides" {
  vi load -q -i "$TEST_IMAGES/layered.tar"
  run vi run --rm layered:1
  [ "$status" -eq 0 ]
  [ "$output" = "entry from-cmd" ]
  run vi run --rm layered:1 a b
  [ "$output" = "entry a b" ]
  run vi run --rm --entrypoint sh layered:1 -c 'echo "$(pwd) $(id -u) $FOO"'
  [ "$output" = "/data 1000 from-image" ]
  run vi run --rm -u 0 -w / -e FOO=cli --entrypoint sh layered:1 -c 'echo "$(pwd) $(id -u) $FOO"'
  [ "$output" = "/ 0 cli" ]
}

@test "whiteouts and opaque directories hide the lower layers' files" {
  vi load -q -i "$TEST_IMAGES/layered.tar"
  run vi run --rm --entrypoint sh layered:1 -c 'ls /data; echo --; ls -a /opq; cat /etc/motd'
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'b\n--\n.\n..\nnew\nlayer two')" ]
  # On disk: a 0/0 character device for the whiteout, in the top layer's own directory.
  top=$(vi image inspect layered:1 | jq -r '.[0].LayerDirs[2].Dir')
  [ "$(stat -c '%F %t:%T' "$top/data/a")" = "character special file 0:0" ]
  [ ! -e "$top/data/.wh.a" ]
}

@test "ps and inspect show the image; rmi refuses an image a container uses, -f only untags" {
  vi load -q -i "$TEST_IMAGES/layered.tar"
  vi run --name kept layered:1 >/dev/null
  run vi ps -a
  [[ "${lines[1]}" =~ \ layered:1\  ]]
  [ "$(vi inspect kept | jq -r '.[0].Image')" = layered:1 ]
  [ "$(vi inspect kept | jq -r '.[0].StopSignal')" = SIGUSR1 ]
  [ "$(vi inspect kept | jq -r '.[0].ExposedPorts[0]')" = 8080/tcp ]
  run vi rmi layered:1
  [ "$status" -eq 125 ]
  [[ "$output" == *"container "*"is using it"* ]]
  run vi rmi -f layered:1
  [ "$status" -eq 0 ]
  [ "$output" = "Untagged: layered:1" ]
  # The container still runs from its layers; the image is dangling until the container goes.
  [ "$(layer_count)" -eq 3 ]
  run vi image prune
  [ "$(layer_count)" -eq 3 ]
  vi rm kept >/dev/null
  run vi image prune
  [ "$status" -eq 0 ]
  [ "$(layer_count)" -eq 0 ]
  [ "$(blob_count)" -eq 0 ]
}

@test "layers are shared between images and removed with the last one (refcounts)" {
  vi load -q -i "$TEST_IMAGES/layered.tar"
  vi load -q -i "$TEST_IMAGES/sibling.tar"
  vi load -q -i "$TEST_IMAGES/oci"
  # busybox once, layered's two, sibling's one, multi's one.
  [ "$(layer_count)" -eq 5 ]
  run vi rmi sibling:1
  [ "$status" -eq 0 ]
  [ "$(grep -c '^Deleted:' <<<"$output")" -eq 2 ]  # its own layer and the image
  [ "$(layer_count)" -eq 4 ]
  run vi run --rm --entrypoint cat layered:1 /etc/motd
  [ "$output" = "layer two" ]
  vi rmi layered:1 >/dev/null
  [ "$(layer_count)" -eq 2 ]
  run vi run --rm multi:1 cat /platform
  [ "$output" = amd64 ]
  vi rmi multi:1 >/dev/null
  [ "$(layer_count)" -eq 0 ]
  [ "$(blob_count)" -eq 0 ]
  run vi images -q
  [ -z "$output" ]
}

@test "an OCI layout, directory or tar: the host's platform, or --platform's" {
  run vi load -i "$TEST_IMAGES/oci"
  [ "$output" = "Loaded image: multi:1" ]
  [ "$(vi run --rm multi:1 cat /platform)" = amd64 ]
  run vi load -i "$TEST_IMAGES/oci.tar" --platform linux/arm64
  [ "$status" -eq 0 ]
  [ "$(vi run --rm multi:1 cat /platform)" = arm64 ]
  [ "$(vi image inspect multi:1 | jq -r '.[0].Config.architecture')" = arm64 ]
  run vi load -i "$TEST_IMAGES/oci" --platform linux/s390x
  [ "$status" -eq 125 ]
  [[ "$output" == *"no manifest for linux/s390x (it has: linux/amd64, linux/arm64)"* ]]
}

@test "save writes a docker archive that loads into another store as the same image" {
  vi load -q -i "$TEST_IMAGES/layered.tar"
  id=$(vi images --format json | jq -r .ID)
  vi save -o "$ROOT.saved.tar" layered:1
  tar tf "$ROOT.saved.tar" | grep -qx manifest.json
  DATA="$ROOT.data2" run vi load -i "$ROOT.saved.tar"
  [ "$output" = "Loaded image: layered:1" ]
  [ "$(DATA="$ROOT.data2" vi images --format json | jq -r .ID)" = "$id" ]
  [ "$(DATA="$ROOT.data2" vi run --rm layered:1 x)" = "entry x" ]
}

@test "skopeo's oci-archive of a docker archive loads (interoperability)" {
  command -v skopeo >/dev/null || skip "skopeo is not installed"
  skopeo copy -q docker-archive:"$TEST_IMAGES/sibling.tar" oci-archive:"$ROOT.oci.tar":sib:2
  run vi load -i "$ROOT.oci.tar" --name sib
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: sib:2" ]
  [ "$(vi run --rm sib:2 cat /sibling)" = sibling ]
}

@test "a tampered blob fails the load with a digest mismatch and leaves nothing" {
  cp -r "$TEST_IMAGES/oci" "$ROOT.oci"
  # The amd64 image's own layer: the largest blob but busybox's two is the first layer; take the
  # manifest's second layer and flip its last byte.
  manifest=$(jq -r '.manifests[0].digest' "$ROOT.oci/index.json")
  layer=$(jq -r '.layers[1].digest' "$ROOT.oci/blobs/sha256/${manifest#sha256:}")
  blob="$ROOT.oci/blobs/sha256/${layer#sha256:}"
  printf 'X' | dd of="$blob" bs=1 seek=$(( $(stat -c %s "$blob") - 1 )) conv=notrunc 2>/dev/null
  run vi load -i "$ROOT.oci"
  [ "$status" -eq 125 ]
  [[ "$output" == *"mismatch"* ]]
  [ "$(find "$DATA/tmp" -mindepth 1 | wc -l)" -eq 0 ]
  run vi images -q
  [ -z "$output" ]
  # A docker archive whose layer.tar changed: the diffID no longer matches the config.
  mkdir "$ROOT.x" && tar -C "$ROOT.x" -xf "$TEST_IMAGES/sibling.tar"
  layer_tar=$(jq -r '.[0].Layers[1]' "$ROOT.x/manifest.json")
  # The file's content, not a header: the tar still reads, only the hash can tell.
  offset=$(grep -abo 'sibling' "$ROOT.x/$layer_tar" | tail -1 | cut -d: -f1)
  printf 'S' | dd of="$ROOT.x/$layer_tar" bs=1 seek="$offset" conv=notrunc 2>/dev/null
  run vi load -i "$ROOT.x"
  [ "$status" -eq 125 ]
  [[ "$output" == *"diffID mismatch"* ]]
  [ "$(find "$DATA/tmp" -mindepth 1 | wc -l)" -eq 0 ]
}

@test "the unpacker refuses .., writes through symlinks, bare whiteouts and bad manifest paths" {
  for t in dotdot through-symlink bare-whiteout manifest-path; do
    run vi load -i "$TEST_IMAGES/tricky/$t.tar"
    [ "$status" -eq 125 ]
    [ "${#lines[@]}" -eq 1 ]
  done
  [ ! -e /tmp/escaped ]
  [ ! -e "$DATA/escaped" ]
  [ "$(layer_count)" -eq 0 ]
  [ "$(find "$DATA/tmp" -mindepth 1 | wc -l)" -eq 0 ]
}

@test "two loads at once that share a layer both succeed and unpack it once" {
  for round in 1 2 3; do
    rm -rf "$DATA"
    vi --log-level info load -i "$TEST_IMAGES/layered.tar" 2>"$ROOT.a" >/dev/null &
    a=$!
    vi --log-level info load -i "$TEST_IMAGES/sibling.tar" 2>"$ROOT.b" >/dev/null &
    b=$!
    wait $a
    wait $b
    base=$(vi image inspect layered:1 | jq -r '.[0].LayerDirs[0].ChainID')
    [ "$(vi image inspect sibling:1 | jq -r '.[0].LayerDirs[0].ChainID')" = "$base" ]
    [ "$(cat "$ROOT.a" "$ROOT.b" | grep -c "layer $base unpacked")" -eq 1 ]
    [ "$(cat "$ROOT.a" "$ROOT.b" | grep -c "layer $base already in the store")" -eq 1 ]
  done
}

@test "run of an image that is not in the store says how to get it" {
  run vi run --rm --pull never nosuchimage true
  [ "$status" -eq 125 ]
  [[ "$output" == *'image "nosuchimage" is not in the store'* ]]
  run vi rmi nosuchimage
  [ "$status" -eq 125 ]
  [[ "$output" == *"No such image: nosuchimage"* ]]
}

@test "vessel stop sends the image's StopSignal unless -s says otherwise" {
  vi load -q -i "$TEST_IMAGES/layered.tar"  # StopSignal SIGUSR1
  loop='trap "exit 3" USR1; trap "exit 4" TERM; while :; do sleep 0.1; done'
  vi run -d --name usr1 --entrypoint sh layered:1 -c "$loop" >/dev/null
  vi run -d --name term --entrypoint sh layered:1 -c "$loop" >/dev/null
  sleep 0.5
  vi stop usr1 >/dev/null
  vi stop -s TERM term >/dev/null
  [ "$(vi inspect -f '{{.State.ExitCode}}' usr1)" = 3 ]
  [ "$(vi inspect -f '{{.State.ExitCode}}' term)" = 4 ]
  vi rm usr1 term >/dev/null
}
