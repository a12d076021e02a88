#include <gtest/gtest.h>

#include "vessel/core/run_request.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;

namespace {
const std::string kId(64, 'a');

EnvLookup fake_env() {
    return [](const std::string& key) -> std::optional<std::string> {
        if (key == "FROM_HOST") return "yes";
        return std::nullopt;
    };
}

ContainerSpec build(RunRequest r, ImageConfig image = {}) {
    ResolvedUser root;
    root.home = "/root";
    if (r.command.empty() && image.cmd.empty()) r.command = {"true"};
    return build_spec(r, kId, "/images/busybox", image, root, fake_env());
}

std::string env_value(const ContainerSpec& s, const std::string& key) {
    for (auto& kv : s.env)
        if (kv.starts_with(key + "=")) return kv.substr(key.size() + 1);
    return "<unset>";
}
}  // namespace

TEST(RunRequest, DefaultsLikeDocker) {
    auto s = build({});
    EXPECT_EQ(s.hostname, "aaaaaaaaaaaa");
    EXPECT_EQ(s.workdir, "/");
    EXPECT_EQ(env_value(s, "PATH"), kDefaultPath);
    EXPECT_EQ(env_value(s, "HOSTNAME"), "aaaaaaaaaaaa");
    EXPECT_EQ(env_value(s, "HOME"), "/root");
    EXPECT_EQ(env_value(s, "TERM"), "<unset>");
    // docker's default: the default bridge network.
    EXPECT_EQ(s.network, NetworkMode::kBridge);
    EXPECT_EQ(s.network_name, "vessel");
    EXPECT_EQ(s.resources.pids_limit, Resources::kDefaultPidsLimit);
}

TEST(RunRequest, TtyAddsTerm) {
    RunRequest r;
    r.tty = true;
    EXPECT_EQ(env_value(build(r), "TERM"), "xterm");
}

TEST(RunRequest, EnvOverridesImageAndDefaults) {
    RunRequest r;
    r.env = {"PATH=/bin", "A=1", "A=2", "FROM_HOST", "MISSING", "EMPTY="};
    ImageConfig image;
    image.env = {"A=0", "B=image"};
    auto s = build(r, image);
    EXPECT_EQ(env_value(s, "PATH"), "/bin");
    EXPECT_EQ(env_value(s, "A"), "2");
    EXPECT_EQ(env_value(s, "B"), "image");
    EXPECT_EQ(env_value(s, "FROM_HOST"), "yes");
    EXPECT_EQ(env_value(s, "MISSING"), "<unset>");
    EXPECT_EQ(env_value(s, "EMPTY"), "");
}

TEST(RunRequest, ImageDefaultCommandAndWorkdir) {
    ImageConfig image;
    image.cmd = {"sh"};
    image.workdir = "/srv";
    RunRequest r;
    auto s = build_spec(r, kId, "/img", image, ResolvedUser{}, fake_env());
    EXPECT_EQ(s.args, std::vector<std::string>{"sh"});
    EXPECT_EQ(s.workdir, "/srv");
    r.command = {"ls", "-l"};
    r.workdir = "/tmp";
    s = build_spec(r, kId, "/img", image, ResolvedUser{}, fake_env());
    EXPECT_EQ(s.args, (std::vector<std::string>{"ls", "-l"}));
    EXPECT_EQ(s.workdir, "/tmp");
}

TEST(RunRequest, BadInputIsRejected) {
    RunRequest r;
    EXPECT_THROW(build_spec(r, kId, "/img", {}, ResolvedUser{}, fake_env()), Error);  // no command
    r.command = {"true"};
    r.workdir = "relative";
    EXPECT_THROW(build(r), Error);
    r.workdir = "";
    r.name = "x";
    EXPECT_THROW(build(r), Error);
    r.name = "";
    r.hostname = "not_valid";
    EXPECT_THROW(build(r), Error);
    r.hostname = "";
    r.network = "container:other";  // not supported yet, and says so
    EXPECT_THROW(build(r), Error);
    r.network = "bridge";
    r.network_aliases = {"db"};  // aliases and --ip need a user-defined network
    EXPECT_THROW(build(r), Error);
    r.network_aliases = {};
    r.ip = "172.17.0.9";
    EXPECT_THROW(build(r), Error);
    r.network = "backend";
    r.ip = "10.1.2";  // not an address
    EXPECT_THROW(build(r), Error);
    r.ip = "";
    r.network = "none";
    r.ports = parse_publish("8080:80");  // nothing to publish on
    EXPECT_THROW(build(r), Error);
    r.ports = {};
    r.env = {"=x"};
    EXPECT_THROW(build(r), Error);
}
