#include "vessel/util/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <string>

#include "vessel/util/error.hpp"

namespace vessel::fs {
namespace {

std::string read_all(int fd, const std::string& what) {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SysError("cannot read " + what, errno);
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

void write_all(int fd, std::string_view data, const std::string& what) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SysError("cannot write " + what, errno);
        data.remove_prefix(static_cast<size_t>(n));
    }
}

// Empties the directory `fd` (which it owns), recursing with unlinkat/openat and O_NOFOLLOW.
void remove_contents(int fd, const std::string& what) {
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
        ::close(fd);
        throw SysError("cannot list " + what, errno);
    }
    while (dirent* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        if (::unlinkat(fd, name.c_str(), 0) == 0 || errno == ENOENT) continue;
        if (errno != EISDIR && errno != EPERM) {
            int err = errno;
            ::closedir(dir);
            throw SysError("cannot remove " + what + "/" + name, err);
        }
        // A directory, perhaps without permissions for us (overlayfs' work/work is mode 000):
        // root can still open it with O_DIRECTORY|O_NOFOLLOW, never through a symlink.
        int child = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0) {
            int err = errno;
            ::closedir(dir);
            throw SysError("cannot open " + what + "/" + name, err);
        }
        remove_contents(child, what + "/" + name);
        if (::unlinkat(fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
            int err = errno;
            ::closedir(dir);
            throw SysError("cannot remove " + what + "/" + name, err);
        }
    }
    ::closedir(dir);
}

}  // namespace

std::string read_fd(int fd, const std::string& what) {
    return read_all(fd, what);
}

std::string read_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw SysError("cannot open " + path, errno);
    return read_all(fd.get(), path);
}

std::optional<std::string> try_read_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        throw SysError("cannot open " + path, errno);
    }
    return read_all(fd.get(), path);
}

std::string read_file_at(int dirfd, const std::string& path) {
    UniqueFd fd(::openat(dirfd, path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw SysError("cannot open " + path, errno);
    return read_all(fd.get(), path);
}

void write_file(const std::string& path, std::string_view data) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw SysError("cannot open " + path, errno);
    write_all(fd.get(), data, path);
}

void write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (!fd) throw SysError("cannot create " + tmp, errno);
        try {
            write_all(fd.get(), data, tmp);
            if (::fsync(fd.get()) != 0) throw SysError("cannot fsync " + tmp, errno);
        } catch (...) {
            ::unlink(tmp.c_str());
            throw;
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw SysError("cannot rename " + tmp + " to " + path, err);
    }
}

void ensure_dir(const std::string& path, mode_t mode) {
    if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST)
        throw SysError("cannot create directory " + path, errno);
}

void ensure_dirs(const std::string& path, mode_t mode) {
    for (size_t slash = path.find('/', 1); slash != std::string::npos;
         slash = path.find('/', slash + 1))
        ensure_dir(path.substr(0, slash), mode);
    ensure_dir(path, mode);
}

void remove_tree(const std::string& path) {
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) return;
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return;
        throw SysError("cannot open " + path, errno);
    }
    remove_contents(fd, path);
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT)
        throw SysError("cannot remove " + path, errno);
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

std::string real_path(const std::string& path) {
    char buf[PATH_MAX];
    if (!::realpath(path.c_str(), buf)) throw SysError("cannot resolve " + path, errno);
    return buf;
}

UniqueFd open_dir(const std::string& path, int extra_flags) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | extra_flags));
    if (!fd) throw SysError("cannot open directory " + path, errno);
    return fd;
}

}  // namespace vessel::fs
