#include "vessel/linux/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vessel/linux/mounts.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/explain.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::rootfs {

using explain::Chapter;

Layout Layout::in_state_dir(const std::string& image, const std::string& state_dir) {
    return {image, state_dir + "/upper", state_dir + "/work", state_dir + "/rootfs"};
}

void prepare_layers(const Layout& layout) {
    for (const auto* dir : {&layout.upper, &layout.work, &layout.merged}) {
        fs::ensure_dir(*dir, 0755);
        explain::step(Chapter::kFilesystem, fmt::format("mkdir({}, 0755)", explain::quote(*dir)),
                      "0",
                      dir == &layout.upper  ? "the container's own layer: its writes go here"
                      : dir == &layout.work ? "overlayfs' scratch space, beside the upper layer"
                                            : "where the overlay will be mounted");
    }
}

void make_mounts_private() {
    mounts::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr, Chapter::kFilesystem,
                  "no mount leaks to or from the host");
}

namespace {

UniqueFd open_path(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw SysError("cannot open " + dir, errno);
    return fd;
}

}  // namespace

std::array<std::pair<const char*, std::string>, 3> OverlayDirs::fields() const {
    auto by_fd = [](const UniqueFd& fd) { return fmt::format("/proc/self/fd/{}", fd.get()); };
    // Several lower layers: "/proc/self/fd/5:/proc/self/fd/6", ~18 bytes each, so even an image
    // of a hundred layers stays far below the one-page limit of mount(2)'s options.
    std::string lowers;
    for (const auto& fd : lower) lowers += (lowers.empty() ? "" : ":") + by_fd(fd);
    return {{{"lowerdir", lowers}, {"upperdir", by_fd(upper)}, {"workdir", by_fd(work)}}};
}

std::string OverlayDirs::options() const {
    std::string out;
    for (const auto& [key, value] : fields())
        out += fmt::format("{}{}={}", out.empty() ? "" : ",", key, value);
    return out;
}

OverlayDirs open_overlay_dirs(const std::string& lower, const Layout& layout) {
    OverlayDirs dirs;
    size_t pos = 0;
    for (;;) {
        const size_t colon = lower.find(':', pos);
        dirs.lower.push_back(open_path(lower.substr(pos, colon - pos)));
        if (colon == std::string::npos) break;
        pos = colon + 1;
    }
    dirs.upper = open_path(layout.upper);
    dirs.work = open_path(layout.work);
    return dirs;
}

UniqueFd mount_overlay(const Layout& layout) {
    const OverlayDirs dirs = open_overlay_dirs(layout.image, layout);
    mounts::mount("overlay", layout.merged, "overlay", 0, dirs.options().c_str(),
                  Chapter::kFilesystem,
                  fmt::format("image {} read-only below, our writes above; named by fd, so that "
                              "no host path shows in the container's mountinfo",
                              explain::quote(layout.image)));
    return fs::open_dir(layout.merged);
}

void pivot_into(int root_fd) {
    check(::fchdir(root_fd), "fchdir to the new root");
    // pivot_root(".", ".") puts the old root on top of the new one at "/"; unmounting "." then
    // detaches exactly that old root (the trick is in pivot_root(2) itself). No temp directory
    // is needed in the image, and the image is never written.
    long rc = ::syscall(SYS_pivot_root, ".", ".");
    int err = errno;
    explain::syscall(Chapter::kFilesystem, "pivot_root(\".\", \".\")", rc, err,
                     "the overlay becomes /");
    if (rc != 0)
        throw SysError("cannot pivot_root into the container's root", err,
                       err == EINVAL ? "is the state directory on a shared mount?" : "");
    rc = ::umount2(".", MNT_DETACH);
    err = errno;
    explain::syscall(Chapter::kFilesystem, "umount2(\".\", MNT_DETACH)", rc, err,
                     "detach the host's root: unreachable now");
    if (rc != 0) throw SysError("cannot detach the old root", err);
    check(::chdir("/"), "chdir /");
}

void remount_root_readonly() {
    mounts::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr,
                  Chapter::kFilesystem, "--read-only: / cannot be written");
}

}  // namespace vessel::rootfs
