#include "vessel/core/copy_plan.hpp"

#include "vessel/core/mount_spec.hpp"
#include "vessel/util/error.hpp"

namespace vessel {

CopyArg parse_copy_arg(std::string_view text) {
    if (text.empty()) throw Error("cp: an empty path is not a path");
    if (text == "-") return {"", "-", true};
    if (text.starts_with('/') || text.starts_with('.')) return {"", std::string(text), false};
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return {"", std::string(text), false};
    CopyArg arg{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1)), false};
    if (arg.path.empty())
        throw Error("cp: \"" + std::string(text) + "\" names no path in the container (use " +
                    arg.container + ":/path)");
    return arg;
}

std::string base_name(std::string_view path) {
    std::string clean = clean_path(path);
    if (clean == "/") return "/";
    auto slash = clean.rfind('/');
    return slash == std::string::npos ? clean : clean.substr(slash + 1);
}

std::string dir_name(std::string_view path) {
    std::string clean = clean_path(path);
    auto slash = clean.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : clean.substr(0, slash);
}

CopyPlan plan_copy(std::string_view src, bool src_is_dir, std::string_view dest,
                   std::optional<bool> dest_is_dir) {
    const std::string s(src), d(dest);
    if (!src_is_dir && (s.ends_with('/') || s.ends_with("/.")))
        throw Error("cp: " + s + " is not a directory");
    const bool contents = s.ends_with("/.") || s == ".";
    if (!dest_is_dir) {
        // DEST missing: it is created, as a file or as a directory holding SRC's contents.
        if (!src_is_dir && d.ends_with('/'))
            throw Error("cp: the destination directory " + d + " must exist");
        return {dir_name(d), base_name(d)};
    }
    if (!*dest_is_dir) {
        if (src_is_dir)
            throw Error("cp: cannot copy a directory (" + s + ") to a file (" + d + ")");
        return {dir_name(d), base_name(d)};  // overwritten
    }
    // DEST is a directory: SRC goes into it under its own name, or, for "SRC/.", its contents.
    if (src_is_dir && contents) return {clean_path(d), ""};
    return {clean_path(d), base_name(s)};
}

}  // namespace vessel
