// `vessel cp` (docs/cp.md): which side is the container's, and docker's rules for what lands
// where (a trailing "/" and "/." matter). Kernel-free, unit-tested.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vessel {

// One argument of `vessel cp`: CONTAINER:PATH, a host path, or "-" (a tar stream on stdin or
// stdout). As docker: an absolute path or one starting with "." is always the host's, so a host
// path with a colon can be written ./a:b.
struct CopyArg {
    std::string container;  // "" for the host
    std::string path;
    bool stream = false;  // "-"

    bool in_container() const { return !container.empty(); }
};
CopyArg parse_copy_arg(std::string_view text);  // throws Error (125) for "CONTAINER:" and ""

// Where a copy goes: into the existing directory `dir`, as `name` ("" = into `dir` itself, the
// contents of a source directory merged there). A source directory is always copied as its
// contents into dir/name (made when missing).
struct CopyPlan {
    std::string dir;
    std::string name;
};

// Docker's rules. `dest_is_dir`: nullopt when DEST does not exist. Throws Error (125):
// a file source with a trailing "/", a directory onto a file, a missing "DEST/" for a file.
CopyPlan plan_copy(std::string_view src, bool src_is_dir, std::string_view dest,
                   std::optional<bool> dest_is_dir);

// The last component of a path ("/a/b/" -> "b", "/a/b/." -> "b", "/" -> "/").
std::string base_name(std::string_view path);
// The directory part ("/a/b" -> "/a", "b" -> ".", "/b" -> "/").
std::string dir_name(std::string_view path);

}  // namespace vessel
