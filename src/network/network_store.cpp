// The network records: create, find, list, remove (docs/network.md). Leases are in leases.cpp,
// the choice of a free subnet in subnet_choice.cpp.
#include "vessel/network/network_store.hpp"

#include <dirent.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "network_store_files.hpp"
#include "vessel/core/ids.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::network {
namespace {

namespace files = store_files;

// Names docker gives its own networks, and vessel's default: `network create` refuses them so
// that `--network host` and friends always mean what they say.
bool is_predefined(const std::string& name) {
    return name == kDefaultNetwork || name == "bridge" || name == "host" || name == "none";
}

// docker's rule, [a-zA-Z0-9][a-zA-Z0-9_.-]*; the name is also a file name, hence the length cap.
void check_network_name(const std::string& name) {
    const auto ok_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    };
    if (name.empty() || name.size() > 128 || !std::isalnum(static_cast<unsigned char>(name[0])) ||
        !std::all_of(name.begin(), name.end(), ok_char))
        throw Error(fmt::format(
            "invalid network name \"{}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed (at most "
            "128 characters)",
            name));
}

bool is_valid_name(const std::string& name) {
    try {
        check_network_name(name);
        return true;
    } catch (const Error&) {
        return false;
    }
}

std::optional<NetworkRecord> load_record(const std::string& data_root, const std::string& name) {
    if (!is_valid_name(name)) return std::nullopt;
    auto text = fs::try_read_file(files::record_path(data_root, name));
    if (!text) return std::nullopt;
    try {
        return nlohmann::json::parse(*text).get<NetworkRecord>();
    } catch (const std::exception& e) {
        spdlog::warn("network {}: {} is unreadable: {}", name, files::record_path(data_root, name),
                     e.what());
        return std::nullopt;
    }
}

// Writes the record of a network that does not exist yet. The caller holds the records' lock.
// write_file_atomic renames a fsync'ed temporary file into place: a reader (`network ls`, a
// `run` that needs the network) sees the whole record or none.
void save_new_record(const std::string& data_root, const NetworkRecord& n,
                     const std::string& state_root) {
    // A crash between a network's removal and the removal of its runtime directory can leave
    // leases of an older network of that name: they are not this network's.
    fs::remove_tree(files::runtime_dir(state_root, n.name));
    fs::write_file_atomic(files::record_path(data_root, n.name), nlohmann::json(n).dump(2) + "\n",
                          0600);
}

}  // namespace

NetworkStore::NetworkStore(std::string data_root, std::string state_root)
    : data_root_(std::move(data_root)), state_root_(std::move(state_root)) {}

NetworkRecord NetworkStore::create(const std::string& name, std::optional<Subnet> subnet,
                                   std::optional<Ipv4> gateway) {
    check_network_name(name);
    if (is_predefined(name))
        throw Error(fmt::format("network name {} is pre-defined: it cannot be created", name));
    if (gateway && !subnet)
        throw Error("--gateway needs --subnet: a gateway must lie inside a subnet you choose");
    if (subnet && subnet->prefix > 30)
        throw Error(
            fmt::format("invalid subnet {}: a bridge network needs at least a /30", subnet->str()));
    if (gateway && (!subnet->contains(*gateway) || *gateway == subnet->base ||
                    *gateway == subnet->broadcast()))
        throw Error(fmt::format("invalid gateway {}: it must be a host address of subnet {}",
                                gateway->str(), subnet->str()));

    fs::ensure_dir(data_root_, 0711);
    fs::ensure_dir(files::records_dir(data_root_), 0700);
    // One creator at a time: the name check, the overlap check and the subnet choice must see
    // every other network, including one being created right now.
    UniqueFd held = files::lock_file(files::records_dir(data_root_) + "/.lock");
    // By name only: find() would also take the name for a prefix of another network's id.
    if (load_record(data_root_, name))
        throw Error(fmt::format("network with name {} already exists", name));
    const auto others = list();
    if (subnet) {
        for (const auto& other : others)
            if (other.subnet.overlaps(*subnet))
                throw Error(fmt::format(
                    "invalid pool request: Pool overlaps with other one on this address space "
                    "({} of network {})",
                    other.subnet.str(), other.name));
    }

    NetworkRecord n;
    n.name = name;
    n.id = ids::new_container_id();
    n.bridge = "vbr-" + n.id.substr(0, 8);
    if (subnet) {
        n.subnet = *subnet;
    } else {
        std::vector<Subnet> taken = host_subnets_in_use();
        for (const auto& other : others) taken.push_back(other.subnet);
        n.subnet = choose_subnet(taken);
    }
    n.gateway = gateway ? *gateway : n.subnet.first_host();
    n.user_defined = true;
    n.created_ns = clock::now_ns();
    save_new_record(data_root_, n, state_root_);
    return n;
}

NetworkRecord NetworkStore::default_network() {
    if (auto n = load_record(data_root_, kDefaultNetwork)) return *n;  // the common case: no lock
    fs::ensure_dir(data_root_, 0711);
    fs::ensure_dir(files::records_dir(data_root_), 0700);
    // Two vessels starting at once on a fresh machine: the second waits here and then finds
    // the record the first wrote, so both use the same subnet.
    UniqueFd held = files::lock_file(files::records_dir(data_root_) + "/.lock");
    if (auto n = load_record(data_root_, kDefaultNetwork)) return *n;
    NetworkRecord n;
    n.name = kDefaultNetwork;
    n.id = ids::new_container_id();
    n.bridge = kDefaultBridge;
    std::vector<Subnet> taken = host_subnets_in_use();
    for (const auto& other : list()) taken.push_back(other.subnet);
    n.subnet = choose_subnet(taken);
    n.gateway = n.subnet.first_host();
    n.user_defined = false;
    n.created_ns = clock::now_ns();
    save_new_record(data_root_, n, state_root_);
    return n;
}

std::optional<NetworkRecord> NetworkStore::find(const std::string& name_or_id) const {
    if (name_or_id.empty()) return std::nullopt;
    const auto all = list();
    // docker's order: a full id, then a name, then a unique id prefix.
    for (const auto& n : all)
        if (n.id == name_or_id) return n;
    for (const auto& n : all)
        if (n.name == name_or_id) return n;
    if (!ids::looks_like_id_prefix(name_or_id)) return std::nullopt;
    std::optional<NetworkRecord> found;
    for (const auto& n : all) {
        if (!n.id.starts_with(name_or_id)) continue;
        if (found) return std::nullopt;  // ambiguous: names none of them
        found = n;
    }
    return found;
}

NetworkRecord NetworkStore::get(const std::string& name_or_id) const {
    auto n = find(name_or_id);
    if (!n) throw Error(fmt::format("network {} not found", name_or_id));
    return *n;
}

std::vector<NetworkRecord> NetworkStore::list() const {
    std::vector<NetworkRecord> out;
    const std::string dir = files::records_dir(data_root_);
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        std::string file = e->d_name;
        // Skips ".lock" and write_file_atomic's temporary files as well as "." and "..".
        if (file.starts_with('.') || !file.ends_with(".json")) continue;
        const std::string name = file.substr(0, file.size() - 5);
        if (auto n = load_record(data_root_, name); n && n->name == name) out.push_back(*n);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(),
              [](const NetworkRecord& a, const NetworkRecord& b) { return a.name < b.name; });
    return out;
}

void NetworkStore::remove(const std::string& name_or_id,
                          const std::function<bool(const std::string&)>& is_alive) {
    const NetworkRecord n = get(name_or_id);
    if (n.name == kDefaultNetwork)
        throw Error(fmt::format("{} is a pre-defined network and cannot be removed", n.name));
    UniqueFd records_held = files::lock_file(files::records_dir(data_root_) + "/.lock");
    fs::ensure_dir(state_root_, 0711);
    fs::ensure_dir(state_root_ + "/.networks", 0700);
    fs::ensure_dir(files::runtime_dir(state_root_, n.name), 0700);
    // Under the leases' lock no container can take an address while we look; one that waits
    // for it finds the record gone afterwards (allocate checks) and fails cleanly.
    UniqueFd leases_held = files::lock_file(files::runtime_dir(state_root_, n.name) + "/lock");
    for (const auto& lease : leases(n))
        if (is_alive(lease.container_id))
            throw Error(
                fmt::format("error while removing network: network {} id {} has active endpoints",
                            n.name, n.id));
    const auto current = load_record(data_root_, n.name);
    if (!current || current->id != n.id) return;  // removed meanwhile by another vessel
    if (::unlink(files::record_path(data_root_, n.name).c_str()) != 0 && errno != ENOENT)
        throw SysError("cannot remove network " + n.name, errno);
    fs::remove_tree(files::runtime_dir(state_root_, n.name));
}

void to_json(nlohmann::json& j, const NetworkRecord& n) {
    j = {{"name", n.name},
         {"id", n.id},
         {"driver", n.driver},
         {"bridge", n.bridge},
         {"subnet", n.subnet.str()},
         {"gateway", n.gateway.str()},
         {"user_defined", n.user_defined},
         {"created_ns", n.created_ns}};
}

void from_json(const nlohmann::json& j, NetworkRecord& n) {
    n.name = j.at("name").get<std::string>();
    n.id = j.at("id").get<std::string>();
    n.driver = j.value("driver", "bridge");
    n.bridge = j.at("bridge").get<std::string>();
    n.subnet = Subnet::parse(j.at("subnet").get<std::string>());
    n.gateway = Ipv4::parse(j.at("gateway").get<std::string>());
    n.user_defined = j.value("user_defined", true);
    n.created_ns = j.value("created_ns", int64_t{0});
}

}  // namespace vessel::network
