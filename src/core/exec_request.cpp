#include "vessel/core/exec_request.hpp"

#include "vessel/util/error.hpp"

namespace vessel {
namespace {

bool has_key(const std::vector<std::string>& env, const std::string& key) {
    for (auto& kv : env)
        if (kv.starts_with(key + "=")) return true;
    return false;
}

}  // namespace

std::string exec_user(const ContainerSpec& container, const ExecRequest& request) {
    return request.user.empty() ? container.user : request.user;
}

void check_exec_request(const ExecRequest& r) {
    if (r.command.empty() || r.command[0].empty())
        throw Error("exec needs a command: vessel exec [OPTIONS] CONTAINER COMMAND [ARG...]");
    if (r.detach && !r.keep_stdio && (r.tty || r.interactive))
        throw Error(
            "exec -d cannot be combined with -i or -t: a detached process has nobody "
            "to read its terminal or feed its input");
    if (!r.workdir.empty() && r.workdir[0] != '/')
        throw Error("the working directory \"" + r.workdir + "\" must be an absolute path");
}

ContainerSpec build_exec_spec(const ContainerSpec& container, const ExecRequest& r,
                              const ResolvedUser& user, const EnvLookup& lookup) {
    check_exec_request(r);
    ContainerSpec spec = container;
    spec.args = r.command;
    if (!r.workdir.empty()) spec.workdir = r.workdir;
    spec.user = exec_user(container, r);
    spec.tty = r.tty;
    spec.interactive = r.interactive;
    spec.detach = r.detach;
    spec.init = false;  // the container already has its PID 1

    // The container's environment, then docker exec's additions: TERM with -t, -e, and the HOME
    // of the -u user unless -e sets one.
    if (r.tty && !has_key(spec.env, "TERM")) spec.env.push_back("TERM=xterm");
    std::vector<std::string> explicit_env;
    apply_env_options(explicit_env, r.env, lookup);
    if (!r.user.empty() && !has_key(explicit_env, "HOME")) set_env(spec.env, "HOME=" + user.home);
    for (const auto& kv : explicit_env) set_env(spec.env, kv);
    return spec;
}

}  // namespace vessel
