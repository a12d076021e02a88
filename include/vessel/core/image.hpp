// An image, for vessel, is an unpacked root filesystem directory (docs/images.md). It may have a
// small config file beside it, <image>.json, giving the defaults docker keeps in an image's
// config: {"cmd": ["sh"], "env": ["PATH=..."], "workdir": "/"}.
#pragma once

#include <string>
#include <vector>

namespace vessel {

struct ImageConfig {
    std::vector<std::string> entrypoint;  // images from the store: prepended to the command
    std::vector<std::string> cmd;         // default command when `vessel run` is given none
    std::vector<std::string> env;         // KEY=VALUE defaults, overridden by -e
    std::string workdir;                  // default working directory, "" for "/"
    std::string user;                     // default user (the image's User), "" for root
};

// Checks that `path` is a usable image directory and returns its absolute path. Throws Error
// (exit 125) for a missing path, a non-directory, or an image whose /proc, /sys or /dev is a
// symlink (mounting onto it would follow the link: docs/security.md).
std::string validate_image_dir(const std::string& path);

// The config beside the image (`<image>.json`); empty when there is none. Throws Error when the
// file exists but is malformed.
ImageConfig load_image_config(const std::string& image_dir);

}  // namespace vessel
