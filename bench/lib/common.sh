# Shared by every bench/*.sh script: paths, packages, the private cgroup view crun needs, a
# scratch directory, and a cleanup that runs on exit, on failure and on Ctrl-C.
# Sourced, not executed. The scripts that source it use `set -euo pipefail`.

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo_dir=$(dirname "$bench_dir")
VESSEL=${VESSEL:-$repo_dir/build/vessel}
IMAGE=${IMAGE:-$repo_dir/rootfs/busybox}
results_dir=$bench_dir/results
# Docker's default seccomp profile in its OCI form for amd64 (a copy of
# ../shared/docker-default-seccomp.oci-amd64.json; see bench/seccomp/README.md).
seccomp_profile=$bench_dir/seccomp/docker-default.oci-amd64.json
# Every container, bundle and cgroup the benchmarks make carries this prefix, so that cleanup can
# find exactly ours and nothing else.
prefix=vbench

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# bench_prepare SCRIPT ARGS...: everything a script needs before it measures. Re-executes
# SCRIPT inside a private mount namespace when the host's cgroup layout needs one (see below),
# so call it first, with the script's own arguments.
bench_prepare() {
  # 77: ctest reads it as "skipped" (SKIP_RETURN_CODE in tests/CMakeLists.txt).
  [ "$(id -u)" -eq 0 ] || { say "run as root (containers need it)"; exit 77; }
  # One apt-get when something is missing; nothing when all is installed.
  # shellcheck source=../../scripts/lib/apt.sh
  source "$repo_dir/scripts/lib/apt.sh"
  apt_install hyperfine runc crun gnuplot-nox time jq util-linux
  [ -x "$VESSEL" ] || die "no vessel binary at $VESSEL: run scripts/setup.sh first (or set VESSEL=)"
  [ -d "$IMAGE" ] || die "no image at $IMAGE: run scripts/setup.sh first (or set IMAGE=)"
  case "$VESSEL$IMAGE" in *[[:space:]]*) die "paths with spaces are not supported";; esac
  bench_enter_private_view "$@"
}

# crun 1.8.1 refuses a hybrid cgroup layout (v1 controllers plus a cgroup2 mount at
# /sys/fs/cgroup/unified). The workaround (../shared/DESIGN.md) is a private mount namespace with
# an empty tmpfs over /sys/fs/cgroup/unified: crun then sees plain cgroup v1. To keep the
# comparison fair and free of per-run wrapper costs, the WHOLE script, every contender included,
# runs in that one namespace. The host's own mounts are never touched: the namespace and its
# tmpfs vanish when the script exits. On a pure v2 or pure v1 host nothing needs hiding.
# (crun writes its pids into "cgroup.procs" files it creates on that tmpfs: harmless, but 4 MiB.)
bench_enter_private_view() {
  if [ -n "${VESSEL_BENCH_VIEW:-}" ]; then return 0; fi
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
     [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" != cgroup2fs ]; then
    export VESSEL_BENCH_VIEW=host
    return 0
  fi
  local script
  script=$(realpath "$1"); shift
  say "hybrid cgroups: re-running inside a private mount namespace with /sys/fs/cgroup/unified hidden"
  exec unshare --mount --propagation private env VESSEL_BENCH_VIEW=v1-only bash -c '
    mount -t tmpfs -o size=4m,mode=755 vessel-bench-hide-unified /sys/fs/cgroup/unified &&
    exec "$0" "$@"' "$script" "$@"
}

# bench_workdir: a scratch directory for bundles and runtime state, removed by bench_cleanup.
# Under /run, where runtimes keep their state (a tmpfs on most hosts).
# On a standard host /run is a tmpfs; on these VMs it is the root ext4 (mounted with `discard`),
# where every fsync and unlink costs a disk round trip. Inside our private mount namespace the
# work directory gets a tmpfs of its own, so every contender keeps its state where a real host
# would: the host's mounts are not touched (the tmpfs vanishes with the namespace).
work=""
work_is_tmpfs_mount=0
bench_workdir() {
  work=$(mktemp -d "/run/$prefix.XXXXXX")
  if [ "${VESSEL_BENCH_VIEW:-}" = v1-only ] && [ "$(stat -f -c %T /run)" != tmpfs ]; then
    mount -t tmpfs -o size=256m,mode=700 "$prefix-state" "$work"
    work_is_tmpfs_mount=1
  fi
  mkdir -p "$work/runc" "$work/crun" "$results_dir"
}

# bench_cleanup: removes every container, cgroup and file the benchmarks made. Idempotent and
# quiet; installed as the EXIT trap by bench_traps, so it also runs after failures and Ctrl-C.
bench_cleanup() {
  local rt id
  set +e
  if [ -n "$work" ] && [ -d "$work" ]; then
    for rt in runc crun; do
      for id in $("$rt" --root "$work/$rt" list -q 2>/dev/null); do
        "$rt" --root "$work/$rt" delete -f "$id" >/dev/null 2>&1
      done
    done
    if [ -d "$work/vessel" ] && vessel_has_lifecycle; then
      for id in $("$VESSEL" --root "$work/vessel" ps -a -q 2>/dev/null); do
        "$VESSEL" --root "$work/vessel" rm -f "$id" >/dev/null 2>&1
      done
    fi
  fi
  # Cgroups a runtime could not remove (it was killed mid-start): kill what is inside, remove.
  # runc nests some below its own cgroup (e.g. memory/<session>/vbench-x): look a few levels deep.
  local dir
  find /sys/fs/cgroup -maxdepth 5 -depth -type d -name "$prefix-*" 2>/dev/null |
    while read -r dir; do
      xargs -r kill -9 <"$dir/cgroup.procs" 2>/dev/null
      rmdir "$dir" 2>/dev/null
    done
  if [ -n "$work" ] && [ -d "$work" ]; then
    [ "$work_is_tmpfs_mount" = 1 ] && umount "$work" 2>/dev/null
    # Only when nothing is mounted below it any more (a container's leftovers would be).
    grep -q " $work" /proc/self/mountinfo || rm -rf "$work"
  fi
  set -e
}

bench_traps() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# bench_start SCRIPT ARGS...: what every measuring script does once its options are read:
# prepare (perhaps re-executing itself in a private mount namespace), clean up on any exit, and
# make the work directory ($work).
bench_start() {
  bench_prepare "$@"
  bench_traps
  bench_workdir
}

# bench_usage SCRIPT: prints SCRIPT's usage, the comment block under its #! line.
bench_usage() {
  awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$1"
}

# vessel_has_lifecycle: true once vessel has `run -d`, `exec`, `ps` and `rm` (issue 3).
vessel_has_lifecycle() {
  "$VESSEL" exec --help >/dev/null 2>&1 &&
    "$VESSEL" ps --help >/dev/null 2>&1 &&
    "$VESSEL" rm --help >/dev/null 2>&1 &&
    "$VESSEL" run --help 2>/dev/null | grep -q -- '--detach'
}

# A short description of the machine for the results: kernel, CPUs, load, cgroup view.
bench_machine() {
  printf 'kernel %s, %s CPUs, load %s, cgroup view: %s' "$(uname -r)" "$(nproc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "${VESSEL_BENCH_VIEW:-host}"
}
