// LinuxSteps (kernel_steps.hpp): the real steps of run's and exec's children, one call into
// linux/ each. The tail's are in process_start.cpp.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/launch/bundle_steps.hpp"
#include "vessel/launch/kernel_steps.hpp"
#include "vessel/linux/container_mounts.hpp"
#include "vessel/linux/inherited_fds.hpp"
#include "vessel/linux/kernel_fs.hpp"
#include "vessel/linux/masked_paths.hpp"
#include "vessel/linux/namespaces.hpp"
#include "vessel/linux/network.hpp"
#include "vessel/linux/userns.hpp"
#include "vessel/network/links.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"

namespace vessel {

UniqueFd LinuxSteps::await_go() {
    return channel_.await_go();
}

void LinuxSteps::await_ready() {
    channel_.await_ready();
}

void LinuxSteps::die_with_parent() {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void LinuxSteps::close_inherited_fds(const std::vector<int>& also_keep) {
    std::vector<int> keep = also_keep;
    keep.push_back(channel_.fd());
    keep.push_back(explain::fd());
    inherited_fds::close_all_except(keep);
}

UniqueFd LinuxSteps::open_exec_fifo(const std::string& path) {
    return bundle_steps::open_exec_fifo(path);
}

void LinuxSteps::become_namespace_root() {
    userns::become_root();
}

void LinuxSteps::unshare_network() {
    namespaces::unshare_network_namespace();
}

void LinuxSteps::set_umask(mode_t mask) {
    ::umask(mask);
}

void LinuxSteps::set_hostname(const std::string& hostname) {
    explain::checked(
        ::sethostname(hostname.data(), hostname.size()), explain::Chapter::kNamespaces,
        [&] {
            return fmt::format("sethostname({}, {})", explain::quote(hostname), hostname.size());
        },
        "only our UTS namespace sees it", "sethostname");
}

void LinuxSteps::set_domainname(const std::string& domainname) {
    bundle_steps::set_domainname(domainname);
}

void LinuxSteps::make_mounts_private() {
    rootfs::make_mounts_private();
}

UniqueFd LinuxSteps::mount_root(const rootfs::Layout& layout, UniqueFd made_by_parent) {
    return made_by_parent ? userns::attach_root(std::move(made_by_parent))
                          : rootfs::mount_overlay(layout);
}

UniqueFd LinuxSteps::bind_bundle_root(const std::string& rootfs, const std::string& target) {
    return bundle_steps::bind_root(rootfs, target);
}

void LinuxSteps::mount_proc(int root) {
    kernel_fs::mount_proc(root);
}

void LinuxSteps::mount_sys(int root) {
    kernel_fs::mount_sys(root);
}

void LinuxSteps::set_up_dev(int root, const std::vector<devices::DeviceNode>& nodes) {
    devices::setup_dev(root);
    devices::add_nodes(root, nodes);
}

void LinuxSteps::attach_mounts(int root, const std::vector<MountSpec>& mounts,
                               std::vector<UniqueFd>& sources) {
    container_mounts::attach(root, mounts, sources);
    sources.clear();  // attached: the host's trees are closed before anything else is resolved
}

void LinuxSteps::apply_mounts(int root, const std::vector<OciMount>& mounts) {
    bundle_steps::apply_mounts(root, mounts);
}

void LinuxSteps::apply_sysctl(int root,
                              const std::vector<std::pair<std::string, std::string>>& sysctl) {
    bundle_steps::apply_sysctl(root, sysctl);
}

void LinuxSteps::mask_paths(int root, const std::vector<std::string>& masked,
                            const std::vector<std::string>& readonly) {
    masked_paths::apply(root, masked, readonly);
}

void LinuxSteps::bring_up_loopback() {
    network::bring_up_loopback();
}

void LinuxSteps::configure_network(const NetworkAttachment& network) {
    network::configure_container_side(Ipv4::parse(network.ip), network.prefix,
                                      Ipv4::parse(network.gateway));
}

void LinuxSteps::join_v1_cgroups(const cgroups::Cgroup& cgroup) {
    cgroups::JoinTarget::open(cgroup.to_json()).join_self();
}

void LinuxSteps::unshare_cgroup_namespace() {
    namespaces::unshare_cgroup_namespace();
}

void LinuxSteps::mount_cgroups(const cgroups::Cgroup& cgroup, int root) {
    cgroup.mount_in_container(root);
}

void LinuxSteps::pivot_root(int root) {
    rootfs::pivot_into(root);
}

void LinuxSteps::remount_root_readonly() {
    rootfs::remount_root_readonly();
}

void LinuxSteps::join_cgroups(const cgroups::JoinTarget& cgroup) {
    cgroup.join_self();
}

void LinuxSteps::join_namespaces(const ns_join::Target& namespaces, int flags) {
    namespaces.join(flags);
}

void LinuxSteps::set_oom_score_adj(int adj) {
    bundle_steps::set_oom_score_adj(adj);
}

void LinuxSteps::wait_for_start(int exec_fifo) {
    bundle_steps::wait_for_start(exec_fifo, channel_);
}

}  // namespace vessel
