// The safe unpacker, rule by rule (include/vessel/image/unpacker.hpp), each with a crafted layer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cstring>

#include "support/tar_builder.hpp"
#include "vessel/image/digest.hpp"
#include "vessel/image/unpacker.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

using namespace vessel;
using namespace vessel::image;
using vessel::test::TarBuilder;
using C = TarBuilder::Compression;

namespace {

ReadFn from_string(const std::string& data) {
    auto pos = std::make_shared<size_t>(0);
    return [data, pos](void* buf, size_t len) -> size_t {
        size_t n = std::min(len, data.size() - *pos);
        std::memcpy(buf, data.data() + *pos, n);
        *pos += n;
        return n;
    };
}

class UnpackerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vessel-unpack.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        base_ = tmpl;
        layer_ = base_ + "/layer";
        outside_ = base_ + "/outside";
        fs::ensure_dir(layer_, 0755);
        fs::ensure_dir(outside_, 0755);
    }
    void TearDown() override { fs::remove_tree(base_); }

    UnpackResult unpack(const std::string& tar, const UnpackLimits& limits = {}) {
        UniqueFd dir = fs::open_dir(layer_);
        return unpack_layer(from_string(tar), dir.get(), limits);
    }
    struct stat lstat_of(const std::string& rel) {
        struct stat st {};
        EXPECT_EQ(::lstat((layer_ + "/" + rel).c_str(), &st), 0) << rel;
        return st;
    }
    bool in_layer(const std::string& rel) { return fs::exists(layer_ + "/" + rel); }

    std::string base_, layer_, outside_;
};

}  // namespace

TEST(Digest, Sha256AndChainIds) {
    EXPECT_EQ(digest_of(""),
              "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_TRUE(is_digest(digest_of("x")));
    EXPECT_FALSE(is_digest("sha256:ABC"));
    EXPECT_FALSE(is_digest("sha512:" + std::string(64, 'a')));
    EXPECT_THROW(check_digest("sha256:../../etc", "layer"), Error);
    const std::string a = digest_of("a"), b = digest_of("b");
    EXPECT_EQ(chain_id("", a), a);
    EXPECT_EQ(chain_id(a, b), digest_of(a + " " + b));
}

TEST_F(UnpackerTest, FilesDirsSymlinksWithTheirModesAndOwners) {
    const std::string tar = TarBuilder()
                                .dir("./")
                                .dir("./etc", 0750)
                                .file("./etc/hostname", "box\n", 0640, 1000)
                                .symlink("./bin", "usr/bin")
                                .file("./suid", "x", 04755)
                                .build();
    UnpackResult r = unpack(tar);
    EXPECT_EQ(r.diff_id, digest_of(tar));
    EXPECT_EQ(r.digest, digest_of(tar));  // uncompressed: the two are one
    EXPECT_EQ(fs::read_file(layer_ + "/etc/hostname"), "box\n");
    EXPECT_EQ(lstat_of("etc").st_mode & 07777, 0750u);
    EXPECT_EQ(lstat_of("etc/hostname").st_mode & 07777, 0640u);
    EXPECT_EQ(lstat_of("etc/hostname").st_uid, 1000u);
    EXPECT_EQ(lstat_of("suid").st_mode & 07777, 04755u);  // setuid kept, as docker does
    EXPECT_TRUE(S_ISLNK(lstat_of("bin").st_mode));
}

TEST_F(UnpackerTest, GzipAndZstdLayersGiveBothDigests) {
    TarBuilder b;
    b.file("a", std::string(100000, 'a')).file("b", "bee");
    const std::string plain = b.build();
    for (C c : {C::kGzip, C::kZstd}) {
        fs::remove_tree(layer_);
        fs::ensure_dir(layer_, 0755);
        const std::string packed = b.build(c);
        ASSERT_NE(packed, plain);
        UnpackResult r = unpack(packed);
        EXPECT_EQ(r.digest, digest_of(packed));
        EXPECT_EQ(r.diff_id, digest_of(plain));
        EXPECT_EQ(fs::read_file(layer_ + "/b"), "bee");
    }
}

TEST_F(UnpackerTest, DiffIdCoversBytesAfterTheTarEndMarker) {
    const std::string trailer(1 << 20, '\0');  // beyond any read-ahead
    const std::string tar = TarBuilder().file("f", "x").build(C::kNone, trailer);
    UnpackResult r = unpack(tar);
    EXPECT_EQ(r.diff_id, digest_of(tar));
    EXPECT_NE(r.diff_id, digest_of(tar.substr(0, tar.size() - trailer.size())));
}

TEST_F(UnpackerTest, LeadingSlashAndDotAreNormalised) {
    unpack(TarBuilder().dir("/").file("/abs", "1").file("./rel", "2").file("a/../b", "3").build());
    EXPECT_EQ(fs::read_file(layer_ + "/abs"), "1");
    EXPECT_EQ(fs::read_file(layer_ + "/rel"), "2");
    EXPECT_EQ(fs::read_file(layer_ + "/b"), "3");
    EXPECT_EQ(clean_entry_name("./a//b/"), "a/b");
    EXPECT_EQ(clean_entry_name("/"), "");
}

TEST_F(UnpackerTest, DotDotOutOfTheRootIsRefused) {
    EXPECT_THROW(unpack(TarBuilder().file("../outside/evil", "x").build()), Error);
    EXPECT_THROW(unpack(TarBuilder().file("a/../../outside/evil", "x").build()), Error);
    EXPECT_FALSE(fs::exists(outside_ + "/evil"));
}

TEST_F(UnpackerTest, NothingIsWrittenThroughASymlinkedParent) {
    const std::string tar =
        TarBuilder().symlink("escape", outside_).file("escape/evil", "x").build();
    EXPECT_THROW(unpack(tar), Error);
    EXPECT_FALSE(fs::exists(outside_ + "/evil"));
    // A relative one that climbs out, too.
    fs::remove_tree(layer_);
    fs::ensure_dir(layer_, 0755);
    EXPECT_THROW(unpack(TarBuilder().symlink("up", "../outside").file("up/evil", "x").build()),
                 Error);
    EXPECT_FALSE(fs::exists(outside_ + "/evil"));
}

TEST_F(UnpackerTest, ASymlinkReplacedByAnEntryIsUnlinkedNotFollowed) {
    fs::write_file_atomic(outside_ + "/target", "host", 0600);
    unpack(TarBuilder()
               .symlink("f", outside_ + "/target")
               .file("f", "layer", 0777)
               .symlink("d", outside_)
               .dir("d", 0777)
               .build());
    EXPECT_EQ(fs::read_file(outside_ + "/target"), "host");
    struct stat st {};
    ASSERT_EQ(::stat((outside_ + "/target").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);  // no chmod through the link
    ASSERT_EQ(::stat(outside_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755u);
    EXPECT_TRUE(S_ISREG(lstat_of("f").st_mode));
    EXPECT_TRUE(S_ISDIR(lstat_of("d").st_mode));
    EXPECT_EQ(fs::read_file(layer_ + "/f"), "layer");
}

TEST_F(UnpackerTest, HardlinksResolveInsideTheLayerOnly) {
    unpack(TarBuilder().file("a", "data").hardlink("b", "a").build());
    EXPECT_EQ(lstat_of("a").st_ino, lstat_of("b").st_ino);

    fs::write_file_atomic(outside_ + "/secret", "host", 0600);
    for (const std::string& target :
         {std::string("../outside/secret"), outside_ + "/secret", std::string("missing")}) {
        fs::remove_tree(layer_);
        fs::ensure_dir(layer_, 0755);
        EXPECT_THROW(unpack(TarBuilder().hardlink("h", target).build()), Error) << target;
    }
    // Through a symlink of the layer: refused as well.
    fs::remove_tree(layer_);
    fs::ensure_dir(layer_, 0755);
    EXPECT_THROW(unpack(TarBuilder().symlink("o", outside_).hardlink("h", "o/secret").build()),
                 Error);
    struct stat st {};
    ASSERT_EQ(::stat((outside_ + "/secret").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u);
}

TEST_F(UnpackerTest, DeviceNodesAreKeptInsideTheRoot) {
    unpack(TarBuilder().chardev("dev/null", 1, 3, 0666).build());
    struct stat st = lstat_of("dev/null");
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(1, 3));
    EXPECT_EQ(st.st_mode & 07777, 0666u);
    fs::remove_tree(layer_);
    fs::ensure_dir(layer_, 0755);
    EXPECT_THROW(unpack(TarBuilder().symlink("d", outside_).chardev("d/null", 1, 3).build()),
                 Error);
    EXPECT_FALSE(fs::exists(outside_ + "/null"));
}

TEST_F(UnpackerTest, WhiteoutsBecomeOverlayWhiteoutsAndOpaqueDirs) {
    unpack(TarBuilder()
               .file(".wh.gone", "")
               .dir("opaque")
               .file("opaque/.wh..wh..opq", "")
               .file("opaque/kept", "k")
               .file("etc/.wh.passwd", "")
               .build());
    struct stat st = lstat_of("gone");
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(0, 0));
    EXPECT_TRUE(S_ISCHR(lstat_of("etc/passwd").st_mode));
    char value[8] = {};
    ASSERT_EQ(::lgetxattr((layer_ + "/opaque").c_str(), "trusted.overlay.opaque", value, 8), 1);
    EXPECT_EQ(value[0], 'y');
    EXPECT_TRUE(in_layer("opaque/kept"));
    EXPECT_FALSE(in_layer(".wh.gone"));
    EXPECT_FALSE(in_layer("opaque/.wh..wh..opq"));
}

TEST_F(UnpackerTest, BareWhiteoutsAndWhiteoutsOfDotAreRefused) {
    for (const char* name : {".wh.", ".wh..", ".wh...", "dir/.wh.."}) {
        fs::remove_tree(layer_);
        fs::ensure_dir(layer_, 0755);
        EXPECT_THROW(unpack(TarBuilder().file(name, "").build()), Error) << name;
    }
}

TEST_F(UnpackerTest, FileSizeIsBounded) {
    UnpackLimits limits;
    limits.max_file_bytes = 1 << 20;
    EXPECT_THROW(unpack(TarBuilder().big_file("big", 2 << 20).build(), limits), Error);
    fs::remove_tree(layer_);
    fs::ensure_dir(layer_, 0755);
    EXPECT_NO_THROW(unpack(TarBuilder().big_file("fits", 1 << 19).build(), limits));
}

TEST_F(UnpackerTest, ACompressionBombFailsCleanly) {
    const std::string bomb = TarBuilder().big_file("zeros", 32 << 20).build(C::kGzip);
    ASSERT_LT(bomb.size(), 1u << 20);
    UnpackLimits limits;
    limits.max_layer_bytes = 8 << 20;
    try {
        unpack(bomb, limits);
        FAIL() << "a 32 MiB layer passed an 8 MiB limit";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos) << e.what();
    }
}

TEST_F(UnpackerTest, CorruptCompressedDataFails) {
    std::string packed = TarBuilder().file("a", std::string(50000, 'q')).build(C::kGzip);
    packed.resize(packed.size() / 2);
    EXPECT_THROW(unpack(packed), Error);
}
