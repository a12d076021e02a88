// Address leases (docs/network.md): one file per address under
// <state-root>/.networks/<name>/leases/, taken under the network's flock. The file is written
// whole under a temporary name and then link(2)ed to its address: link fails with EEXIST like
// O_CREAT|O_EXCL would, and no reader ever sees a half-written lease.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "network_store_files.hpp"
#include "vessel/network/network_store.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::network {
namespace {

namespace files = store_files;

// The leases' directory exists and we hold the network's lock; the record must still be the one
// the caller read (not removed, not replaced by a new network of the same name meanwhile).
UniqueFd lock_network(const std::string& data_root, const std::string& state_root,
                      const NetworkRecord& network) {
    fs::ensure_dir(state_root, 0711);
    fs::ensure_dir(state_root + "/.networks", 0700);
    fs::ensure_dir(files::runtime_dir(state_root, network.name), 0700);
    UniqueFd held = files::lock_file(files::runtime_dir(state_root, network.name) + "/lock");
    auto text = fs::try_read_file(files::record_path(data_root, network.name));
    bool same = false;
    if (text) {
        try {
            same = nlohmann::json::parse(*text).value("id", "") == network.id;
        } catch (const nlohmann::json::exception&) {
        }
    }
    if (!same) throw Error(fmt::format("network {} not found", network.name));
    fs::ensure_dir(files::leases_dir(state_root, network.name), 0700);
    return held;
}

std::vector<Lease> read_leases(const std::string& dir) {
    std::vector<Lease> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        std::string file = e->d_name;
        if (file.starts_with('.')) continue;  // ".", "..", and leases being written
        auto text = fs::try_read_file(dir + "/" + file);
        if (!text) continue;  // released meanwhile
        try {
            Lease l = nlohmann::json::parse(*text).get<Lease>();
            if (l.ip.str() == file) out.push_back(std::move(l));
        } catch (const std::exception& ex) {
            spdlog::warn("lease {}/{} is unreadable: {}", dir, file, ex.what());
        }
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const Lease& a, const Lease& b) { return a.ip < b.ip; });
    return out;
}

// Addresses a container can never have: the network's own address, the broadcast, the gateway.
bool is_reserved(const NetworkRecord& network, Ipv4 ip) {
    return ip == network.subnet.base || ip == network.subnet.broadcast() || ip == network.gateway;
}

}  // namespace

Lease NetworkStore::allocate(const NetworkRecord& network, Lease wanted_lease,
                             std::optional<Ipv4> wanted,
                             const std::function<bool(const std::string&)>& is_alive) {
    if (wanted && (!network.subnet.contains(*wanted) || *wanted == network.subnet.base ||
                   *wanted == network.subnet.broadcast()))
        throw Error(fmt::format(
            "invalid address {}: it does not belong to any of network {}'s subnets ({})",
            wanted->str(), network.name, network.subnet.str()));
    UniqueFd held = lock_network(data_root_, state_root_, network);
    const std::string dir = files::leases_dir(state_root_, network.name);
    auto current = read_leases(dir);
    if (is_alive)
        std::erase_if(current, [&](const Lease& l) {
            if (l.container_id == wanted_lease.container_id || is_alive(l.container_id))
                return false;
            spdlog::debug("taking back {} from container {}, which is gone", l.ip.str(),
                          l.container_id);
            ::unlink((dir + "/" + l.ip.str()).c_str());
            return true;
        });
    // A container that asks again (a restart) keeps the address it holds.
    for (const auto& l : current)
        if (l.container_id == wanted_lease.container_id && (!wanted || *wanted == l.ip)) return l;

    std::set<uint32_t> taken;
    for (const auto& l : current) taken.insert(l.ip.value);
    std::optional<Ipv4> ip;
    if (wanted) {
        if (taken.count(wanted->value) || is_reserved(network, *wanted))
            throw Error(fmt::format("address {} is already in use on network {}", wanted->str(),
                                    network.name));
        ip = wanted;
    } else {
        // The lowest free address: uint64_t so that a subnet ending at 255.255.255.255 ends.
        for (uint64_t v = uint64_t{network.subnet.base.value} + 1;
             v < network.subnet.broadcast().value; ++v) {
            const Ipv4 candidate{static_cast<uint32_t>(v)};
            if (!taken.count(candidate.value) && !is_reserved(network, candidate)) {
                ip = candidate;
                break;
            }
        }
        if (!ip)
            throw Error(fmt::format("no available IPv4 addresses on network {} ({})", network.name,
                                    network.subnet.str()));
    }

    Lease lease = std::move(wanted_lease);
    lease.ip = *ip;
    const std::string tmp = dir + "/.new-" + ip->str() + "." + std::to_string(::getpid());
    fs::write_file_atomic(tmp, nlohmann::json(lease).dump() + "\n", 0600);
    const int rc = ::link(tmp.c_str(), (dir + "/" + ip->str()).c_str());
    const int err = errno;
    ::unlink(tmp.c_str());
    // EEXIST cannot happen under the lock unless something outside vessel wrote there.
    if (rc != 0) throw SysError("cannot record the lease of " + ip->str(), err);
    return lease;
}

void NetworkStore::release(const NetworkRecord& network, const std::string& container_id) {
    const std::string dir = files::leases_dir(state_root_, network.name);
    UniqueFd held;
    try {
        held = files::lock_file(files::runtime_dir(state_root_, network.name) + "/lock");
    } catch (const SysError& e) {
        if (e.err() == ENOENT) return;  // no lease was ever taken, or the network is gone
        throw;
    }
    for (const auto& l : read_leases(dir))
        if (l.container_id == container_id && ::unlink((dir + "/" + l.ip.str()).c_str()) != 0 &&
            errno != ENOENT)
            throw SysError("cannot release address " + l.ip.str(), errno);
}

std::vector<Lease> NetworkStore::leases(const NetworkRecord& network) const {
    return read_leases(files::leases_dir(state_root_, network.name));
}

void to_json(nlohmann::json& j, const Lease& l) {
    j = {{"ip", l.ip.str()},
         {"container_id", l.container_id},
         {"container_name", l.container_name},
         {"hostname", l.hostname},
         {"aliases", l.aliases}};
}

void from_json(const nlohmann::json& j, Lease& l) {
    l.ip = Ipv4::parse(j.at("ip").get<std::string>());
    l.container_id = j.at("container_id").get<std::string>();
    l.container_name = j.value("container_name", "");
    l.hostname = j.value("hostname", "");
    l.aliases = j.value("aliases", std::vector<std::string>{});
}

}  // namespace vessel::network
