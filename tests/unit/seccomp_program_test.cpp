#include <gtest/gtest.h>

#include "vessel/linux/seccomp.hpp"

using namespace vessel;

namespace {
seccomp::Program sample() {
    seccomp::Program p;
    p.flags = 1;
    p.rules = 3;
    p.code = {{0x20, 0, 0, 4}, {0x15, 1, 0, 0xc000003e}, {0x06, 0, 0, 0x7fff0000}};
    return p;
}
}  // namespace

TEST(SeccompProgram, KeptBytesLoadBackTheSameProgram) {
    auto bytes = seccomp::serialize(sample());
    auto back = seccomp::deserialize(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->flags, 1u);
    EXPECT_EQ(back->rules, 3u);
    ASSERT_EQ(back->code.size(), 3u);
    EXPECT_EQ(back->code[1].code, 0x15);
    EXPECT_EQ(back->code[1].jt, 1);
    EXPECT_EQ(back->code[1].k, 0xc000003eu);
}

TEST(SeccompProgram, AnythingElseIsNoProgram) {
    auto bytes = seccomp::serialize(sample());
    EXPECT_FALSE(seccomp::deserialize(""));
    EXPECT_FALSE(seccomp::deserialize("not a program"));
    EXPECT_FALSE(seccomp::deserialize(bytes.substr(0, bytes.size() - 1)));  // cut short
    EXPECT_FALSE(seccomp::deserialize(bytes + "x"));                        // trailing bytes
    std::string other = bytes;
    other[0] = 'X';
    EXPECT_FALSE(seccomp::deserialize(other));
    seccomp::Program empty;
    EXPECT_FALSE(seccomp::deserialize(seccomp::serialize(empty)));
}
