#include <gtest/gtest.h>

#include "vessel/core/detach_keys.hpp"

using namespace vessel;

TEST(DetachKeys, PassesOrdinaryInput) {
    DetachKeys keys;
    bool detach = false;
    EXPECT_EQ(keys.filter("ls -l\n", detach), "ls -l\n");
    EXPECT_FALSE(detach);
}

TEST(DetachKeys, DetachesOnCtrlPCtrlQ) {
    DetachKeys keys;
    bool detach = false;
    EXPECT_EQ(keys.filter("exit\x10\x11rest", detach), "exit");
    EXPECT_TRUE(detach);
}

TEST(DetachKeys, SequenceSplitAcrossReads) {
    DetachKeys keys;
    bool detach = false;
    EXPECT_EQ(keys.filter("a\x10", detach), "a");  // held back: it may start the sequence
    EXPECT_FALSE(detach);
    EXPECT_EQ(keys.filter("\x11", detach), "");
    EXPECT_TRUE(detach);
}

TEST(DetachKeys, LoneCtrlPReachesTheContainer) {
    DetachKeys keys;
    bool detach = false;
    EXPECT_EQ(keys.filter("\x10", detach), "");
    EXPECT_EQ(keys.filter("x", detach), "\x10x");
    EXPECT_EQ(keys.filter("\x10\x10\x11", detach), "\x10");
    EXPECT_TRUE(detach);
}
