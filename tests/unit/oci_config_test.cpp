// config.json -> ContainerSpec (core/oci_config.cpp), table-driven: each case edits the config
// `vessel-oci spec` writes, then checks the spec or the one-line error.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <functional>

#include "vessel/core/oci_config.hpp"
#include "vessel/oci/default_spec.hpp"
#include "vessel/util/error.hpp"

namespace vessel::oci {
namespace {

using json = nlohmann::json;

Config parse(const json& j, HostFeatures host = {}) {
    return parse_config(j.dump(), "/bundle", host);
}

TEST(OciConfig, DefaultSpecBecomesAContainerSpec) {
    Config c = parse(default_spec(false));
    const ContainerSpec& s = c.spec;
    EXPECT_EQ(c.oci_version, "1.1.0");
    EXPECT_EQ(s.rootfs, "/bundle/rootfs");
    EXPECT_TRUE(s.read_only);
    EXPECT_EQ(s.args, std::vector<std::string>{"sh"});
    EXPECT_EQ(s.workdir, "/");
    EXPECT_TRUE(s.tty);
    EXPECT_EQ(s.hostname, "vessel");
    EXPECT_EQ(s.network, NetworkMode::kNone);
    EXPECT_TRUE(s.oci_mounts.empty()) << "the kernel filesystems are vessel's own";
    ASSERT_TRUE(s.capability_sets);
    EXPECT_EQ(s.security.capabilities, (caps::Mask{1} << 29) | (caps::Mask{1} << 5) |
                                           (caps::Mask{1} << 10));  // AUDIT_WRITE KILL NBS
    EXPECT_EQ(s.capability_sets->inheritable, 0u);
    ASSERT_EQ(s.security.ulimits.size(), 1u);
    EXPECT_EQ(s.security.ulimits[0], (Ulimit{"nofile", 1024, 1024}));
    EXPECT_TRUE(s.security.no_new_privileges);
    EXPECT_EQ(s.security.seccomp, "unconfined");
    EXPECT_FALSE(s.resources.pids_limit);
    ASSERT_TRUE(s.masked_paths);
    EXPECT_EQ(s.masked_paths->front(), "/proc/acpi");
    EXPECT_EQ(c.user.uid, 0u);
    EXPECT_TRUE(c.warnings.empty());
}

TEST(OciConfig, RootlessSpecIsRefusedWithoutANetworkNamespace) {
    EXPECT_THROW(parse(default_spec(true, 1000, 1000)), Error);
    json j = default_spec(true, 1000, 1000);
    j["linux"]["namespaces"].push_back({{"type", "network"}});
    j["linux"]["uidMappings"][0]["size"] = 65536;
    j["linux"]["gidMappings"][0]["size"] = 65536;
    Config c = parse(j);
    ASSERT_TRUE(c.spec.security.userns);
    EXPECT_EQ(c.spec.security.userns->first, 1000u);
    EXPECT_EQ(c.spec.security.userns->count, 65536u);
}

struct Case {
    const char* name;
    std::function<void(json&)> edit;
    const char* error;  // substring of the message; nullptr: must parse
    std::function<void(const Config&)> check = nullptr;
};

const Case kCases[] = {
    {"not json", [](json& j) { j = "x"; }, "must hold a JSON object"},
    {"no ociVersion", [](json& j) { j.erase("ociVersion"); }, "ociVersion: is required"},
    {"version 2", [](json& j) { j["ociVersion"] = "2.0.0"; }, "not a 1.x"},
    {"no process", [](json& j) { j.erase("process"); }, "process: is required"},
    {"no root", [](json& j) { j.erase("root"); }, "root: is required"},
    {"empty args", [](json& j) { j["process"]["args"] = json::array(); }, "process.args"},
    {"args not strings", [](json& j) { j["process"]["args"] = {1}; }, "array of strings"},
    {"relative cwd", [](json& j) { j["process"]["cwd"] = "tmp"; }, "process.cwd"},
    {"bad env", [](json& j) { j["process"]["env"] = {"NOEQUALS"}; }, "process.env[0]"},
    {"terminal string", [](json& j) { j["process"]["terminal"] = "yes"; }, "true or false"},
    {"uid negative", [](json& j) { j["process"]["user"]["uid"] = -1; }, "non-negative"},
    {"uid too big", [](json& j) { j["process"]["user"]["uid"] = 1ull << 33; }, "out of range"},
    {"user",
     [](json& j) {
         j["process"]["user"] = {
             {"uid", 1000}, {"gid", 100}, {"additionalGids", {5, 6}}, {"umask", 63}};
         j["process"]["env"].push_back("HOME=/home/u");
     },
     nullptr,
     [](const Config& c) {
         EXPECT_EQ(c.user.uid, 1000u);
         EXPECT_EQ(c.user.gid, 100u);
         EXPECT_EQ(c.user.groups, (std::vector<gid_t>{5, 6}));
         EXPECT_EQ(c.user.home, "/home/u");
         EXPECT_EQ(c.spec.umask, 63u);
         EXPECT_EQ(c.spec.user, "1000:100");
     }},
    {"unknown capability warns",
     [](json& j) { j["process"]["capabilities"]["bounding"] = {"CAP_NOPE"}; }, nullptr,
     [](const Config& c) { ASSERT_EQ(c.warnings.size(), 1u); }},
    {"five capability sets",
     [](json& j) {
         j["process"]["capabilities"] = {{"bounding", {"CAP_SYS_ADMIN", "CAP_CHOWN"}},
                                         {"permitted", {"CAP_CHOWN"}},
                                         {"effective", {"CAP_CHOWN"}},
                                         {"inheritable", {"CAP_CHOWN"}},
                                         {"ambient", {"CAP_CHOWN"}}};
     },
     nullptr,
     [](const Config& c) {
         EXPECT_EQ(c.spec.capability_sets->bounding, (caps::Mask{1} << 21) | 1);
         EXPECT_EQ(c.spec.capability_sets->ambient, 1u);
     }},
    {"rlimit unknown", [](json& j) { j["process"]["rlimits"][0]["type"] = "RLIMIT_NOPE"; },
     "unknown rlimit"},
    {"rlimit soft > hard", [](json& j) { j["process"]["rlimits"][0]["soft"] = 4096; },
     "above the hard"},
    {"rlimit twice", [](json& j) { j["process"]["rlimits"].push_back(j["process"]["rlimits"][0]); },
     "twice"},
    {"oomScoreAdj", [](json& j) { j["process"]["oomScoreAdj"] = 500; }, nullptr,
     [](const Config& c) { EXPECT_EQ(c.spec.oom_score_adj, 500); }},
    {"oomScoreAdj range", [](json& j) { j["process"]["oomScoreAdj"] = 1001; }, "-1000..1000"},
    {"apparmor without apparmor",
     [](json& j) { j["process"]["apparmorProfile"] = "docker-default"; }, nullptr,
     [](const Config& c) { ASSERT_EQ(c.warnings.size(), 1u); }},
    {"scheduler",
     [](json& j) {
         j["process"]["scheduler"] = {{"policy", "SCHED_FIFO"}};
     },
     "process.scheduler"},
    {"absolute root", [](json& j) { j["root"]["path"] = "/srv/root"; }, nullptr,
     [](const Config& c) { EXPECT_EQ(c.spec.rootfs, "/srv/root"); }},
    {"bad hostname", [](json& j) { j["hostname"] = "a b"; }, "hostname"},
    {"bind mount",
     [](json& j) {
         j["mounts"].push_back({{"destination", "/data"},
                                {"type", "bind"},
                                {"source", "/srv"},
                                {"options", {"rbind", "ro", "rprivate"}}});
         j["mounts"].push_back({{"destination", "/tmp"},
                                {"type", "tmpfs"},
                                {"source", "tmpfs"},
                                {"options", {"nosuid", "mode=1777", "size=1m"}}});
     },
     nullptr,
     [](const Config& c) {
         ASSERT_EQ(c.spec.oci_mounts.size(), 2u);
         EXPECT_EQ(c.spec.oci_mounts[0].destination, "/data");
         EXPECT_EQ(c.spec.oci_mounts[1].type, "tmpfs");
     }},
    {"relative mount destination", [](json& j) { j["mounts"][0]["destination"] = "proc"; },
     "absolute path"},
    {"bind without source",
     [](json& j) {
         j["mounts"].push_back({{"destination", "/x"}, {"options", {"bind"}}});
     },
     "absolute host path"},
    {"mount without type",
     [](json& j) {
         j["mounts"].push_back({{"destination", "/x"}});
     },
     "type: is required"},
    {"idmap option",
     [](json& j) {
         j["mounts"].push_back({{"destination", "/x"},
                                {"type", "bind"},
                                {"source", "/x"},
                                {"options", {"rbind", "idmap"}}});
     },
     "not supported"},
    {"hooks",
     [](json& j) {
         j["hooks"] = {{"prestart", {{{"path", "/bin/true"}, {"timeout", 5}}}}};
     },
     nullptr, [](const Config& c) { EXPECT_EQ(c.spec.hooks.prestart.at(0).timeout, 5); }},
    {"hook relative",
     [](json& j) {
         j["hooks"] = {{"poststop", {{{"path", "true"}}}}};
     },
     "hooks.poststop[0].path"},
    {"no linux", [](json& j) { j.erase("linux"); }, "linux: is required"},
    {"namespace by path", [](json& j) { j["linux"]["namespaces"][1]["path"] = "/proc/1/ns/net"; },
     "by path"},
    {"no pid namespace", [](json& j) { j["linux"]["namespaces"].erase(0); }, "own pid namespace"},
    {"host network", [](json& j) { j["linux"]["namespaces"].erase(1); }, nullptr,
     [](const Config& c) { EXPECT_EQ(c.spec.network, NetworkMode::kHost); }},
    {"unknown namespace",
     [](json& j) {
         j["linux"]["namespaces"].push_back({{"type", "nope"}});
     },
     "unknown namespace"},
    {"mappings without userns",
     [](json& j) {
         j["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 1}, {"size", 1}}};
     },
     "needs a user namespace"},
    {"systemd cgroupsPath", [](json& j) { j["linux"]["cgroupsPath"] = "system.slice:vessel:abc"; },
     "slice:prefix:name"},
    {"cgroupsPath", [](json& j) { j["linux"]["cgroupsPath"] = "/a/b"; }, nullptr,
     [](const Config& c) { EXPECT_EQ(c.cgroups_path, "/a/b"); }},
    {"resources",
     [](json& j) {
         j["linux"]["resources"]["memory"] = {{"limit", 64 << 20}, {"swap", 128 << 20}};
         j["linux"]["resources"]["cpu"] = {
             {"quota", 50000}, {"period", 100000}, {"shares", 512}, {"cpus", "0"}};
         j["linux"]["resources"]["pids"] = {{"limit", 32}};
     },
     nullptr,
     [](const Config& c) {
         EXPECT_EQ(c.spec.resources.memory, 64 << 20);
         EXPECT_EQ(c.spec.resources.memory_swap, 128 << 20);
         EXPECT_DOUBLE_EQ(*c.spec.resources.cpus, 0.5);
         EXPECT_EQ(c.spec.resources.cpu_shares, 512u);
         EXPECT_EQ(c.spec.resources.cpuset_cpus, "0");
         EXPECT_EQ(c.spec.resources.pids_limit, 32);
     }},
    {"swap below memory",
     [](json& j) {
         j["linux"]["resources"]["memory"] = {{"limit", 64 << 20}, {"swap", 1 << 20}};
     },
     "at least memory.limit"},
    {"unified",
     [](json& j) {
         j["linux"]["resources"]["unified"] = {{"memory.high", "1"}};
     },
     "unified"},
    {"seccomp",
     [](json& j) {
         j["linux"]["seccomp"] = {
             {"defaultAction", "SCMP_ACT_ALLOW"},
             {"architectures", {"SCMP_ARCH_X86_64"}},
             {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}}}}};
     },
     nullptr, [](const Config& c) { EXPECT_EQ(c.spec.security.seccomp, "config.json"); }},
    {"bad seccomp",
     [](json& j) {
         j["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_NOPE"}};
     },
     "SCMP_ACT_NOPE"},
    {"seccomp listener",
     [](json& j) {
         j["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"}, {"listenerPath", "/s"}};
     },
     "listenerPath"},
    {"sysctl",
     [](json& j) {
         j["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}};
     },
     nullptr, [](const Config& c) { EXPECT_EQ(c.spec.sysctl.at(0).first, "net.ipv4.ip_forward"); }},
    {"sysctl escape",
     [](json& j) {
         j["linux"]["sysctl"] = {{"../../x", "1"}};
     },
     "no sysctl"},
    {"shared propagation", [](json& j) { j["linux"]["rootfsPropagation"] = "rshared"; }, "shared"},
    // linux.devices (podman --device, --privileged): the host's node at that path, as --device.
    {"devices",
     [](json& j) {
         j["linux"]["devices"] = {
             {{"path", "/dev/fuse"}, {"type", "c"}, {"major", 10}, {"minor", 229}}};
     },
     nullptr,
     [](const Config& c) {
         ASSERT_EQ(c.spec.security.devices.size(), 1u);
         EXPECT_EQ(c.spec.security.devices[0], (DeviceRequest{"/dev/fuse", "/dev/fuse", "rwm"}));
         ASSERT_EQ(c.devices.size(), 1u);
         EXPECT_EQ(c.devices[0].type, 'c');
         EXPECT_EQ(c.devices[0].major, 10);
         EXPECT_EQ(c.devices[0].minor, 229);
     }},
    {"device outside /dev",
     [](json& j) {
         j["linux"]["devices"] = {
             {{"path", "/etc/fuse"}, {"type", "c"}, {"major", 10}, {"minor", 229}}};
     },
     "linux.devices[0].path"},
    {"device fifo",
     [](json& j) {
         j["linux"]["devices"] = {{{"path", "/dev/f"}, {"type", "p"}}};
     },
     "linux.devices[0].type"},
    {"personality",
     [](json& j) {
         j["linux"]["personality"] = {{"domain", "LINUX32"}};
     },
     "LINUX"},
    {"annotations",
     [](json& j) {
         j["annotations"] = {{"a", "b"}};
     },
     nullptr, [](const Config& c) { EXPECT_EQ(c.annotations.at("a"), "b"); }},
    {"annotation not string",
     [](json& j) {
         j["annotations"] = {{"a", 1}};
     },
     "annotations.a"},
};

TEST(OciConfig, Table) {
    for (const auto& tc : kCases) {
        SCOPED_TRACE(tc.name);
        json j = default_spec(false);
        tc.edit(j);
        if (tc.error) {
            try {
                parse(j);
                ADD_FAILURE() << "parsed, expected an error with \"" << tc.error << "\"";
            } catch (const Error& e) {
                EXPECT_NE(std::string(e.what()).find(tc.error), std::string::npos) << e.what();
                EXPECT_EQ(e.exit_code(), 125);
            }
        } else {
            Config c = parse(j);
            if (tc.check) tc.check(c);
        }
    }
}

TEST(OciConfig, BadJsonIsOneClearError) {
    try {
        parse_config("{\"ociVersion\": ", "/b", {});
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos);
    }
}

TEST(OciConfig, LabelsAreRefusedWhereTheHostEnforcesThem) {
    json j = default_spec(false);
    j["process"]["apparmorProfile"] = "docker-default";
    EXPECT_THROW(parse(j, HostFeatures{.apparmor = true}), Error);
}

TEST(OciConfig, MountOptions) {
    auto o = mount_options({"rbind", "ro", "nosuid", "rprivate"});
    EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID));
    EXPECT_EQ(o.propagation, static_cast<unsigned long>(MS_PRIVATE | MS_REC));
    EXPECT_TRUE(o.bind());
    o = mount_options({"ro", "rw", "mode=755", "size=64k"});
    EXPECT_EQ(o.flags, 0u);
    EXPECT_EQ(o.clear, static_cast<unsigned long>(MS_RDONLY));
    EXPECT_EQ(o.data, "mode=755,size=64k");
    EXPECT_FALSE(o.tmpcopyup);
    EXPECT_THROW(mount_options({"a,b"}), Error);
    EXPECT_THROW(mount_options({"rro"}), Error);
    // runc's and crun's own option, which podman sets on its tmpfs mounts (--read-only's /run,
    // /tmp, /var/tmp; --tmpfs): no data for the kernel, which would refuse it (EINVAL).
    o = mount_options({"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"});
    EXPECT_TRUE(o.tmpcopyup);
    EXPECT_EQ(o.data, "");
}

TEST(OciConfig, StateJson) {
    json s = state_json("c1", "created", 42, "/b", {});
    EXPECT_EQ(s["ociVersion"], "1.1.0");
    EXPECT_EQ(s["pid"], 42);
    EXPECT_TRUE(s["annotations"].is_object());
    EXPECT_EQ(state_json("c1", "stopped", 42, "/b", {})["pid"], 0);
}

TEST(OciConfig, SpecRoundTripsThroughStateJson) {
    json j = default_spec(false);
    j["mounts"].push_back(
        {{"destination", "/data"}, {"type", "bind"}, {"source", "/srv"}, {"options", {"rbind"}}});
    j["hooks"] = {{"poststop", {{{"path", "/bin/true"}}}}};
    j["linux"]["sysctl"] = {{"kernel.shmmax", "1"}};
    ContainerSpec spec = parse(j).spec;
    spec.id = "c1";
    json stored = spec;
    ContainerSpec back = stored.get<ContainerSpec>();
    EXPECT_EQ(back.oci_mounts, spec.oci_mounts);
    EXPECT_EQ(back.hooks.poststop, spec.hooks.poststop);
    EXPECT_EQ(back.sysctl, spec.sysctl);
    EXPECT_EQ(back.masked_paths, spec.masked_paths);
    EXPECT_EQ(back.capability_sets, spec.capability_sets);
    EXPECT_EQ(back.rootfs, spec.rootfs);
}

}  // namespace
}  // namespace vessel::oci
