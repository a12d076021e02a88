// The JSON documents of an image (docs/images.md): the index (a list of manifests, one per
// platform), the manifest (one config and the layers, bottom first) and the config (how to run
// it, and the diffIDs of the layers). OCI and Docker schema2 spell them with different media
// types but the same shape; Docker schema1 is refused. Parsed with nlohmann/json; every digest
// and media type is checked before anything uses it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vessel::image {

namespace media {
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr const char* kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr const char* kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr const char* kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
}  // namespace media

struct Platform {
    std::string os = "linux";
    std::string architecture;  // GOARCH spelling: amd64, arm64, arm, 386...
    std::string variant;       // v7, v8...

    std::string to_string() const;  // linux/arm64/v8
};

// The platform vessel runs on (uname's machine in GOARCH spelling).
Platform host_platform();
// "linux/arm64", "linux/arm/v7", "arm64". Throws Error.
Platform parse_platform(const std::string& text);

struct Descriptor {
    std::string media_type;
    std::string digest;
    int64_t size = 0;
    std::optional<Platform> platform;  // in an index
};

enum class ManifestKind { kIndex, kManifest };

// What a manifest document is: index or manifest. `served_type` is the media type the server
// (or the archive's index) said it was, "" when unknown; the document's own mediaType must agree
// with it (CVE-2021-41190: one document, read as index by one client and manifest by another).
// Throws Error for schema1 and anything else.
ManifestKind manifest_kind(const std::string& document, const std::string& served_type);

struct Index {
    std::string media_type;
    std::vector<Descriptor> manifests;
};
Index parse_index(const std::string& document, const std::string& served_type);

// The manifest for `want` in `index`: exact os/architecture, then variant (an index entry without
// variant matches any). Throws Error listing the platforms there are.
Descriptor choose_platform(const Index& index, const Platform& want);

struct Manifest {
    std::string media_type;
    Descriptor config;
    std::vector<Descriptor> layers;  // bottom first
};
Manifest parse_manifest(const std::string& document, const std::string& served_type);

// The image config: what docker applies at `run`, and the layers' diffIDs.
struct ImageConfigDoc {
    Platform platform;
    std::vector<std::string> env, entrypoint, cmd;
    bool has_entrypoint = false, has_cmd = false;
    std::string working_dir, user, stop_signal;
    std::vector<std::string> exposed_ports;  // "80/tcp"
    std::vector<std::string> diff_ids;       // bottom first
    std::string created;
};
ImageConfigDoc parse_config(const std::string& document);

// Whether a layer media type is one vessel unpacks (tar, gzip, zstd; OCI and Docker spellings).
bool is_layer_type(const std::string& media_type);

}  // namespace vessel::image
