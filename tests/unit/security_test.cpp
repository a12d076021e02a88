#include <gtest/gtest.h>

#include "vessel/core/capability_set.hpp"
#include "vessel/core/security.hpp"
#include "vessel/core/spec.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;

namespace {
caps::Mask bit(const char* name) {
    return caps::Mask{1} << *caps::number(name);
}
std::string no_file(const std::string& path) {
    return "profile of " + path;
}
}  // namespace

TEST(Capabilities, Names) {
    EXPECT_EQ(caps::number("CAP_CHOWN"), 0);
    EXPECT_EQ(caps::number("sys_admin"), 21);
    EXPECT_EQ(caps::number("Net_Admin"), 12);
    EXPECT_EQ(caps::number("CAP_CHECKPOINT_RESTORE"), 40);
    EXPECT_FALSE(caps::number("NOPE"));
    EXPECT_EQ(caps::name(21), "CAP_SYS_ADMIN");
    EXPECT_EQ(caps::docker_default(), 0xa80425fbu);
    EXPECT_EQ(caps::names(caps::docker_default()).size(), 14u);
}

TEST(Capabilities, DockerRules) {
    const caps::Mask def = caps::docker_default();
    EXPECT_EQ(caps::resolve(false, {}, {}), def);
    EXPECT_EQ(caps::resolve(true, {}, {"ALL"}), caps::kAllKnown);  // --privileged wins
    EXPECT_EQ(caps::resolve(false, {"NET_ADMIN"}, {"CHOWN"}),
              (def | bit("NET_ADMIN")) & ~bit("CHOWN"));
    EXPECT_EQ(caps::resolve(false, {}, {"ALL"}), 0u);
    EXPECT_EQ(caps::resolve(false, {"chown"}, {"all"}), bit("CHOWN"));
    EXPECT_EQ(caps::resolve(false, {"ALL"}, {"SYS_ADMIN"}), caps::kAllKnown & ~bit("SYS_ADMIN"));
    EXPECT_THROW(caps::resolve(false, {"NOT_A_CAP"}, {}), Error);
    EXPECT_THROW(caps::resolve(false, {}, {"CAP_"}), Error);
}

TEST(Security, Ulimits) {
    EXPECT_EQ(parse_ulimit("nofile=1024:2048"), (Ulimit{"nofile", 1024, 2048}));
    EXPECT_EQ(parse_ulimit("nproc=50"), (Ulimit{"nproc", 50, 50}));
    EXPECT_EQ(parse_ulimit("core=-1"), (Ulimit{"core", Ulimit::kUnlimited, Ulimit::kUnlimited}));
    EXPECT_EQ(parse_ulimit("RLIMIT_NOFILE=1:unlimited"), (Ulimit{"nofile", 1, Ulimit::kUnlimited}));
    EXPECT_THROW(parse_ulimit("nofile=2:1"), Error);
    EXPECT_THROW(parse_ulimit("nofile"), Error);
    EXPECT_THROW(parse_ulimit("bogus=1"), Error);
    EXPECT_THROW(parse_ulimit("nofile=x"), Error);
    EXPECT_THROW(parse_ulimit("nofile=1:"), Error);
    EXPECT_EQ(rlimit_resource("nofile"), 7);
    EXPECT_EQ(rlimit_resource("nproc"), 6);
}

TEST(Security, Devices) {
    EXPECT_EQ(parse_device("/dev/fuse"), (DeviceRequest{"/dev/fuse", "/dev/fuse", "rwm"}));
    EXPECT_EQ(parse_device("/dev/sdb:/dev/xvdb"), (DeviceRequest{"/dev/sdb", "/dev/xvdb", "rwm"}));
    EXPECT_EQ(parse_device("/dev/sdb:r"), (DeviceRequest{"/dev/sdb", "/dev/sdb", "r"}));
    EXPECT_EQ(parse_device("/dev/sdb:/dev/xvdb:rw"),
              (DeviceRequest{"/dev/sdb", "/dev/xvdb", "rw"}));
    EXPECT_THROW(parse_device("dev/sdb"), Error);
    EXPECT_THROW(parse_device("/dev/sdb:/dev/x:rwx"), Error);
    EXPECT_THROW(parse_device("/dev/sdb:/etc/passwd"), Error);
    EXPECT_THROW(parse_device("/dev/sdb:/dev/../etc/x"), Error);
    EXPECT_THROW(parse_device("/a:/dev/b:r:x"), Error);
}

TEST(Security, DeviceRules) {
    Security s;
    auto rules = device_rules(s);
    ASSERT_FALSE(rules.empty());
    EXPECT_EQ(rules[0].to_string(), "a *:* rwm");
    EXPECT_FALSE(rules[0].allow);
    EXPECT_EQ(rules[1].to_string(), "c *:* m");
    EXPECT_EQ(rules[3].to_string(), "c 1:3 rwm");
    s.privileged = true;
    rules = device_rules(s);
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_TRUE(rules[0].allow);
}

TEST(Security, Userns) {
    EXPECT_EQ(parse_userns("remap"), (UsernsRemap{100000, 65536}));
    EXPECT_EQ(parse_userns("remap:200000"), (UsernsRemap{200000, 65536}));
    EXPECT_EQ(parse_userns("remap:200000:1000"), (UsernsRemap{200000, 1000}));
    EXPECT_THROW(parse_userns("private"), Error);
    EXPECT_THROW(parse_userns("remap:0"), Error);
    EXPECT_THROW(parse_userns("remap:4294967000:65536"), Error);
    EXPECT_THROW(parse_userns("remap:1:0"), Error);
}

TEST(Security, SecurityOpt) {
    Security s;
    apply_security_opt(s, "no-new-privileges=false", no_file);
    EXPECT_FALSE(s.no_new_privileges);
    apply_security_opt(s, "no-new-privileges", no_file);
    EXPECT_TRUE(s.no_new_privileges);
    apply_security_opt(s, "no-new-privileges:false", no_file);
    EXPECT_FALSE(s.no_new_privileges);
    apply_security_opt(s, "seccomp=/p.json", no_file);
    EXPECT_EQ(s.seccomp, "/p.json");
    EXPECT_EQ(s.seccomp_profile, "profile of /p.json");
    apply_security_opt(s, "seccomp=unconfined", no_file);
    EXPECT_FALSE(s.seccomp_enabled());
    EXPECT_THROW(apply_security_opt(s, "no-new-privileges=maybe", no_file), Error);
    EXPECT_THROW(apply_security_opt(s, "seccomp=", no_file), Error);
    EXPECT_THROW(apply_security_opt(s, "apparmor=unconfined", no_file), Error);
    EXPECT_THROW(apply_security_opt(s, "what", no_file), Error);
}

TEST(Security, FinalizeAndJsonRoundTrip) {
    Security s;
    s.cap_add = {"net_admin"};
    s.cap_drop = {"CHOWN"};
    s.ulimits = {{"nproc", 5, 10}};
    s.devices = {{"/dev/fuse", "/dev/fuse", "r"}};
    s.userns = UsernsRemap{200000, 1000};
    finalize(s);
    EXPECT_EQ(s.cap_add, std::vector<std::string>{"CAP_NET_ADMIN"});
    EXPECT_EQ(s.capabilities, (caps::docker_default() | bit("NET_ADMIN")) & ~bit("CHOWN"));
    ASSERT_EQ(s.ulimits.size(), 2u);
    EXPECT_EQ(s.ulimits[0], kDefaultNofile);
    ContainerSpec spec;
    spec.id = std::string(64, 'a');
    spec.security = s;
    nlohmann::json j = spec;
    ContainerSpec back = j.get<ContainerSpec>();
    EXPECT_EQ(back.security.capabilities, s.capabilities);
    EXPECT_EQ(back.security.ulimits, s.ulimits);
    EXPECT_EQ(back.security.devices, s.devices);
    EXPECT_EQ(back.security.userns, s.userns);
    EXPECT_EQ(back.security.seccomp, "default");
    EXPECT_TRUE(back.security.no_new_privileges);
    // An old state.json without "security" gets the defaults.
    j.erase("security");
    EXPECT_EQ(j.get<ContainerSpec>().security.capabilities, caps::docker_default());

    Security p;
    p.privileged = true;
    finalize(p);
    EXPECT_EQ(p.seccomp, "unconfined");
    EXPECT_EQ(p.capabilities, caps::kAllKnown);
}
