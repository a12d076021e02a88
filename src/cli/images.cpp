// vessel load | save | images | rmi | image inspect | image prune (docs/images.md): the image
// store's commands. They parse and call image/; the in-use check reads the containers' state.
#include <unistd.h>

#include <cstdio>
#include <set>

#include "vessel/cli/command.hpp"
#include "vessel/core/status.hpp"
#include "vessel/image/credentials.hpp"
#include "vessel/image/load.hpp"
#include "vessel/image/manifest.hpp"
#include "vessel/image/pull.hpp"
#include "vessel/image/reference.hpp"
#include "vessel/image/save.hpp"
#include "vessel/image/store.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::cli {
namespace {

using image::ImageRecord;
using image::ImageStore;
using image::StoreLock;

ImageStore open_images(const GlobalOptions& global) {
    return ImageStore(data_root(global));
}

// Image id -> a container that uses it (running or stopped), from the state root.
std::map<std::string, std::string> images_in_use(const GlobalOptions& global) {
    std::map<std::string, std::string> used;
    if (!fs::exists(global.root)) return used;
    StateStore states = open_store(global);
    for (const auto& id : states.list_ids()) {
        try {
            const ContainerState s = states.load(id);
            if (!s.spec.image_id.empty()) used.emplace(s.spec.image_id, s.spec.short_id());
        } catch (const Error&) {
            // a container being created or removed: its image stays protected by its record
        }
    }
    return used;
}

std::string short_id(const std::string& id) {
    return id.substr(7, 12);
}

std::string size_text(uint64_t bytes) {
    // docker's units: decimal, 3 significant digits ("4.26MB").
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.3g%s", v, units[u]);
    return buf;
}

class LoadCommand final : public Command {
  public:
    explicit LoadCommand(CLI::App& parent) {
        app = parent.add_subcommand("load", "Load images from a docker or OCI archive or layout");
        app->add_option("-i,--input", input_,
                        "docker-archive tar, oci-archive tar or OCI layout directory (- = stdin)")
            ->capture_default_str();
        app->add_option("--platform", platform_, "Platform to take from a multi-platform image");
        app->add_option("--name", repository_,
                        "Repository for OCI images whose ref.name is only a tag");
        app->add_option("--max-layer-size", max_layer_, "Largest layer accepted, in bytes")
            ->capture_default_str();
        app->add_flag("-q,--quiet", quiet_, "Print nothing on success");
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        image::LoadOptions options;
        if (!platform_.empty()) options.platform = image::parse_platform(platform_);
        options.repository = repository_;
        options.limits.max_layer_bytes = max_layer_;
        if (input_ == "-" && ::isatty(STDIN_FILENO))
            throw Error(
                "vessel load reads an archive from stdin, which is a terminal: give -i FILE");
        const ImageStore store = open_images(global);
        for (const auto& line : image::load_images(store, input_, options))
            if (!quiet_) std::printf("%s\n", line.c_str());
        return 0;
    }

  private:
    std::string input_ = "-", platform_, repository_;
    uint64_t max_layer_ = image::UnpackLimits{}.max_layer_bytes;
    bool quiet_ = false;
};

class PullCommand final : public Command {
  public:
    explicit PullCommand(CLI::App& parent) {
        app = parent.add_subcommand("pull", "Pull an image from a registry");
        app->add_option("--platform", platform_, "OS/ARCH[/VARIANT] (default: the host's)");
        app->add_option("--tls-verify", tls_verify_,
                        "Verify the registry's TLS certificate; false also allows plain HTTP")
            ->capture_default_str();
        app->add_option("--cert-dir", options_.cert_dir, "Trust DIR/ca.crt besides the system CAs");
        app->add_option("--creds", options_.creds, "USER:PASS for the registry");
        app->add_flag("-q,--quiet", options_.quiet, "No progress lines");
        app->add_flag("--explain", options_.explain, "Show every request and its answer");
        app->add_option("IMAGE", reference_, "alpine, alpine:3.19, host:port/name@sha256:...")
            ->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        if (!platform_.empty()) options_.platform = image::parse_platform(platform_);
        options_.tls_verify = tls_verify_;
        const ImageStore store = open_images(global);
        const std::string name = image::pull_image(store, reference_, options_);
        if (options_.quiet) std::printf("%s\n", name.c_str());
        return 0;
    }

  private:
    image::PullOptions options_;
    std::string platform_, reference_;
    bool tls_verify_ = true;
};

class LoginCommand final : public Command {
  public:
    explicit LoginCommand(CLI::App& parent) {
        app = parent.add_subcommand("login", "Log in to a registry (credentials stored 0600)");
        app->add_option("-u,--username", user_, "User name");
        app->add_option("-p,--password", password_, "Password (visible in ps: prefer stdin)");
        app->add_flag("--password-stdin", password_stdin_, "Read the password from stdin");
        app->add_option("--tls-verify", tls_verify_, "Verify TLS; false also allows plain HTTP")
            ->capture_default_str();
        app->add_option("--cert-dir", options_.cert_dir, "Trust DIR/ca.crt besides the system CAs");
        app->add_option("SERVER", server_, "Registry host[:port]")->required();
    }

    int execute(const GlobalOptions&) override {
        if (user_.empty()) throw Error("give the user name with -u USER");
        if (password_stdin_) {
            password_ = fs::read_fd(STDIN_FILENO, "stdin");
            while (!password_.empty() && (password_.back() == '\n' || password_.back() == '\r'))
                password_.pop_back();
        }
        if (password_.empty()) throw Error("give the password with --password-stdin (or -p)");
        options_.tls_verify = tls_verify_;
        options_.creds = user_ + ":" + password_;
        image::check_login(server_, options_);  // nothing is stored for a refused login
        image::store_credentials(server_, options_.creds);
        std::printf("Login Succeeded (credentials in %s)\n", image::auth_file().c_str());
        return 0;
    }

  private:
    image::PullOptions options_;
    std::string user_, password_, server_;
    bool password_stdin_ = false, tls_verify_ = true;
};

class SaveCommand final : public Command {
  public:
    explicit SaveCommand(CLI::App& parent) {
        app = parent.add_subcommand("save", "Save images to a tar archive (docker format)");
        app->add_option("-o,--output", output_, "Write to this file instead of stdout");
        app->add_option("IMAGE", images_, "Images to save")->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        const ImageStore store = open_images(global);
        if (output_.empty() && ::isatty(STDOUT_FILENO))
            throw Error("refusing to write an archive to a terminal: give -o FILE or redirect");
        image::save_docker_archive(store, images_, output_);
        return 0;
    }

  private:
    std::string output_;
    std::vector<std::string> images_;
};

class ImagesCommand final : public Command {
  public:
    explicit ImagesCommand(CLI::App& parent) {
        app = parent.add_subcommand("images", "List the images in the store");
        app->add_flag("-q,--quiet", quiet_, "Only image ids");
        app->add_flag("--digests", digests_, "Show the manifest digests");
        app->add_option("--format", format_, "table or json (one object per line)")
            ->check(CLI::IsMember({"table", "json"}))
            ->capture_default_str();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        const ImageStore store = open_images(global);
        const int64_t now = clock::now_ns();
        std::set<std::string> seen;
        std::vector<std::vector<std::string>> rows;
        if (digests_)
            rows.push_back({"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"});
        else
            rows.push_back({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
        for (const ImageRecord& r : store.images()) {
            if (quiet_) {
                if (seen.insert(r.id).second) std::printf("%s\n", short_id(r.id).c_str());
                continue;
            }
            std::vector<std::pair<std::string, std::string>> names;
            for (const auto& n : r.names) names.push_back(image::display_name(n));
            if (names.empty()) names.push_back({"<none>", "<none>"});
            for (const auto& [repo, tag] : names) {
                if (format_ == "json") {
                    nlohmann::json j = {{"Repository", repo},
                                        {"Tag", tag},
                                        {"ID", r.id},
                                        {"Digest", r.manifest_digest},
                                        {"CreatedSince", ago_text(r.created_ns, now)},
                                        {"Size", size_text(r.size)},
                                        {"Layers", r.layers.size()}};
                    std::printf("%s\n", j.dump().c_str());
                    continue;
                }
                std::vector<std::string> row = {repo, tag};
                if (digests_)
                    row.push_back(r.manifest_digest.empty() ? "<none>" : r.manifest_digest);
                row.insert(row.end(),
                           {short_id(r.id), ago_text(r.created_ns, now), size_text(r.size)});
                rows.push_back(row);
            }
        }
        if (quiet_ || format_ == "json") return 0;
        std::vector<size_t> width(rows[0].size(), 0);
        for (const auto& row : rows)
            for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
        for (const auto& row : rows) {
            std::string line;
            for (size_t i = 0; i < row.size(); ++i) {
                line += row[i];
                if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 3, ' ');
            }
            std::printf("%s\n", line.c_str());
        }
        return 0;
    }

  private:
    bool quiet_ = false, digests_ = false;
    std::string format_ = "table";
};

// Removes one image reference, docker's way: a name untags (the image goes with its last name),
// an id removes the image (refused while other names point at it, unless -f). Either is refused
// while a container uses the image, unless -f, which then only untags.
void remove_reference(const ImageStore& store, const std::string& text, bool force,
                      const std::map<std::string, std::string>& in_use) {
    StoreLock gc = store.lock_gc(true);
    StoreLock records = store.lock_records();
    auto record = store.resolve(text);
    if (!record) throw Error("No such image: " + text);
    const auto user = in_use.find(record->id);
    std::string name;
    try {
        const std::string canonical = image::canonical_name(text);
        for (const auto& n : record->names)
            if (n == canonical) name = n;
    } catch (const Error&) {
    }
    if (user != in_use.end() && !force)
        throw Error("unable to remove image " + text + " (must force): container " + user->second +
                    " is using it");
    if (name.empty() && record->names.size() > 1 && !force)
        throw Error("unable to delete " + short_id(record->id) +
                    " (must be forced): the image is referenced in several names");
    if (!name.empty() && record->names.size() > 1) {
        store.untag(*record, name);
        std::printf("Untagged: %s\n", image::parse_reference(name).familiar().c_str());
        return;
    }
    for (const auto& n : record->names) {
        store.untag(*record, n);
        std::printf("Untagged: %s\n", image::parse_reference(n).familiar().c_str());
    }
    // In use and forced: the container keeps its layers; the image stays, untagged (dangling).
    if (user != in_use.end()) return;
    for (const auto& layer : store.remove_image(record->id))
        std::printf("Deleted: %s\n", layer.c_str());
    std::printf("Deleted: %s\n", record->id.c_str());
}

class RmiCommand final : public Command {
  public:
    explicit RmiCommand(CLI::App& parent) {
        app = parent.add_subcommand("rmi",
                                    "Remove images (layers go with the last image using them)");
        app->add_flag("-f,--force", force_, "Remove even when in use or named several times");
        app->add_option("IMAGE", images_, "Names, ids or unique id prefixes")->required();
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        const ImageStore store = open_images(global);
        const auto in_use = images_in_use(global);
        int status = 0;
        for (const auto& text : images_) {
            try {
                remove_reference(store, text, force_, in_use);
            } catch (const Error& e) {
                spdlog::error("{}", e.what());
                status = exit_code::kRuntimeError;
            }
        }
        return status;
    }

  private:
    bool force_ = false;
    std::vector<std::string> images_;
};

class ImageCommand final : public Command {
  public:
    explicit ImageCommand(CLI::App& parent) {
        app = parent.add_subcommand("image", "Manage images: inspect, prune");
        app->require_subcommand(1);
        inspect_ = app->add_subcommand("inspect", "Show an image's record, manifest and config");
        inspect_->add_option("IMAGE", refs_, "Names or ids")->required();
        prune_ = app->add_subcommand("prune", "Remove dangling images (no name, no container)");
        prune_->add_flag("-a,--all", all_, "Remove every image no container uses");
        prune_->add_flag("-f,--force", yes_, "Do not ask (vessel never asks; docker's flag)");
    }

    int execute(const GlobalOptions& global) override {
        require_root();
        const ImageStore store = open_images(global);
        if (inspect_->parsed()) return inspect(store);
        const auto in_use = images_in_use(global);
        StoreLock gc = store.lock_gc(true);
        StoreLock records = store.lock_records();
        uint64_t reclaimed = 0;
        for (const auto& r : store.images()) {
            if (in_use.count(r.id) || (!r.names.empty() && !all_)) continue;
            for (const auto& layer : store.remove_image(r.id))
                std::printf("deleted: %s\n", layer.c_str());
            std::printf("deleted: %s\n", r.id.c_str());
            reclaimed += r.size;
        }
        std::printf("Total reclaimed space: %s\n", size_text(reclaimed).c_str());
        return 0;
    }

  private:
    int inspect(const ImageStore& store) {
        nlohmann::json out = nlohmann::json::array();
        int status = 0;
        for (const auto& text : refs_) {
            auto r = store.resolve(text);
            if (!r) {
                spdlog::error("No such image: {}", text);
                status = exit_code::kRuntimeError;
                continue;
            }
            nlohmann::json names = nlohmann::json::array();
            for (const auto& n : r->names) names.push_back(image::parse_reference(n).familiar());
            nlohmann::json layers = nlohmann::json::array();
            for (const auto& c : r->layers)
                layers.push_back({{"ChainID", c}, {"Dir", store.layer_dir(c)}});
            out.push_back({{"Id", r->id},
                           {"RepoTags", names},
                           {"RepoDigests", r->manifest_digest},
                           {"Size", r->size},
                           {"RootFS", {{"Type", "layers"}, {"Layers", r->diff_ids}}},
                           {"LayerDirs", layers},
                           {"Manifest", nlohmann::json::parse(store.read_blob(r->manifest_digest))},
                           {"Config", nlohmann::json::parse(store.read_blob(r->id))}});
        }
        std::printf("%s\n", out.dump(4).c_str());
        return status;
    }

    CLI::App* inspect_ = nullptr;
    CLI::App* prune_ = nullptr;
    std::vector<std::string> refs_;
    bool all_ = false, yes_ = false;
};

}  // namespace

std::unique_ptr<Command> make_load(CLI::App& app) {
    return std::make_unique<LoadCommand>(app);
}
std::unique_ptr<Command> make_pull(CLI::App& app) {
    return std::make_unique<PullCommand>(app);
}
std::unique_ptr<Command> make_login(CLI::App& app) {
    return std::make_unique<LoginCommand>(app);
}
std::unique_ptr<Command> make_save(CLI::App& app) {
    return std::make_unique<SaveCommand>(app);
}
std::unique_ptr<Command> make_images(CLI::App& app) {
    return std::make_unique<ImagesCommand>(app);
}
std::unique_ptr<Command> make_rmi(CLI::App& app) {
    return std::make_unique<RmiCommand>(app);
}
std::unique_ptr<Command> make_image(CLI::App& app) {
    return std::make_unique<ImageCommand>(app);
}

}  // namespace vessel::cli
