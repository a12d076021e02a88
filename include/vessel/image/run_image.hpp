// From `vessel run busybox` to what the launch already knows how to use: the image's layer
// directories (the overlay's lowerdirs, topmost first) and its config in vessel's ImageConfig,
// plus what the container records about it. The one place the launch meets the store.
#pragma once

#include <string>
#include <vector>

#include "vessel/core/image.hpp"
#include "vessel/image/store.hpp"

namespace vessel::image {

struct RunnableImage {
    std::string lower;  // layer directories, topmost first, joined by ':' (ContainerSpec::image)
    std::string users_root;  // the topmost layer that has etc/passwd: where -u is looked up
    ImageConfig config;      // Entrypoint, Cmd, Env, WorkingDir, User
    std::string ref;         // as the user typed it
    std::string id;          // the image id
    std::string stop_signal;
    std::vector<std::string> exposed_ports;
};

// The image `text` names in `store`. Throws Error (125) when it is not there, saying how to get it.
RunnableImage resolve_for_run(const ImageStore& store, const std::string& text);

}  // namespace vessel::image
