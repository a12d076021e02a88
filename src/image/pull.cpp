#include "vessel/image/pull.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "vessel/image/credentials.hpp"
#include "vessel/image/digest.hpp"
#include "vessel/image/reference.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/sibling_program.hpp"

extern char** environ;

namespace vessel::image {
namespace {

std::string helper_path() {
    return sibling_program("vessel-registry");
}

// One run of the helper: its stdout as a stream, its exit status checked at the end.
class Helper {
  public:
    Helper(const PullOptions& o, const std::string& what, const std::string& host,
           const std::string& repo, const std::string& ref) {
        std::vector<std::string> args = {helper_path()};
        if (!o.tls_verify) args.push_back("--tls-verify=false");
        if (!o.cert_dir.empty()) args.insert(args.end(), {"--cert-dir", o.cert_dir});
        if (o.explain) args.push_back("--explain");
        args.insert(args.end(), {what, host});
        if (what != "ping") args.insert(args.end(), {repo, ref});
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw SysError("pipe", errno);
        out_.reset(fds[0]);
        UniqueFd write_end(fds[1]);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
        // The credentials go in the helper's environment, which only root can read, not argv.
        std::vector<std::string> env_strings;
        for (char** e = environ; *e; ++e)
            if (std::string(*e).rfind("VESSEL_REGISTRY_CREDS=", 0) != 0) env_strings.push_back(*e);
        if (!o.creds.empty()) env_strings.push_back("VESSEL_REGISTRY_CREDS=" + o.creds);
        std::vector<char*> envp;
        for (auto& e : env_strings) envp.push_back(e.data());
        envp.push_back(nullptr);
        int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) throw SysError("cannot start " + args[0] + " (installed beside vessel?)", rc);
    }
    ~Helper() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status;
            ::waitpid(pid_, &status, 0);
        }
    }
    int fd() const { return out_.get(); }
    void finish() {
        out_.reset();
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            throw Error("the registry transfer failed (vessel-registry's message is above)");
    }

  private:
    UniqueFd out_;
    pid_t pid_ = -1;
};

struct Fetched {
    std::string type, body;
};

Fetched fetch_manifest(const PullOptions& o, const std::string& host, const std::string& repo,
                       const std::string& ref) {
    Helper h(o, "manifest", host, repo, ref);
    std::string all = fs::read_fd(h.fd(), "the registry's answer");
    h.finish();
    auto nl = all.find('\n');
    if (nl == std::string::npos) throw Error("the registry sent an empty manifest for " + ref);
    return {all.substr(0, nl), all.substr(nl + 1)};
}

std::string fetch_blob(const PullOptions& o, const std::string& host, const std::string& repo,
                       const std::string& digest) {
    Helper h(o, "blob", host, repo, digest);
    std::string all = fs::read_fd(h.fd(), "the registry's answer");
    h.finish();
    if (digest_of(all) != digest)
        throw Error("digest mismatch: blob " + digest + " from the registry hashes to " +
                    digest_of(all));
    return all;
}

}  // namespace

void check_login(const std::string& host, const PullOptions& options) {
    Helper h(options, "ping", host, "", "");
    h.finish();
}

std::string pull_image(const ImageStore& store, const std::string& text, const PullOptions& given) {
    const Reference ref = parse_reference(text);
    PullOptions o = given;
    if (o.creds.empty()) o.creds = find_credentials(ref.registry).value_or("");
    const std::string host =
        ref.registry == kDefaultRegistry ? "registry-1.docker.io" : ref.registry;
    StoreLock gc = store.lock_gc(false);
    auto say = [&](const std::string& line) {
        if (!o.quiet) {
            std::printf("%s\n", line.c_str());
            std::fflush(stdout);
        }
    };

    // The manifest: by digest when one was given (and checked against it), else by tag.
    const std::string wanted = !ref.digest.empty() ? ref.digest : ref.tag;
    Fetched m = fetch_manifest(o, host, ref.repository, wanted);
    if (!ref.digest.empty() && digest_of(m.body) != ref.digest)
        throw Error("digest mismatch: the manifest served for " + ref.digest + " hashes to " +
                    digest_of(m.body));
    if (manifest_kind(m.body, m.type) == ManifestKind::kIndex) {
        const Descriptor d = choose_platform(parse_index(m.body, m.type), o.platform);
        say((ref.tag.empty() ? ref.digest : ref.tag) + ": " + o.platform.to_string() + " is " +
            d.digest);
        m = fetch_manifest(o, host, ref.repository, d.digest);
        if (digest_of(m.body) != d.digest)
            throw Error("digest mismatch: the manifest served for " + d.digest + " hashes to " +
                        digest_of(m.body));
        if (!d.media_type.empty() && m.type != d.media_type)
            throw Error("the index says " + d.digest + " is a " + d.media_type +
                        " but the registry served a " + m.type);
    }
    const Manifest manifest = parse_manifest(m.body, m.type);
    const std::string config_bytes = fetch_blob(o, host, ref.repository, manifest.config.digest);
    const ImageConfigDoc config = parse_config(config_bytes);
    if (config.diff_ids.size() != manifest.layers.size())
        throw Error("the config lists " + std::to_string(config.diff_ids.size()) +
                    " layers, the manifest " + std::to_string(manifest.layers.size()));

    ImageRecord record;
    record.id = store.put_blob(config_bytes, manifest.config.digest);
    std::vector<std::string> chains;
    std::string chain;
    for (const auto& diff : config.diff_ids) chains.push_back(chain = chain_id(chain, diff));

    // Layers, a few at a time, each streamed from the helper's pipe into the unpacker.
    std::atomic<size_t> next{0};
    std::mutex error_lock;
    std::exception_ptr error;
    auto worker = [&] {
        for (size_t i; (i = next++) < manifest.layers.size();) {
            const Descriptor& l = manifest.layers[i];
            const std::string short_digest = l.digest.substr(7, 12);
            try {
                if (store.has_layer(chains[i])) {
                    say(short_digest + ": Already exists");
                    continue;
                }
                std::shared_ptr<Helper> helper;
                bool made = store.ensure_layer(
                    chains[i], config.diff_ids[i], l.digest, l.media_type,
                    [&]() -> ReadFn {
                        helper =
                            std::make_shared<Helper>(o, "blob", host, ref.repository, l.digest);
                        return read_fd_fn(helper->fd());
                    },
                    o.limits);
                if (helper) helper->finish();
                say(short_digest + (made ? ": Pull complete" : ": Already exists"));
            } catch (...) {
                std::lock_guard<std::mutex> held(error_lock);
                if (!error) error = std::current_exception();
                next = manifest.layers.size();
            }
        }
    };
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < std::max(1u, o.parallel); ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    if (error) std::rethrow_exception(error);

    for (size_t i = 0; i < chains.size(); ++i) {
        record.layers.push_back(chains[i]);
        record.diff_ids.push_back(config.diff_ids[i]);
        record.size += store.layer_info(chains[i]).size;
    }
    record.manifest_digest = store.put_blob(m.body);
    if (!ref.tag.empty())
        record.names.push_back(ref.registry + "/" + ref.repository + ":" + ref.tag);
    {
        StoreLock records = store.lock_records();
        store.put_image(record);
    }
    say("Digest: " + record.manifest_digest);
    say("Status: Downloaded image for " + ref.familiar());
    return ref.canonical();
}

}  // namespace vessel::image
