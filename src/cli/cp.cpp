// vessel cp [-a] CONTAINER:SRC DEST | SRC CONTAINER:DEST   (docs/cp.md)
#include <unistd.h>

#include <climits>

#include "vessel/cli/command.hpp"
#include "vessel/copy/container_copy.hpp"
#include "vessel/core/copy_plan.hpp"
#include "vessel/util/error.hpp"

namespace vessel::cli {
namespace {

std::string absolute(const std::string& path) {
    if (path.starts_with('/')) return path;
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) throw SysError("getcwd", errno);
    // Kept as typed after the cwd: a trailing "/" or "/." still means what docker says.
    return std::string(cwd) + "/" + path;
}

class CpCommand final : public Command {
  public:
    explicit CpCommand(CLI::App& parent) {
        app = parent.add_subcommand(
            "cp", "Copy files between a container and the host (CONTAINER:PATH on one side)");
        app->add_flag("-a,--archive", archive_, "Keep the files' uid and gid");
        app->add_option("SRC", src_, "CONTAINER:PATH or a host path")->required();
        app->add_option("DEST", dest_, "CONTAINER:PATH or a host path")->required();
    }

    int execute(const GlobalOptions& global) override {
        const CopyArg src = parse_copy_arg(src_), dest = parse_copy_arg(dest_);
        if (src.stream || dest.stream)
            throw Error(
                "cp: tar streams (-) are not supported by vessel yet: copy to a "
                "directory, then use tar");
        if (src.in_container() == dest.in_container())
            throw Error(src.in_container()
                            ? "cp: copying between containers is not supported"
                            : "cp: one side must be CONTAINER:PATH (e.g. web:/etc/hosts)");
        require_root();
        StateStore store = open_store(global);
        const CopyArg& ctr = src.in_container() ? src : dest;
        const CopyArg& host = src.in_container() ? dest : src;
        copy::Request request;
        request.id = store.resolve(ctr.container);
        request.container_path = ctr.path.starts_with('/') ? ctr.path : "/" + ctr.path;
        request.host_path = absolute(host.path);
        request.to_container = dest.in_container();
        request.archive = archive_;
        return copy::run(store, request);
    }

  private:
    bool archive_ = false;
    std::string src_, dest_;
};

}  // namespace

std::unique_ptr<Command> make_cp(CLI::App& app) {
    return std::make_unique<CpCommand>(app);
}

}  // namespace vessel::cli
