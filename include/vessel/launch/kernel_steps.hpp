// The seam between the launch's recipes and the kernel. The recipes (run_child.cpp's
// build_container, exec_child.cpp's enter_container, process_start.cpp's start_process) say
// WHICH steps a new process takes and in WHAT ORDER; every step goes through a KernelSteps, so a
// unit test can put a recording double in its place and check the order without root
// (tests/unit/launch_order_test.cpp), as youki's Syscall trait with its TestHelperSyscall does.
// LinuxSteps is the real one: each method is one call into linux/ (or the handshake), traced
// there with --explain.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "vessel/core/mount_spec.hpp"
#include "vessel/core/spec.hpp"
#include "vessel/core/state.hpp"
#include "vessel/launch/confinement.hpp"
#include "vessel/launch/handshake.hpp"
#include "vessel/linux/cgroup_join.hpp"
#include "vessel/linux/cgroups.hpp"
#include "vessel/linux/devices.hpp"
#include "vessel/linux/ns_join.hpp"
#include "vessel/linux/rootfs.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel {

class KernelSteps {
  public:
    virtual ~KernelSteps() = default;

    // The handshake (handshake.hpp).
    virtual UniqueFd await_go() = 0;
    virtual void await_ready() = 0;
    // PR_SET_PDEATHSIG: the kernel kills us when vessel dies.
    virtual void die_with_parent() = 0;
    // Every fd above 2 but the handshake's, the trace's and `also_keep` closed
    // (inherited_fds.hpp, CVE-2024-21626): before anything is resolved in the container.
    virtual void close_inherited_fds(const std::vector<int>& also_keep) = 0;
    // OCI create (bundle_steps.hpp): the exec fifo, opened by path right after the inherited
    // fds are closed, while the host's filesystem is still in view.
    virtual UniqueFd open_exec_fifo(const std::string& path) = 0;

    // run's child: namespaces and the root filesystem (run_child.hpp).
    virtual void become_namespace_root() = 0;  // setuid/setgid 0 in a new user namespace
    virtual void unshare_network() = 0;
    virtual void set_umask(mode_t mask) = 0;
    virtual void set_hostname(const std::string& hostname) = 0;
    virtual void set_domainname(const std::string& domainname) = 0;  // OCI: domainname
    virtual void make_mounts_private() = 0;
    // The overlay (or, with --userns=remap, the one the parent made and sent with kGo).
    virtual UniqueFd mount_root(const rootfs::Layout& layout, UniqueFd made_by_parent) = 0;
    // OCI: the bundle's root bound as is onto `target`, instead of an overlay.
    virtual UniqueFd bind_bundle_root(const std::string& rootfs, const std::string& target) = 0;
    virtual void mount_proc(int root) = 0;
    virtual void mount_sys(int root) = 0;
    virtual void set_up_dev(int root, const std::vector<devices::DeviceNode>& nodes) = 0;
    // -v, --mount, --tmpfs (container_mounts.hpp); closes the sources once attached.
    virtual void attach_mounts(int root, const std::vector<MountSpec>& mounts,
                               std::vector<UniqueFd>& sources) = 0;
    // OCI: config.json's mounts, then linux.sysctl through the container's /proc/sys.
    virtual void apply_mounts(int root, const std::vector<OciMount>& mounts) = 0;
    virtual void apply_sysctl(int root,
                              const std::vector<std::pair<std::string, std::string>>& sysctl) = 0;
    // Docker's lists, or the OCI spec's linux.maskedPaths and linux.readonlyPaths.
    virtual void mask_paths(int root, const std::vector<std::string>& masked,
                            const std::vector<std::string>& readonly) = 0;
    virtual void bring_up_loopback() = 0;
    // --network bridge/NAME: lo and eth0 up, eth0's address, the default route (links.hpp).
    virtual void configure_network(const NetworkAttachment& network) = 0;
    virtual void join_v1_cgroups(const cgroups::Cgroup& cgroup) = 0;
    virtual void unshare_cgroup_namespace() = 0;
    virtual void mount_cgroups(const cgroups::Cgroup& cgroup, int root) = 0;
    virtual void pivot_root(int root) = 0;
    virtual void remount_root_readonly() = 0;

    // exec's child (exec_child.hpp).
    virtual void join_cgroups(const cgroups::JoinTarget& cgroup) = 0;
    virtual void join_namespaces(const ns_join::Target& namespaces, int flags) = 0;

    // The tail (process_start.hpp).
    virtual void stdio_from_null() = 0;
    virtual void set_up_stdio(const ContainerSpec& spec) = 0;
    virtual void enter_workdir(const std::string& workdir, bool create) = 0;
    virtual std::string resolve_command(const ContainerSpec& spec) = 0;
    virtual void set_oom_score_adj(int adj) = 0;  // OCI: process.oomScoreAdj
    // OCI create: kCreated to the parent, then block on the exec fifo until `start`.
    virtual void wait_for_start(int exec_fifo) = 0;
    virtual void apply_confinement(const confinement::Plan& plan) = 0;
    virtual void rearm_parent_death_signal() = 0;
    virtual void seal(const confinement::Plan& plan) = 0;
    virtual void become_init_and_fork(bool tty) = 0;
    // execve: returns only in a test double.
    virtual void exec(const ContainerSpec& spec, const std::string& path) = 0;
};

class LinuxSteps final : public KernelSteps {
  public:
    explicit LinuxSteps(const handshake::ChildEnd& channel) : channel_(channel) {}

    UniqueFd await_go() override;
    void await_ready() override;
    void die_with_parent() override;
    void close_inherited_fds(const std::vector<int>& also_keep) override;
    UniqueFd open_exec_fifo(const std::string& path) override;
    void become_namespace_root() override;
    void unshare_network() override;
    void set_umask(mode_t mask) override;
    void set_hostname(const std::string& hostname) override;
    void set_domainname(const std::string& domainname) override;
    void make_mounts_private() override;
    UniqueFd mount_root(const rootfs::Layout& layout, UniqueFd made_by_parent) override;
    UniqueFd bind_bundle_root(const std::string& rootfs, const std::string& target) override;
    void mount_proc(int root) override;
    void mount_sys(int root) override;
    void set_up_dev(int root, const std::vector<devices::DeviceNode>& nodes) override;
    void attach_mounts(int root, const std::vector<MountSpec>& mounts,
                       std::vector<UniqueFd>& sources) override;
    void apply_mounts(int root, const std::vector<OciMount>& mounts) override;
    void apply_sysctl(int root,
                      const std::vector<std::pair<std::string, std::string>>& sysctl) override;
    void mask_paths(int root, const std::vector<std::string>& masked,
                    const std::vector<std::string>& readonly) override;
    void bring_up_loopback() override;
    void configure_network(const NetworkAttachment& network) override;
    void join_v1_cgroups(const cgroups::Cgroup& cgroup) override;
    void unshare_cgroup_namespace() override;
    void mount_cgroups(const cgroups::Cgroup& cgroup, int root) override;
    void pivot_root(int root) override;
    void remount_root_readonly() override;
    void join_cgroups(const cgroups::JoinTarget& cgroup) override;
    void join_namespaces(const ns_join::Target& namespaces, int flags) override;
    // The tail's steps are in process_start.cpp.
    void stdio_from_null() override;
    void set_up_stdio(const ContainerSpec& spec) override;
    void enter_workdir(const std::string& workdir, bool create) override;
    std::string resolve_command(const ContainerSpec& spec) override;
    void set_oom_score_adj(int adj) override;
    void wait_for_start(int exec_fifo) override;
    void apply_confinement(const confinement::Plan& plan) override;
    void rearm_parent_death_signal() override;
    void seal(const confinement::Plan& plan) override;
    void become_init_and_fork(bool tty) override;
    void exec(const ContainerSpec& spec, const std::string& path) override;

  private:
    const handshake::ChildEnd& channel_;
};

}  // namespace vessel
