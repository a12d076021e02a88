// The cgroup v1 and v2 backends against a fake cgroup tree in a temp dir: regular files stand in
// for the kernel's interface files, so every write can be read back. What only the kernel can
// show (enforcement, OOM kills, cgroup namespaces) is tested for real by
// tests/integration/limits.bats on this host and by tests/vm/ on a pure cgroup v2 kernel.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "vessel/core/resources.hpp"
#include "vessel/linux/cgroup_v1.hpp"
#include "vessel/linux/cgroup_v2.hpp"
#include "vessel/linux/cgroup_view.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;
using namespace vessel::cgroups;
namespace stdfs = std::filesystem;

namespace {

constexpr int64_t kMiB = 1024 * 1024;
const std::string kId(64, 'c');

class FakeTree {
  public:
    FakeTree() {
        char tmpl[] = "/tmp/vessel-fake-cgroup.XXXXXX";
        root = ::mkdtemp(tmpl);
    }
    ~FakeTree() { stdfs::remove_all(root); }

    // Creates (or replaces) a file, and its directories.
    void file(const std::string& path, const std::string& content = "") const {
        stdfs::create_directories(stdfs::path(root + "/" + path).parent_path());
        std::ofstream(root + "/" + path) << content;
    }
    void files(const std::string& dir, std::initializer_list<const char*> names) const {
        for (const char* name : names) file(dir + "/" + name);
    }
    std::string read(const std::string& path) const {
        std::ifstream in(root + "/" + path);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    bool exists(const std::string& path) const { return stdfs::exists(root + "/" + path); }
    // Empties every file under `dir`: afterwards a non-empty file is one that was written.
    void blank(const std::string& dir) const {
        for (auto& entry : stdfs::recursive_directory_iterator(root + "/" + dir))
            if (entry.is_regular_file()) std::ofstream(entry.path(), std::ios::trunc);
    }
    // What the kernel does at rmdir: the interface files go with the directory.
    void remove_files(const std::string& dir) const {
        for (auto& entry : stdfs::directory_iterator(root + "/" + dir))
            if (entry.is_regular_file()) stdfs::remove(entry.path());
    }

    std::string root;
};

Resources limits() {
    Resources r;
    r.memory = 32 * kMiB;
    r.memory_swap = 64 * kMiB;
    r.cpus = 0.5;
    r.cpu_shares = 512;
    r.cpuset_cpus = "0";
    r.pids_limit = 20;
    return r;
}

// A unified (v2) tree as the kernel shows it once vessel-<id> exists.
void make_v2_tree(const FakeTree& t) {
    t.file("cgroup.controllers", "cpuset cpu io memory pids\n");
    t.file("cgroup.subtree_control", "memory\n");
    t.files("vessel-" + kId, {"memory.max", "memory.swap.max", "cpu.max", "cpu.weight",
                              "cpuset.cpus", "pids.max", "cgroup.procs", "cgroup.kill"});
}

}  // namespace

TEST(CgroupV2, CreateEnablesControllersAndWritesEveryLimit) {
    FakeTree t;
    make_v2_tree(t);
    CgroupV2 cg(t.root, kId);
    cg.create(limits());
    // The root already offered memory; the rest are turned on.
    EXPECT_EQ(t.read("cgroup.subtree_control"), "+cpuset +cpu +io +pids");
    const std::string dir = "vessel-" + kId + "/";
    EXPECT_EQ(t.read(dir + "memory.max"), std::to_string(32 * kMiB));
    EXPECT_EQ(t.read(dir + "memory.swap.max"), std::to_string(32 * kMiB));  // 64m - 32m
    EXPECT_EQ(t.read(dir + "cpu.max"), "50000 100000");
    EXPECT_EQ(t.read(dir + "cpu.weight"), "20");  // runc's mapping of 512 shares
    EXPECT_EQ(t.read(dir + "cpuset.cpus"), "0");
    EXPECT_EQ(t.read(dir + "pids.max"), "20");
    EXPECT_GE(cg.clone_fd(), 0);
    EXPECT_TRUE(cg.complete_after_clone());
}

TEST(CgroupV2, DefaultsWriteOnlyThePidsLimit) {
    FakeTree t;
    make_v2_tree(t);
    CgroupV2 cg(t.root, kId);
    cg.create(Resources{});
    const std::string dir = "vessel-" + kId + "/";
    EXPECT_EQ(t.read(dir + "pids.max"), "4096");
    for (const char* untouched :
         {"memory.max", "memory.swap.max", "cpu.max", "cpu.weight", "cpuset.cpus"})
        EXPECT_EQ(t.read(dir + untouched), "") << untouched;
}

TEST(CgroupV2, UpdateWritesOnlyWhatChanges) {
    FakeTree t;
    make_v2_tree(t);
    CgroupV2 cg(t.root, kId);
    const Resources before = limits();
    cg.create(before);
    t.blank("vessel-" + kId);
    Resources after = before;
    after.memory = 128 * kMiB;
    after.memory_swap = -1;
    after.cpus.reset();
    after.pids_limit = -1;
    cg.set_limits(after, before);
    const std::string dir = "vessel-" + kId + "/";
    EXPECT_EQ(t.read(dir + "memory.max"), std::to_string(128 * kMiB));
    EXPECT_EQ(t.read(dir + "memory.swap.max"), "max");
    EXPECT_EQ(t.read(dir + "cpu.max"), "max 100000");
    EXPECT_EQ(t.read(dir + "pids.max"), "max");
    EXPECT_EQ(t.read(dir + "cpu.weight"), "");
    EXPECT_EQ(t.read(dir + "cpuset.cpus"), "");
}

TEST(CgroupV2, AMissingControllerIsAClearError) {
    FakeTree t;
    make_v2_tree(t);
    ::unlink((t.root + "/vessel-" + kId + "/cpuset.cpus").c_str());
    CgroupV2 cg(t.root, kId);
    try {
        cg.create(limits());
        FAIL() << "create() succeeded without cpuset.cpus";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("cpuset controller is not available"),
                  std::string::npos)
            << e.what();
    }
}

TEST(CgroupV2, UsageAndOomComeFromTheCgroupFiles) {
    FakeTree t;
    make_v2_tree(t);
    const std::string dir = "vessel-" + kId + "/";
    t.file(dir + "cpu.stat", "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n");
    t.file(dir + "memory.current", "10485760\n");
    t.file(dir + "memory.stat", "anon 9437184\nfile 1048576\ninactive_file 1048576\n");
    t.file(dir + "memory.max", "max\n");
    t.file(dir + "pids.current", "3\n");
    t.file(dir + "pids.max", "20\n");
    t.file(dir + "memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 0\n");
    CgroupV2 cg(t.root, kId);
    Usage u = cg.usage();
    EXPECT_EQ(u.cpu_ns, 1'500'000'000u);
    EXPECT_EQ(u.memory, 9 * kMiB);
    EXPECT_FALSE(u.memory_limit);
    EXPECT_EQ(u.pids, 3);
    EXPECT_EQ(u.pids_limit, 20);
    EXPECT_FALSE(cg.oom_killed());
    t.file(dir + "memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
    EXPECT_TRUE(cg.oom_killed());
}

TEST(CgroupV2, DestroyRemovesItsDirOnly) {
    FakeTree t;
    make_v2_tree(t);
    t.file("vessel-" + std::string(64, 'd') + "/cgroup.procs");  // another container
    CgroupV2 cg(t.root, kId);
    cg.create(limits());
    t.remove_files("vessel-" + kId);
    cg.kill_all();  // empty cgroup.procs: nothing to wait for
    cg.destroy();
    EXPECT_FALSE(t.exists("vessel-" + kId));
    EXPECT_TRUE(t.exists("vessel-" + std::string(64, 'd')));  // the other container's is left
    CgroupV2(t.root, kId).destroy();                          // quiet when already gone
}

TEST(CgroupV2, FreezeWritesCgroupFreezeAndWaitsForCgroupEvents) {
    FakeTree t;
    make_v2_tree(t);
    CgroupV2 cg(t.root, kId);
    cg.create(Resources{});
    const std::string dir = "vessel-" + kId + "/";
    t.file(dir + "cgroup.freeze", "0\n");
    // What the kernel shows once every process is frozen (here at once).
    t.file(dir + "cgroup.events", "populated 1\nfrozen 1\n");
    cg.freeze(true);
    EXPECT_EQ(t.read(dir + "cgroup.freeze"), "1");
    EXPECT_TRUE(cg.frozen());
    t.file(dir + "cgroup.events", "populated 1\nfrozen 0\n");
    cg.freeze(false);
    EXPECT_EQ(t.read(dir + "cgroup.freeze"), "0");
    EXPECT_FALSE(cg.frozen());
}

TEST(CgroupV2, StateJsonFindsTheSameCgroup) {
    FakeTree t;
    CgroupV2 cg(t.root, kId);
    auto j = cg.to_json();
    EXPECT_EQ(j["layout"], "unified");
    EXPECT_EQ(j["paths"][0], t.root + "/vessel-" + kId);
    EXPECT_EQ(from_json(j)->to_json(), j);
}

namespace {

// A hybrid v1 tree: cpu and cpuacct co-mounted as "cpu,cpuacct" with a symlink for each, as
// systemd mounts them, plus cpuset, memory, pids and the others, and the cgroup2 "unified" tree.
void make_v1_tree(const FakeTree& t, bool memsw = true) {
    t.file("cpu,cpuacct/cgroup.procs");
    ::symlink("cpu,cpuacct", (t.root + "/cpu").c_str());
    ::symlink("cpu,cpuacct", (t.root + "/cpuacct").c_str());
    for (const char* c : {"cpuset", "memory", "devices", "freezer", "blkio", "pids"})
        t.file(std::string(c) + "/cgroup.procs");
    t.file("cpuset/cpuset.cpus", "0-1\n");
    t.file("cpuset/cpuset.mems", "0\n");
    t.files("cpuset/vessel-" + kId, {"cpuset.cpus", "cpuset.mems", "cgroup.procs"});
    t.files("cpu,cpuacct/vessel-" + kId,
            {"cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.shares", "cgroup.procs"});
    t.files("memory/vessel-" + kId, {"memory.limit_in_bytes", "cgroup.procs"});
    if (memsw) t.file("memory/vessel-" + kId + "/memory.memsw.limit_in_bytes");
    t.files("pids/vessel-" + kId, {"pids.max", "cgroup.procs"});
    t.file("unified/cgroup.procs");
}

}  // namespace

TEST(CgroupV1, HybridFreezesThroughTheUnifiedDirLegacyCannot) {
    FakeTree t;
    make_v1_tree(t);
    const std::string dir = "unified/vessel-" + kId + "/";
    t.file(dir + "cgroup.freeze", "0\n");
    t.file(dir + "cgroup.events", "populated 1\nfrozen 1\n");
    CgroupV1 hybrid(t.root, kId, true);
    hybrid.create(Resources{});
    hybrid.freeze(true);
    EXPECT_EQ(t.read(dir + "cgroup.freeze"), "1");
    EXPECT_TRUE(hybrid.frozen());
    // Legacy v1 alone: vessel does not join the freezer controller, so nothing can freeze.
    CgroupV1 legacy(t.root, kId, false);
    EXPECT_THROW(legacy.freeze(true), Error);
    EXPECT_FALSE(legacy.frozen());
}

TEST(CgroupV1, CoMountedControllersAreOneHierarchy) {
    FakeTree t;
    make_v1_tree(t);
    CgroupV1 cg(t.root, kId, true);
    EXPECT_EQ(cg.dir("cpu"), t.root + "/cpu/vessel-" + kId);
    EXPECT_EQ(cg.dir("cpuacct"), cg.dir("cpu"));
    EXPECT_EQ(cg.dir("memory"), t.root + "/memory/vessel-" + kId);
    EXPECT_EQ(cg.dir("net_cls"), "");
    EXPECT_EQ(cg.dir("freezer"), "");  // mounted, but no flag of vessel's uses it
    auto paths = cg.to_json()["paths"];
    // cpu,cpuacct, cpuset, memory, devices, pids + the unified dir
    EXPECT_EQ(paths.size(), 6u);
    EXPECT_EQ(paths.back(), t.root + "/unified/vessel-" + kId);
}

TEST(CgroupV1, CreateWritesEveryLimitInItsHierarchy) {
    FakeTree t;
    make_v1_tree(t);
    CgroupV1 cg(t.root, kId, true);
    cg.create(limits());
    const std::string id = "/vessel-" + kId + "/";
    EXPECT_EQ(t.read("memory" + id + "memory.limit_in_bytes"), std::to_string(32 * kMiB));
    EXPECT_EQ(t.read("memory" + id + "memory.memsw.limit_in_bytes"), std::to_string(64 * kMiB));
    EXPECT_EQ(t.read("cpu" + id + "cpu.cfs_period_us"), "100000");
    EXPECT_EQ(t.read("cpu" + id + "cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(t.read("cpu" + id + "cpu.shares"), "512");
    EXPECT_EQ(t.read("cpuset" + id + "cpuset.cpus"), "0");
    // A new cpuset inherits the memory nodes of the root, or no task could join it.
    EXPECT_EQ(t.read("cpuset" + id + "cpuset.mems"), "0");
    EXPECT_EQ(t.read("pids" + id + "pids.max"), "20");
    // Hybrid: the unified tree tracks the processes, and clone3 can place the child there.
    EXPECT_TRUE(t.exists("unified/vessel-" + kId));
    EXPECT_GE(cg.clone_fd(), 0);
    EXPECT_FALSE(cg.complete_after_clone());
}

TEST(CgroupV1, WithoutSwapAccountingOnlyMemoryIsLimited) {
    FakeTree t;
    make_v1_tree(t, false);
    CgroupV1 cg(t.root, kId, false);
    Resources r;
    r.memory = 64 * kMiB;
    r.memory_swap = 128 * kMiB;
    cg.create(r);
    EXPECT_EQ(t.read("memory/vessel-" + kId + "/memory.limit_in_bytes"), std::to_string(64 * kMiB));
    EXPECT_FALSE(t.exists("memory/vessel-" + kId + "/memory.memsw.limit_in_bytes"));
    EXPECT_FALSE(t.exists("unified/vessel-" + kId));  // legacy: no unified tree
    EXPECT_LT(cg.clone_fd(), 0);
}

TEST(CgroupV1, UpdateWritesOnlyWhatChangesAndUnsetMeansUnlimited) {
    FakeTree t;
    make_v1_tree(t);
    CgroupV1 cg(t.root, kId, true);
    const Resources before = limits();
    cg.create(before);
    for (const char* h : {"cpu,cpuacct", "cpuset", "memory", "pids"})
        t.blank(std::string(h) + "/vessel-" + kId);
    Resources after = before;
    after.memory.reset();
    after.memory_swap.reset();
    after.cpus.reset();
    after.cpuset_cpus.reset();
    cg.set_limits(after, before);
    const std::string id = "/vessel-" + kId + "/";
    EXPECT_EQ(t.read("memory" + id + "memory.limit_in_bytes"), "-1");
    EXPECT_EQ(t.read("memory" + id + "memory.memsw.limit_in_bytes"), "-1");
    EXPECT_EQ(t.read("cpu" + id + "cpu.cfs_quota_us"), "-1");
    EXPECT_EQ(t.read("cpuset" + id + "cpuset.cpus"), "0-1");  // the root's again
    EXPECT_EQ(t.read("cpu" + id + "cpu.shares"), "");
    EXPECT_EQ(t.read("pids" + id + "pids.max"), "");
}

TEST(CgroupV1, UsageAndOomComeFromTheCgroupFiles) {
    FakeTree t;
    make_v1_tree(t);
    const std::string id = "/vessel-" + kId + "/";
    t.file("cpu" + id + "cpuacct.usage", "2500000000\n");
    t.file("memory" + id + "memory.usage_in_bytes", "20971520\n");
    t.file("memory" + id + "memory.stat", "cache 4194304\ntotal_inactive_file 4194304\n");
    t.file("memory" + id + "memory.limit_in_bytes", "9223372036854771712\n");  // v1's "unlimited"
    t.file("pids" + id + "pids.current", "7\n");
    t.file("pids" + id + "pids.max", "max\n");
    t.file("memory" + id + "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    CgroupV1 cg(t.root, kId, true);
    Usage u = cg.usage();
    EXPECT_EQ(u.cpu_ns, 2'500'000'000u);
    EXPECT_EQ(u.memory, 16 * kMiB);
    EXPECT_FALSE(u.memory_limit);
    EXPECT_EQ(u.pids, 7);
    EXPECT_FALSE(u.pids_limit);
    EXPECT_TRUE(cg.oom_killed());
    t.file("memory" + id + "memory.limit_in_bytes", "33554432\n");
    EXPECT_EQ(cg.usage().memory_limit, 32 * kMiB);
}

TEST(CgroupV1, DestroyRemovesEveryDirectory) {
    FakeTree t;
    make_v1_tree(t);
    CgroupV1 cg(t.root, kId, true);
    cg.create(limits());
    auto paths = cg.to_json()["paths"];
    for (auto& p : paths) t.remove_files(p.get<std::string>().substr(t.root.size() + 1));
    cg.destroy();
    for (auto& p : paths) EXPECT_FALSE(stdfs::exists(p.get<std::string>())) << p;
}

TEST(CgroupView, MountinfoNamesAHierarchysControllers) {
    const std::string mountinfo =
        "25 1 0:22 / /sys rw,nosuid - sysfs sysfs rw\n"
        "30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup "
        "rw,cpu,cpuacct\n"
        "31 25 0:27 / /sys/fs/cgroup/memory rw,nosuid shared:10 - cgroup cgroup rw,memory\n"
        "32 25 0:28 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
        "33 25 0:29 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n";
    using view::v1_options_from_mountinfo;
    EXPECT_EQ(v1_options_from_mountinfo(mountinfo, "/sys/fs/cgroup/cpu,cpuacct"), "cpu,cpuacct");
    EXPECT_EQ(v1_options_from_mountinfo(mountinfo, "/sys/fs/cgroup/memory"), "memory");
    EXPECT_EQ(v1_options_from_mountinfo(mountinfo, "/sys/fs/cgroup/systemd"), "name=systemd");
    EXPECT_FALSE(v1_options_from_mountinfo(mountinfo, "/sys/fs/cgroup/unified"));
    EXPECT_FALSE(v1_options_from_mountinfo(mountinfo, "/sys/fs/cgroup/pids"));
}
