#include <gtest/gtest.h>

#include <stdlib.h>

#include "vessel/linux/seccomp_cache.hpp"
#include "vessel/util/fs.hpp"

using namespace vessel;

namespace {

seccomp::Program sample() {
    seccomp::Program p;
    p.code = {{0x20, 0, 0, 4}, {0x15, 0, 1, 0xc000003e}, {0x06, 0, 0, 0x7fff0000}};
    p.rules = 2;
    return p;
}

class SeccompCache : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vessel-unit-cache.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        root_ = std::string(tmpl) + "/state";  // not there yet, as on a first start
    }
    void TearDown() override { fs::remove_tree(root_.substr(0, root_.rfind('/'))); }
    std::string root_;
};

}  // namespace

TEST_F(SeccompCache, StoresAndLoadsTheSameProgram) {
    const std::string path = seccomp_cache::directory(root_) + "/x.bpf";
    EXPECT_FALSE(seccomp_cache::load(path));
    ASSERT_TRUE(seccomp_cache::store(path, sample()));
    auto back = seccomp_cache::load(path);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->code.size(), 3u);
    EXPECT_EQ(back->code[1].k, 0xc000003eu);
    EXPECT_EQ(back->rules, 2u);
}

TEST_F(SeccompCache, ATornOrForeignFileIsRefused) {
    const std::string path = seccomp_cache::directory(root_) + "/x.bpf";
    ASSERT_TRUE(seccomp_cache::store(path, sample()));
    std::string bytes = fs::read_file(path);
    // One instruction changed: the checksum no longer matches.
    std::string flipped = bytes;
    flipped[flipped.size() - 1] ^= 0x01;
    fs::write_file_atomic(path, flipped);
    EXPECT_FALSE(seccomp_cache::load(path));
    // Cut short, as by a crash before the data reached the disk.
    fs::write_file_atomic(path, bytes.substr(0, bytes.size() - 8));
    EXPECT_FALSE(seccomp_cache::load(path));
    fs::write_file_atomic(path, std::string(bytes.size(), '\0'));
    EXPECT_FALSE(seccomp_cache::load(path));
}

TEST_F(SeccompCache, TheNameChangesWithEveryInput) {
    seccomp_profile::Platform p;
    p.kernel = {6, 1};
    const std::string base = seccomp_cache::file_name("{profile}", 0xa80425fb, p);
    EXPECT_EQ(seccomp_cache::file_name("{profile}", 0xa80425fb, p), base);
    EXPECT_NE(seccomp_cache::file_name("{profile }", 0xa80425fb, p), base);
    EXPECT_NE(seccomp_cache::file_name("{profile}", 0xa80425fb | 1ULL << 21, p), base);
    auto newer = p;
    newer.kernel = {6, 8};
    EXPECT_NE(seccomp_cache::file_name("{profile}", 0xa80425fb, newer), base);
    auto other = p;
    other.scmp_arch = "SCMP_ARCH_AARCH64";
    EXPECT_NE(seccomp_cache::file_name("{profile}", 0xa80425fb, other), base);
    auto no_x32 = p;
    no_x32.x32_abi = false;
    EXPECT_NE(seccomp_cache::file_name("{profile}", 0xa80425fb, no_x32), base);
}
