# OCI bundles for runc and crun. Sourced after common.sh.
#
# make_bundle DIR FLAVOR ARG...: writes DIR/config.json running ARG... on the busybox image.
#   stock        `runc spec` as it comes, with only what a benchmark must change: terminal false,
#                the command, and root.path pointing at the image (read-only, as stock).
#                No seccomp filter, no cgroup namespace, no pids limit.
#   docker-like  what vessel does by default (issue 5), as Docker would configure runc: the
#                namespaces pid, mount, uts, ipc, net AND cgroup; Docker's 14 capabilities;
#                no_new_privs; Docker's masked and read-only paths; Docker's seccomp profile;
#                a pids limit of 4096 (vessel's default). RLIMIT_NOFILE stays at the stock
#                1024:1024: runc and crun set rlimits after dropping CAP_SYS_RESOURCE, so
#                vessel's 1024:524288 fails with EPERM where the caller's hard limit is lower
#                (20000 on these machines). The cost is one setrlimit either way.
# The image directory is used in place by every runtime: vessel puts an overlay on top of it
# per container, runc and crun bind-mount it (as a runtime under docker or podman would be handed
# an overlay prepared by the engine). The image is never written (stock is read-only; the
# docker-like containers only run /bin/true, sleep or nothing that writes).

docker_caps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW",
  "CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT",
  "CAP_KILL","CAP_AUDIT_WRITE"]'
docker_masked='["/proc/asound","/proc/acpi","/proc/interrupts","/proc/kcore","/proc/keys",
  "/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi",
  "/sys/firmware","/sys/devices/virtual/powercap"]'
docker_readonly='["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]'

make_bundle() {
  local dir=$1 flavor=$2
  shift 2
  local args
  args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
  mkdir -p "$dir"
  rm -f "$dir/config.json"
  runc spec --bundle "$dir"
  local stock='.process.terminal = false | .process.args = $args | .root.path = $image'
  case "$flavor" in
    stock)
      jq --argjson args "$args" --arg image "$IMAGE" "$stock" "$dir/config.json" >"$dir/config.new"
      ;;
    docker-like)
      jq --argjson args "$args" --arg image "$IMAGE" \
         --argjson caps "$docker_caps" --argjson masked "$docker_masked" \
         --argjson ro "$docker_readonly" --slurpfile seccomp "$seccomp_profile" "$stock"'
        | .root.readonly = false
        | .process.noNewPrivileges = true
        | .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
        | .linux.namespaces = [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"},
                               {type: "mount"}, {type: "cgroup"}]
        | .linux.maskedPaths = $masked
        | .linux.readonlyPaths = $ro
        | .linux.seccomp = $seccomp[0]
        | .linux.resources.pids = {limit: 4096}' "$dir/config.json" >"$dir/config.new"
      ;;
    *) die "make_bundle: unknown flavor $flavor" ;;
  esac
  mv "$dir/config.new" "$dir/config.json"
}
