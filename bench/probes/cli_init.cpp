// cli_init: what vessel's command-line and logging set-up cost at process start, measured in a
// fresh process as main() does it (CLI11 app and subcommands, argument split and parse, the
// spdlog logger), before any container work. Prints microseconds for: building the CLI11 app,
// parsing `run --rm IMAGE /bin/true`, and log::setup. Run it many times and take medians
// (bench/profile.sh does): the first, cold pass is what every `vessel run` pays.
//
// Build: g++ -O2 -std=c++20 -Iinclude cli_init.cpp build/libvessel_lib.a \
//          -lspdlog -lfmt -lseccomp -lcap -DSPDLOG_COMPILED_LIB -DSPDLOG_SHARED_LIB \
//          -DSPDLOG_FMT_EXTERNAL -DFMT_SHARED
#include <CLI/CLI.hpp>

#include <time.h>

#include <cstdio>

#include "vessel/cli/argv_split.hpp"
#include "vessel/cli/command.hpp"
#include "vessel/util/log.hpp"

static double now_us() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main() {
    using namespace vessel;
    double t0 = now_us();
    CLI::App app{"vessel: a small container runtime that shows its work", "vessel"};
    app.require_subcommand(1);
    cli::GlobalOptions global;
    app.add_option("--root", global.root, "Directory for container state")->capture_default_str();
    app.add_option("--log-level", global.log_level, "Log level")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
        ->capture_default_str();
    auto commands = cli::make_all(app);
    double t1 = now_us();

    std::vector<std::string> args{"run", "--rm", "rootfs/busybox", "/bin/true"};
    size_t sub = cli::first_positional(app, args, 0);
    for (auto& command : commands) {
        if (sub >= args.size() || command->app->get_name() != args[sub]) continue;
        size_t positional = cli::first_positional(*command->app, args, sub + 1);
        if (positional < args.size()) {
            command->trailing.assign(args.begin() + static_cast<long>(positional) + 1, args.end());
            args.resize(positional + 1);
        }
    }
    std::vector<char*> argv{const_cast<char*>("vessel")};
    for (auto& a : args) argv.push_back(a.data());
    app.parse(static_cast<int>(argv.size()), argv.data());
    double t2 = now_us();

    log::setup(global.log_level);
    double t3 = now_us();
    std::printf("%.1f %.1f %.1f\n", t1 - t0, t2 - t1, t3 - t2);
    return 0;
}
