#include "vessel/image/manifest.hpp"

#include <sys/utsname.h>

#include <nlohmann/json.hpp>

#include "vessel/image/digest.hpp"
#include "vessel/util/error.hpp"

namespace vessel::image {
namespace {

using nlohmann::json;

json parse_json(const std::string& document, const char* what) {
    try {
        json j = json::parse(document);
        if (!j.is_object()) throw Error(std::string(what) + " is not a JSON object");
        return j;
    } catch (const json::exception& e) {
        throw Error(std::string("malformed ") + what + ": " + e.what());
    }
}

std::string string_field(const json& j, const char* key, const char* what) {
    if (!j.contains(key)) return "";
    if (!j.at(key).is_string())
        throw Error(std::string("malformed ") + what + ": \"" + key + "\" is not a string");
    return j.at(key).get<std::string>();
}

std::vector<std::string> strings_field(const json& j, const char* key, const char* what) {
    std::vector<std::string> out;
    if (!j.contains(key) || j.at(key).is_null()) return out;
    if (!j.at(key).is_array())
        throw Error(std::string("malformed ") + what + ": \"" + key + "\" is not a list");
    for (const auto& v : j.at(key)) {
        if (!v.is_string())
            throw Error(std::string("malformed ") + what + ": \"" + key + "\" has a non-string");
        out.push_back(v.get<std::string>());
    }
    return out;
}

Descriptor parse_descriptor(const json& j, const char* what) {
    if (!j.is_object()) throw Error(std::string("malformed ") + what + ": not an object");
    Descriptor d;
    d.media_type = string_field(j, "mediaType", what);
    d.digest = string_field(j, "digest", what);
    check_digest(d.digest, what);
    if (!j.contains("size") || !j.at("size").is_number_integer() || j.at("size").get<int64_t>() < 0)
        throw Error(std::string("malformed ") + what + ": no valid size");
    d.size = j.at("size").get<int64_t>();
    if (j.contains("platform") && j.at("platform").is_object()) {
        const json& p = j.at("platform");
        Platform platform;
        platform.os = string_field(p, "os", what);
        platform.architecture = string_field(p, "architecture", what);
        platform.variant = string_field(p, "variant", what);
        d.platform = platform;
    }
    return d;
}

bool is_index_type(const std::string& t) {
    return t == media::kOciIndex || t == media::kDockerList;
}
bool is_manifest_type(const std::string& t) {
    return t == media::kOciManifest || t == media::kDockerManifest;
}

}  // namespace

std::string Platform::to_string() const {
    std::string out = os + "/" + architecture;
    if (!variant.empty()) out += "/" + variant;
    return out;
}

Platform host_platform() {
    utsname u{};
    ::uname(&u);
    const std::string m = u.machine;
    Platform p;
    if (m == "x86_64")
        p.architecture = "amd64";
    else if (m == "aarch64")
        p.architecture = "arm64";
    else if (m.rfind("armv7", 0) == 0)
        p = {"linux", "arm", "v7"};
    else if (m.rfind("armv6", 0) == 0)
        p = {"linux", "arm", "v6"};
    else if (m == "i686" || m == "i386")
        p.architecture = "386";
    else
        p.architecture = m;  // ppc64le, s390x, riscv64 are spelled alike
    return p;
}

Platform parse_platform(const std::string& text) {
    std::vector<std::string> parts;
    size_t pos = 0;
    for (;;) {
        size_t slash = text.find('/', pos);
        parts.push_back(text.substr(pos, slash == std::string::npos ? slash : slash - pos));
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    Platform p;
    if (parts.size() == 1)
        p.architecture = parts[0];
    else if (parts.size() <= 3) {
        p.os = parts[0];
        p.architecture = parts[1];
        if (parts.size() == 3) p.variant = parts[2];
    }
    if (p.os.empty() || p.architecture.empty() || parts.size() > 3)
        throw Error("invalid platform \"" + text + "\": use OS/ARCH[/VARIANT], e.g. linux/arm64");
    return p;
}

ManifestKind manifest_kind(const std::string& document, const std::string& served_type) {
    const json j = parse_json(document, "manifest");
    if (j.contains("schemaVersion") && j.at("schemaVersion") == 1)
        throw Error(
            "this image has a Docker schema1 manifest, a format deprecated since 2017 that "
            "vessel does not read: push it again with a current tool (docs/images.md)");
    const std::string own = string_field(j, "mediaType", "manifest");
    if (served_type == media::kDockerSchema1 || served_type == media::kDockerSchema1Signed)
        throw Error("this image has a Docker schema1 manifest, which vessel does not read");
    const bool has_manifests = j.contains("manifests");
    const bool has_layers = j.contains("layers") || j.contains("config");
    if (has_manifests && has_layers)
        throw Error("a manifest with both \"manifests\" and \"layers\": ambiguous, refused");
    // The document's own type, the served type and the shape must all tell the same story.
    if (!own.empty() && !served_type.empty() && own != served_type)
        throw Error("manifest media type mismatch: served as " + served_type +
                    " but the document says " + own);
    const std::string type = !own.empty() ? own : served_type;
    if (has_manifests) {
        if (!type.empty() && !is_index_type(type))
            throw Error("a document with \"manifests\" has media type " + type);
        return ManifestKind::kIndex;
    }
    if (!has_layers) throw Error("the document is neither an image index nor a manifest");
    if (!type.empty() && !is_manifest_type(type))
        throw Error("unsupported manifest media type " + type);
    return ManifestKind::kManifest;
}

Index parse_index(const std::string& document, const std::string& served_type) {
    if (manifest_kind(document, served_type) != ManifestKind::kIndex)
        throw Error("expected an image index, got a manifest");
    const json j = parse_json(document, "index");
    Index index;
    index.media_type = string_field(j, "mediaType", "index");
    if (index.media_type.empty())
        index.media_type = served_type.empty() ? media::kOciIndex : served_type;
    if (!j.at("manifests").is_array()) throw Error("malformed index: \"manifests\" is not a list");
    for (const auto& m : j.at("manifests"))
        index.manifests.push_back(parse_descriptor(m, "index entry"));
    return index;
}

Descriptor choose_platform(const Index& index, const Platform& want) {
    const Descriptor* loose = nullptr;
    std::string have;
    for (const auto& d : index.manifests) {
        if (!d.platform) continue;
        const Platform& p = *d.platform;
        if (p.architecture == "unknown") continue;  // attestations (buildkit)
        have += (have.empty() ? "" : ", ") + p.to_string();
        if (p.os != want.os || p.architecture != want.architecture) continue;
        if (p.variant == want.variant) return d;
        if (!loose && (p.variant.empty() || want.variant.empty())) loose = &d;
    }
    if (loose) return *loose;
    if (index.manifests.size() == 1 && !index.manifests[0].platform) return index.manifests[0];
    throw Error("the image has no manifest for " + want.to_string() +
                " (it has: " + (have.empty() ? "none" : have) + "); choose one with --platform");
}

Manifest parse_manifest(const std::string& document, const std::string& served_type) {
    if (manifest_kind(document, served_type) != ManifestKind::kManifest)
        throw Error("expected an image manifest, got an index");
    const json j = parse_json(document, "manifest");
    Manifest m;
    m.media_type = string_field(j, "mediaType", "manifest");
    if (m.media_type.empty())
        m.media_type = served_type.empty() ? media::kOciManifest : served_type;
    if (!j.contains("config")) throw Error("malformed manifest: no config");
    m.config = parse_descriptor(j.at("config"), "manifest config");
    if (!m.config.media_type.empty() && m.config.media_type != media::kOciConfig &&
        m.config.media_type != media::kDockerConfig)
        throw Error("the manifest's config has media type " + m.config.media_type +
                    ", not an image config (a Helm chart or other artifact?)");
    if (!j.contains("layers") || !j.at("layers").is_array())
        throw Error("malformed manifest: \"layers\" is not a list");
    for (const auto& l : j.at("layers")) {
        Descriptor d = parse_descriptor(l, "manifest layer");
        if (!is_layer_type(d.media_type))
            throw Error("unsupported layer media type \"" + d.media_type + "\"");
        m.layers.push_back(d);
    }
    return m;
}

bool is_layer_type(const std::string& t) {
    return t == media::kOciLayer || t == media::kOciLayerGzip || t == media::kOciLayerZstd ||
           t == media::kDockerLayerGzip || t == "application/vnd.docker.image.rootfs.diff.tar" ||
           t == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" ||
           t == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}

ImageConfigDoc parse_config(const std::string& document) {
    const json j = parse_json(document, "image config");
    ImageConfigDoc c;
    c.platform.os = string_field(j, "os", "image config");
    c.platform.architecture = string_field(j, "architecture", "image config");
    c.platform.variant = string_field(j, "variant", "image config");
    c.created = string_field(j, "created", "image config");
    if (j.contains("config") && j.at("config").is_object()) {
        const json& cfg = j.at("config");
        c.env = strings_field(cfg, "Env", "image config");
        c.has_entrypoint = cfg.contains("Entrypoint") && !cfg.at("Entrypoint").is_null();
        c.entrypoint = strings_field(cfg, "Entrypoint", "image config");
        c.has_cmd = cfg.contains("Cmd") && !cfg.at("Cmd").is_null();
        c.cmd = strings_field(cfg, "Cmd", "image config");
        c.working_dir = string_field(cfg, "WorkingDir", "image config");
        c.user = string_field(cfg, "User", "image config");
        c.stop_signal = string_field(cfg, "StopSignal", "image config");
        if (cfg.contains("ExposedPorts") && cfg.at("ExposedPorts").is_object())
            for (const auto& [port, _] : cfg.at("ExposedPorts").items())
                c.exposed_ports.push_back(port);
    }
    if (!j.contains("rootfs") || !j.at("rootfs").is_object())
        throw Error("malformed image config: no rootfs");
    if (string_field(j.at("rootfs"), "type", "image config") != "layers")
        throw Error("malformed image config: rootfs.type is not \"layers\"");
    c.diff_ids = strings_field(j.at("rootfs"), "diff_ids", "image config");
    for (const auto& d : c.diff_ids) check_digest(d, "image config diff_id");
    return c;
}

}  // namespace vessel::image
