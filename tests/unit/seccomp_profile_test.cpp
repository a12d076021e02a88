#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "vessel/core/seccomp_profile.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;
using namespace vessel::seccomp_profile;

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

Platform amd64() {
    Platform p;
    p.scmp_arch = "SCMP_ARCH_X86_64";
    p.go_arch = "amd64";
    p.kernel = {6, 1};
    return p;
}

caps::Mask with(std::initializer_list<const char*> names) {
    caps::Mask m = caps::docker_default();
    for (auto n : names) m |= caps::Mask{1} << *caps::number(n);
    return m;
}

std::vector<const ResolvedRule*> rules_for(const Resolved& r, const std::string& name) {
    std::vector<const ResolvedRule*> out;
    for (auto& rule : r.rules)
        if (rule.name == name) out.push_back(&rule);
    return out;
}

// The message of the Error that parse() throws, or "" when it does not.
std::string error_of(const std::string& text) {
    try {
        parse(text, "p.json");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(SeccompProfile, DockerDefaultResolvesLikeDockerForAmd64) {
    auto profile = parse(docker_default_text(), "default");
    EXPECT_EQ(profile.default_action, Action::kErrno);
    EXPECT_EQ(profile.default_errno, 1u);
    auto r = resolve(profile, caps::docker_default(), amd64(), "default");
    EXPECT_EQ(r.architectures,
              (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
    // Allowed outright: read; not at all: mount, keyctl, bpf (no CAP_SYS_ADMIN, CAP_BPF).
    ASSERT_EQ(rules_for(r, "read").size(), 1u);
    EXPECT_TRUE(rules_for(r, "mount").empty());
    EXPECT_TRUE(rules_for(r, "keyctl").empty());
    EXPECT_TRUE(rules_for(r, "bpf").empty());
    EXPECT_TRUE(rules_for(r, "open_by_handle_at").empty());
    // clone: only without namespace flags; clone3: ENOSYS.
    auto clone = rules_for(r, "clone");
    ASSERT_EQ(clone.size(), 1u);
    ASSERT_EQ(clone[0]->args.size(), 1u);
    EXPECT_EQ(clone[0]->args[0].op, Op::kMaskedEq);
    EXPECT_EQ(clone[0]->args[0].value, 0x7E020000u);
    auto clone3 = rules_for(r, "clone3");
    ASSERT_EQ(clone3.size(), 1u);
    EXPECT_EQ(clone3[0]->action, Action::kErrno);
    EXPECT_EQ(clone3[0]->errno_ret, 38u);  // ENOSYS
    // socket: everything but AF_ALG (38) and AF_VSOCK (40).
    auto socket = rules_for(r, "socket");
    ASSERT_EQ(socket.size(), 3u);
    EXPECT_EQ(socket[0]->args[0].op, Op::kLt);
    EXPECT_EQ(socket[0]->args[0].value, 38u);
    EXPECT_EQ(socket[1]->args[0].value, 39u);
    EXPECT_EQ(socket[2]->args[0].op, Op::kGt);
    EXPECT_EQ(socket[2]->args[0].value, 40u);
    // personality: five exact values.
    EXPECT_EQ(rules_for(r, "personality").size(), 5u);
    // Other architectures' entries are left out.
    EXPECT_TRUE(rules_for(r, "s390_pci_mmio_read").empty());
    EXPECT_EQ(rules_for(r, "arch_prctl").size(), 1u);
    // ptrace: since 4.8 only.
    EXPECT_EQ(rules_for(r, "ptrace").size(), 1u);
    Platform old = amd64();
    old.kernel = {4, 4};
    EXPECT_TRUE(rules_for(resolve(profile, caps::docker_default(), old), "ptrace").empty());
}

TEST(SeccompProfile, AKernelWithoutX32LosesOnlyTheX32Architecture) {
    auto profile = parse(docker_default_text(), "default");
    auto with = resolve(profile, caps::docker_default(), amd64(), "default");
    auto platform = amd64();
    platform.x32_abi = false;
    auto without = resolve(profile, caps::docker_default(), platform, "default");
    EXPECT_EQ(without.architectures,
              (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
    EXPECT_TRUE(without.left_out_x32);
    EXPECT_FALSE(with.left_out_x32);
    EXPECT_EQ(without.rules.size(), with.rules.size());  // the same rules for what remains
}

TEST(SeccompProfile, CapabilityGatedGroups) {
    auto profile = parse(docker_default_text(), "default");
    auto r = resolve(profile, with({"SYS_ADMIN"}), amd64());
    EXPECT_EQ(rules_for(r, "mount").size(), 1u);
    EXPECT_EQ(rules_for(r, "bpf").size(), 1u);
    // With CAP_SYS_ADMIN, clone and clone3 are allowed outright (the filtered entries are
    // excluded).
    auto clone = rules_for(r, "clone");
    ASSERT_EQ(clone.size(), 1u);
    EXPECT_TRUE(clone[0]->args.empty());
    auto clone3 = rules_for(r, "clone3");
    ASSERT_EQ(clone3.size(), 1u);
    EXPECT_EQ(clone3[0]->action, Action::kAllow);
    auto boot = resolve(profile, with({"SYS_BOOT"}), amd64());
    EXPECT_EQ(rules_for(boot, "reboot").size(), 1u);
    EXPECT_TRUE(rules_for(boot, "mount").empty());
    auto dropped = resolve(
        profile, caps::docker_default() & ~(caps::Mask{1} << *caps::number("SYS_CHROOT")), amd64());
    EXPECT_TRUE(rules_for(dropped, "chroot").empty());
    EXPECT_EQ(rules_for(resolve(profile, caps::docker_default(), amd64()), "chroot").size(), 1u);
}

TEST(SeccompProfile, OciRenderingMatchesTheResolvedDefault) {
    auto oci = parse(
        read(std::string(VESSEL_SOURCE_DIR) + "/profiles/docker-default-seccomp.oci-amd64.json"),
        "oci");
    auto from_oci = resolve(oci, caps::docker_default(), amd64());
    auto from_docker = resolve(parse(docker_default_text(), "d"), caps::docker_default(), amd64());
    EXPECT_EQ(from_oci.architectures, from_docker.architectures);
    ASSERT_EQ(from_oci.rules.size(), from_docker.rules.size());
    for (size_t i = 0; i < from_oci.rules.size(); ++i) {
        EXPECT_EQ(from_oci.rules[i].name, from_docker.rules[i].name) << i;
        EXPECT_EQ(from_oci.rules[i].action, from_docker.rules[i].action) << from_oci.rules[i].name;
        EXPECT_EQ(from_oci.rules[i].args, from_docker.rules[i].args) << from_oci.rules[i].name;
    }
}

TEST(SeccompProfile, WholeOciConfigAndLegacyName) {
    auto p =
        parse(R"({"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                     "syscalls": [{"name": "mkdir", "action": "SCMP_ACT_ERRNO"}]}}})",
              "config.json");
    auto r = resolve(p, 0, amd64());
    ASSERT_EQ(r.rules.size(), 1u);
    EXPECT_EQ(r.rules[0].name, "mkdir");
    EXPECT_EQ(r.rules[0].errno_ret, 1u);  // EPERM unless errnoRet says otherwise
}

TEST(SeccompProfile, RulesLikeTheDefaultAreDropped) {
    auto p = parse(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
                     "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO"},
                                  {"names": ["write"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                                  {"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]})",
                   "p");
    auto r = resolve(p, 0, amd64());
    ASSERT_EQ(r.rules.size(), 2u);
    EXPECT_EQ(r.rules[0].name, "write");
    EXPECT_EQ(r.rules[1].name, "getpid");
}

TEST(SeccompProfile, MalformedProfilesNameTheEntry) {
    EXPECT_NE(error_of("{").find("seccomp profile p.json: not valid JSON"), std::string::npos);
    EXPECT_NE(error_of("[]").find("must be a JSON object"), std::string::npos);
    EXPECT_NE(error_of("{}").find("has no defaultAction"), std::string::npos);
    EXPECT_NE(error_of(R"({"defaultAction": "SCMP_ACT_NOPE"})")
                  .find("defaultAction: unknown action \"SCMP_ACT_NOPE\""),
              std::string::npos);
    EXPECT_NE(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"]},
              {"names": ["mkdir"], "action": "SCMP_ACT_NOPE"}]})")
                  .find("syscalls[0] (\"read\"): has no action"),
              std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO"},
              {"names": ["mkdir"], "action": "SCMP_ACT_NOPE"}]})")
            .find("syscalls[1] (\"mkdir\"): unknown action \"SCMP_ACT_NOPE\""),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["Read!"], "action": "SCMP_ACT_ERRNO"}]})")
            .find("\"Read!\" is not a system call name"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [], "action": "SCMP_ACT_ERRNO"}]})")
            .find("syscalls[0]: names no system call"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
              "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]})")
            .find("syscalls[0] (\"read\") args[0]: index 6 is past"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
              "args": [{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}]}]})")
            .find("value must be a non-negative integer"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
              "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ALMOST"}]}]})")
            .find("unknown op \"SCMP_CMP_ALMOST\""),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}]})")
            .find("errnoRet only goes with"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"nmes": ["read"], "action": "SCMP_ACT_ALLOW"}]})")
            .find("syscalls[0]: unknown key \"nmes\""),
        std::string::npos);
    EXPECT_NE(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]})")
                  .find("unknown architecture"),
              std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
              "includes": {"caps": ["CAP_NOPE"]}}]})")
            .find("unknown capability \"CAP_NOPE\""),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
              "includes": {"minKernel": "four"}}]})")
            .find("minKernel \"four\""),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOTIFY"}]})")
            .find("seccomp agent"),
        std::string::npos);
    EXPECT_NE(
        error_of(
            R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]})")
            .find("both \"name\" and \"names\""),
        std::string::npos);
    EXPECT_NE(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 99999})")
                  .find("not an errno value"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"linux": {}})").find("without a linux.seccomp"), std::string::npos);
}
