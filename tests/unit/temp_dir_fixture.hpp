// A test fixture with a fresh directory of its own under /tmp (root_), removed after each test:
// for the stores (state, images, networks) and the files they write.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "vessel/util/fs.hpp"

namespace vessel::test_support {

class TempDirTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vessel-unit.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        root_ = tmpl;
    }
    void TearDown() override { fs::remove_tree(root_); }

    std::string root_;
};

}  // namespace vessel::test_support
