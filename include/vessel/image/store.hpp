// The image store (docs/images.md, "The store"): content-addressed, under a data root
// (/var/lib/vessel unless --data-root says otherwise).
//
//   DATA_ROOT/blobs/sha256/HEX      manifests, configs and layer blobs, named by their digest
//   DATA_ROOT/layers/HEX/diff/      one unpacked layer, named by its chain id: an overlay lowerdir
//   DATA_ROOT/layers/HEX/layer.json its diffID, blob digest and size
//   DATA_ROOT/images/HEX.json       an image record, named by its config digest (the image id)
//   DATA_ROOT/tmp/                  work in progress: renamed into place when complete
//
// Everything appears by rename(2), so a crash leaves work in tmp/ (cleared by the next writer),
// never a half-made layer or record. Three kinds of flock(2):
//   locks/gc          shared by every load or pull, exclusive by rmi and prune: nothing is
//                     deleted under an import that is about to reference it;
//   locks/records     exclusive while image records change (short);
//   locks/HEX         per layer: two pulls sharing a layer unpack it once, the second waits and
//                     finds it done.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vessel/image/unpacker.hpp"
#include "vessel/util/unique_fd.hpp"

namespace vessel::image {

inline constexpr const char* kDefaultDataRoot = "/var/lib/vessel";

struct ImageRecord {
    std::string id;                   // the config's digest: the image id
    std::string manifest_digest;      // the manifest it came with (synthesised for docker archives)
    std::vector<std::string> names;   // canonical references: docker.io/library/busybox:latest
    std::vector<std::string> layers;  // chain ids, bottom first
    std::vector<std::string> diff_ids;  // bottom first
    uint64_t size = 0;                  // unpacked bytes, all layers
    int64_t created_ns = 0;             // when it entered this store
};

struct LayerInfo {
    std::string chain_id, diff_id, blob_digest, blob_media_type;
    uint64_t size = 0, blob_size = 0;
};

// An flock(2) held for this object's life.
class StoreLock {
  public:
    StoreLock() = default;
    explicit StoreLock(UniqueFd fd) : fd_(std::move(fd)) {}

  private:
    UniqueFd fd_;
};

class ImageStore {
  public:
    // Creates the directories (0700) if needed.
    explicit ImageStore(std::string root);
    const std::string& root() const { return root_; }

    StoreLock lock_gc(bool exclusive) const;
    StoreLock lock_records() const;

    // Blobs.
    std::string blob_path(const std::string& digest) const;
    bool has_blob(const std::string& digest) const;
    // Stores `data` and returns its digest; `expected` (when not empty) must match.
    std::string put_blob(std::string_view data, const std::string& expected = "") const;
    // The blob's bytes, re-hashed: a blob changed on disk is an error, not an image.
    std::string read_blob(const std::string& digest) const;

    // Layers.
    std::string layer_dir(const std::string& chain_id) const;  // .../layers/HEX/diff
    bool has_layer(const std::string& chain_id) const;
    LayerInfo layer_info(const std::string& chain_id) const;
    // Makes the layer `chain_id` (diffID `diff_id`) exist: unless it does already, reads it from
    // `open_source()` (compressed or not), unpacks it safely while storing the bytes as a blob,
    // and checks the blob's digest (`blob_digest`, when known) and the diffID. Two processes
    // calling this for one layer: one unpacks, the other waits and finds it done. Returns true
    // when this call unpacked it. Throws Error, leaving nothing behind.
    bool ensure_layer(const std::string& chain_id, const std::string& diff_id,
                      const std::string& blob_digest, const std::string& media_type,
                      const std::function<ReadFn()>& open_source, const UnpackLimits& limits) const;

    // Image records.
    std::vector<ImageRecord> images() const;
    std::optional<ImageRecord> find_by_id(const std::string& id) const;
    // A name (any reference form), a full id, or an unambiguous id prefix (with or without
    // "sha256:"). std::nullopt when nothing matches; Error when a prefix is ambiguous.
    std::optional<ImageRecord> resolve(const std::string& text) const;
    // Writes the record, merged with the one of the same id; its names move away from any other
    // image (a tag names one image). The caller holds lock_records().
    void put_image(const ImageRecord& record) const;
    // Removes one name from an image (untag). The caller holds lock_records().
    void untag(const ImageRecord& record, const std::string& name) const;
    // Removes the record and every layer and blob no other record uses. The caller holds
    // lock_gc(true) and lock_records(). Returns the ids of the layers removed.
    std::vector<std::string> remove_image(const std::string& id) const;

  private:
    std::string record_path(const std::string& id) const;
    std::string make_tmp_dir(const std::string& prefix) const;

    std::string root_;
};

// The canonical form of a name given by a user ("busybox" -> "docker.io/library/busybox:latest").
std::string canonical_name(const std::string& text);
// The short form for display ("docker.io/library/busybox:latest" -> {"busybox", "latest"}).
std::pair<std::string, std::string> display_name(const std::string& canonical);

}  // namespace vessel::image
