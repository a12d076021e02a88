// `vessel load` (docs/images.md): images from a `docker save` tarball, an OCI image layout
// directory, or an OCI layout in a tar (`oci-archive`), into the store. Every blob is hashed on
// the way in; manifest.json's paths must be plain relative names (CVE-2014-9358) and are opened
// with RESOLVE_IN_ROOT, so neither a path nor a symlink in the archive reaches outside it.
#pragma once

#include <string>
#include <vector>

#include "vessel/image/manifest.hpp"
#include "vessel/image/store.hpp"

namespace vessel::image {

struct LoadOptions {
    Platform platform = host_platform();  // which manifest of an index to take
    std::string repository;               // names an OCI layout image whose ref.name is only a tag
    UnpackLimits limits;
};

// Loads every image in `source` ("-" for stdin, a tar file, or a directory). Returns one line per
// image, docker's wording: "Loaded image: busybox:latest" or "Loaded image ID: sha256:...".
std::vector<std::string> load_images(const ImageStore& store, const std::string& source,
                                     const LoadOptions& options);

// The manifest.json path rule: relative, no "..", no "." components, no empty ones.
bool is_safe_archive_path(const std::string& path);

}  // namespace vessel::image
