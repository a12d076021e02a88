// vessel-oci: runc's command line (docs/oci.md). Reached when the binary is called as
// `vessel-oci` (a link beside `vessel`) or as `vessel oci VERB`. Parses, calls runtime.hpp, and
// reports failures the way engines read them: one line on stderr and, with --log, a line in the
// log file (text, or JSON with --log-format json, which podman asks for).
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "vessel/cli/argv_split.hpp"
#include "vessel/cli/command.hpp"
#include "vessel/linux/signals.hpp"
#include "vessel/oci/cli.hpp"
#include "vessel/oci/default_spec.hpp"
#include "vessel/oci/runtime.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::oci {
namespace {

using json = nlohmann::json;

struct Global {
    std::string root = kDefaultRoot;
    std::string log;
    std::string log_format = "text";
    bool debug = false;
    bool systemd_cgroup = false;
};

std::string now_rfc3339() {
    char buf[64];
    std::time_t t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

// One record in --log, as runc writes them (logrus's text or JSON formatter).
void log_line(const Global& g, const char* level, const std::string& msg) {
    if (g.log.empty()) return;
    std::ofstream out(g.log, std::ios::app);
    if (g.log_format == "json")
        out << json{{"level", level}, {"msg", msg}, {"time", now_rfc3339()}}.dump() << "\n";
    else
        out << "time=\"" << now_rfc3339() << "\" level=" << level << " msg=" << json(msg).dump()
            << "\n";
}

StateStore store_at(const Global& g) {
    if (g.root.empty()) throw Error("--root must not be empty");
    std::string root = g.root[0] == '/' ? g.root : fs::real_path(".") + "/" + g.root;
    return StateStore(root);
}

int parse_signal(const std::string& text) {
    if (auto sig = signals::parse(text)) return *sig;
    throw Error("invalid signal \"" + text + "\": use a name (TERM, SIGKILL) or a number");
}

void print(const json& j) {
    std::cout << j.dump(2) << std::endl;
}

[[noreturn]] void not_supported(const std::string& verb, const std::string& why) {
    throw Error("vessel-oci " + verb + " is not supported: " + why + " (docs/oci.md)");
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"vessel-oci: vessel as an OCI runtime, with runc's command line", "vessel-oci"};
    app.require_subcommand(1);
    app.set_version_flag("-v,--version",
                         std::string("vessel-oci version ") + VESSEL_VERSION + "\nspec: 1.1.0");
    Global g;
    app.add_option("--root", g.root, "Directory for container state")->capture_default_str();
    app.add_option("--log", g.log, "Append errors (and with --debug, every call) to this file");
    app.add_option("--log-format", g.log_format, "Log format: text or json")
        ->check(CLI::IsMember({"text", "json"}));
    app.add_flag("--debug", g.debug, "Log every call and debug messages");
    app.add_flag("--systemd-cgroup", g.systemd_cgroup, "Use systemd for cgroups (unsupported)");
    std::string ignored;
    app.add_option("--criu", ignored, "Ignored: checkpoints are not supported");
    app.add_option("--rootless", ignored, "Ignored: vessel-oci runs as root");

    CreateOptions create_opts;
    bool no_new_keyring = false;
    std::string id;
    auto add_create_flags = [&](CLI::App* sub) {
        sub->add_option("-b,--bundle", create_opts.bundle, "The bundle directory")
            ->capture_default_str();
        sub->add_option("--pid-file", create_opts.pid_file, "Write the container's pid here");
        sub->add_option("--console-socket", create_opts.console_socket,
                        "Unix socket that receives the pty master (process.terminal)");
        sub->add_flag("--no-pivot", create_opts.no_pivot, "Ignored: vessel always pivots");
        sub->add_option("--preserve-fds", create_opts.preserve_fds,
                        "Pass N fds above 2 (unsupported beyond 0)");
        sub->add_flag("--no-new-keyring", no_new_keyring, "Ignored: no session keyring is made");
        sub->add_option("ID", id, "Container id")->required();
    };
    auto* create = app.add_subcommand("create", "Create a container; it waits for start");
    add_create_flags(create);
    bool detach = false;
    auto* run = app.add_subcommand("run", "Create and start a container (waits unless -d)");
    add_create_flags(run);
    run->add_flag("-d,--detach", detach, "Return once started");
    auto* start = app.add_subcommand("start", "Run the command of a created container");
    start->add_option("ID", id)->required();
    auto* state = app.add_subcommand("state", "Print the container's state as JSON");
    state->add_option("ID", id)->required();
    bool all = false, force = false;
    std::string signal = "SIGTERM";
    auto* kill = app.add_subcommand("kill", "Send a signal (default SIGTERM) to the container");
    kill->add_flag("-a,--all", all, "To every process of the container");
    kill->add_option("ID", id)->required();
    kill->add_option("SIGNAL", signal);
    auto* del = app.add_subcommand("delete", "Remove a container and everything it holds");
    del->add_flag("-f,--force", force, "Kill it first if it runs");
    del->add_option("ID", id)->required();
    std::string format = "table";
    bool quiet = false;
    auto* list = app.add_subcommand("list", "List containers");
    list->add_option("-f,--format", format)->check(CLI::IsMember({"table", "json"}));
    list->add_flag("-q,--quiet", quiet, "Only ids");
    auto* ps = app.add_subcommand("ps", "The processes of a container");
    ps->add_option("-f,--format", format)->check(CLI::IsMember({"table", "json"}));
    ps->add_option("ID", id)->required();
    ps->allow_extras();
    app.add_subcommand("features", "Print what this runtime supports (runtime-spec features)");
    bool rootless = false;
    std::string spec_bundle = ".";
    auto* spec = app.add_subcommand("spec", "Write a config.json template");
    spec->add_flag("--rootless", rootless, "For a user namespace");
    spec->add_option("-b,--bundle", spec_bundle, "Where to write config.json");
    ExecOptions exec_opts;
    auto* exec = app.add_subcommand("exec", "Run a new process in a running container");
    exec->add_option("-p,--process", exec_opts.process_file, "A process JSON (as config.json's)");
    exec->add_flag("-d,--detach", exec_opts.detach, "Return once the process runs");
    exec->add_flag("-t,--tty", exec_opts.tty, "A terminal (needs --console-socket)");
    exec->add_option("--console-socket", exec_opts.console_socket,
                     "Unix socket that receives the pty master (with -t)");
    exec->add_option("--pid-file", exec_opts.pid_file, "Write the process's pid here");
    exec->add_option("--cwd", exec_opts.cwd, "Working directory");
    exec->add_option("-e,--env", exec_opts.env, "KEY=VALUE")->allow_extra_args(false);
    exec->add_option("-u,--user", exec_opts.user, "UID[:GID]");
    exec->add_option("--preserve-fds", exec_opts.preserve_fds, "(only 0)");
    exec->add_option("ID", id)->required();
    auto* pause = app.add_subcommand("pause", "Freeze every process of a running container");
    pause->add_option("ID", id)->required();
    auto* resume = app.add_subcommand("resume", "Thaw a paused container");
    resume->add_option("ID", id)->required();
    for (const char* verb : {"update", "events", "checkpoint", "restore"}) {
        auto* sub = app.add_subcommand(verb, std::string(verb) + " (not supported yet)");
        sub->allow_extras();
        sub->prefix_command();
    }

    // `exec [OPTIONS] ID COMMAND...`: what follows ID is the command, untouched by CLI11.
    std::vector<std::string> args(argv + 1, argv + argc);
    size_t sub = cli::first_positional(app, args, 0);
    if (sub < args.size() && args[sub] == "exec") {
        size_t positional = cli::first_positional(*exec, args, sub + 1);
        if (positional < args.size()) {
            exec_opts.args.assign(args.begin() + static_cast<long>(positional) + 1, args.end());
            args.resize(positional + 1);
        }
    }
    std::vector<char*> parse_argv{argv[0]};
    for (auto& a : args) parse_argv.push_back(a.data());
    try {
        app.parse(static_cast<int>(parse_argv.size()), parse_argv.data());
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "vessel-oci: error: %s (see 'vessel-oci --help')\n", e.what());
        log_line(g, "error", e.what());
        return exit_code::kRuntimeError;
    }
    log::setup(g.debug ? "debug" : "warn");
    CLI::App* verb = app.get_subcommands().front();
    if (g.debug) {
        std::string line = "vessel-oci";
        for (int i = 1; i < argc; ++i) line += std::string(" ") + argv[i];
        log_line(g, "debug", line);
    }
    try {
        if (g.systemd_cgroup)
            throw Error(
                "--systemd-cgroup is not supported: vessel manages cgroups itself "
                "(configure the engine for cgroupfs)");
        const std::string name = verb->get_name();
        if (name == "features") {
            print(features());
            return 0;
        }
        if (name == "spec") {
            const std::string path = spec_bundle + "/config.json";
            if (fs::exists(path)) throw Error("File " + path + " exists. Remove it first");
            fs::write_file_atomic(
                path, default_spec(rootless, ::getuid(), ::getgid()).dump(2) + "\n", 0644);
            return 0;
        }
        if (name == "update") not_supported("update", "not implemented yet");
        if (name == "events") not_supported("events", "not implemented yet");
        if (name == "checkpoint" || name == "restore")
            not_supported(name, "vessel has no CRIU support");
        cli::require_root();
        const StateStore store = store_at(g);
        if (name == "create") {
            create_opts.bundle = create_opts.bundle.empty() ? "." : create_opts.bundle;
            oci::create(store, id, create_opts);
        } else if (name == "exec") {
            if (exec_opts.args.empty() && exec_opts.process_file.empty())
                throw Error("exec needs a command or --process FILE");
            return oci::exec(store, id, exec_opts);
        } else if (name == "run") {
            return oci::run(store, id, create_opts, detach);
        } else if (name == "start") {
            oci::start(store, id);
        } else if (name == "state") {
            print(oci::state(store, id));
        } else if (name == "pause") {
            oci::pause(store, id);
        } else if (name == "resume") {
            oci::resume(store, id);
        } else if (name == "kill") {
            oci::kill(store, id, parse_signal(signal), all);
        } else if (name == "delete") {
            oci::remove(store, id, force);
        } else if (name == "list") {
            auto states = oci::list(store);
            if (format == "json") {
                print(json(states));
            } else if (quiet) {
                for (auto& s : states) std::cout << s["id"].get<std::string>() << "\n";
            } else {
                std::printf("%-20s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE",
                            "CREATED");
                for (auto& s : states)
                    std::printf("%-20s %-8d %-10s %-40s %s\n", s["id"].get<std::string>().c_str(),
                                s["pid"].get<int>(), s["status"].get<std::string>().c_str(),
                                s["bundle"].get<std::string>().c_str(),
                                s["created"].get<std::string>().c_str());
            }
        } else if (name == "ps") {
            auto pids = oci::pids(store, id);
            if (format == "json") {
                print(json(pids));
            } else {
                std::printf("PID\n");
                for (int pid : pids) std::printf("%d\n", pid);
            }
        }
        return 0;
    } catch (const Error& e) {
        spdlog::error("{}", e.what());
        log_line(g, "error", e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        log_line(g, "error", e.what());
        return exit_code::kRuntimeError;
    }
}

}  // namespace vessel::oci
