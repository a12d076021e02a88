#include "vessel/image/unpacker.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <vector>

#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::image {
namespace {

constexpr const char* kWhiteoutPrefix = ".wh.";
constexpr const char* kOpaqueMarker = ".wh..wh..opq";

std::vector<std::string> split_clean(const std::string& name) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= name.size()) {
        size_t slash = name.find('/', pos);
        if (slash == std::string::npos) slash = name.size();
        std::string part = name.substr(pos, slash - pos);
        pos = slash + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (parts.empty())
                throw Error("layer entry \"" + name +
                            "\" points outside the layer's root (..): refused");
            parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    return parts;
}

std::string join(const std::vector<std::string>& parts, size_t count) {
    std::string out;
    for (size_t i = 0; i < count; ++i) out += (i ? "/" : "") + parts[i];
    return out;
}

// The tar stream, parsed by libarchive from the decompressed bytes of a LayerStream.
struct TarSource {
    LayerStream* stream = nullptr;
    std::vector<char> buf = std::vector<char>(64 * 1024);
    std::exception_ptr error;

    static la_ssize_t on_read(struct archive*, void* self_ptr, const void** out) {
        auto* self = static_cast<TarSource*>(self_ptr);
        *out = self->buf.data();
        try {
            return static_cast<la_ssize_t>(self->stream->read(self->buf.data(), self->buf.size()));
        } catch (...) {
            self->error = std::current_exception();
            return -1;
        }
    }
};

class Writer {
  public:
    Writer(int root, const UnpackLimits& limits) : root_(root), limits_(limits) {}

    void apply(struct archive* ar, archive_entry* entry) {
        const std::string raw = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
        const auto parts = split_clean(raw);
        if (parts.empty()) return;  // the layer's "/" or "./": the root is ours, not the layer's
        const std::string& base = parts.back();
        UniqueFd parent = open_parent(parts, parts.size() - 1, raw, true);

        if (base.rfind(kWhiteoutPrefix, 0) == 0) {
            whiteout(parent.get(), base, raw);
            return;
        }
        if (const char* link = archive_entry_hardlink(entry)) {
            hardlink(parent.get(), base, link, raw);
            return;
        }
        const mode_t type = archive_entry_filetype(entry);
        struct stat st {};
        const bool exists = ::fstatat(parent.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
        // Replace whatever is there, unless a directory meets a directory (its contents stay).
        // A symlink is unlinked, never followed.
        if (exists && !(type == AE_IFDIR && S_ISDIR(st.st_mode)))
            remove_at(parent.get(), base, S_ISDIR(st.st_mode));

        const auto uid = static_cast<uid_t>(archive_entry_uid(entry));
        const auto gid = static_cast<gid_t>(archive_entry_gid(entry));
        const mode_t perm = archive_entry_perm(entry) & 07777;
        switch (type) {
            case AE_IFDIR: {
                if (!exists || !S_ISDIR(st.st_mode))
                    check_at(::mkdirat(parent.get(), base.c_str(), 0700), "mkdir", raw);
                UniqueFd dir(::openat(parent.get(), base.c_str(),
                                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!dir) throw SysError("layer entry " + raw + ": cannot open directory", errno);
                finish_fd(dir.get(), entry, uid, gid, perm, raw, false);
                break;
            }
            case AE_IFREG: {
                UniqueFd file(::openat(parent.get(), base.c_str(),
                                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
                if (!file) throw SysError("layer entry " + raw + ": cannot create file", errno);
                write_data(ar, entry, file.get(), raw);
                finish_fd(file.get(), entry, uid, gid, perm, raw, true);
                break;
            }
            case AE_IFLNK: {
                const char* target = archive_entry_symlink(entry);
                // The target is stored as the image says: it is resolved inside the container,
                // and the unpacker itself never follows it.
                check_at(::symlinkat(target ? target : "", parent.get(), base.c_str()), "symlink",
                         raw);
                check_at(::fchownat(parent.get(), base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW),
                         "lchown", raw);
                timespec times[2] = {{archive_entry_mtime(entry), 0},
                                     {archive_entry_mtime(entry), 0}};
                ::utimensat(parent.get(), base.c_str(), times, AT_SYMLINK_NOFOLLOW);
                break;
            }
            case AE_IFCHR:
            case AE_IFBLK:
            case AE_IFIFO: {
                const dev_t dev = type == AE_IFIFO ? 0
                                                   : makedev(archive_entry_rdevmajor(entry),
                                                             archive_entry_rdevminor(entry));
                check_at(::mknodat(parent.get(), base.c_str(), type | 0600, dev), "mknod", raw);
                UniqueFd node(
                    ::openat(parent.get(), base.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
                if (!node) throw SysError("layer entry " + raw + ": cannot open node", errno);
                check_at(::fchownat(node.get(), "", uid, gid, AT_EMPTY_PATH), "chown", raw);
                // fchmod does not take O_PATH descriptors; /proc/self/fd/N names exactly this
                // node, and it is no symlink (O_NOFOLLOW above).
                const std::string by_fd = "/proc/self/fd/" + std::to_string(node.get());
                check_at(::chmod(by_fd.c_str(), perm), "chmod", raw);
                break;
            }
            default:
                break;  // sockets and anything else: docker skips them too
        }
    }

  private:
    static void check_at(int rc, const char* what, const std::string& raw) {
        if (rc != 0) throw SysError("layer entry " + raw + ": " + what, errno);
    }

    // Opens the directory made of parts[0..count): each component with O_NOFOLLOW, so a symlink
    // anywhere on the way is an error, never a detour. Missing ones are created when `create`.
    UniqueFd open_parent(const std::vector<std::string>& parts, size_t count,
                         const std::string& raw, bool create) {
        UniqueFd cur(::fcntl(root_, F_DUPFD_CLOEXEC, 0));
        if (!cur) throw SysError("dup the layer root", errno);
        for (size_t i = 0; i < count; ++i) {
            int fd = ::openat(cur.get(), parts[i].c_str(),
                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0 && errno == ENOENT && create) {
                if (::mkdirat(cur.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST)
                    throw SysError("layer entry " + raw + ": cannot create its directory", errno);
                fd = ::openat(cur.get(), parts[i].c_str(),
                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            }
            if (fd < 0) {
                if (errno == ELOOP || errno == ENOTDIR)
                    throw Error("layer entry \"" + raw + "\" goes through \"" + join(parts, i + 1) +
                                "\", which is a symlink or not a directory: refused (vessel "
                                "never writes through a symlink)");
                throw SysError("layer entry " + raw + ": cannot open " + join(parts, i + 1), errno);
            }
            cur.reset(fd);
        }
        return cur;
    }

    static void remove_at(int parent, const std::string& name, bool is_dir) {
        if (!is_dir) {
            if (::unlinkat(parent, name.c_str(), 0) != 0 && errno != ENOENT)
                throw SysError("cannot replace " + name, errno);
            return;
        }
        fs::remove_tree("/proc/self/fd/" + std::to_string(parent) + "/" + name);
    }

    void whiteout(int parent, const std::string& base, const std::string& raw) {
        if (base == kOpaqueMarker) {
            // Opaque: the lower layers' contents of this directory are hidden; this layer's own
            // entries in it stay.
            if (::fsetxattr(parent, "trusted.overlay.opaque", "y", 1, 0) != 0)
                throw SysError("layer entry " + raw + ": cannot mark the directory opaque", errno,
                               "the layer store needs a filesystem with trusted.* xattrs");
            return;
        }
        const std::string name = base.substr(4);
        if (name.empty() || name == "." || name == "..")
            throw Error("layer entry \"" + raw + "\" is a whiteout of nothing, . or ..: refused");
        if (name.rfind(kWhiteoutPrefix, 0) == 0) return;  // aufs metadata (.wh..wh.plnk...)
        struct stat st {};
        if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
            remove_at(parent, name, S_ISDIR(st.st_mode));
        check_at(::mknodat(parent, name.c_str(), S_IFCHR | 0, makedev(0, 0)), "mknod whiteout",
                 raw);
    }

    void hardlink(int parent, const std::string& base, const std::string& link,
                  const std::string& raw) {
        const auto target = split_clean(link);
        if (target.empty()) throw Error("layer entry \"" + raw + "\" is a hard link to the root");
        UniqueFd tparent = open_parent(target, target.size() - 1, raw, false);
        struct stat st {};
        if (::fstatat(tparent.get(), target.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            throw Error("layer entry \"" + raw + "\" is a hard link to \"" + link +
                        "\", which is not in this layer: refused");
        if (S_ISDIR(st.st_mode))
            throw Error("layer entry \"" + raw + "\" is a hard link to a directory: refused");
        struct stat old {};
        if (::fstatat(parent, base.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0)
            remove_at(parent, base, S_ISDIR(old.st_mode));
        // No AT_SYMLINK_FOLLOW: a link to a symlink is a link to the symlink itself.
        check_at(::linkat(tparent.get(), target.back().c_str(), parent, base.c_str(), 0), "link",
                 raw);
    }

    void write_data(struct archive* ar, archive_entry* entry, int fd, const std::string& raw) {
        const int64_t declared = archive_entry_size(entry);
        if (declared < 0 || static_cast<uint64_t>(declared) > limits_.max_file_bytes)
            throw Error("layer entry \"" + raw + "\" is " + std::to_string(declared) +
                        " bytes, more than the limit of " + std::to_string(limits_.max_file_bytes) +
                        ": refused");
        total_ += static_cast<uint64_t>(declared);
        if (total_ > limits_.max_layer_bytes)
            throw Error("the layer's files add up to more than " +
                        std::to_string(limits_.max_layer_bytes) + " bytes (the limit): refused");
        const void* block = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        for (;;) {
            int rc = archive_read_data_block(ar, &block, &size, &offset);
            if (rc == ARCHIVE_EOF) break;
            if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) throw_archive(ar, raw);
            if (offset < 0 ||
                static_cast<uint64_t>(offset) + size > static_cast<uint64_t>(declared))
                throw Error("layer entry \"" + raw + "\" writes past its own size: refused");
            // Sparse files arrive as blocks at offsets: holes stay holes.
            const char* p = static_cast<const char*>(block);
            while (size > 0) {
                ssize_t n = ::pwrite(fd, p, size, offset);
                if (n < 0) {
                    if (errno == EINTR) continue;
                    throw SysError("layer entry " + raw + ": write", errno);
                }
                p += n;
                size -= static_cast<size_t>(n);
                offset += n;
            }
        }
        if (::ftruncate(fd, declared) != 0) throw SysError("layer entry " + raw + ": size", errno);
    }

    static void finish_fd(int fd, archive_entry* entry, uid_t uid, gid_t gid, mode_t perm,
                          const std::string& raw, bool times) {
        // Extended attributes (security.capability of ping, for one) as the image says.
        archive_entry_xattr_reset(entry);
        const char* name = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
            std::string key = name;
            // A layer may not fake overlayfs' own metadata: whiteouts come only from .wh. names.
            if (key.rfind("trusted.overlay.", 0) == 0) continue;
            if (::fsetxattr(fd, name, value, size, 0) != 0 && errno != ENOTSUP)
                throw SysError("layer entry " + raw + ": setxattr " + key, errno);
        }
        // chown first: it clears setuid and setgid, which the chmod then sets as the image says.
        if (::fchown(fd, uid, gid) != 0) throw SysError("layer entry " + raw + ": chown", errno);
        if (::fchmod(fd, perm) != 0) throw SysError("layer entry " + raw + ": chmod", errno);
        if (times) {
            timespec ts[2] = {{archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)},
                              {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)}};
            ::futimens(fd, ts);
        }
    }

    [[noreturn]] static void throw_archive(struct archive* ar, const std::string& raw) {
        throw Error("layer entry \"" + raw +
                    "\": " + (archive_error_string(ar) ? archive_error_string(ar) : "corrupt tar"));
    }

    int root_;
    const UnpackLimits& limits_;
    uint64_t total_ = 0;
};

struct ArchiveReader {
    struct archive* ar = archive_read_new();
    ~ArchiveReader() { archive_read_free(ar); }
};

}  // namespace

std::string clean_entry_name(const std::string& name) {
    const auto parts = split_clean(name);
    return join(parts, parts.size());
}

UnpackResult unpack_layer(const ReadFn& source, int dest_fd, const UnpackLimits& limits) {
    LayerStream stream(source, limits.max_layer_bytes);
    TarSource tar;
    tar.stream = &stream;
    ArchiveReader reader;
    if (!reader.ar) throw Error("cannot allocate a libarchive reader");
    archive_read_support_format_tar(reader.ar);
    archive_read_support_format_empty(reader.ar);
    archive_read_support_filter_none(reader.ar);
    auto fail = [&](const char* what) {
        if (tar.error) std::rethrow_exception(tar.error);
        throw Error(
            std::string(what) + ": " +
            (archive_error_string(reader.ar) ? archive_error_string(reader.ar) : "corrupt tar"));
    };
    if (archive_read_open(reader.ar, &tar, nullptr, &TarSource::on_read, nullptr) != ARCHIVE_OK)
        fail("cannot read the layer as a tar");
    Writer writer(dest_fd, limits);
    UnpackResult result;
    for (;;) {
        archive_entry* entry = nullptr;
        int rc = archive_read_next_header(reader.ar, &entry);
        if (rc == ARCHIVE_EOF) break;
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) fail("cannot read the layer's next entry");
        writer.apply(reader.ar, entry);
        ++result.entries;
    }
    // The tar's end marker is not the stream's end: the diffID covers every byte.
    stream.drain();
    result.digest = stream.compressed_digest();
    result.diff_id = stream.diff_id();
    result.compressed_size = stream.compressed_size();
    result.size = stream.size();
    return result;
}

}  // namespace vessel::image
