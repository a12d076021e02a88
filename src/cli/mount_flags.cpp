#include "vessel/cli/mount_flags.hpp"

#include <unistd.h>

#include <climits>

#include "vessel/util/error.hpp"

namespace vessel::cli {

void MountFlags::add_to(CLI::App& app) {
    app.add_option("-v,--volume", volumes,
                   "Bind a host path or mount a volume: HOST:CTR[:ro|rw][,PROPAGATION], "
                   "NAME:CTR[:ro|rw][,nocopy], or CTR (an anonymous volume)")
        ->allow_extra_args(false);
    app.add_option("--mount", mounts,
                   "Mount: type=bind|volume|tmpfs,source=..,target=..[,readonly]"
                   "[,bind-propagation=..][,volume-nocopy][,tmpfs-size=..][,tmpfs-mode=..]")
        ->allow_extra_args(false);
    app.add_option("--tmpfs", tmpfs, "Mount a tmpfs: CTR[:size=64m,mode=1777,noexec,...]")
        ->allow_extra_args(false);
    app.add_option("--volumes-from", volumes_from,
                   "Mount the binds and volumes of another container: CONTAINER[:ro|rw]")
        ->allow_extra_args(false);
}

std::vector<MountSpec> MountFlags::to_mounts(const StateStore& store) const {
    char buf[PATH_MAX];
    if (!::getcwd(buf, sizeof buf)) throw SysError("getcwd", errno);
    const std::string cwd = buf;
    std::vector<MountSpec> out;
    for (const auto& v : volumes) out.push_back(parse_volume_flag(v, cwd));
    for (const auto& m : mounts) out.push_back(parse_mount_flag(m, cwd));
    for (const auto& t : tmpfs) out.push_back(parse_tmpfs_flag(t));
    check_mount_targets(out);
    for (const auto& from : volumes_from) {
        auto [reference, mode] = parse_volumes_from(from);
        const ContainerState other = store.load(store.resolve(reference));
        for (MountSpec m : other.spec.mounts) {
            if (m.type == MountType::kTmpfs) continue;  // docker shares binds and volumes only
            bool taken = false;
            for (const auto& o : out) taken = taken || o.target == m.target;
            if (taken) continue;
            if (!mode.empty()) m.readonly = mode == "ro";
            m.create_source = false;
            m.copy_up = false;
            out.push_back(m);
        }
    }
    return out;
}

}  // namespace vessel::cli
