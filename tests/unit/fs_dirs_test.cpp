// fs::ensure_dirs: mkdir -p, as runc makes its --root (containerd's shim passes
// <runc-root>/<namespace>, whose parent need not exist).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel {
namespace {

TEST(FsDirs, EnsureDirsMakesEveryMissingParent) {
    char tmpl[] = "/tmp/vessel-fs-dirs.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    const std::string base = tmpl;
    fs::ensure_dirs(base + "/a/b/c", 0700);
    struct stat st {};
    ASSERT_EQ(::stat((base + "/a/b/c").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    fs::ensure_dirs(base + "/a/b/c", 0700);  // quiet when it exists
    fs::ensure_dirs(base + "/a/b/c/", 0700);
    fs::write_file_atomic(base + "/file", "x");
    EXPECT_THROW(fs::ensure_dirs(base + "/file/d", 0700), Error);
    fs::remove_tree(base);
}

}  // namespace
}  // namespace vessel
