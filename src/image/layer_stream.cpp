#include "vessel/image/layer_stream.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>

#include "vessel/util/error.hpp"

namespace vessel::image {
namespace {

constexpr size_t kBlock = 128 * 1024;

}  // namespace

ReadFn read_fd_fn(int fd) {
    return [fd](void* buf, size_t len) -> size_t {
        for (;;) {
            ssize_t n = ::read(fd, buf, len);
            if (n >= 0) return static_cast<size_t>(n);
            if (errno != EINTR) throw SysError("cannot read the layer", errno);
        }
    };
}

ssize_t LayerStream::on_read(struct archive*, void* self_ptr, const void** buffer) {
    auto* self = static_cast<LayerStream*>(self_ptr);
    *buffer = self->in_buf_.get();
    if (self->source_done_) return 0;
    try {
        size_t n = self->source_(self->in_buf_.get(), kBlock);
        if (n == 0) self->source_done_ = true;
        self->compressed_hash_.update(self->in_buf_.get(), n);
        self->compressed_size_ += n;
        return static_cast<ssize_t>(n);
    } catch (...) {
        // An exception must not unwind through libarchive's C code: keep it, rethrow after.
        self->error_ = std::current_exception();
        return -1;
    }
}

LayerStream::LayerStream(ReadFn source, uint64_t max_bytes)
    : source_(std::move(source)), max_bytes_(max_bytes), in_buf_(new char[kBlock]) {
    ar_ = archive_read_new();
    if (!ar_) throw Error("cannot allocate a libarchive reader");
    // The "raw" format: libarchive only undoes the compression, the tar is parsed by the
    // unpacker from these bytes, so that they can be hashed on the way.
    archive_read_support_filter_gzip(ar_);
    archive_read_support_filter_zstd(ar_);
    archive_read_support_filter_none(ar_);
    archive_read_support_format_raw(ar_);
    archive_read_support_format_empty(ar_);
    if (archive_read_open(ar_, this, nullptr, &LayerStream::on_read, nullptr) != ARCHIVE_OK) {
        std::string msg = archive_error_string(ar_) ? archive_error_string(ar_) : "unknown error";
        archive_read_free(ar_);
        if (error_) std::rethrow_exception(error_);
        throw Error("cannot read the layer: " + msg);
    }
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(ar_, &entry);
    if (rc == ARCHIVE_EOF) {
        done_ = true;  // an empty stream
    } else if (rc != ARCHIVE_OK) {
        std::string msg = archive_error_string(ar_) ? archive_error_string(ar_) : "unknown error";
        archive_read_free(ar_);
        if (error_) std::rethrow_exception(error_);
        throw Error("cannot decompress the layer: " + msg);
    }
}

LayerStream::~LayerStream() {
    archive_read_free(ar_);
}

size_t LayerStream::read(void* buf, size_t len) {
    if (done_) return 0;
    la_ssize_t n = archive_read_data(ar_, buf, len);
    if (n < 0) {
        if (error_) std::rethrow_exception(error_);
        throw Error(std::string("cannot decompress the layer: ") +
                    (archive_error_string(ar_) ? archive_error_string(ar_) : "corrupt data"));
    }
    if (n == 0) {
        done_ = true;
        return 0;
    }
    size_ += static_cast<uint64_t>(n);
    if (size_ > max_bytes_)
        throw Error("the layer decompresses to more than " + std::to_string(max_bytes_) +
                    " bytes (the limit; a compression bomb?): refused");
    hash_.update(buf, static_cast<size_t>(n));
    return static_cast<size_t>(n);
}

void LayerStream::drain() {
    char buf[16384];
    while (read(buf, sizeof buf) > 0) {
    }
    // Bytes after the compressed stream's end (gzip padding) are part of the blob's digest.
    while (!source_done_) {
        size_t n = source_(in_buf_.get(), kBlock);
        if (n == 0) source_done_ = true;
        compressed_hash_.update(in_buf_.get(), n);
        compressed_size_ += n;
    }
}

std::string LayerStream::compressed_digest() {
    return compressed_hash_.digest();
}

std::string LayerStream::diff_id() {
    return hash_.digest();
}

}  // namespace vessel::image
