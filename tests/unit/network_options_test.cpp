#include <gtest/gtest.h>

#include "vessel/core/network_options.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;

namespace {

const char* kHead =
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "ff00::0\tip6-mcastprefix\n"
    "ff02::1\tip6-allnodes\n"
    "ff02::2\tip6-allrouters\n";

std::string error_of(std::string_view value) {
    try {
        parse_add_host(value);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(NetworkOptionsAddHost, NameColonIpAndNameEqualsIp) {
    EXPECT_EQ(parse_add_host("db:10.0.0.5"), (ExtraHost{"db", "10.0.0.5"}));
    EXPECT_EQ(parse_add_host("db=10.0.0.5"), (ExtraHost{"db", "10.0.0.5"}));
    EXPECT_EQ(parse_add_host("v6=fe80::1"), (ExtraHost{"v6", "fe80::1"}));
    EXPECT_EQ(parse_add_host("v6:[fe80::1]"), (ExtraHost{"v6", "fe80::1"}));
    EXPECT_EQ(parse_add_host("gw:host-gateway"), (ExtraHost{"gw", "host-gateway"}));
}

TEST(NetworkOptionsAddHost, DockersErrors) {
    EXPECT_EQ(error_of("x"),
              "invalid argument \"x\" for \"--add-host\" flag: bad format for add-host: \"x\"");
    EXPECT_NE(error_of(":10.0.0.1").find("bad format"), std::string::npos);
    EXPECT_NE(error_of("db:").find("bad format"), std::string::npos);
    EXPECT_NE(error_of("db:10.0.0.300").find("invalid IP address in add-host: \"10.0.0.300\""),
              std::string::npos);
}

TEST(NetworkOptionsHosts, DockersLayout) {
    const std::string ip = "172.18.0.3";
    const std::string text =
        make_hosts_file("abc123def456", &ip, {"web"}, {{"db", "10.0.0.5"}},
                        {{Ipv4::parse("172.18.0.2"), {"cache", "cache-host", "redis"}}});
    EXPECT_EQ(text, std::string(kHead) +
                        "10.0.0.5\tdb\n"
                        "172.18.0.3\tabc123def456 web\n"
                        "172.18.0.2\tcache cache-host redis\n");
}

TEST(NetworkOptionsHosts, NoOwnLineWithoutAddressAndNoDuplicateNames) {
    EXPECT_EQ(make_hosts_file("h", nullptr, {"n"}, {}, {}), kHead);
    const std::string ip = "10.0.0.2";
    EXPECT_EQ(
        make_hosts_file("same", &ip, {"same", ""}, {}, {{Ipv4::parse("10.0.0.3"), {"a", "a"}}}),
        std::string(kHead) + "10.0.0.2\tsame\n10.0.0.3\ta\n");
}

TEST(NetworkOptionsResolvConf, KeepsTheHostsServersSearchAndOptions) {
    const std::string host =
        "# comment\nnameserver 192.168.1.1\nnameserver 10.0.0.53 # lan\n"
        "search example.com corp\noptions ndots:1 edns0\n";
    EXPECT_EQ(make_resolv_conf({}, host, "", true),
              "search example.com corp\nnameserver 192.168.1.1\nnameserver 10.0.0.53\n"
              "options ndots:1 edns0\n");
}

TEST(NetworkOptionsResolvConf, FlagsReplaceEachPart) {
    const std::string host = "nameserver 192.168.1.1\nsearch example.com\noptions ndots:1\n";
    DnsConfig flags{{"1.1.1.1", "9.9.9.9"}, {"a.test"}, {"ndots:2", "timeout:1"}};
    EXPECT_EQ(make_resolv_conf(flags, host, "", true),
              "search a.test\nnameserver 1.1.1.1\nnameserver 9.9.9.9\noptions ndots:2 timeout:1\n");
    DnsConfig only_search{{}, {"."}, {}};
    EXPECT_EQ(make_resolv_conf(only_search, host, "", true),
              "nameserver 192.168.1.1\noptions ndots:1\n");
}

TEST(NetworkOptionsResolvConf, LoopbackResolverReplacedByUpstream) {
    const std::string stub = "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n";
    const std::string upstream = "nameserver 192.168.1.1\nnameserver fe80::1\nsearch lan\n";
    EXPECT_EQ(make_resolv_conf({}, stub, upstream, true),
              "search lan\nnameserver 192.168.1.1\noptions edns0 trust-ad\n");
    // No upstream: docker's fallback.
    EXPECT_EQ(make_resolv_conf({}, stub, "", true),
              "search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\noptions edns0 trust-ad\n");
    // The host's own namespace (--network host): its loopback resolver answers.
    EXPECT_EQ(make_resolv_conf({}, stub, upstream, false),
              "search lan\nnameserver 127.0.0.53\noptions edns0 trust-ad\n");
}

TEST(NetworkOptionsJson, RoundTrips) {
    DnsConfig d{{"1.1.1.1"}, {"x"}, {"ndots:3"}};
    EXPECT_EQ(nlohmann::json(d).get<DnsConfig>(), d);
    ExtraHost h{"db", "10.0.0.5"};
    EXPECT_EQ(nlohmann::json(h).get<ExtraHost>(), h);
}
