#include "vessel/image/load.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "vessel/image/digest.hpp"
#include "vessel/image/reference.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::image {
namespace {

using nlohmann::json;

// Opens `path` inside `root` as if root were "/": "..", absolute names and symlinks all stay in.
UniqueFd open_in_root(int root, const std::string& path) {
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    long fd = ::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how);
    if (fd < 0) throw SysError("the archive has no readable " + path, errno);
    return UniqueFd(static_cast<int>(fd));
}

std::string read_in_root(int root, const std::string& path) {
    UniqueFd fd = open_in_root(root, path);
    return fs::read_fd(fd.get(), path);
}

std::function<ReadFn()> opener(int root, const std::string& path) {
    return [root, path]() -> ReadFn {
        auto fd = std::make_shared<UniqueFd>(open_in_root(root, path));
        ReadFn inner = read_fd_fn(fd->get());
        return [fd, inner](void* buf, size_t len) { return inner(buf, len); };
    };
}

// The media type a layer file's first bytes say (docker archives do not name it).
std::string sniff_layer_type(int root, const std::string& path) {
    UniqueFd fd = open_in_root(root, path);
    unsigned char magic[4] = {};
    ssize_t n = ::pread(fd.get(), magic, sizeof magic, 0);
    if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return media::kDockerLayerGzip;
    if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        return media::kOciLayerZstd;
    return "application/vnd.docker.image.rootfs.diff.tar";
}

struct LayerSource {
    std::string blob_digest;  // "" when the archive does not say (docker archives)
    std::string media_type;
    std::function<ReadFn()> open;
};

// The common end of every import: layers unpacked (or found), the record written.
std::string import_image(const ImageStore& store, const std::string& config_bytes,
                         const std::string& manifest_bytes, const std::vector<LayerSource>& layers,
                         const std::vector<std::string>& names, const LoadOptions& options) {
    const ImageConfigDoc config = parse_config(config_bytes);
    if (config.diff_ids.size() != layers.size())
        throw Error("the image config lists " + std::to_string(config.diff_ids.size()) +
                    " layers but the manifest " + std::to_string(layers.size()));
    ImageRecord record;
    record.id = store.put_blob(config_bytes);
    std::string chain;
    for (size_t i = 0; i < layers.size(); ++i) {
        chain = chain_id(chain, config.diff_ids[i]);
        store.ensure_layer(chain, config.diff_ids[i], layers[i].blob_digest, layers[i].media_type,
                           layers[i].open, options.limits);
        record.layers.push_back(chain);
        record.diff_ids.push_back(config.diff_ids[i]);
        record.size += store.layer_info(chain).size;
    }
    std::string manifest = manifest_bytes;
    if (manifest.empty()) {
        // A docker archive has no manifest: make the schema2 one its layers now have.
        json m = {{"schemaVersion", 2},
                  {"mediaType", media::kDockerManifest},
                  {"config",
                   {{"mediaType", media::kDockerConfig},
                    {"digest", record.id},
                    {"size", config_bytes.size()}}},
                  {"layers", json::array()}};
        for (const auto& c : record.layers) {
            LayerInfo info = store.layer_info(c);
            m["layers"].push_back({{"mediaType", info.blob_media_type},
                                   {"digest", info.blob_digest},
                                   {"size", info.blob_size}});
        }
        manifest = m.dump();
    }
    record.manifest_digest = store.put_blob(manifest);
    for (const auto& n : names) record.names.push_back(canonical_name(n));
    StoreLock records = store.lock_records();
    store.put_image(record);
    if (names.empty()) return "Loaded image ID: " + record.id;
    std::string line;
    for (const auto& n : record.names)
        line +=
            (line.empty() ? "Loaded image: " : "\nLoaded image: ") + parse_reference(n).familiar();
    return line;
}

std::vector<std::string> load_docker_archive(const ImageStore& store, int root,
                                             const LoadOptions& options) {
    json manifest;
    try {
        manifest = json::parse(read_in_root(root, "manifest.json"));
    } catch (const json::exception& e) {
        throw Error(std::string("malformed manifest.json in the archive: ") + e.what());
    }
    if (!manifest.is_array()) throw Error("malformed manifest.json: not a list");
    std::vector<std::string> lines;
    for (const auto& entry : manifest) {
        if (!entry.is_object() || !entry.contains("Config") || !entry.contains("Layers"))
            throw Error("malformed manifest.json: an entry without Config or Layers");
        const std::string config_path = entry.at("Config").get<std::string>();
        std::vector<std::string> paths = entry.at("Layers").get<std::vector<std::string>>();
        paths.insert(paths.begin(), config_path);
        for (const auto& p : paths)
            if (!is_safe_archive_path(p))
                throw Error("manifest.json names \"" + p +
                            "\": only plain relative paths are allowed (CVE-2014-9358): refused");
        const std::string config = read_in_root(root, config_path);
        std::vector<LayerSource> layers;
        for (size_t i = 1; i < paths.size(); ++i)
            layers.push_back({"", sniff_layer_type(root, paths[i]), opener(root, paths[i])});
        std::vector<std::string> names = entry.value("RepoTags", std::vector<std::string>{});
        lines.push_back(import_image(store, config, "", layers, names, options));
    }
    return lines;
}

std::string read_layout_blob(int root, const Descriptor& d) {
    std::string data = read_in_root(root, "blobs/sha256/" + digest_hex(d.digest));
    const std::string got = digest_of(data);
    if (got != d.digest)
        throw Error("digest mismatch: blob " + d.digest + " of the layout hashes to " + got);
    return data;
}

std::string import_layout_manifest(const ImageStore& store, int root, const Descriptor& top,
                                   const std::vector<std::string>& names,
                                   const LoadOptions& options) {
    Descriptor d = top;
    std::string doc = read_layout_blob(root, d);
    if (manifest_kind(doc, d.media_type) == ManifestKind::kIndex) {
        d = choose_platform(parse_index(doc, d.media_type), options.platform);
        doc = read_layout_blob(root, d);
    }
    const Manifest m = parse_manifest(doc, d.media_type);
    const std::string config = read_layout_blob(root, m.config);
    std::vector<LayerSource> layers;
    for (const auto& l : m.layers)
        layers.push_back(
            {l.digest, l.media_type, opener(root, "blobs/sha256/" + digest_hex(l.digest))});
    return import_image(store, config, doc, layers, names, options);
}

std::vector<std::string> load_oci_layout(const ImageStore& store, int root,
                                         const LoadOptions& options) {
    json index;
    try {
        index = json::parse(read_in_root(root, "index.json"));
    } catch (const json::exception& e) {
        throw Error(std::string("malformed index.json in the layout: ") + e.what());
    }
    if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array())
        throw Error("malformed index.json: no manifests list");
    std::vector<std::string> lines;
    // Entries that carry a platform are the platforms of one image: choose among them.
    Index platforms;
    std::vector<std::pair<Descriptor, std::vector<std::string>>> images;
    for (const auto& e : index["manifests"]) {
        Index one = parse_index(json({{"manifests", json::array({e})}}).dump(), "");
        Descriptor d = one.manifests[0];
        std::vector<std::string> names;
        if (e.contains("annotations") && e["annotations"].is_object()) {
            const auto& a = e["annotations"];
            std::string ref = a.value("io.containerd.image.name", "");
            if (ref.empty()) ref = a.value("org.opencontainers.image.ref.name", "");
            if (ref.find_first_of(":/@") != std::string::npos)
                names.push_back(ref);
            else if (!ref.empty() && !options.repository.empty())
                names.push_back(options.repository + ":" + ref);
        } else if (!options.repository.empty()) {
            names.push_back(options.repository);
        }
        if (d.platform)
            platforms.manifests.push_back(d);
        else
            images.emplace_back(d, names);
        if (d.platform && images.empty() && platforms.manifests.size() == 1)
            images.emplace_back(Descriptor{}, names);  // placeholder for the chosen platform
    }
    for (auto& [d, names] : images) {
        const Descriptor chosen =
            d.digest.empty() ? choose_platform(platforms, options.platform) : d;
        lines.push_back(import_layout_manifest(store, root, chosen, names, options));
    }
    return lines;
}

}  // namespace

bool is_safe_archive_path(const std::string& path) {
    if (path.empty() || path[0] == '/') return false;
    size_t pos = 0;
    for (;;) {
        size_t slash = path.find('/', pos);
        std::string part = path.substr(pos, slash == std::string::npos ? slash : slash - pos);
        if (part.empty() || part == "." || part == "..") return false;
        if (slash == std::string::npos) return true;
        pos = slash + 1;
    }
}

std::vector<std::string> load_images(const ImageStore& store, const std::string& source,
                                     const LoadOptions& options) {
    StoreLock gc = store.lock_gc(false);
    std::string tmp;
    UniqueFd root;
    struct stat source_st {};
    if (source != "-" && ::stat(source.c_str(), &source_st) == 0 && S_ISDIR(source_st.st_mode)) {
        root = fs::open_dir(source);
    } else {
        // A tar (maybe compressed): unpacked with the layer rules into tmp/, then read from there.
        UniqueFd file;
        int fd = STDIN_FILENO;
        if (source != "-") {
            file.reset(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
            if (!file) throw SysError("cannot open " + source, errno);
            fd = file.get();
        }
        char tmpl[] = "load-XXXXXX";
        tmp = store.root() + "/tmp/" + tmpl;
        if (!::mkdtemp(tmp.data())) throw SysError("cannot make " + tmp, errno);
        try {
            UniqueFd dir = fs::open_dir(tmp);
            unpack_layer(read_fd_fn(fd), dir.get(), options.limits);
            root = std::move(dir);
        } catch (...) {
            fs::remove_tree(tmp);
            throw;
        }
    }
    try {
        std::vector<std::string> lines;
        struct stat st {};
        if (::fstatat(root.get(), "manifest.json", &st, 0) == 0)
            lines = load_docker_archive(store, root.get(), options);
        else if (::fstatat(root.get(), "index.json", &st, 0) == 0)
            lines = load_oci_layout(store, root.get(), options);
        else
            throw Error(source +
                        " is neither a docker archive (manifest.json) nor an OCI "
                        "layout (index.json)");
        if (!tmp.empty()) fs::remove_tree(tmp);
        return lines;
    } catch (...) {
        if (!tmp.empty()) fs::remove_tree(tmp);
        throw;
    }
}

}  // namespace vessel::image
