// The order of the launch's steps, without root: the recipes (build_container, enter_container,
// start_process) run against a recording double of the kernel seam (kernel_steps.hpp), as
// youki tests its init with TestHelperSyscall. Each test states an ordering the kernel or the
// security of the container depends on.
#include <fcntl.h>
#include <sched.h>

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "vessel/launch/exec_child.hpp"
#include "vessel/launch/run_child.hpp"

namespace vessel {
namespace {

class RecordingSteps final : public KernelSteps {
  public:
    std::vector<std::string> calls;
    std::vector<std::string> masked_seen;  // what mask_paths was given
    int waited_on = -1;                    // the fd wait_for_start was given

    UniqueFd await_go() override { return note("await_go"), UniqueFd(); }
    void await_ready() override { note("await_ready"); }
    void die_with_parent() override { note("die_with_parent"); }
    void close_inherited_fds(const std::vector<int>&) override { note("close_inherited_fds"); }
    // A real descriptor (of /dev/null), so that the recipe hands it on to the tail.
    UniqueFd open_exec_fifo(const std::string&) override {
        return note("open_exec_fifo"), UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
    void become_namespace_root() override { note("become_namespace_root"); }
    void unshare_network() override { note("unshare_network"); }
    void set_umask(mode_t) override { note("set_umask"); }
    void set_hostname(const std::string&) override { note("set_hostname"); }
    void set_domainname(const std::string&) override { note("set_domainname"); }
    void make_mounts_private() override { note("make_mounts_private"); }
    UniqueFd mount_root(const rootfs::Layout&, UniqueFd) override {
        return note("mount_root"), UniqueFd();
    }
    UniqueFd bind_bundle_root(const std::string&, const std::string&) override {
        return note("bind_bundle_root"), UniqueFd();
    }
    void mount_proc(int) override { note("mount_proc"); }
    void mount_sys(int) override { note("mount_sys"); }
    void set_up_dev(int, const std::vector<devices::DeviceNode>&) override { note("set_up_dev"); }
    void attach_mounts(int, const std::vector<MountSpec>&, std::vector<UniqueFd>&) override {
        note("attach_mounts");
    }
    void apply_mounts(int, const std::vector<OciMount>&) override { note("apply_mounts"); }
    void apply_sysctl(int, const std::vector<std::pair<std::string, std::string>>&) override {
        note("apply_sysctl");
    }
    void mask_paths(int, const std::vector<std::string>& masked,
                    const std::vector<std::string>&) override {
        note("mask_paths");
        masked_seen = masked;
    }
    void bring_up_loopback() override { note("bring_up_loopback"); }
    void configure_network(const NetworkAttachment&) override { note("configure_network"); }
    void join_v1_cgroups(const cgroups::Cgroup&) override { note("join_v1_cgroups"); }
    void unshare_cgroup_namespace() override { note("unshare_cgroup_namespace"); }
    void mount_cgroups(const cgroups::Cgroup&, int) override { note("mount_cgroups"); }
    void pivot_root(int) override { note("pivot_root"); }
    void remount_root_readonly() override { note("remount_root_readonly"); }
    void join_cgroups(const cgroups::JoinTarget&) override { note("join_cgroups"); }
    void join_namespaces(const ns_join::Target&, int) override { note("join_namespaces"); }
    void stdio_from_null() override { note("stdio_from_null"); }
    void set_up_stdio(const ContainerSpec&) override { note("set_up_stdio"); }
    void enter_workdir(const std::string&, bool create) override {
        note(create ? "enter_workdir(create)" : "enter_workdir");
    }
    std::string resolve_command(const ContainerSpec&) override {
        return note("resolve_command"), "/bin/true";
    }
    void set_oom_score_adj(int) override { note("set_oom_score_adj"); }
    void wait_for_start(int exec_fifo) override {
        note("wait_for_start");
        waited_on = exec_fifo;
    }
    void apply_confinement(const confinement::Plan&) override { note("apply_confinement"); }
    void rearm_parent_death_signal() override { note("rearm_parent_death_signal"); }
    void seal(const confinement::Plan&) override { note("seal"); }
    void become_init_and_fork(bool) override { note("become_init_and_fork"); }
    void exec(const ContainerSpec&, const std::string&) override { note("exec"); }

    size_t at(const std::string& call) const {
        auto it = std::find(calls.begin(), calls.end(), call);
        EXPECT_NE(it, calls.end()) << call << " never happened";
        return static_cast<size_t>(it - calls.begin());
    }
    bool has(const std::string& call) const {
        return std::find(calls.begin(), calls.end(), call) != calls.end();
    }

  private:
    void note(const char* call) { calls.emplace_back(call); }
};

struct RunFixture {
    ContainerSpec spec;
    confinement::Plan confine;
    std::unique_ptr<cgroups::Cgroup> cgroup =
        cgroups::make(cgroups::Layout::kLegacy, "0123456789abcdef", "/nonexistent");

    RunFixture() {
        spec.args = {"true"};
        spec.network = NetworkMode::kNone;
        spec.hostname = "0123456789ab";  // as plan_run sets it
    }
    ChildPlan plan(CgroupEntry entry) const {
        return {.spec = &spec,
                .layout = {},
                .cgroup = cgroup.get(),
                .cgroup_entry = entry,
                .confinement = &confine};
    }
    std::vector<std::string> run(CgroupEntry entry = CgroupEntry::kJoinsItself) const {
        RecordingSteps k;
        UniqueFd exec_fifo = build_container(plan(entry), k);
        start_process(tail_of(plan(entry), exec_fifo.get()), k);
        return k.calls;
    }
};

RecordingSteps record_run(const RunFixture& f, CgroupEntry entry = CgroupEntry::kJoinsItself) {
    RecordingSteps k;
    UniqueFd exec_fifo = build_container(f.plan(entry), k);
    start_process(tail_of(f.plan(entry), exec_fifo.get()), k);
    return k;
}

TEST(LaunchOrder, RunChildTakesEveryStepInTheDocumentedOrder) {
    RunFixture f;
    const std::vector<std::string> expected = {"close_inherited_fds",
                                               "die_with_parent",
                                               "await_go",
                                               "unshare_network",
                                               "set_umask",
                                               "set_hostname",
                                               "make_mounts_private",
                                               "mount_root",
                                               "mount_proc",
                                               "mount_sys",
                                               "set_up_dev",
                                               "mask_paths",
                                               "bring_up_loopback",
                                               "await_ready",
                                               "join_v1_cgroups",
                                               "unshare_cgroup_namespace",
                                               "mount_cgroups",
                                               "pivot_root",
                                               "set_up_stdio",
                                               "enter_workdir(create)",
                                               "resolve_command",
                                               "apply_confinement",
                                               "rearm_parent_death_signal",
                                               "seal",
                                               "exec"};
    EXPECT_EQ(f.run(), expected);
}

TEST(LaunchOrder, NothingIsBuiltBeforeKGoAndNothingJoinedBeforeKReady) {
    RunFixture f;
    auto k = record_run(f);
    // Nothing of vessel's host fds survives into the build (CVE-2024-21626).
    EXPECT_EQ(k.at("close_inherited_fds"), 0u);
    // Before kGo the parent may still write our uid maps: nothing may depend on them.
    EXPECT_EQ(k.at("die_with_parent"), 1u);
    EXPECT_EQ(k.at("await_go"), 2u);
    // The cgroups exist only once kReady came.
    EXPECT_LT(k.at("await_ready"), k.at("join_v1_cgroups"));
    EXPECT_LT(k.at("await_ready"), k.at("mount_cgroups"));
    // The cgroup namespace is rooted where we sit: after the move, before its view is mounted.
    EXPECT_LT(k.at("join_v1_cgroups"), k.at("unshare_cgroup_namespace"));
    EXPECT_LT(k.at("unshare_cgroup_namespace"), k.at("mount_cgroups"));
}

TEST(LaunchOrder, VolumesAreMountedAfterDevAndBeforeTheMaskedPaths) {
    RunFixture f;
    std::vector<UniqueFd> sources(1);
    ChildPlan plan = f.plan(CgroupEntry::kJoinsItself);
    plan.mount_sources = &sources;
    RecordingSteps k;
    build_container(plan, k);
    // A volume mounted over /proc/kcore's parent could otherwise uncover what is masked.
    EXPECT_LT(k.at("set_up_dev"), k.at("attach_mounts"));
    EXPECT_LT(k.at("attach_mounts"), k.at("mask_paths"));
}

TEST(LaunchOrder, TheHostsRootGoesBeforeTheCommandIsLookedUpAndSeccompIsLast) {
    RunFixture f;
    f.spec.read_only = true;
    f.spec.init = true;
    auto k = record_run(f);
    EXPECT_LT(k.at("mask_paths"), k.at("pivot_root"));
    EXPECT_LT(k.at("pivot_root"), k.at("remount_root_readonly"));
    EXPECT_LT(k.at("remount_root_readonly"), k.at("set_up_stdio"));
    EXPECT_LT(k.at("pivot_root"), k.at("resolve_command"));
    // Confinement drops the rights the earlier steps need; the filter may forbid their calls.
    EXPECT_LT(k.at("resolve_command"), k.at("apply_confinement"));
    EXPECT_LT(k.at("apply_confinement"), k.at("rearm_parent_death_signal"));
    EXPECT_LT(k.at("rearm_parent_death_signal"), k.at("seal"));
    // --init is forked already confined, so init is held as tightly as the command.
    EXPECT_LT(k.at("seal"), k.at("become_init_and_fork"));
    EXPECT_EQ(k.calls.back(), "exec");
}

TEST(LaunchOrder, TheCgroupEntryDecidesWhoMovesTheChild) {
    RunFixture f;
    auto born = record_run(f, CgroupEntry::kBornInside);
    EXPECT_FALSE(born.has("join_v1_cgroups"));
    EXPECT_FALSE(born.has("unshare_cgroup_namespace"));  // clone3 made it
    auto moved = record_run(f, CgroupEntry::kMovedByParent);
    EXPECT_FALSE(moved.has("join_v1_cgroups"));
    EXPECT_TRUE(moved.has("unshare_cgroup_namespace"));
    EXPECT_EQ(decide_cgroup_entry(true, true, false), CgroupEntry::kBornInside);
    EXPECT_EQ(decide_cgroup_entry(true, false, false), CgroupEntry::kJoinsItself);
    EXPECT_EQ(decide_cgroup_entry(false, true, true), CgroupEntry::kMovedByParent);
    EXPECT_EQ(decide_cgroup_entry(true, true, true), CgroupEntry::kBornInside);
}

TEST(LaunchOrder, UserNamespaceRootComesFirstAndPrivilegedSkipsMaskedPaths) {
    RunFixture f;
    f.spec.security.userns = UsernsRemap{};
    f.spec.security.privileged = true;
    f.spec.network = NetworkMode::kHost;
    auto k = record_run(f);
    EXPECT_EQ(k.at("become_namespace_root"), k.at("await_go") + 1);  // the maps are written
    EXPECT_FALSE(k.has("mask_paths"));
    EXPECT_FALSE(k.has("unshare_network"));
    EXPECT_FALSE(k.has("bring_up_loopback"));
}

// --network bridge: the namespace comes from clone3 (the parent makes the veth pair in it), and
// eth0 exists only once kReady came.
TEST(LaunchOrder, BridgeNetworkIsConfiguredAfterKReadyAndBeforePivotRoot) {
    RunFixture f;
    f.spec.network = NetworkMode::kBridge;
    NetworkAttachment attachment;
    attachment.network = "vessel";
    attachment.ip = "10.88.0.2";
    attachment.prefix = 16;
    attachment.gateway = "10.88.0.1";
    RecordingSteps k;
    ChildPlan plan = f.plan(CgroupEntry::kJoinsItself);
    plan.network = &attachment;
    UniqueFd exec_fifo = build_container(plan, k);
    start_process(tail_of(plan, exec_fifo.get()), k);
    EXPECT_FALSE(k.has("unshare_network"));
    EXPECT_FALSE(k.has("bring_up_loopback"));
    EXPECT_EQ(k.at("configure_network"), k.at("await_ready") + 1);
    EXPECT_LT(k.at("configure_network"), k.at("pivot_root"));
}

TEST(LaunchOrder, OciCreateWaitsForStartBeforeConfinementAndRunsNothingOfTheUsersBefore) {
    RunFixture f;
    f.spec.hostname = "box";
    f.spec.exec_fifo = "/run/vessel/.fifo/box";
    f.spec.rootfs = "/bundle/rootfs";
    f.spec.domainname = "example.org";
    f.spec.oci_mounts = {OciMount{}};
    f.spec.sysctl = {{"net.ipv4.ip_forward", "1"}};
    f.spec.masked_paths = std::vector<std::string>{"/proc/kcore"};
    f.spec.oom_score_adj = 100;
    f.spec.init = true;
    auto k = record_run(f);
    const std::vector<std::string> expected = {"close_inherited_fds",
                                               "open_exec_fifo",
                                               "die_with_parent",
                                               "await_go",
                                               "unshare_network",
                                               "set_umask",
                                               "set_hostname",
                                               "set_domainname",
                                               "make_mounts_private",
                                               "bind_bundle_root",
                                               "mount_proc",
                                               "mount_sys",
                                               "set_up_dev",
                                               "apply_mounts",
                                               "apply_sysctl",
                                               "mask_paths",
                                               "bring_up_loopback",
                                               "await_ready",
                                               "join_v1_cgroups",
                                               "unshare_cgroup_namespace",
                                               "mount_cgroups",
                                               "pivot_root",
                                               "set_up_stdio",
                                               "enter_workdir(create)",
                                               "resolve_command",
                                               "set_oom_score_adj",
                                               "wait_for_start",
                                               "apply_confinement",
                                               "seal",
                                               "become_init_and_fork",
                                               "exec"};
    EXPECT_EQ(k.calls, expected);
    // The fifo is opened right after the host's fds are closed, while its path is in view.
    EXPECT_EQ(k.at("open_exec_fifo"), 1u);
    // The tail waits on the very fd the recipe opened.
    EXPECT_GE(k.waited_on, 0);
    // A missing command fails create, not start.
    EXPECT_LT(k.at("resolve_command"), k.at("wait_for_start"));
    // Nothing of the user's runs before `start`: no confinement, no --init fork, no execve.
    EXPECT_LT(k.at("wait_for_start"), k.at("apply_confinement"));
    EXPECT_LT(k.at("wait_for_start"), k.at("become_init_and_fork"));
    EXPECT_LT(k.at("wait_for_start"), k.at("exec"));
    // `create` exits at kCreated: the container must not die with it.
    EXPECT_FALSE(k.has("rearm_parent_death_signal"));
    // config.json's mounts cannot uncover its masked paths; the spec's list is the one masked.
    EXPECT_LT(k.at("apply_mounts"), k.at("mask_paths"));
    EXPECT_EQ(k.masked_seen, std::vector<std::string>{"/proc/kcore"});
    EXPECT_FALSE(k.has("mount_root"));

    // `vessel run` takes none of the OCI steps, and masks Docker's list.
    RunFixture plain;
    auto r = record_run(plain);
    for (const char* step : {"open_exec_fifo", "set_domainname", "bind_bundle_root", "apply_mounts",
                             "apply_sysctl", "set_oom_score_adj", "wait_for_start"})
        EXPECT_FALSE(r.has(step)) << step;
    EXPECT_EQ(r.masked_seen, default_masked_paths());
}

TEST(LaunchOrder, ExecChildJoinsCgroupsBeforeNamespacesThenSharesTheTail) {
    ContainerSpec spec;
    spec.args = {"true"};
    confinement::Plan confine;
    ns_join::Target namespaces;
    cgroups::JoinTarget cgroup;
    ExecChildPlan plan{.spec = &spec,
                       .confinement = &confine,
                       .namespaces = &namespaces,
                       .cgroup = &cgroup,
                       .namespaces_to_join = CLONE_NEWCGROUP | CLONE_NEWUSER};
    RecordingSteps k;
    enter_container(plan, k);
    start_process(tail_of(plan), k);
    const std::vector<std::string> expected = {"die_with_parent",
                                               "await_go",
                                               "join_cgroups",
                                               "join_namespaces",
                                               "become_namespace_root",
                                               "close_inherited_fds",
                                               "set_up_stdio",
                                               "enter_workdir",
                                               "resolve_command",
                                               "apply_confinement",
                                               "rearm_parent_death_signal",
                                               "seal",
                                               "exec"};
    EXPECT_EQ(k.calls, expected);

    spec.detach = true;  // exec -d: lives on without vessel, and holds none of its stdio
    RecordingSteps d;
    enter_container(plan, d);
    start_process(tail_of(plan), d);
    EXPECT_FALSE(d.has("die_with_parent"));
    EXPECT_FALSE(d.has("rearm_parent_death_signal"));
    EXPECT_LT(d.at("stdio_from_null"), d.at("set_up_stdio"));

    // vessel-oci exec --detach: fds 0-2 are the engine's pipes (conmon's), kept as runc keeps them.
    plan.keep_stdio = true;
    RecordingSteps o;
    enter_container(plan, o);
    start_process(tail_of(plan), o);
    EXPECT_FALSE(o.has("die_with_parent"));
    EXPECT_FALSE(o.has("stdio_from_null"));
}

}  // namespace
}  // namespace vessel
