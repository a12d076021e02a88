#include <gtest/gtest.h>

#include "vessel/core/ipv4.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;

TEST(Ipv4, ParsesAndPrints) {
    const Ipv4 ip = Ipv4::parse("10.88.0.1");
    EXPECT_EQ(ip.value, 0x0a580001u);
    EXPECT_EQ(ip.str(), "10.88.0.1");
    EXPECT_EQ(Ipv4::parse("255.255.255.255").value, 0xffffffffu);
    EXPECT_EQ(Ipv4::parse("0.0.0.0").str(), "0.0.0.0");
}

TEST(Ipv4, RejectsWhatIsNotADottedQuad) {
    for (const char* bad :
         {"", "10.88.0", "10.88.0.1.2", "10.88.0.256", "10..0.1", "a.b.c.d", "10.88.0.1 ",
          " 10.88.0.1", "-1.0.0.0", "10.88.0.", "1000.0.0.1", "010.88.0.1", "10.88.0.01"}) {
        EXPECT_THROW(Ipv4::parse(bad), Error) << bad;
    }
    try {
        Ipv4::parse("10.1");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("\"10.1\""), std::string::npos) << e.what();
        EXPECT_EQ(e.exit_code(), 125);
    }
}

TEST(Ipv4, Orders) {
    EXPECT_LT(Ipv4::parse("10.0.0.2"), Ipv4::parse("10.0.0.10"));
    EXPECT_LT(Ipv4::parse("9.255.255.255"), Ipv4::parse("10.0.0.0"));
}

TEST(Ipv4Subnet, ParsesAndPrints) {
    const Subnet s = Subnet::parse("172.17.0.0/16");
    EXPECT_EQ(s.base.str(), "172.17.0.0");
    EXPECT_EQ(s.prefix, 16);
    EXPECT_EQ(s.str(), "172.17.0.0/16");
    EXPECT_EQ(s.first_host().str(), "172.17.0.1");
    EXPECT_EQ(s.broadcast().str(), "172.17.255.255");
    EXPECT_EQ(Subnet::parse("0.0.0.0/0").broadcast().str(), "255.255.255.255");
    EXPECT_EQ(Subnet::parse("10.0.0.7/32").broadcast().str(), "10.0.0.7");
    EXPECT_EQ(Subnet::parse("10.0.0.4/30").broadcast().str(), "10.0.0.7");
}

TEST(Ipv4Subnet, RejectsMalformed) {
    for (const char* bad :
         {"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0/8", "10.0.0.0/1a", "/8"})
        EXPECT_THROW(Subnet::parse(bad), Error) << bad;
}

TEST(Ipv4Subnet, HostBitsSetSaysWhatItShouldBe) {
    try {
        Subnet::parse("10.88.0.1/16");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("it should be 10.88.0.0/16"), std::string::npos)
            << e.what();
    }
}

TEST(Ipv4Subnet, ContainsAndOverlaps) {
    const Subnet s = Subnet::parse("172.17.0.0/16");
    EXPECT_TRUE(s.contains(Ipv4::parse("172.17.0.0")));
    EXPECT_TRUE(s.contains(Ipv4::parse("172.17.255.255")));
    EXPECT_FALSE(s.contains(Ipv4::parse("172.18.0.0")));
    EXPECT_FALSE(s.contains(Ipv4::parse("172.16.255.255")));
    EXPECT_TRUE(Subnet::parse("0.0.0.0/0").contains(Ipv4::parse("8.8.8.8")));

    EXPECT_TRUE(s.overlaps(Subnet::parse("172.17.5.0/24")));
    EXPECT_TRUE(Subnet::parse("172.17.5.0/24").overlaps(s));
    EXPECT_TRUE(s.overlaps(Subnet::parse("172.16.0.0/12")));
    EXPECT_FALSE(s.overlaps(Subnet::parse("172.18.0.0/16")));
    EXPECT_FALSE(Subnet::parse("10.0.0.0/30").overlaps(Subnet::parse("10.0.0.4/30")));
}

TEST(Ipv4, MacIsDockers) {
    EXPECT_EQ(mac_for(Ipv4::parse("10.88.0.2")), "02:42:0a:58:00:02");
    EXPECT_EQ(mac_for(Ipv4::parse("172.17.255.254")), "02:42:ac:11:ff:fe");
}
