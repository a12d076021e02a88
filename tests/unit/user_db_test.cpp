#include <gtest/gtest.h>

#include "vessel/core/user_db.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;

namespace {
const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "user:x:1000:1000:User:/home/user:/bin/sh\n"
    "broken line\n"
    "svc:x:200:300::/srv:/bin/false\n";
const char* kGroup =
    "root:x:0:\n"
    "audio:x:29:user,svc\n"
    "users:x:100:user\n"
    "user:x:1000:\n"
    "staff:x:50:\n";
}  // namespace

TEST(UserDb, EmptyIsRoot) {
    auto u = resolve_user("", kPasswd, kGroup);
    EXPECT_EQ(u.uid, 0u);
    EXPECT_EQ(u.gid, 0u);
    EXPECT_EQ(u.home, "/root");
    EXPECT_EQ(u.groups, std::vector<gid_t>{0});
}

TEST(UserDb, NameGivesItsGroupsAndHome) {
    auto u = resolve_user("user", kPasswd, kGroup);
    EXPECT_EQ(u.uid, 1000u);
    EXPECT_EQ(u.gid, 1000u);
    EXPECT_EQ(u.home, "/home/user");
    EXPECT_EQ(u.groups, (std::vector<gid_t>{1000, 29, 100}));
}

TEST(UserDb, NumbersNeedNoEntry) {
    auto u = resolve_user("4242:4343", kPasswd, kGroup);
    EXPECT_EQ(u.uid, 4242u);
    EXPECT_EQ(u.gid, 4343u);
    EXPECT_EQ(u.home, "/");
    EXPECT_EQ(u.groups, std::vector<gid_t>{4343});
}

TEST(UserDb, NumericUidUsesItsEntry) {
    auto u = resolve_user("200", kPasswd, kGroup);
    EXPECT_EQ(u.name, "svc");
    EXPECT_EQ(u.gid, 300u);
    EXPECT_EQ(u.home, "/srv");
}

TEST(UserDb, GroupByName) {
    auto u = resolve_user("user:staff", kPasswd, kGroup);
    EXPECT_EQ(u.gid, 50u);
    EXPECT_EQ(u.groups.front(), 50u);
}

TEST(UserDb, UnknownNamesAreErrors) {
    EXPECT_THROW(resolve_user("nobody", kPasswd, kGroup), Error);
    EXPECT_THROW(resolve_user("user:nogroup", kPasswd, kGroup), Error);
    EXPECT_THROW(resolve_user("user:", kPasswd, kGroup), Error);
    EXPECT_THROW(resolve_user("root", "", ""), Error);
}

TEST(UserDb, HugeNumbersAreNotIds) {
    EXPECT_THROW(resolve_user("99999999999", kPasswd, kGroup), Error);
}
