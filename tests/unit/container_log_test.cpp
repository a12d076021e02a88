#include <gtest/gtest.h>

#include "vessel/core/container_log.hpp"

using namespace vessel::container_log;

TEST(ContainerLog, FormatAndParseRoundTrip) {
    Record r{1'764'398'343'123'456'789, Stream::kStderr, false, "hello  world "};
    std::string line = format(r);
    EXPECT_EQ(line, "2025-11-29T06:39:03.123456789Z stderr F hello  world \n");
    auto back = parse(std::string_view(line).substr(0, line.size() - 1));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->time_ns, r.time_ns);
    EXPECT_EQ(back->stream, Stream::kStderr);
    EXPECT_FALSE(back->partial);
    EXPECT_EQ(back->text, "hello  world ");
    EXPECT_EQ(payload(*back), "hello  world \n");
}

TEST(ContainerLog, EmptyLinesAndBinaryBytesSurvive) {
    std::string bytes("a\0b\r\x01\xff", 6);
    for (const std::string& text : {std::string(), bytes}) {
        Record r{1'000'000'000, Stream::kStdout, true, text};
        std::string line = format(r);
        auto back = parse(std::string_view(line).substr(0, line.size() - 1));
        ASSERT_TRUE(back);
        EXPECT_TRUE(back->partial);
        EXPECT_EQ(back->text, text);
        EXPECT_EQ(payload(*back), text);
    }
}

TEST(ContainerLog, GarbageIsNotARecord) {
    EXPECT_FALSE(parse(""));
    EXPECT_FALSE(parse("hello"));
    EXPECT_FALSE(parse("2025-11-29T06:39:03.123456789Z stdin F x"));
    EXPECT_FALSE(parse("2025-11-29T06:39:03.123456789Z stdout X x"));
    EXPECT_FALSE(parse("yesterday stdout F x"));
}

TEST(ContainerLog, SplitterCutsAtNewlines) {
    LineSplitter s;
    auto pieces = s.feed("one\ntw");
    ASSERT_EQ(pieces.size(), 1u);
    EXPECT_EQ(pieces[0].text, "one");
    EXPECT_FALSE(pieces[0].partial);
    EXPECT_TRUE(s.pending());
    pieces = s.feed("o\n\nthree");
    ASSERT_EQ(pieces.size(), 2u);
    EXPECT_EQ(pieces[0].text, "two");
    EXPECT_EQ(pieces[1].text, "");
    auto rest = s.flush();
    ASSERT_TRUE(rest);
    EXPECT_EQ(rest->text, "three");
    EXPECT_TRUE(rest->partial);
    EXPECT_FALSE(s.flush());
}

TEST(ContainerLog, SplitterCutsLongLines) {
    LineSplitter s;
    std::string big(LineSplitter::kMaxLine * 2 + 10, 'x');
    auto pieces = s.feed(big + "\n");
    ASSERT_EQ(pieces.size(), 3u);
    EXPECT_TRUE(pieces[0].partial);
    EXPECT_EQ(pieces[0].text.size(), LineSplitter::kMaxLine);
    EXPECT_TRUE(pieces[1].partial);
    EXPECT_FALSE(pieces[2].partial);
    EXPECT_EQ(pieces[2].text.size(), 10u);
    EXPECT_EQ(pieces[0].text + pieces[1].text + pieces[2].text, big);
}

TEST(ContainerLog, TailCountsLines) {
    auto rec = [](bool partial) { return Record{1, Stream::kStdout, partial, "x"}; };
    std::vector<Record> v = {rec(false), rec(true), rec(false), rec(false), rec(true)};
    // Lines: [0] [1,2] [3] [4 (unfinished)].
    EXPECT_EQ(tail_start(v, 0), 5u);
    EXPECT_EQ(tail_start(v, 1), 4u);
    EXPECT_EQ(tail_start(v, 2), 3u);
    EXPECT_EQ(tail_start(v, 3), 1u);
    EXPECT_EQ(tail_start(v, 4), 0u);
    EXPECT_EQ(tail_start(v, 100), 0u);
    EXPECT_EQ(tail_start({}, 3), 0u);
}
