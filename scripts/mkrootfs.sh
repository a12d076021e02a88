#!/usr/bin/env bash
# Builds vessel's default image, an unpacked busybox root filesystem, from Debian's
# busybox-static: the static binary, one symlink per applet, /etc/passwd and /etc/group, and
# empty mount points. Usage: scripts/mkrootfs.sh [DEST]   (default: rootfs/busybox)
# Idempotent: does nothing when DEST is already up to date.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$here/rootfs/busybox}
busybox=/bin/busybox
# Bump when the layout below changes, so existing images are rebuilt.
version=3

if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  echo "mkrootfs: $busybox must be Debian's static busybox (apt-get install busybox-static)" >&2
  exit 1
fi

stamp="$version $(sha256sum "$busybox" | cut -d' ' -f1)"
if [ -f "$dest/.vessel-image" ] && [ "$(cat "$dest/.vessel-image")" = "$stamp" ] && [ -f "$dest.json" ]; then
  exit 0
fi

# Build next to the destination, then swap it in, so a half-built image is never used.
tmp=$(mktemp -d "$(dirname "$dest")/.mkrootfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,root,home/user,tmp,var/tmp,run,proc,sys,dev}
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
chmod 700 "$tmp/root"
cp "$busybox" "$tmp/bin/busybox"
for applet in $("$busybox" --list-full); do
  [ "$applet" = bin/busybox ] && continue
  # Relative links, so they resolve inside the image wherever it is.
  depth=$(( $(tr -cd / <<<"$applet" | wc -c) ))
  up=$(printf '../%.0s' $(seq 1 "$depth"))
  ln -sf "${up}bin/busybox" "$tmp/$applet"
done

cat >"$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
user:x:1000:1000:An unprivileged user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$tmp/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
tty:x:5:
audio:x:29:user
users:x:100:user
user:x:1000:
nogroup:x:65534:
GROUP
chown 1000:1000 "$tmp/home/user"
echo "$stamp" >"$tmp/.vessel-image"

mkdir -p "$(dirname "$dest")"
rm -rf "$dest.old"
[ -e "$dest" ] && mv "$dest" "$dest.old"
mv "$tmp" "$dest"
chmod 755 "$dest"
rm -rf "$dest.old"
trap - EXIT
# The image's defaults, like a docker image's config: `vessel run rootfs/busybox` runs sh.
cat >"$dest.json" <<'JSON'
{
  "cmd": ["sh"],
  "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
  "workdir": "/"
}
JSON
echo "mkrootfs: built $dest"
