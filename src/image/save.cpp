#include "vessel/image/save.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "vessel/image/digest.hpp"
#include "vessel/image/layer_stream.hpp"
#include "vessel/image/reference.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::image {
namespace {

class TarWriter {
  public:
    explicit TarWriter(int fd) : ar_(archive_write_new()) {
        archive_write_set_format_pax_restricted(ar_);
        if (archive_write_open_fd(ar_, fd) != ARCHIVE_OK) fail("open");
    }
    ~TarWriter() { archive_write_free(ar_); }

    void add(const std::string& name, const std::string& data) {
        header(name, static_cast<int64_t>(data.size()));
        if (!data.empty() && archive_write_data(ar_, data.data(), data.size()) < 0) fail(name);
    }
    void header(const std::string& name, int64_t size) {
        std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(),
                                                                   archive_entry_free);
        archive_entry_set_pathname(e.get(), name.c_str());
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_perm(e.get(), 0644);
        archive_entry_set_size(e.get(), size);
        if (archive_write_header(ar_, e.get()) != ARCHIVE_OK) fail(name);
    }
    void data(const void* buf, size_t len, const std::string& name) {
        if (archive_write_data(ar_, buf, len) < 0) fail(name);
    }
    void close() {
        if (archive_write_close(ar_) != ARCHIVE_OK) fail("close");
    }

  private:
    [[noreturn]] void fail(const std::string& what) {
        throw Error("cannot write the archive (" + what +
                    "): " + (archive_error_string(ar_) ? archive_error_string(ar_) : "error"));
    }
    struct archive* ar_;
};

}  // namespace

void save_docker_archive(const ImageStore& store, const std::vector<std::string>& refs,
                         const std::string& output) {
    std::vector<ImageRecord> records;
    std::vector<std::vector<std::string>> tags;
    for (const auto& ref : refs) {
        auto r = store.resolve(ref);
        if (!r) throw Error("No such image: " + ref);
        std::vector<std::string> names;
        // A name saves that name; an id saves all of the image's names, as docker does.
        std::string wanted;
        try {
            wanted = canonical_name(ref);
        } catch (const Error&) {
        }
        bool named = false;
        for (const auto& n : r->names)
            if (n == wanted) named = true;
        for (const auto& n : r->names)
            if (!named || n == wanted) names.push_back(parse_reference(n).familiar());
        records.push_back(*r);
        tags.push_back(names);
    }

    std::string tmp;
    UniqueFd file;
    int fd = STDOUT_FILENO;
    if (!output.empty()) {
        tmp = output + ".vessel-tmp";
        file.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!file) throw SysError("cannot create " + tmp, errno);
        fd = file.get();
    }
    try {
        TarWriter tar(fd);
        nlohmann::json manifest = nlohmann::json::array();
        std::set<std::string> written;
        for (size_t i = 0; i < records.size(); ++i) {
            const ImageRecord& r = records[i];
            const std::string config_name = digest_hex(r.id) + ".json";
            if (written.insert(config_name).second) tar.add(config_name, store.read_blob(r.id));
            nlohmann::json layers = nlohmann::json::array();
            for (const auto& chain : r.layers) {
                const LayerInfo info = store.layer_info(chain);
                const std::string name = digest_hex(info.diff_id) + "/layer.tar";
                layers.push_back(name);
                if (!written.insert(name).second) continue;
                UniqueFd blob(
                    ::open(store.blob_path(info.blob_digest).c_str(), O_RDONLY | O_CLOEXEC));
                if (!blob) throw SysError("cannot open layer blob " + info.blob_digest, errno);
                LayerStream stream(read_fd_fn(blob.get()), info.size);
                tar.header(name, static_cast<int64_t>(info.size));
                char buf[65536];
                uint64_t total = 0;
                while (size_t n = stream.read(buf, sizeof buf)) {
                    tar.data(buf, n, name);
                    total += n;
                }
                stream.drain();
                if (total != info.size || stream.diff_id() != info.diff_id)
                    throw Error("layer " + info.diff_id +
                                " in the store has changed on disk: "
                                "remove the image and load it again");
            }
            manifest.push_back(
                {{"Config", config_name}, {"RepoTags", tags[i]}, {"Layers", layers}});
        }
        tar.add("manifest.json", manifest.dump());
        tar.close();
        if (!tmp.empty()) {
            if (::fsync(fd) != 0) throw SysError("fsync " + tmp, errno);
            if (::rename(tmp.c_str(), output.c_str()) != 0)
                throw SysError("cannot rename " + tmp + " to " + output, errno);
        }
    } catch (...) {
        if (!tmp.empty()) ::unlink(tmp.c_str());
        throw;
    }
}

}  // namespace vessel::image
