// The store: blobs by digest, layers by chain id, records; one unpack per layer across processes.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "temp_dir_fixture.hpp"

#include <cstring>

#include "support/tar_builder.hpp"
#include "vessel/image/digest.hpp"
#include "vessel/image/load.hpp"
#include "vessel/image/store.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

using namespace vessel;
using namespace vessel::image;
using vessel::test::TarBuilder;

namespace {

std::function<ReadFn()> source_of(const std::string& data) {
    return [data]() -> ReadFn {
        auto pos = std::make_shared<size_t>(0);
        return [data, pos](void* buf, size_t len) -> size_t {
            size_t n = std::min(len, data.size() - *pos);
            std::memcpy(buf, data.data() + *pos, n);
            *pos += n;
            return n;
        };
    };
}

class StoreTest : public vessel::test_support::TempDirTest {
  protected:
};

}  // namespace

TEST_F(StoreTest, BlobsAreCheckedOnTheWayInAndOut) {
    ImageStore store(root_);
    const std::string d = store.put_blob("hello");
    EXPECT_EQ(d, digest_of("hello"));
    EXPECT_EQ(store.read_blob(d), "hello");
    EXPECT_THROW(store.put_blob("x", digest_of("y")), Error);
    fs::write_file_atomic(store.blob_path(d), "HELLO", 0600);  // changed on disk
    EXPECT_THROW(store.read_blob(d), Error);
}

TEST_F(StoreTest, ALayerIsUnpackedOnceAndCheckedAgainstItsDiffId) {
    ImageStore store(root_);
    const std::string tar = TarBuilder().file("f", "data").build(TarBuilder::Compression::kGzip);
    const std::string diff = digest_of(TarBuilder().file("f", "data").build());
    EXPECT_THROW(store.ensure_layer(diff, digest_of("other"), "", "", source_of(tar), {}), Error);
    EXPECT_FALSE(store.has_layer(diff));
    EXPECT_THROW(store.ensure_layer(diff, diff, digest_of("x"), "", source_of(tar), {}), Error);
    EXPECT_FALSE(store.has_layer(diff));
    EXPECT_TRUE(store.ensure_layer(diff, diff, digest_of(tar), "gz", source_of(tar), {}));
    EXPECT_FALSE(store.ensure_layer(diff, diff, digest_of(tar), "gz", source_of(tar), {}));
    EXPECT_EQ(fs::read_file(store.layer_dir(diff) + "/f"), "data");
    EXPECT_EQ(store.layer_info(diff).blob_digest, digest_of(tar));
    EXPECT_TRUE(store.has_blob(digest_of(tar)));
    // Nothing left in tmp/ by the failures.
    EXPECT_EQ(::rmdir((root_ + "/tmp").c_str()), 0);
}

TEST_F(StoreTest, ConcurrentProcessesUnpackASharedLayerOnce) {
    ImageStore store(root_);
    TarBuilder b;
    for (int i = 0; i < 200; ++i) b.file("f" + std::to_string(i), std::string(5000, 'x'));
    const std::string tar = b.build();
    const std::string diff = digest_of(tar);
    pid_t pids[4];
    for (int i = 0; i < 4; ++i) {
        pids[i] = ::fork();
        if (pids[i] == 0) {
            bool made = false;
            try {
                made = ImageStore(root_).ensure_layer(diff, diff, diff, "", source_of(tar), {});
            } catch (...) {
                ::_exit(2);
            }
            ::_exit(made ? 1 : 0);
        }
    }
    int unpacked = 0;
    for (int i = 0; i < 4; ++i) {
        int status = 0;
        ASSERT_EQ(::waitpid(pids[i], &status, 0), pids[i]);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_NE(WEXITSTATUS(status), 2) << "a process failed";
        unpacked += WEXITSTATUS(status);
    }
    EXPECT_EQ(unpacked, 1);
    EXPECT_TRUE(store.has_layer(diff));
}

TEST_F(StoreTest, RecordsNamesMoveAndRemovalKeepsSharedLayers) {
    ImageStore store(root_);
    const std::string t1 = TarBuilder().file("base", "b").build();
    const std::string t2 = TarBuilder().file("top", "t").build();
    const std::string base = digest_of(t1), top = chain_id(base, digest_of(t2));
    store.ensure_layer(base, base, "", "", source_of(t1), {});
    store.ensure_layer(top, digest_of(t2), "", "", source_of(t2), {});
    ImageRecord a{store.put_blob("config-a"), "", {"docker.io/library/a:1"}, {base, top}, {}, 1, 0};
    ImageRecord b{store.put_blob("config-b"), "", {"docker.io/library/b:1"}, {base}, {}, 1, 0};
    store.put_image(a);
    store.put_image(b);
    EXPECT_EQ(store.resolve("a:1")->id, a.id);
    EXPECT_EQ(store.resolve("docker.io/library/b:1")->id, b.id);
    EXPECT_EQ(store.resolve(a.id.substr(7, 12))->id, a.id);
    EXPECT_FALSE(store.resolve("c"));
    // A tag names one image: giving b the name a:1 takes it from a.
    ImageRecord b2 = b;
    b2.names = {"docker.io/library/a:1"};
    store.put_image(b2);
    EXPECT_EQ(store.resolve("a:1")->id, b.id);
    EXPECT_TRUE(store.find_by_id(a.id)->names.empty());
    // Removing a keeps the base layer b still uses.
    auto removed = store.remove_image(a.id);
    EXPECT_EQ(removed, std::vector<std::string>{top});
    EXPECT_TRUE(store.has_layer(base));
    EXPECT_FALSE(store.has_layer(top));
    store.remove_image(b.id);
    EXPECT_FALSE(store.has_layer(base));
    EXPECT_TRUE(store.images().empty());
}

TEST(LoadPaths, ManifestJsonPathsMustBePlainRelativeNames) {
    EXPECT_TRUE(is_safe_archive_path("abc/layer.tar"));
    EXPECT_TRUE(is_safe_archive_path("blobs/sha256/0123"));
    for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "./a", "a//b", "a/."})
        EXPECT_FALSE(is_safe_archive_path(bad)) << bad;
}
