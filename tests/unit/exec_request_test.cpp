#include <gtest/gtest.h>

#include "vessel/core/exec_request.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;

namespace {
ContainerSpec container() {
    ContainerSpec c;
    c.id = std::string(64, 'e');
    c.args = {"sleep", "1000"};
    c.env = {"PATH=/bin", "HOSTNAME=eeeeeeeeeeee", "FOO=container", "HOME=/root"};
    c.workdir = "/srv";
    c.user = "";
    c.init = true;
    c.resources.memory = 1 << 20;
    return c;
}

EnvLookup host_env() {
    return [](const std::string& key) -> std::optional<std::string> {
        if (key == "FROM_HOST") return "yes";
        return std::nullopt;
    };
}

std::string env_value(const ContainerSpec& s, const std::string& key) {
    for (auto& kv : s.env)
        if (kv.starts_with(key + "=")) return kv.substr(key.size() + 1);
    return "<unset>";
}

ContainerSpec build(ExecRequest r, ResolvedUser user = {}) {
    return build_exec_spec(container(), r, user, host_env());
}
}  // namespace

TEST(ExecRequest, InheritsTheContainersWorld) {
    ExecRequest r;
    r.command = {"cat", "/proc/1/cmdline"};
    auto s = build(r);
    EXPECT_EQ(s.args, r.command);
    EXPECT_EQ(s.id, container().id);
    EXPECT_EQ(s.workdir, "/srv");
    EXPECT_EQ(env_value(s, "FOO"), "container");
    EXPECT_EQ(env_value(s, "HOME"), "/root");
    EXPECT_EQ(env_value(s, "TERM"), "<unset>");
    EXPECT_EQ(s.resources.memory, 1 << 20);
    EXPECT_FALSE(s.init);
}

TEST(ExecRequest, OverridesLikeDockerExec) {
    ExecRequest r;
    r.command = {"sh"};
    r.env = {"FOO=exec", "FROM_HOST", "NOT_ON_HOST"};
    r.workdir = "/tmp";
    r.user = "user";
    r.tty = r.interactive = true;
    ResolvedUser user;
    user.uid = 1000;
    user.home = "/home/user";
    auto s = build(r, user);
    EXPECT_EQ(env_value(s, "FOO"), "exec");
    EXPECT_EQ(env_value(s, "FROM_HOST"), "yes");
    EXPECT_EQ(env_value(s, "NOT_ON_HOST"), "<unset>");
    EXPECT_EQ(env_value(s, "HOME"), "/home/user");
    EXPECT_EQ(env_value(s, "TERM"), "xterm");
    EXPECT_EQ(s.workdir, "/tmp");
    EXPECT_EQ(s.user, "user");
    EXPECT_TRUE(s.tty);
    EXPECT_EQ(exec_user(container(), r), "user");
    r.env.push_back("HOME=/elsewhere");
    EXPECT_EQ(env_value(build(r, user), "HOME"), "/elsewhere");
}

TEST(ExecRequest, BadInput) {
    ExecRequest r;
    EXPECT_THROW(build(r), Error);  // no command
    r.command = {"true"};
    r.workdir = "relative";
    EXPECT_THROW(build(r), Error);
    r.workdir = "";
    r.detach = r.tty = true;
    EXPECT_THROW(build(r), Error);
    r.keep_stdio = true;  // vessel-oci exec -d -t: the engine holds the terminal
    EXPECT_NO_THROW(build(r));
    r.keep_stdio = false;
    r.env = {"=x"};
    r.tty = false;
    EXPECT_THROW(build(r), Error);
}
