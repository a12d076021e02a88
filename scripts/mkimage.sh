#!/usr/bin/env bash
# mkimage.sh: builds an image from layer directories, reproducibly (same input, same digests),
# as a docker archive (`docker save`'s format) or into an OCI image layout. scripts/setup.sh
# uses it to turn rootfs/busybox into the image `busybox`; tests/images/build.sh to make the
# test images (several layers, whiteouts, gzip and zstd, two platforms). docs/images.md.
#
#   mkimage.sh [options] NAME LAYER_DIR...        (layers bottom first)
#   -o FILE          docker archive to write (default)
#   --oci DIR        add the image to the OCI layout DIR (made if missing); with --platform the
#                    index entry carries the platform, so one layout holds several platforms
#   --compress C     gzip, zstd or none (default: none for docker archives, gzip for OCI)
#   --arch A         the config's architecture (default: this machine's, GOARCH spelling)
#   --platform P     OS/ARCH[/VARIANT] recorded in the OCI index entry (sets --arch too)
#   --config JSON    the config's "config" object (Cmd, Entrypoint, Env, WorkingDir, User,
#                    StopSignal, ExposedPorts); default {"Cmd":["sh"],"Env":["PATH=..."]}
# A file named .wh.NAME in a layer directory is a whiteout, .wh..wh..opq an opaque marker:
# they go into the tar as they are, which is how images carry them.
set -euo pipefail

out="" oci="" compress="" arch="" platform=""
config='{"Cmd":["sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}'
while [ $# -gt 0 ]; do
  case $1 in
    -o) out=$2; shift 2 ;;
    --oci) oci=$2; shift 2 ;;
    --compress) compress=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --platform) platform=$2; arch=$(cut -d/ -f2 <<<"$2"); shift 2 ;;
    --config) config=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { echo "usage: mkimage.sh [options] NAME LAYER_DIR... (see --help)" >&2; exit 2; }
name=$1; shift
[ -n "$out" ] || [ -n "$oci" ] || { echo "mkimage.sh: give -o FILE or --oci DIR" >&2; exit 2; }
if [ -z "$arch" ]; then
  case $(uname -m) in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
fi
[ -n "$compress" ] || { [ -n "$oci" ] && compress=gzip || compress=none; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sha() { sha256sum "$1" | cut -d' ' -f1; }

diff_ids=() blobs=() sizes=()
for dir in "$@"; do
  # Sorted names, one mtime, numeric owners, no atime/ctime: the same tree gives the same bytes.
  tar -C "$dir" --sort=name --mtime=@0 --numeric-owner --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf "$work/layer.tar" .
  diff=$(sha "$work/layer.tar")
  case $compress in
    gzip) gzip -n -9 <"$work/layer.tar" >"$work/blob" ;;
    zstd) zstd -q -19 --no-progress -c "$work/layer.tar" >"$work/blob" ;;
    none) cp "$work/layer.tar" "$work/blob" ;;
    *) echo "mkimage.sh: --compress gzip, zstd or none" >&2; exit 2 ;;
  esac
  blob=$(sha "$work/blob")
  mv "$work/blob" "$work/$blob"
  diff_ids+=("sha256:$diff") blobs+=("$blob") sizes+=("$(stat -c %s "$work/$blob")")
done

ids_json=$(printf '"%s",' "${diff_ids[@]}")
printf '{"architecture":"%s","os":"linux","created":"1970-01-01T00:00:00Z","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$arch" "$config" "${ids_json%,}" >"$work/config.json"
config_hex=$(sha "$work/config.json")

if [ -n "$out" ]; then
  # docker archive: manifest.json, HEX.json, DIFFID/layer.tar.
  mkdir "$work/archive"
  cp "$work/config.json" "$work/archive/$config_hex.json"
  layers=""
  for i in "${!blobs[@]}"; do
    d=${diff_ids[$i]#sha256:}
    mkdir -p "$work/archive/$d"
    mv "$work/${blobs[$i]}" "$work/archive/$d/layer.tar"
    layers+="\"$d/layer.tar\","
  done
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$config_hex" "$name" \
    "${layers%,}" >"$work/archive/manifest.json"
  tar -C "$work/archive" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$out.tmp" .
  mv "$out.tmp" "$out"
  exit 0
fi

# OCI layout: blobs/sha256/*, oci-layout, index.json.
mkdir -p "$oci/blobs/sha256"
[ -f "$oci/oci-layout" ] || printf '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
[ -f "$oci/index.json" ] || printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}' >"$oci/index.json"
case $compress in
  gzip) ltype=application/vnd.oci.image.layer.v1.tar+gzip ;;
  zstd) ltype=application/vnd.oci.image.layer.v1.tar+zstd ;;
  none) ltype=application/vnd.oci.image.layer.v1.tar ;;
esac
cp "$work/config.json" "$oci/blobs/sha256/$config_hex"
layers=""
for i in "${!blobs[@]}"; do
  mv "$work/${blobs[$i]}" "$oci/blobs/sha256/${blobs[$i]}"
  layers+="{\"mediaType\":\"$ltype\",\"digest\":\"sha256:${blobs[$i]}\",\"size\":${sizes[$i]}},"
done
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
  "$config_hex" "$(stat -c %s "$work/config.json")" "${layers%,}" >"$work/manifest.json"
m_hex=$(sha "$work/manifest.json")
cp "$work/manifest.json" "$oci/blobs/sha256/$m_hex"
entry="{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$m_hex\",\"size\":$(stat -c %s "$work/manifest.json"),\"annotations\":{\"org.opencontainers.image.ref.name\":\"$name\"}"
if [ -n "$platform" ]; then
  IFS=/ read -r p_os p_arch p_variant <<<"$platform"
  entry+=",\"platform\":{\"os\":\"$p_os\",\"architecture\":\"$p_arch\"${p_variant:+,\"variant\":\"$p_variant\"}}"
fi
entry+="}"
# Append the entry to index.json's manifests (plain text: no JSON tool needed on a fresh machine).
index=$(cat "$oci/index.json")
if [[ $index == *'"manifests":[]}' ]]; then
  index="${index%]\}}$entry]}"
else
  index="${index%]\}},$entry]}"
fi
printf '%s' "$index" >"$oci/index.json"
