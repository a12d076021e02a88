#include <gtest/gtest.h>

#include "vessel/core/ids.hpp"

using namespace vessel;

TEST(Ids, NewIdIs64HexAndRandom) {
    auto a = ids::new_container_id();
    auto b = ids::new_container_id();
    EXPECT_EQ(a.size(), 64u);
    EXPECT_TRUE(ids::looks_like_id_prefix(a));
    EXPECT_NE(a, b);
}
