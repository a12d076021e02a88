// `vessel save`: images of the store as a `docker save` tarball (manifest.json, the config as
// HEX.json, each layer uncompressed as DIFFID/layer.tar), which `docker load` and `vessel load`
// read. Layers are decompressed from their stored blobs as they are written, and re-hashed: the
// archive carries exactly the diffIDs the config names.
#pragma once

#include <string>
#include <vector>

#include "vessel/image/store.hpp"

namespace vessel::image {

// Writes `refs` to `output` ("" = stdout; a file appears complete or not at all).
void save_docker_archive(const ImageStore& store, const std::vector<std::string>& refs,
                         const std::string& output);

}  // namespace vessel::image
