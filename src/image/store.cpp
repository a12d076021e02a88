#include "vessel/image/store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "vessel/image/digest.hpp"
#include "vessel/image/reference.hpp"
#include "vessel/util/clock.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"
#include "vessel/util/log.hpp"

namespace vessel::image {
namespace {

using nlohmann::json;

UniqueFd flock_file(const std::string& path, int op) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw SysError("cannot open lock " + path, errno);
    while (::flock(fd.get(), op) != 0) {
        if (errno != EINTR) throw SysError("cannot lock " + path, errno);
    }
    return fd;
}

json record_to_json(const ImageRecord& r) {
    json j;
    j = {{"id", r.id},
         {"manifest_digest", r.manifest_digest},
         {"names", r.names},
         {"layers", r.layers},
         {"diff_ids", r.diff_ids},
         {"size", r.size},
         {"created_ns", r.created_ns}};
    return j;
}

ImageRecord record_from_json(const json& j) {
    ImageRecord r;
    j.at("id").get_to(r.id);
    r.manifest_digest = j.value("manifest_digest", "");
    r.names = j.value("names", std::vector<std::string>{});
    r.layers = j.value("layers", std::vector<std::string>{});
    r.diff_ids = j.value("diff_ids", std::vector<std::string>{});
    r.size = j.value("size", uint64_t{0});
    r.created_ns = j.value("created_ns", int64_t{0});
    return r;
}

// Writes what it reads into a blob file, so a layer is stored while it is unpacked.
class TeeToFile {
  public:
    TeeToFile(ReadFn source, int fd) : source_(std::move(source)), fd_(fd) {}
    size_t operator()(void* buf, size_t len) {
        size_t n = source_(buf, len);
        const char* p = static_cast<const char*>(buf);
        size_t left = n;
        while (left > 0) {
            ssize_t w = ::write(fd_, p, left);
            if (w < 0) {
                if (errno == EINTR) continue;
                throw SysError("cannot store the layer blob", errno);
            }
            p += w;
            left -= static_cast<size_t>(w);
        }
        return n;
    }

  private:
    ReadFn source_;
    int fd_;
};

}  // namespace

std::string canonical_name(const std::string& text) {
    return parse_reference(text).canonical();
}

std::pair<std::string, std::string> display_name(const std::string& canonical) {
    Reference r = parse_reference(canonical);
    return {r.familiar_name(), r.tag.empty() ? "<none>" : r.tag};
}

ImageStore::ImageStore(std::string root) : root_(std::move(root)) {
    for (const char* sub : {"", "/blobs", "/blobs/sha256", "/layers", "/images", "/tmp", "/locks"})
        fs::ensure_dir(root_ + sub, 0700);
}

StoreLock ImageStore::lock_gc(bool exclusive) const {
    return StoreLock(flock_file(root_ + "/locks/gc", exclusive ? LOCK_EX : LOCK_SH));
}

StoreLock ImageStore::lock_records() const {
    return StoreLock(flock_file(root_ + "/locks/records", LOCK_EX));
}

std::string ImageStore::make_tmp_dir(const std::string& prefix) const {
    std::string tmpl = root_ + "/tmp/" + prefix + "XXXXXX";
    if (!::mkdtemp(tmpl.data()))
        throw SysError("cannot make a directory in " + root_ + "/tmp", errno);
    return tmpl;
}

std::string ImageStore::blob_path(const std::string& digest) const {
    return root_ + "/blobs/sha256/" + digest_hex(digest);
}

bool ImageStore::has_blob(const std::string& digest) const {
    return fs::exists(blob_path(digest));
}

std::string ImageStore::put_blob(std::string_view data, const std::string& expected) const {
    const std::string digest = digest_of(data);
    if (!expected.empty() && digest != expected)
        throw Error("digest mismatch: expected " + expected + ", the content hashes to " + digest);
    if (!has_blob(digest)) fs::write_file_atomic(blob_path(digest), data, 0600);
    return digest;
}

std::string ImageStore::read_blob(const std::string& digest) const {
    std::string data = fs::read_file(blob_path(digest));
    if (digest_of(data) != digest)
        throw Error("blob " + digest + " in " + root_ +
                    " has changed on disk (its content no longer matches its digest): remove the "
                    "image and load or pull it again");
    return data;
}

std::string ImageStore::layer_dir(const std::string& chain_id) const {
    return root_ + "/layers/" + digest_hex(chain_id) + "/diff";
}

bool ImageStore::has_layer(const std::string& chain_id) const {
    return fs::exists(root_ + "/layers/" + digest_hex(chain_id) + "/layer.json");
}

LayerInfo ImageStore::layer_info(const std::string& chain_id) const {
    const std::string path = root_ + "/layers/" + digest_hex(chain_id) + "/layer.json";
    try {
        json j = json::parse(fs::read_file(path));
        LayerInfo info;
        info.chain_id = chain_id;
        j.at("diff_id").get_to(info.diff_id);
        info.blob_digest = j.value("blob_digest", "");
        info.blob_media_type = j.value("blob_media_type", "");
        info.size = j.value("size", uint64_t{0});
        info.blob_size = j.value("blob_size", uint64_t{0});
        return info;
    } catch (const json::exception& e) {
        throw Error("malformed " + path + ": " + e.what());
    }
}

bool ImageStore::ensure_layer(const std::string& chain_id, const std::string& diff_id,
                              const std::string& blob_digest, const std::string& media_type,
                              const std::function<ReadFn()>& open_source,
                              const UnpackLimits& limits) const {
    const std::string hex = digest_hex(chain_id);
    StoreLock held(flock_file(root_ + "/locks/" + hex, LOCK_EX));
    if (has_layer(chain_id)) {  // there already, or another import made it while we waited
        spdlog::info("layer {} already in the store", chain_id);
        return false;
    }
    const std::string tmp = make_tmp_dir("layer-");
    const std::string blob_tmp = tmp + "/blob";
    try {
        fs::ensure_dir(tmp + "/diff", 0755);
        UniqueFd blob(::open(blob_tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!blob) throw SysError("cannot create " + blob_tmp, errno);
        UniqueFd diff = fs::open_dir(tmp + "/diff");
        UnpackResult r = unpack_layer(TeeToFile(open_source(), blob.get()), diff.get(), limits);
        if (!blob_digest.empty() && r.digest != blob_digest)
            throw Error("digest mismatch for layer " + blob_digest + ": its content hashes to " +
                        r.digest + " (corrupted or tampered with); nothing was stored");
        if (r.diff_id != diff_id)
            throw Error("diffID mismatch for layer " + r.digest + ": the config says " + diff_id +
                        ", the uncompressed content hashes to " + r.diff_id +
                        "; nothing was stored");
        if (::fsync(blob.get()) != 0) throw SysError("fsync " + blob_tmp, errno);
        blob.reset();
        if (!has_blob(r.digest) && ::rename(blob_tmp.c_str(), blob_path(r.digest).c_str()) != 0)
            throw SysError("cannot store blob " + r.digest, errno);
        fs::remove_tree(blob_tmp);
        json info = {{"chain_id", chain_id},    {"diff_id", diff_id},
                     {"blob_digest", r.digest}, {"blob_media_type", media_type},
                     {"size", r.size},          {"blob_size", r.compressed_size},
                     {"entries", r.entries}};
        fs::write_file_atomic(tmp + "/layer.json", info.dump(2) + "\n", 0600);
        // The whole directory appears at once: a layer is complete or absent.
        const std::string final_dir = root_ + "/layers/" + hex;
        if (::rename(tmp.c_str(), final_dir.c_str()) != 0)
            throw SysError("cannot move layer " + chain_id + " into place", errno);
        spdlog::info("layer {} unpacked ({} entries, {} bytes)", chain_id, r.entries, r.size);
    } catch (...) {
        fs::remove_tree(tmp);
        throw;
    }
    return true;
}

std::string ImageStore::record_path(const std::string& id) const {
    return root_ + "/images/" + digest_hex(id) + ".json";
}

std::vector<ImageRecord> ImageStore::images() const {
    std::vector<ImageRecord> out;
    UniqueFd dir = fs::open_dir(root_ + "/images");
    DIR* d = ::fdopendir(::dup(dir.get()));
    if (!d) throw SysError("cannot list " + root_ + "/images", errno);
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.size() != 69 || name.substr(64) != ".json") continue;
        try {
            out.push_back(record_from_json(json::parse(fs::read_file(root_ + "/images/" + name))));
        } catch (const std::exception&) {
            continue;  // a torn record cannot exist (atomic writes); skip anything foreign
        }
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const ImageRecord& a, const ImageRecord& b) {
        return a.created_ns > b.created_ns;
    });
    return out;
}

std::optional<ImageRecord> ImageStore::find_by_id(const std::string& id) const {
    auto text = fs::try_read_file(record_path(id));
    if (!text) return std::nullopt;
    return record_from_json(json::parse(*text));
}

std::optional<ImageRecord> ImageStore::resolve(const std::string& text) const {
    const auto all = images();
    // An id or id prefix (docker accepts both, with or without "sha256:").
    std::string hex = text.rfind("sha256:", 0) == 0 ? text.substr(7) : text;
    if (!hex.empty() && hex.find_first_not_of("0123456789abcdef") == std::string::npos) {
        const ImageRecord* found = nullptr;
        for (const auto& r : all) {
            if (r.id.compare(7, hex.size(), hex) != 0) continue;
            if (found && found->id != r.id)
                throw Error("image id prefix " + text + " is ambiguous: give more characters");
            found = &r;
        }
        if (found) return *found;
        if (hex.size() == 64 || text.rfind("sha256:", 0) == 0) return std::nullopt;
    }
    Reference ref;
    try {
        ref = parse_reference(text);
    } catch (const Error&) {
        return std::nullopt;
    }
    const std::string name = ref.canonical();
    for (const auto& r : all) {
        if (std::find(r.names.begin(), r.names.end(), name) != r.names.end()) return r;
        // name@digest: the manifest's digest (docker's "digest" column).
        if (!ref.digest.empty() && ref.tag.empty() && r.manifest_digest == ref.digest) return r;
    }
    return std::nullopt;
}

void ImageStore::put_image(const ImageRecord& record) const {
    ImageRecord merged = record;
    if (auto old = find_by_id(record.id)) {
        merged.names = old->names;
        for (const auto& n : record.names)
            if (std::find(merged.names.begin(), merged.names.end(), n) == merged.names.end())
                merged.names.push_back(n);
        if (merged.manifest_digest.empty()) merged.manifest_digest = old->manifest_digest;
    }
    if (merged.created_ns == 0) merged.created_ns = clock::now_ns();
    for (const auto& other : images()) {
        if (other.id == record.id) continue;
        for (const auto& n : record.names)
            if (std::find(other.names.begin(), other.names.end(), n) != other.names.end())
                untag(other, n);
    }
    fs::write_file_atomic(record_path(record.id), record_to_json(merged).dump(2) + "\n", 0600);
}

void ImageStore::untag(const ImageRecord& record, const std::string& name) const {
    ImageRecord r = *find_by_id(record.id);
    r.names.erase(std::remove(r.names.begin(), r.names.end(), name), r.names.end());
    fs::write_file_atomic(record_path(r.id), record_to_json(r).dump(2) + "\n", 0600);
}

std::vector<std::string> ImageStore::remove_image(const std::string& id) const {
    auto record = find_by_id(id);
    if (!record) return {};
    std::set<std::string> used_layers, used_blobs;
    for (const auto& other : images()) {
        if (other.id == id) continue;
        used_layers.insert(other.layers.begin(), other.layers.end());
        used_blobs.insert(other.id);
        if (!other.manifest_digest.empty()) used_blobs.insert(other.manifest_digest);
        for (const auto& l : other.layers)
            if (has_layer(l)) used_blobs.insert(layer_info(l).blob_digest);
    }
    // The record goes first: from here on nothing names the layers below.
    if (::unlink(record_path(id).c_str()) != 0 && errno != ENOENT)
        throw SysError("cannot remove image record " + id, errno);
    std::vector<std::string> removed;
    for (const auto& chain : record->layers) {
        if (used_layers.count(chain) || !has_layer(chain)) continue;
        const std::string blob = layer_info(chain).blob_digest;
        // Renamed out of layers/ first, so a crash in the middle leaves a tmp/ leftover and
        // never a layer that looks complete but is half deleted.
        const std::string doomed = make_tmp_dir("rm-");
        if (::rename((root_ + "/layers/" + digest_hex(chain)).c_str(), (doomed + "/l").c_str()) !=
            0)
            throw SysError("cannot remove layer " + chain, errno);
        fs::remove_tree(doomed);
        if (!blob.empty() && !used_blobs.count(blob)) ::unlink(blob_path(blob).c_str());
        ::unlink((root_ + "/locks/" + digest_hex(chain)).c_str());
        removed.push_back(chain);
    }
    for (const auto& blob : {record->id, record->manifest_digest})
        if (!blob.empty() && !used_blobs.count(blob)) ::unlink(blob_path(blob).c_str());
    return removed;
}

}  // namespace vessel::image
