// The text of vessel's nft commands (src/network/nft_rules.cpp), kernel-free.
// tests/network/firewall_smoke.sh applies them for real inside a private network namespace.
#include "../../src/network/nft_rules.hpp"

#include <gtest/gtest.h>

namespace vessel::network::nft {
namespace {

PortMapping port(std::string ip, uint16_t host, uint16_t container, std::string proto = "tcp") {
    PortMapping m;
    m.host_ip = std::move(ip);
    m.host_port = host;
    m.container_port = container;
    m.protocol = std::move(proto);
    return m;
}

NetworkRecord network() {
    NetworkRecord n;
    n.name = "vessel";
    n.bridge = "vessel0";
    n.subnet = Subnet{Ipv4{0x0a580000}, 16};
    n.gateway = Ipv4{0x0a580001};
    return n;
}

const Ipv4 kContainer{0x0a580002};  // 10.88.0.2

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(FirewallRules, SkeletonDeclaresTheTableSetsMapsAndChains) {
    const std::string s = skeleton();
    EXPECT_EQ(s.rfind("add table ip vessel\n", 0), 0u);
    EXPECT_TRUE(has_line(s, "add set ip vessel subnets { type ipv4_addr; flags interval; }"));
    EXPECT_TRUE(has_line(s, "add set ip vessel bridges { type ifname; }"));
    EXPECT_TRUE(has_line(s,
                         "add map ip vessel tcp_ports { type ipv4_addr . inet_service : "
                         "ipv4_addr . inet_service; flags interval; }"));
    EXPECT_TRUE(has_line(s, "add chain ip vessel output { type nat hook output priority -100; }"));
}

TEST(FirewallRules, SkeletonFlushesEachChainBeforeItsRulesSoItIsIdempotent) {
    const std::string s = skeleton();
    for (const char* chain : {"guard", "ports", "prerouting", "output", "postrouting", "forward"}) {
        const std::string flush = std::string("flush chain ip vessel ") + chain + "\n";
        const std::string first_rule = std::string("add rule ip vessel ") + chain + " ";
        ASSERT_NE(s.find(flush), std::string::npos) << chain;
        ASSERT_NE(s.find(first_rule), std::string::npos) << chain;
        EXPECT_LT(s.find(flush), s.find(first_rule)) << chain;
    }
}

TEST(FirewallRules, LoopbackIsGuardedAndPortsAreLookedUpInTheMaps) {
    const std::string s = skeleton();
    EXPECT_TRUE(
        has_line(s, "add rule ip vessel guard iifname != \"lo\" ip daddr 127.0.0.0/8 drop"));
    EXPECT_TRUE(has_line(s,
                         "add rule ip vessel prerouting ip daddr != 127.0.0.0/8 fib daddr type "
                         "local jump ports"));
    EXPECT_TRUE(has_line(s, "add rule ip vessel output fib daddr type local jump ports"));
    EXPECT_TRUE(
        has_line(s, "add rule ip vessel ports dnat ip to ip daddr . tcp dport map @tcp_ports"));
    EXPECT_TRUE(
        has_line(s, "add rule ip vessel ports dnat ip to ip daddr . udp dport map @udp_ports"));
    EXPECT_TRUE(has_line(s,
                         "add rule ip vessel postrouting oifname @bridges ct status dnat ip saddr "
                         "@subnets masquerade"));
}

TEST(FirewallRules, NetworksAreElements) {
    EXPECT_EQ(network_elements(network(), false),
              "add element ip vessel subnets { 10.88.0.0/16 }\n"
              "add element ip vessel bridges { \"vessel0\" }\n");
    const std::string removal = network_elements(network(), true);
    EXPECT_TRUE(has_line(removal, "delete element ip vessel subnets { 10.88.0.0/16 }"));
    EXPECT_TRUE(has_line(removal, "delete element ip vessel bridges { \"vessel0\" }"));
    // Added first: the delete cannot fail on an element that is already gone.
    EXPECT_LT(removal.find("add element ip vessel subnets"),
              removal.find("delete element ip vessel subnets"));
}

TEST(FirewallRules, PublishCreatesOneElementPerPort) {
    EXPECT_EQ(
        publish_elements(kContainer, {port("", 8080, 80), port("127.0.0.1", 5353, 53, "udp")}),
        "create element ip vessel tcp_ports { 0.0.0.0/0 . 8080 : 10.88.0.2 . 80 }\n"
        "create element ip vessel udp_ports { 127.0.0.1 . 5353 : 10.88.0.2 . 53 }\n");
}

TEST(FirewallRules, UnpublishDeletesOnlyWhatIsStillOurs) {
    EXPECT_EQ(unpublish_elements(kContainer, {port("", 8080, 80)}),
              "add element ip vessel tcp_ports { 0.0.0.0/0 . 8080 : 10.88.0.2 . 80 }\n"
              "delete element ip vessel tcp_ports { 0.0.0.0/0 . 8080 }\n");
}

TEST(FirewallRules, TheFailedMappingIsFoundInTheMessage) {
    const std::vector ports = {port("", 8080, 80), port("", 8081, 81)};
    const std::string message =
        "/dev/stdin:2:38-53: Error: Could not process rule: File exists\n"
        "create element ip vessel tcp_ports { 0.0.0.0/0 . 8081 : 10.88.0.2 . 81 }\n"
        "                                     ^^^^^^^^^^^^^^^^\n";
    EXPECT_EQ(failed_mapping(kContainer, ports, message), 1u);
    EXPECT_EQ(failed_mapping(kContainer, ports, "Error: something else"), std::nullopt);
}

TEST(FirewallRules, ListingIsParsed) {
    // What `nft -j list table ip vessel` printed here (nft 1.0.6), trimmed to the maps.
    const std::string json = R"({"nftables": [{"metainfo": {"version": "1.0.6"}},
      {"table": {"family": "ip", "name": "vessel", "handle": 1}},
      {"map": {"family": "ip", "name": "tcp_ports", "table": "vessel", "map": "ipv4_addr . inet_service",
        "elem": [[{"concat": [{"prefix": {"addr": "0.0.0.0", "len": 0}}, 8080]}, {"concat": ["10.88.0.2", 80]}],
                 [{"concat": ["127.0.0.1", 8081]}, {"concat": ["10.88.0.3", 81]}]]}},
      {"map": {"family": "ip", "name": "udp_ports", "table": "vessel", "map": "ipv4_addr . inet_service"}}]})";
    const auto published = parse_listing(json);
    ASSERT_EQ(published.size(), 2u);
    EXPECT_EQ(published[0].port, port("", 8080, 80));
    EXPECT_EQ(published[0].container_ip, kContainer);
    EXPECT_EQ(published[1].port, port("127.0.0.1", 8081, 81));
    EXPECT_EQ(published[1].container_ip, Ipv4{0x0a580003});
    EXPECT_TRUE(parse_listing("not json").empty());
}

TEST(FirewallRules, CollisionsFollowDockersRules) {
    EXPECT_TRUE(collides(port("", 8080, 80), port("127.0.0.1", 8080, 81)));
    EXPECT_TRUE(collides(port("127.0.0.1", 8080, 80), port("", 8080, 81)));
    EXPECT_TRUE(collides(port("127.0.0.1", 8080, 80), port("127.0.0.1", 8080, 81)));
    EXPECT_FALSE(collides(port("127.0.0.1", 8080, 80), port("127.0.0.2", 8080, 80)));
    EXPECT_FALSE(collides(port("", 8080, 80, "udp"), port("", 8080, 80, "tcp")));
    EXPECT_FALSE(collides(port("", 8080, 80), port("", 8081, 80)));
}

}  // namespace
}  // namespace vessel::network::nft
