#!/usr/bin/env bash
# Builds the images the image tests use (tests/integration/images*.bats), reproducibly, from
# busybox-static, into OUT_DIR (docs/images.md):
#   layered.tar     docker archive, three layers: busybox; files under /data, /opq and /etc/motd;
#                   then a whiteout of /data/a and an opaque /opq holding only "new". Its config
#                   sets Entrypoint, Cmd, Env, WorkingDir, User, StopSignal and ExposedPorts.
#   oci/            OCI layout with one image for two platforms, sharing the busybox layer:
#                   linux/amd64 (gzip layers) and linux/arm64 (zstd layers); /platform says which.
#   oci.tar         the same layout as a tar (an oci-archive)
#   oci-index/      the same two platforms behind one index blob, as registries serve them
#   sibling.tar     docker archive of another image on the same busybox layer (shared layers)
#   tricky/*.tar    single-layer docker archives whose layer breaks a rule of the unpacker
# Usage: tests/images/build.sh OUT_DIR [ROOTFS]   (ROOTFS: rootfs/busybox, made if missing)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build.sh OUT_DIR [ROOTFS]}
rootfs=${2:-$here/rootfs/busybox}
[ -d "$rootfs" ] || "$here/scripts/mkrootfs.sh" "$rootfs"
mkimage=$here/scripts/mkimage.sh
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Layer 2: plain files.
mkdir -p "$work/l2/data" "$work/l2/opq" "$work/l2/etc"
echo a >"$work/l2/data/a"
echo b >"$work/l2/data/b"
echo old >"$work/l2/opq/old"
echo "layer two" >"$work/l2/etc/motd"
# Layer 3: a whiteout and an opaque directory, spelled as images spell them.
mkdir -p "$work/l3/data" "$work/l3/opq"
: >"$work/l3/data/.wh.a"
: >"$work/l3/opq/.wh..wh..opq"
echo new >"$work/l3/opq/new"
chown -R 0:0 "$work/l2" "$work/l3"
config='{"Entrypoint":["/bin/echo","entry"],"Cmd":["from-cmd"],"Env":["PATH=/bin:/usr/bin","FOO=from-image"],"WorkingDir":"/data","User":"1000","StopSignal":"SIGUSR1","ExposedPorts":{"8080/tcp":{}}}'
"$mkimage" -o "$out/layered.tar" --config "$config" layered:1 "$rootfs" "$work/l2" "$work/l3"

# Two platforms of one image, sharing the busybox layer (same diffID, other compression).
for p in amd64:gzip arm64:zstd; do
  arch=${p%:*}
  mkdir -p "$work/p-$arch"
  echo "$arch" >"$work/p-$arch/platform"
  "$mkimage" --oci "$out/oci" --platform "linux/$arch" --compress "${p#*:}" \
    multi:1 "$rootfs" "$work/p-$arch"
done
tar -C "$out/oci" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$out/oci.tar" .
# The same two platforms behind one index blob (what `skopeo copy --all` pushes as an index).
mkdir -p "$out/oci-index"
cp -r "$out/oci/blobs" "$out/oci/oci-layout" "$out/oci-index/"
manifests=$(sed 's/.*"manifests":\(\[.*\]\)}$/\1/' "$out/oci/index.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":%s}' \
  "$manifests" >"$work/index"
ihex=$(sha256sum "$work/index" | cut -d' ' -f1)
cp "$work/index" "$out/oci-index/blobs/sha256/$ihex"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"multi:1"}}]}' \
  "$ihex" "$(stat -c %s "$work/index")" >"$out/oci-index/index.json"

mkdir -p "$work/sib"
echo sibling >"$work/sib/sibling"
"$mkimage" -o "$out/sibling.tar" sibling:1 "$rootfs" "$work/sib"

# Layers that must be refused, each in a docker archive of its own. GNU tar writes the names
# as given with -P and --transform.
mkdir -p "$out/tricky" "$work/t"
echo evil >"$work/t/evil"
tricky() {  # tricky NAME TAR_ARGS...: a one-layer archive whose layer is `tar TAR_ARGS`
  local name=$1; shift
  mkdir -p "$work/tricky-$name"
  (cd "$work/t" && tar --format=posix --mtime=@0 --owner=0 --group=0 -cf "$work/tricky-$name/layer.tar" "$@")
  local diff
  diff=$(sha256sum "$work/tricky-$name/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diff" >"$work/tricky-$name/c.json"
  printf '[{"Config":"c.json","RepoTags":["tricky/%s:1"],"Layers":["layer.tar"]}]' "$name" >"$work/tricky-$name/manifest.json"
  tar -C "$work/tricky-$name" --mtime=@0 --owner=0 --group=0 -cf "$out/tricky/$name.tar" manifest.json c.json layer.tar
}
tricky dotdot -P --transform 's,^evil$,../../escaped,' evil
ln -s /tmp "$work/t/link"
tricky through-symlink -P --transform 's,^evil$,link/escaped,' link evil
tricky bare-whiteout -P --transform 's,^evil$,.wh.,' evil
# A docker archive whose manifest.json points outside the archive (CVE-2014-9358).
mkdir -p "$work/cve"
printf '[{"Config":"../../etc/passwd","RepoTags":["tricky/cve:1"],"Layers":[]}]' >"$work/cve/manifest.json"
tar -C "$work/cve" --mtime=@0 --owner=0 --group=0 -cf "$out/tricky/manifest-path.tar" manifest.json
echo "test images in $out"
