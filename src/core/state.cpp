#include "vessel/core/state.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vessel/core/ids.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel {

std::string to_string(Status status) {
    switch (status) {
        case Status::kCreated:
            return "created";
        case Status::kRunning:
            return "running";
        case Status::kExited:
            return "exited";
    }
    return "unknown";
}

Status status_from_string(const std::string& text) {
    if (text == "created") return Status::kCreated;
    if (text == "running") return Status::kRunning;
    if (text == "exited") return Status::kExited;
    throw Error("unknown container status \"" + text + "\" in state.json");
}

void to_json(nlohmann::json& j, const NetworkAttachment& a) {
    j = {{"network", a.network},
         {"network_id", a.network_id},
         {"bridge", a.bridge},
         {"host_veth", a.host_veth},
         {"ip", a.ip},
         {"prefix", a.prefix},
         {"gateway", a.gateway},
         {"mac", a.mac},
         {"user_defined", a.user_defined}};
}

void from_json(const nlohmann::json& j, NetworkAttachment& a) {
    j.at("network").get_to(a.network);
    a.network_id = j.value("network_id", "");
    a.bridge = j.value("bridge", "");
    a.host_veth = j.value("host_veth", "");
    a.ip = j.value("ip", "");
    a.prefix = j.value("prefix", 0);
    a.gateway = j.value("gateway", "");
    a.mac = j.value("mac", "");
    a.user_defined = j.value("user_defined", false);
}

void to_json(nlohmann::json& j, const ContainerState& s) {
    auto time = [](int64_t ns) { return ns ? nlohmann::json(clock::to_rfc3339(ns)) : nullptr; };
    j = {{"spec", s.spec},
         {"status", to_string(s.status)},
         {"created", time(s.created_ns)},
         {"started", time(s.started_ns)},
         {"finished", time(s.finished_ns)},
         {"pid", s.init.pid},
         {"pid_start_time", s.init.start_time},
         {"owner_pid", s.owner.pid},
         {"owner_start_time", s.owner.start_time},
         {"exit_code", s.exit_code ? nlohmann::json(*s.exit_code) : nullptr},
         {"oom_killed", s.oom_killed},
         {"cgroup", s.cgroup},
         {"log_path", s.log_path}};
    if (s.network) j["network"] = *s.network;
    if (s.paused) j["paused"] = true;
}

void from_json(const nlohmann::json& j, ContainerState& s) {
    auto time = [&](const char* key) -> int64_t {
        auto it = j.find(key);
        return it == j.end() || it->is_null() ? 0 : clock::from_rfc3339(it->get<std::string>());
    };
    j.at("spec").get_to(s.spec);
    s.status = status_from_string(j.at("status").get<std::string>());
    s.created_ns = time("created");
    s.started_ns = time("started");
    s.finished_ns = time("finished");
    s.init = {j.value("pid", 0), j.value("pid_start_time", uint64_t{0})};
    s.owner = {j.value("owner_pid", 0), j.value("owner_start_time", uint64_t{0})};
    if (auto it = j.find("exit_code"); it != j.end() && !it->is_null())
        s.exit_code = it->get<int>();
    s.oom_killed = j.value("oom_killed", false);
    s.cgroup = j.value("cgroup", nlohmann::json::object());
    s.log_path = j.value("log_path", "");
    s.paused = j.value("paused", false);
    if (auto it = j.find("network"); it != j.end() && !it->is_null())
        s.network = it->get<NetworkAttachment>();
}

StateStore::StateStore(std::string root) : root_(std::move(root)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

void StateStore::reserve_name(const std::string& name, const std::string& id) const {
    std::string link = names_dir() + "/" + name;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (::symlink(id.c_str(), link.c_str()) == 0) return;
        if (errno != EEXIST) throw SysError("cannot reserve the name " + name, errno);
        // Taken. By a container that still exists, or a reservation left by a crash?
        char target[128] = {};
        ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
        std::string owner = n > 0 ? std::string(target, static_cast<size_t>(n)) : "";
        if (!owner.empty() && name_holder_exists(owner))
            throw Error("the container name \"" + name + "\" is already in use by container " +
                        owner.substr(0, ids::kShortLength) +
                        "; remove that container or choose another name");
        ::unlink(link.c_str());  // stale: its container is gone
    }
    throw Error("cannot reserve the name " + name + ": it keeps being taken");
}

void StateStore::create(const ContainerState& state) const {
    fs::ensure_dir(root_, 0711);
    fs::ensure_dir(names_dir(), 0700);
    // Built under a name no command lists, then renamed into place: whenever vessel is killed,
    // the store holds either the whole container (state.json included) or a leftover that
    // sweep() recognises by its name and its dead creator (docs/state.md).
    const std::string& id = state.spec.id;
    const std::string building =
        root_ + "/" + kBuildingPrefix + id + "." + std::to_string(::getpid());
    if (::mkdir(building.c_str(), 0700) != 0)
        throw SysError("cannot create state directory " + building, errno);
    bool reserved = false;
    try {
        if (!state.spec.name.empty()) {
            reserve_name(state.spec.name, id);
            reserved = true;
        }
        fs::write_file_atomic(building + "/state.json", nlohmann::json(state).dump(2) + "\n");
        if (::rename(building.c_str(), dir_of(id).c_str()) != 0)
            throw SysError("cannot create state directory " + dir_of(id), errno);
    } catch (...) {
        if (reserved) release_name(state.spec.name, id);
        fs::remove_tree(building);
        throw;
    }
}

void StateStore::save(const ContainerState& state) const {
    fs::write_file_atomic(state_path(state.spec.id), nlohmann::json(state).dump(2) + "\n");
}

ContainerState StateStore::load(const std::string& id) const {
    std::string text;
    try {
        text = fs::read_file(state_path(id));
    } catch (const SysError& e) {
        if (e.err() == ENOENT) throw Error("no such container: " + id);
        throw;
    }
    try {
        return nlohmann::json::parse(text).get<ContainerState>();
    } catch (const nlohmann::json::exception& e) {
        throw Error("corrupt state file " + state_path(id) + ": " + e.what());
    }
}

bool StateStore::exists(const std::string& id) const {
    return ids::looks_like_id_prefix(id) && id.size() == 64 && fs::exists(state_path(id));
}

std::vector<std::string> StateStore::list_ids() const {
    std::vector<std::string> out;
    DIR* dir = ::opendir(root_.c_str());
    if (!dir) {
        if (errno == ENOENT) return out;
        throw SysError("cannot list " + root_, errno);
    }
    while (dirent* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name.size() == 64 && ids::looks_like_id_prefix(name)) out.push_back(name);
    }
    ::closedir(dir);
    return out;
}

std::string StateStore::resolve(const std::string& reference) const {
    if (reference.empty()) throw Error("a container name or id is required");
    // Names first, as docker does: a name is an exact match.
    char target[128] = {};
    std::string link = names_dir() + "/" + reference;
    if (ids::is_valid_name(reference)) {
        ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
        if (n > 0) {
            std::string id(target, static_cast<size_t>(n));
            if (exists(id)) return id;
        }
    }
    if (ids::looks_like_id_prefix(reference)) {
        std::vector<std::string> matches;
        for (auto& id : list_ids())
            if (id.starts_with(reference)) matches.push_back(id);
        if (matches.size() == 1 && fs::exists(state_path(matches[0]))) return matches[0];
        if (matches.size() > 1)
            throw Error("multiple containers match the id prefix \"" + reference +
                        "\": use more characters");
    }
    throw Error("no such container: " + reference);
}

void StateStore::remove(const ContainerState& state) const {
    const std::string& id = state.spec.id;
    // First out of sight (one rename: `ps` and every other command see the container or
    // nothing), then the name, then the files; a remover killed half-way leaves a ".gone-"
    // directory that sweep() finishes.
    const std::string going = root_ + "/" + kRemovingPrefix + id + "." + std::to_string(::getpid());
    const bool moved = ::rename(dir_of(id).c_str(), going.c_str()) == 0;
    if (!moved && errno != ENOENT) throw SysError("cannot remove " + dir_of(id), errno);
    if (!state.spec.name.empty()) release_name(state.spec.name, id);
    if (moved) fs::remove_tree(going);
}

void StateStore::release_name(const std::string& name, const std::string& id) const {
    // Only if the reservation is ours: the name may have been taken since by another container.
    std::string link = names_dir() + "/" + name;
    char target[128] = {};
    ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n > 0 && std::string(target, static_cast<size_t>(n)) == id) ::unlink(link.c_str());
}

namespace {

// ".new-<id>.<pid>" or ".gone-<id>.<pid>" -> pid, or 0 when `name` is neither.
pid_t worker_of(const std::string& name, std::string_view prefix, std::string* id = nullptr) {
    if (!name.starts_with(prefix)) return 0;
    const size_t dot = name.rfind('.');
    if (dot == std::string::npos || dot < prefix.size()) return 0;
    if (id) *id = name.substr(prefix.size(), dot - prefix.size());
    try {
        return static_cast<pid_t>(std::stol(name.substr(dot + 1)));
    } catch (const std::exception&) {
        return 0;
    }
}

bool process_gone(pid_t pid) {
    return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
}

std::vector<std::string> entries_of(const std::string& path) {
    std::vector<std::string> out;
    DIR* dir = ::opendir(path.c_str());
    if (!dir) return out;
    while (dirent* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") out.push_back(name);
    }
    ::closedir(dir);
    return out;
}

}  // namespace

bool StateStore::being_built(const std::string& id) const {
    for (const auto& name : entries_of(root_)) {
        std::string of;
        if (worker_of(name, kBuildingPrefix, &of) && of == id) return true;
    }
    return false;
}

bool StateStore::name_holder_exists(const std::string& id) const {
    // Checked in the order create() makes them (".new-" dir, name, rename to <id>), the
    // container's directory again last: a creation that moves on meanwhile is still seen.
    return fs::exists(state_path(id)) || being_built(id) || fs::exists(state_path(id));
}

void StateStore::sweep() const {
    for (const auto& name : entries_of(root_)) {
        const pid_t worker = name.starts_with(kBuildingPrefix)   ? worker_of(name, kBuildingPrefix)
                             : name.starts_with(kRemovingPrefix) ? worker_of(name, kRemovingPrefix)
                                                                 : 0;
        // Only once the process that made it has died: it may still be at work.
        if (!process_gone(worker)) continue;
        try {
            fs::remove_tree(root_ + "/" + name);
        } catch (const Error&) {
            // Another sweep got there first, or a file we cannot remove: try again next time.
        }
    }
    for (const auto& name : entries_of(names_dir())) {
        char target[128] = {};
        const std::string link = names_dir() + "/" + name;
        ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
        if (n <= 0) continue;
        if (!name_holder_exists(std::string(target, static_cast<size_t>(n))))
            ::unlink(link.c_str());
    }
}

ContainerLock StateStore::lock(const std::string& id) const {
    UniqueFd dir(::open(dir_of(id).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) {
        if (errno == ENOENT) throw Error("no such container: " + id);
        throw SysError("cannot open " + dir_of(id), errno);
    }
    while (::flock(dir.get(), LOCK_EX) != 0) {
        if (errno != EINTR) throw SysError("cannot lock " + dir_of(id), errno);
    }
    return ContainerLock(std::move(dir));
}

}  // namespace vessel
