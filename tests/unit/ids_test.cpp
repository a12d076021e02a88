#include <gtest/gtest.h>

#include "vessel/core/ids.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;

TEST(Ids, NewIdIs64HexAndRandom) {
    auto a = ids::new_container_id();
    auto b = ids::new_container_id();
    EXPECT_EQ(a.size(), 64u);
    EXPECT_TRUE(ids::looks_like_id_prefix(a));
    EXPECT_NE(a, b);
}

TEST(Ids, NamesFollowDockersRules) {
    EXPECT_TRUE(ids::is_valid_name("web"));
    EXPECT_TRUE(ids::is_valid_name("a1"));
    EXPECT_TRUE(ids::is_valid_name("my_app.v2-beta"));
    EXPECT_FALSE(ids::is_valid_name("x"));  // docker wants two characters at least
    EXPECT_FALSE(ids::is_valid_name(""));
    EXPECT_FALSE(ids::is_valid_name("-web"));
    EXPECT_FALSE(ids::is_valid_name("we b"));
    EXPECT_FALSE(ids::is_valid_name("a/b"));
    EXPECT_FALSE(ids::is_valid_name(std::string(129, 'a')));
    EXPECT_THROW(ids::check_name("../etc"), Error);
}

TEST(Ids, Hostnames) {
    EXPECT_TRUE(ids::is_valid_hostname("box1"));
    EXPECT_TRUE(ids::is_valid_hostname("a.b-c.d"));
    EXPECT_FALSE(ids::is_valid_hostname(""));
    EXPECT_FALSE(ids::is_valid_hostname("-a"));
    EXPECT_FALSE(ids::is_valid_hostname("a-"));
    EXPECT_FALSE(ids::is_valid_hostname("a..b"));
    EXPECT_FALSE(ids::is_valid_hostname("bad_host"));
    EXPECT_FALSE(ids::is_valid_hostname(std::string(65, 'a')));
}

TEST(Ids, IdPrefixes) {
    EXPECT_TRUE(ids::looks_like_id_prefix("3f2a"));
    EXPECT_FALSE(ids::looks_like_id_prefix("3F2A"));
    EXPECT_FALSE(ids::looks_like_id_prefix("web"));
    EXPECT_FALSE(ids::looks_like_id_prefix(""));
}
