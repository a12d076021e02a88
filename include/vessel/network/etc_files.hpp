// /etc/hosts, /etc/resolv.conf and /etc/hostname of a container (docs/network.md): written into
// its state directory and bind-mounted over the image's, so that they exist and can be changed
// even on a read-only image, as docker does. On a user-defined network every container's
// /etc/hosts lists the others by name and alias, and is rewritten in place (the bind mount keeps
// the inode) when a container on that network starts or ends.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "vessel/core/network_options.hpp"
#include "vessel/network/network_store.hpp"

namespace vessel::network {

inline constexpr const char* kHostsFile = "hosts";  // in the container's state directory
inline constexpr const char* kResolvConfFile = "resolv.conf";
inline constexpr const char* kHostnameFile = "hostname";

// Writes the three files into `state_dir` from the host's /etc/resolv.conf (and
// /run/systemd/resolve/resolv.conf when that exists). `lease` is null without a network of vessel's
// (none, host). Throws SysError.
void write_etc_files(const std::string& state_dir, const std::string& hostname,
                     const std::string& container_name, const DnsConfig& dns,
                     const std::vector<ExtraHost>& extra_hosts, const Lease* lease, bool own_netns,
                     const std::vector<HostsPeer>& peers);

// The peers of container `container_id` as its /etc/hosts lists them: every other lease of the
// network, by container name, hostname and aliases. (Added by the netstore branch: write_etc_files
// and refresh_peer_hosts both need this mapping.)
std::vector<HostsPeer> hosts_peers(const std::vector<Lease>& leases,
                                   const std::string& container_id);

// Rewrites, in place, the hosts file of every container leased on a user-defined `network`, so
// that each lists all the others. `state_dir_of` maps a container id to its state directory; a
// container whose directory is gone is skipped. Quiet about files that vanish meanwhile.
void refresh_peer_hosts(const NetworkStore& store, const NetworkRecord& network,
                        const std::function<std::string(const std::string&)>& state_dir_of);

}  // namespace vessel::network
