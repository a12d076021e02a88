#include "vessel/util/tree_copy.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "vessel/util/error.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::tree_copy {
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

void set_owner_and_mode(int fd, const struct stat& st, const std::string& name, const Options& o) {
    if (o.keep_owner && ::fchown(fd, st.st_uid, st.st_gid) != 0)
        throw SysError("cannot chown " + name, errno);
    if (::fchmod(fd, st.st_mode & 07777) != 0) throw SysError("cannot chmod " + name, errno);
}

UniqueFd open_dir_at(int dir, const std::string& name) {
    return UniqueFd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

// Removes a non-directory at `name` so that it can be created anew (a symlink there is replaced,
// never written through).
void clear_non_directory(int dir, const std::string& name) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (S_ISDIR(st.st_mode))
        throw SysError("cannot replace directory " + name + " with a file", EISDIR);
    if (::unlinkat(dir, name.c_str(), 0) != 0) throw SysError("cannot replace " + name, errno);
}

void copy_file(int from_dir, const std::string& name, int to_dir, const std::string& to_name,
               const struct stat& st, const Options& o) {
    UniqueFd in(::openat(from_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) throw SysError("cannot open " + name + " to copy it", errno);
    clear_non_directory(to_dir, to_name);
    UniqueFd out(::openat(to_dir, to_name.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) throw SysError("cannot create " + to_name, errno);
    while (true) {
        ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, 1 << 30, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP)) {
            char buf[65536];
            ssize_t r;
            while ((r = ::read(in.get(), buf, sizeof buf)) > 0)
                for (ssize_t done = 0; done < r;) {
                    ssize_t w = ::write(out.get(), buf + done, static_cast<size_t>(r - done));
                    if (w < 0) throw SysError("cannot write " + to_name, errno);
                    done += w;
                }
            if (r < 0) throw SysError("cannot read " + name, errno);
            break;
        }
        if (n < 0) throw SysError("cannot copy " + name, errno);
        if (n == 0) break;
    }
    set_owner_and_mode(out.get(), st, to_name, o);
}

}  // namespace

void copy_entry(int from_dir, const std::string& name, int to_dir, const std::string& to_name,
                const Options& o) {
    struct stat st {};
    if (::fstatat(from_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        throw SysError("cannot stat " + name, errno);
    if (S_ISDIR(st.st_mode)) {
        UniqueFd from = open_dir_at(from_dir, name);
        if (!from) throw SysError("cannot open directory " + name, errno);
        if (::mkdirat(to_dir, to_name.c_str(), 0700) != 0 && errno != EEXIST)
            throw SysError("cannot create directory " + to_name, errno);
        UniqueFd to = open_dir_at(to_dir, to_name);
        if (!to) throw SysError("cannot open directory " + to_name, errno);
        copy_contents(from.get(), to.get(), o);
    } else if (S_ISREG(st.st_mode)) {
        copy_file(from_dir, name, to_dir, to_name, st, o);
    } else if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
        ssize_t n = ::readlinkat(from_dir, name.c_str(), target.data(), target.size());
        if (n < 0) throw SysError("cannot read symlink " + name, errno);
        target.resize(static_cast<size_t>(n));
        clear_non_directory(to_dir, to_name);
        if (::symlinkat(target.c_str(), to_dir, to_name.c_str()) != 0)
            throw SysError("cannot create symlink " + to_name, errno);
        if (o.keep_owner &&
            ::fchownat(to_dir, to_name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
            throw SysError("cannot chown symlink " + to_name, errno);
    } else if (S_ISFIFO(st.st_mode)) {
        clear_non_directory(to_dir, to_name);
        if (::mkfifoat(to_dir, to_name.c_str(), st.st_mode & 07777) != 0)
            throw SysError("cannot create fifo " + to_name, errno);
        if (o.keep_owner &&
            ::fchownat(to_dir, to_name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
            throw SysError("cannot chown fifo " + to_name, errno);
    }
    // Device nodes and sockets are not copied.
}

void copy_contents(int from_dir, int to_dir, const Options& o) {
    for (const auto& name : entries(from_dir)) copy_entry(from_dir, name, to_dir, name, o);
    struct stat st {};
    if (::fstat(from_dir, &st) != 0) throw SysError("cannot stat a directory being copied", errno);
    set_owner_and_mode(to_dir, st, "a copied directory", o);
}

}  // namespace vessel::tree_copy
