#include "vessel/core/image.hpp"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel {

std::string validate_image_dir(const std::string& path) {
    if (path.empty())
        throw Error(
            "no image given: IMAGE_DIR is an empty string (e.g. vessel run rootfs/busybox sh)");
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) throw Error("image directory " + path + " does not exist");
        throw SysError("cannot use image directory " + path, errno);
    }
    if (!S_ISDIR(st.st_mode)) throw Error("image " + path + " is not a directory");
    std::string abs = fs::real_path(path);
    for (const char* dir : {"proc", "sys", "dev"}) {
        std::string sub = abs + "/" + dir;
        if (::lstat(sub.c_str(), &st) != 0) continue;  // missing: created in the upper layer
        if (S_ISLNK(st.st_mode))
            throw Error("image " + path + " has a symlink at /" + dir +
                        "; refusing it, because mounting there would follow the link");
        if (!S_ISDIR(st.st_mode))
            throw Error("image " + path + ": /" + dir + " is not a directory");
    }
    // overlayfs splits its options at ',' and its lower directories at ':'.
    if (abs.find_first_of(",:\\") != std::string::npos)
        throw Error("image path " + abs +
                    " contains ',', ':' or '\\', which overlayfs cannot take");
    return abs;
}

ImageConfig load_image_config(const std::string& image_dir) {
    ImageConfig config;
    const std::string path = image_dir + ".json";
    auto text = fs::try_read_file(path);
    if (!text) return config;
    try {
        auto j = nlohmann::json::parse(*text);
        config.cmd = j.value("cmd", std::vector<std::string>{});
        config.env = j.value("env", std::vector<std::string>{});
        config.workdir = j.value("workdir", "");
    } catch (const nlohmann::json::exception& e) {
        throw Error("malformed image config " + path + ": " + e.what());
    }
    return config;
}

}  // namespace vessel
