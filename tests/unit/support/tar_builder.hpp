// Crafted layers for the image tests: a tar built in memory with libarchive's writer, entry by
// entry, with any name (absolute, "..", whiteouts), optionally gzip- or zstd-compressed.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <string>

namespace vessel::test {

class TarBuilder {
  public:
    enum class Compression { kNone, kGzip, kZstd };

    TarBuilder& file(const std::string& name, const std::string& data, int mode = 0644,
                     int uid = 0) {
        return add(name, AE_IFREG, mode, data, nullptr, nullptr, uid);
    }
    TarBuilder& dir(const std::string& name, int mode = 0755) {
        return add(name, AE_IFDIR, mode, "", nullptr, nullptr);
    }
    TarBuilder& symlink(const std::string& name, const std::string& target) {
        return add(name, AE_IFLNK, 0777, "", target.c_str(), nullptr);
    }
    TarBuilder& hardlink(const std::string& name, const std::string& target) {
        return add(name, AE_IFREG, 0644, "", nullptr, target.c_str());
    }
    TarBuilder& chardev(const std::string& name, unsigned major, unsigned minor, int mode = 0666) {
        entries_.push_back({name, AE_IFCHR, mode, "", "", "", 0, major, minor, 0});
        return *this;
    }
    // A regular file that declares `size` bytes but carries none (libarchive pads with zeros).
    TarBuilder& big_file(const std::string& name, int64_t size) {
        entries_.push_back({name, AE_IFREG, 0644, "", "", "", 0, 0, 0, size});
        return *this;
    }

    std::string build(Compression c = Compression::kNone, const std::string& trailer = "") const {
        std::string out;
        struct archive* a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        if (c == Compression::kGzip) archive_write_add_filter_gzip(a);
        if (c == Compression::kZstd) archive_write_add_filter_zstd(a);
        archive_write_set_bytes_in_last_block(a, 1);
        archive_write_open(a, &out, nullptr, &TarBuilder::on_write, nullptr);
        for (const auto& e : entries_) {
            archive_entry* entry = archive_entry_new();
            archive_entry_set_pathname(entry, e.name.c_str());
            archive_entry_set_filetype(entry, static_cast<unsigned>(e.type));
            archive_entry_set_perm(entry, static_cast<mode_t>(e.mode));
            archive_entry_set_uid(entry, e.uid);
            archive_entry_set_gid(entry, e.uid);
            archive_entry_set_mtime(entry, 1700000000, 0);
            if (!e.symlink.empty()) archive_entry_set_symlink(entry, e.symlink.c_str());
            if (!e.hardlink.empty()) archive_entry_set_hardlink(entry, e.hardlink.c_str());
            if (e.type == AE_IFCHR) {
                archive_entry_set_rdevmajor(entry, e.major);
                archive_entry_set_rdevminor(entry, e.minor);
            }
            const int64_t size = e.declared ? e.declared : static_cast<int64_t>(e.data.size());
            if (e.type == AE_IFREG && e.hardlink.empty()) archive_entry_set_size(entry, size);
            archive_write_header(a, entry);
            if (!e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
            if (e.declared) {
                std::string zeros(1 << 16, '\0');
                for (int64_t left = e.declared; left > 0;
                     left -= static_cast<int64_t>(zeros.size()))
                    archive_write_data(a, zeros.data(),
                                       static_cast<size_t>(std::min<int64_t>(left, 1 << 16)));
            }
            archive_entry_free(entry);
        }
        archive_write_close(a);
        archive_write_free(a);
        if (c == Compression::kNone) return out + trailer;
        return out;
    }

  private:
    struct Entry {
        std::string name;
        int type;
        int mode;
        std::string data, symlink, hardlink;
        int uid;
        unsigned major, minor;
        int64_t declared;
    };

    TarBuilder& add(const std::string& name, int type, int mode, const std::string& data,
                    const char* symlink, const char* hardlink, int uid = 0) {
        entries_.push_back({name, type, mode, data, symlink ? symlink : "",
                            hardlink ? hardlink : "", uid, 0, 0, 0});
        return *this;
    }

    static la_ssize_t on_write(struct archive*, void* out, const void* buf, size_t len) {
        static_cast<std::string*>(out)->append(static_cast<const char*>(buf), len);
        return static_cast<la_ssize_t>(len);
    }

    std::vector<Entry> entries_;
};

}  // namespace vessel::test
