// `vessel pull` (docs/images.md): an image from a registry into the store. The HTTP side runs in
// vessel-registry, a dynamically linked helper beside vessel (libcurl has no usable static
// archive); vessel spawns it once per document or blob and reads its output through a pipe,
// hashing everything itself: the manifest (against the digest asked for, when there is one),
// the config (against the manifest), each layer (streamed through decompression into the
// unpacker, compressed digest and diffID both checked). Layers already in the store are not
// downloaded; a layer is complete or absent, so an interrupted pull continues where it stopped.
#pragma once

#include <string>
#include <vector>

#include "vessel/image/manifest.hpp"
#include "vessel/image/store.hpp"

namespace vessel::image {

struct PullOptions {
    Platform platform = host_platform();
    bool tls_verify = true;
    std::string cert_dir;   // DIR/ca.crt is trusted besides the system's CAs
    std::string creds;      // USER:PASS; never on a command line (the helper gets them in env)
    bool quiet = false;     // no progress lines
    bool explain = false;   // the helper prints each request and answer
    unsigned parallel = 3;  // layers downloaded at once
    UnpackLimits limits;
};

// `vessel login`: GET /v2/ of `host` with options.creds; throws Error when refused.
void check_login(const std::string& host, const PullOptions& options);

// Pulls `reference`; returns its canonical name. Throws Error (125). Without options.creds, the
// credentials `vessel login` or `docker login` stored for the registry are used.
std::string pull_image(const ImageStore& store, const std::string& reference,
                       const PullOptions& options);

}  // namespace vessel::image
