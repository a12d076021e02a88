#include <gtest/gtest.h>

#include "vessel/util/clock.hpp"

using namespace vessel::clock;

TEST(Clock, Rfc3339RoundTrip) {
    int64_t t = 1'764'398'343'123'456'789;
    auto text = to_rfc3339(t);
    EXPECT_EQ(text, "2025-11-29T06:39:03.123456789Z");
    EXPECT_EQ(from_rfc3339(text), t);
    EXPECT_EQ(from_rfc3339("garbage"), 0);
}

TEST(Clock, HumanDurations) {
    const int64_t s = 1'000'000'000;
    EXPECT_EQ(human_duration(s / 2), "Less than a second");
    EXPECT_EQ(human_duration(1 * s), "1 second");
    EXPECT_EQ(human_duration(5 * s), "5 seconds");
    EXPECT_EQ(human_duration(90 * s), "About a minute");
    EXPECT_EQ(human_duration(120 * s), "2 minutes");
    EXPECT_EQ(human_duration(3 * 3600 * s), "3 hours");
    EXPECT_EQ(human_duration(3 * 86400 * s), "3 days");
}
