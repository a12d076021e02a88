// A layer as it arrives: compressed bytes (gzip, zstd, or none) read from a source, decompressed
// as they stream by libarchive's filters, and hashed twice on the way: the compressed bytes give
// the digest the manifest names, the decompressed bytes the diffID the config names
// (docs/images.md). Nothing is buffered beyond one block: no temporary tarball.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "vessel/image/digest.hpp"

struct archive;

namespace vessel::image {

// Fills `buf` with up to `len` bytes; returns 0 at the end. Throws on errors.
using ReadFn = std::function<size_t(void* buf, size_t len)>;
// A ReadFn over a file descriptor (a pipe, a file, stdin).
ReadFn read_fd_fn(int fd);

class LayerStream {
  public:
    // `max_bytes` bounds the decompressed size: a gzip bomb fails cleanly instead of filling the
    // disk.
    LayerStream(ReadFn source, uint64_t max_bytes);
    ~LayerStream();
    LayerStream(const LayerStream&) = delete;
    LayerStream& operator=(const LayerStream&) = delete;

    // Up to `len` decompressed bytes; 0 at the end of the stream. Throws Error.
    size_t read(void* buf, size_t len);
    // Reads (and hashes) whatever is left, decompressed and compressed: a tar reader stops at the
    // end marker, but the diffID covers the whole stream.
    void drain();
    // Valid after drain().
    std::string compressed_digest();
    std::string diff_id();
    uint64_t compressed_size() const { return compressed_size_; }
    uint64_t size() const { return size_; }

  private:
    static ssize_t on_read(struct archive*, void* self, const void** buffer);

    ReadFn source_;
    uint64_t max_bytes_;
    struct archive* ar_ = nullptr;
    std::unique_ptr<char[]> in_buf_;
    Sha256 compressed_hash_, hash_;
    uint64_t compressed_size_ = 0, size_ = 0;
    bool source_done_ = false, done_ = false;
    std::exception_ptr error_;  // from the source, kept across libarchive's C frames
};

}  // namespace vessel::image
