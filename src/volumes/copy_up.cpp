#include "vessel/volumes/copy_up.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "vessel/util/error.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::volumes {
namespace {

std::vector<std::string> entries(int dir_fd) {
    std::vector<std::string> names;
    UniqueFd copy(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!copy) throw SysError("cannot read a directory to copy", errno);
    DIR* dir = ::fdopendir(copy.get());
    if (!dir) throw SysError("fdopendir", errno);
    copy.release();
    while (dirent* e = ::readdir(dir)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(dir);
    return names;
}

void keep_owner_and_mode(int fd, const struct stat& st, const std::string& name) {
    if (::fchown(fd, st.st_uid, st.st_gid) != 0) throw SysError("cannot chown " + name, errno);
    if (::fchmod(fd, st.st_mode & 07777) != 0) throw SysError("cannot chmod " + name, errno);
}

void copy_file(int from_dir, int to_dir, const std::string& name, const struct stat& st) {
    UniqueFd in(::openat(from_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) throw SysError("cannot open " + name + " to copy it", errno);
    UniqueFd out(
        ::openat(to_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) throw SysError("cannot create " + name + " in the volume", errno);
    off_t left = st.st_size;
    while (left > 0) {
        ssize_t n =
            ::copy_file_range(in.get(), nullptr, out.get(), nullptr, static_cast<size_t>(left), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SysError("cannot copy " + name, errno);
        if (n == 0) break;  // the file shrank meanwhile
        left -= n;
    }
    keep_owner_and_mode(out.get(), st, name);
}

void copy_dir(int from_dir, int to_dir) {
    for (const auto& name : entries(from_dir)) {
        struct stat st {};
        if (::fstatat(from_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            throw SysError("cannot stat " + name, errno);
        if (S_ISDIR(st.st_mode)) {
            if (::mkdirat(to_dir, name.c_str(), 0700) != 0)
                throw SysError("cannot create " + name + " in the volume", errno);
            UniqueFd from(
                ::openat(from_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            UniqueFd to(
                ::openat(to_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!from || !to) throw SysError("cannot open directory " + name, errno);
            copy_dir(from.get(), to.get());
            keep_owner_and_mode(to.get(), st, name);
        } else if (S_ISREG(st.st_mode)) {
            copy_file(from_dir, to_dir, name, st);
        } else if (S_ISLNK(st.st_mode)) {
            std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
            ssize_t n = ::readlinkat(from_dir, name.c_str(), target.data(), target.size());
            if (n < 0) throw SysError("cannot read symlink " + name, errno);
            target.resize(static_cast<size_t>(n));
            if (::symlinkat(target.c_str(), to_dir, name.c_str()) != 0)
                throw SysError("cannot create symlink " + name, errno);
            if (::fchownat(to_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
                throw SysError("cannot chown symlink " + name, errno);
        } else if (S_ISFIFO(st.st_mode)) {
            if (::mkfifoat(to_dir, name.c_str(), 0600) != 0)
                throw SysError("cannot create fifo " + name, errno);
            if (::fchownat(to_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0 ||
                ::fchmodat(to_dir, name.c_str(), st.st_mode & 07777, 0) != 0)
                throw SysError("cannot set the owner and mode of fifo " + name, errno);
        }
        // Device nodes and sockets are not copied: a volume holds data.
    }
}

}  // namespace

void copy_up(int from_dir, const std::string& to) {
    UniqueFd to_fd(::open(to.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!to_fd) throw SysError("cannot open volume directory " + to, errno);
    copy_dir(from_dir, to_fd.get());
    struct stat st {};
    if (::fstat(from_dir, &st) != 0) throw SysError("cannot stat the image's directory", errno);
    keep_owner_and_mode(to_fd.get(), st, to);
}

}  // namespace vessel::volumes
