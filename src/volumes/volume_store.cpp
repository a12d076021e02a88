#include "vessel/volumes/volume_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "vessel/core/ids.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"
#include "vessel/volumes/copy_up.hpp"

namespace vessel::volumes {
namespace {

std::string meta_path(const std::string& volume_dir) {
    return volume_dir + "/volume.json";
}

Volume load(const std::string& volume_dir, const std::string& name) {
    Volume v;
    v.name = name;
    v.mountpoint = volume_dir + "/_data";
    auto text = fs::try_read_file(meta_path(volume_dir));
    if (!text) return v;  // made by hand, or half-made: still a volume
    try {
        auto j = nlohmann::json::parse(*text);
        v.created_ns = j.value("created_ns", int64_t{0});
        v.labels = j.value("labels", std::map<std::string, std::string>{});
        v.anonymous = j.value("anonymous", false);
    } catch (const nlohmann::json::exception&) {
        spdlog::warn("volume {}: {} is unreadable; using defaults", name, meta_path(volume_dir));
    }
    return v;
}

bool is_empty_dir(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return false;
    DIR* dir = ::fdopendir(fd.get());
    if (!dir) return false;
    fd.release();
    bool empty = true;
    while (dirent* e = ::readdir(dir)) {
        std::string_view n = e->d_name;
        if (n != "." && n != "..") {
            empty = false;
            break;
        }
    }
    ::closedir(dir);
    return empty;
}

// The image's directory at `target`, resolved inside the image's root (a symlink in the image
// cannot send the copy elsewhere on the host). Empty fd: nothing to copy.
UniqueFd open_image_dir(const std::string& image_dir, const std::string& target) {
    UniqueFd root = fs::open_dir(image_dir);
    open_how how{};
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    std::string rel = target.substr(1);
    return UniqueFd(static_cast<int>(
        ::syscall(SYS_openat2, root.get(), rel.empty() ? "." : rel.c_str(), &how, sizeof how)));
}

void prepare_bind(MountSpec& m) {
    struct stat st {};
    if (::stat(m.source.c_str(), &st) != 0) {
        if (errno != ENOENT) throw SysError("cannot use " + m.source + " as a bind source", errno);
        if (!m.create_source)
            throw Error(fmt::format(
                "invalid mount config for type \"bind\": bind source path does not exist: {}",
                m.source));
        // docker's -v: a missing host path is made, as a directory, parents too (mkdir -p).
        for (size_t at = m.source.find('/', 1); at != std::string::npos;
             at = m.source.find('/', at + 1))
            fs::ensure_dir(m.source.substr(0, at), 0755);
        fs::ensure_dir(m.source, 0755);
    }
    m.host_path = m.source;
}

}  // namespace

VolumeStore::VolumeStore(std::string data_root) : root_(std::move(data_root)) {}

Volume VolumeStore::create(const std::string& name,
                           const std::map<std::string, std::string>& labels, bool anonymous) const {
    check_volume_name(name);
    if (auto existing = find(name)) return *existing;
    fs::ensure_dir(root_, 0711);
    fs::ensure_dir(dir(), 0701);
    // Made under a temporary name and renamed: a volume is there whole or not at all.
    const std::string final_dir = dir() + "/" + name;
    const std::string tmp = dir() + "/.new-" + name + "-" + ids::new_container_id().substr(0, 8);
    fs::ensure_dir(tmp, 0701);
    try {
        fs::ensure_dir(tmp + "/_data", 0755);
        nlohmann::json j = {{"name", name},
                            {"created_ns", clock::now_ns()},
                            {"labels", labels},
                            {"anonymous", anonymous},
                            {"driver", "local"}};
        fs::write_file_atomic(meta_path(tmp), j.dump(2) + "\n", 0600);
        if (::rename(tmp.c_str(), final_dir.c_str()) != 0) {
            int err = errno;
            fs::remove_tree(tmp);
            if (err == EEXIST || err == ENOTEMPTY) return get(name);  // made meanwhile
            throw SysError("cannot create volume " + name, err);
        }
    } catch (...) {
        if (fs::exists(tmp)) fs::remove_tree(tmp);
        throw;
    }
    return get(name);
}

std::optional<Volume> VolumeStore::find(const std::string& name) const {
    const std::string d = dir() + "/" + name;
    if (name.empty() || name.find('/') != std::string::npos || name.starts_with('.') ||
        !fs::exists(d + "/_data"))
        return std::nullopt;
    return load(d, name);
}

Volume VolumeStore::get(const std::string& name) const {
    auto v = find(name);
    if (!v) throw Error("no such volume: " + name);
    return *v;
}

std::vector<Volume> VolumeStore::list() const {
    std::vector<Volume> out;
    UniqueFd fd(::open(dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return out;
    DIR* d = ::fdopendir(fd.get());
    if (!d) return out;
    fd.release();
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.starts_with('.')) continue;
        if (auto v = find(n)) out.push_back(*v);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(),
              [](const Volume& a, const Volume& b) { return a.name < b.name; });
    return out;
}

void VolumeStore::remove(const std::string& name) const {
    get(name);  // "no such volume"
    // Renamed out of the way first: a half-removed volume never shows in `volume ls`.
    const std::string doomed = dir() + "/.rm-" + name + "-" + ids::new_container_id().substr(0, 8);
    if (::rename((dir() + "/" + name).c_str(), doomed.c_str()) != 0)
        throw SysError("cannot remove volume " + name, errno);
    fs::remove_tree(doomed);
}

std::vector<std::string> containers_using(const StateStore& states, const std::string& name) {
    std::vector<std::string> ids;
    for (const auto& id : states.list_ids()) {
        try {
            const auto state = states.load(id);
            for (const auto& m : state.spec.mounts)
                if (m.type == MountType::kVolume && m.source == name) {
                    ids.push_back(id);
                    break;
                }
        } catch (const Error&) {
            // A container being removed right now: not a user.
        }
    }
    return ids;
}

std::vector<std::string> prepare(std::vector<MountSpec>& mounts, const VolumeStore& store,
                                 const std::string& image_dir) {
    std::vector<std::string> made;
    try {
        for (auto& m : mounts) {
            if (m.type == MountType::kBind) {
                prepare_bind(m);
                continue;
            }
            if (m.type != MountType::kVolume) continue;
            if (m.anonymous && m.source.empty()) {
                m.source = ids::new_container_id();
                store.create(m.source, {}, /*anonymous=*/true);
                made.push_back(m.source);
            } else if (!store.find(m.source)) {
                store.create(m.source);  // docker: a named volume is made on first use
            }
            const Volume v = store.get(m.source);
            m.host_path = v.mountpoint;
            if (m.copy_up && is_empty_dir(v.mountpoint)) {
                if (UniqueFd from = open_image_dir(image_dir, m.target)) {
                    copy_up(from.get(), v.mountpoint);
                    explain::step(explain::Chapter::kMounts,
                                  fmt::format("copy {}{} -> {}", image_dir, m.target,
                                              explain::quote(v.mountpoint)),
                                  "0", "copy-up: a new empty volume starts with the image's files");
                }
            }
        }
    } catch (...) {
        for (const auto& name : made) {
            try {
                store.remove(name);
            } catch (const std::exception&) {
            }
        }
        throw;
    }
    return made;
}

void remove_anonymous(const StateStore& states, const ContainerSpec& spec) {
    for (const auto& m : spec.mounts) {
        if (m.type != MountType::kVolume || !m.anonymous || m.host_path.empty()) continue;
        try {
            // host_path is <data-root>/volumes/NAME/_data: the store is found from it.
            const std::string volume_dir = m.host_path.substr(0, m.host_path.rfind('/'));
            const std::string volumes_dir = volume_dir.substr(0, volume_dir.rfind('/'));
            const std::string data_root = volumes_dir.substr(0, volumes_dir.rfind('/'));
            if (!m.host_path.ends_with("/_data") || !volume_dir.ends_with("/" + m.source) ||
                !volumes_dir.ends_with("/volumes"))
                continue;
            auto users = containers_using(states, m.source);
            std::erase(users, spec.id);
            if (!users.empty()) continue;
            VolumeStore(data_root).remove(m.source);
        } catch (const std::exception& e) {
            spdlog::warn("cannot remove anonymous volume {}: {}", m.source, e.what());
        }
    }
}

}  // namespace vessel::volumes
