// A container's /etc/hosts, /etc/resolv.conf and /etc/hostname (docs/network.md). The text is
// made by core/network_options.cpp; this file writes it, and keeps the hosts files of a
// user-defined network's containers listing each other.
//
// The hosts file is two parts: the container's own (localhost, --add-host, its address) and its
// peers. The own part is also kept alone in `hosts.own`, so a peer that starts or ends later can
// rebuild the whole file without knowing this container's flags.
#include "vessel/network/etc_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "network_store_files.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::network {
namespace {

constexpr const char* kHostsOwnFile = "hosts.own";

// Only the peer lines: the whole file's text minus its fixed head, so that the layout of a line
// stays in make_hosts_file alone.
std::string peer_lines(const std::vector<HostsPeer>& peers) {
    const std::string head = make_hosts_file("", nullptr, {}, {}, {});
    return make_hosts_file("", nullptr, {}, {}, peers).substr(head.size());
}

// Overwrites the file's content keeping its inode: the file is bind-mounted into a running
// container, which would keep seeing the old inode after a rename. False when it is gone.
// The flock on the file itself keeps two writers (a container writing its own file, a peer
// refreshing it) from truncating and writing in turn, which could leave the tail of a longer
// text after a shorter one.
bool rewrite_in_place(const std::string& path, const std::string& text) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        if (errno == ENOENT) return false;
        throw SysError("cannot open " + path, errno);
    }
    while (::flock(fd.get(), LOCK_EX) != 0)
        if (errno != EINTR) throw SysError("cannot lock " + path, errno);
    if (::ftruncate(fd.get(), 0) != 0) throw SysError("cannot truncate " + path, errno);
    for (size_t done = 0; done < text.size();) {
        ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SysError("cannot write " + path, errno);
        done += static_cast<size_t>(n);
    }
    return true;
}

// A file that may already be bind-mounted (a restart of a container that another vessel is
// still refreshing): in place when it exists, created atomically otherwise.
void write_etc_file(const std::string& path, const std::string& text) {
    if (!rewrite_in_place(path, text)) fs::write_file_atomic(path, text, 0644);
}

}  // namespace

std::vector<HostsPeer> hosts_peers(const std::vector<Lease>& leases,
                                   const std::string& container_id) {
    std::vector<HostsPeer> peers;
    for (const auto& l : leases) {
        if (l.container_id == container_id) continue;
        HostsPeer p{l.ip, {}};
        if (!l.container_name.empty()) p.names.push_back(l.container_name);
        if (!l.hostname.empty()) p.names.push_back(l.hostname);
        p.names.insert(p.names.end(), l.aliases.begin(), l.aliases.end());
        peers.push_back(std::move(p));
    }
    return peers;
}

void write_etc_files(const std::string& state_dir, const std::string& hostname,
                     const std::string& container_name, const DnsConfig& dns,
                     const std::vector<ExtraHost>& extra_hosts, const Lease* lease, bool own_netns,
                     const std::vector<HostsPeer>& peers) {
    write_etc_file(state_dir + "/" + kHostnameFile, hostname + "\n");

    const std::string host_resolv = fs::try_read_file("/etc/resolv.conf").value_or("");
    // systemd-resolved's list of the real servers behind its 127.0.0.53 stub.
    const std::string upstream = fs::try_read_file("/run/systemd/resolve/resolv.conf").value_or("");
    write_etc_file(state_dir + "/" + kResolvConfFile,
                   make_resolv_conf(dns, host_resolv, upstream, own_netns));

    std::vector<std::string> own_names;
    if (!container_name.empty()) own_names.push_back(container_name);
    std::string own_ip;
    if (lease) {
        own_ip = lease->ip.str();
        own_names.insert(own_names.end(), lease->aliases.begin(), lease->aliases.end());
    }
    const std::string own =
        make_hosts_file(hostname, lease ? &own_ip : nullptr, own_names, extra_hosts, {});
    fs::write_file_atomic(state_dir + "/" + kHostsOwnFile, own, 0644);
    write_etc_file(state_dir + "/" + kHostsFile, own + peer_lines(peers));
}

void refresh_peer_hosts(const NetworkStore& store, const NetworkRecord& network,
                        const std::function<std::string(const std::string&)>& state_dir_of) {
    // The default network does not resolve names (docker's default bridge neither).
    if (!network.user_defined) return;
    // Two containers starting at once both refresh: one at a time, each reading the leases
    // after the other's write, so the last writer has the newest list and no write interleaves.
    UniqueFd held;
    try {
        held = store_files::lock_file(store_files::runtime_dir(store.state_root(), network.name) +
                                      "/hosts.lock");
    } catch (const SysError& e) {
        if (e.err() == ENOENT) return;  // the network has no runtime directory: no leases
        throw;
    }
    const auto leases = store.leases(network);
    for (const auto& l : leases) {
        const std::string dir = state_dir_of(l.container_id);
        if (dir.empty()) continue;
        auto own = fs::try_read_file(dir + "/" + kHostsOwnFile);
        if (!own) continue;  // its container is gone, or not written yet (it will list us)
        rewrite_in_place(dir + "/" + kHostsFile,
                         *own + peer_lines(hosts_peers(leases, l.container_id)));
    }
}

}  // namespace vessel::network
