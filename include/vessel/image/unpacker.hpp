// The safe unpacker (docs/images.md, "Unpacking safely"): writes one layer's tar into its own
// empty directory, as overlayfs wants it, without ever trusting a name in the tar.
//
// - names are cleaned ("/", "./", "a/../b"); a name that climbs out of the root is refused;
// - every parent is walked one component at a time with O_NOFOLLOW: nothing is ever created,
//   written, chmod-ed or chown-ed through a symlink (CVE-2018-15664, CVE-2021-32760); an
//   existing symlink an entry replaces is unlinked, not followed;
// - hard links point at an entry of this layer, found the same way;
// - whiteouts `.wh.NAME` become overlayfs whiteouts (a 0/0 character device), `.wh..wh..opq`
//   the trusted.overlay.opaque xattr on its directory; `.wh.` alone, `.wh..` and `.wh...` are
//   refused;
// - device nodes and setuid bits are kept as the image says (docker does), inside the root;
// - a file's size and the layer's total are bounded (sparse files and compression bombs).
// A layer lives in a directory of its own, so an earlier layer's symlinks are not even there.
#pragma once

#include <cstdint>
#include <string>

#include "vessel/image/layer_stream.hpp"

namespace vessel::image {

struct UnpackLimits {
    uint64_t max_file_bytes = uint64_t{16} << 30;   // one file's (declared) size
    uint64_t max_layer_bytes = uint64_t{64} << 30;  // the decompressed layer, and all its files
};

struct UnpackResult {
    std::string digest;   // sha256 of the bytes read (compressed)
    std::string diff_id;  // sha256 of the decompressed tar, to its very end
    uint64_t compressed_size = 0;
    uint64_t size = 0;
    uint64_t entries = 0;
};

// Unpacks the layer read from `source` into the empty directory `dest_fd`. Throws Error (125)
// for a layer that breaks a rule above; the caller removes what was written.
UnpackResult unpack_layer(const ReadFn& source, int dest_fd, const UnpackLimits& limits = {});

// The cleaned, root-relative form of a tar entry name ("./a//b/" -> "a/b", "/" -> ""). Throws
// Error for a name whose ".." leaves the root.
std::string clean_entry_name(const std::string& name);

}  // namespace vessel::image
