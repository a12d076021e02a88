#include "vessel/core/port_mapping.hpp"

#include <gtest/gtest.h>

#include "vessel/util/error.hpp"

namespace vessel {
namespace {

PortMapping mapping(std::string ip, uint16_t host, uint16_t container, std::string proto = "tcp") {
    PortMapping m;
    m.host_ip = std::move(ip);
    m.host_port = host;
    m.container_port = container;
    m.protocol = std::move(proto);
    return m;
}

std::string error_of(std::string_view value) {
    try {
        parse_publish(value);
    } catch (const Error& e) {
        EXPECT_EQ(e.exit_code(), 125);
        return e.what();
    }
    return "no error";
}

TEST(PortMappingParse, HostPortAndContainerPort) {
    EXPECT_EQ(parse_publish("8080:80"), std::vector{mapping("", 8080, 80)});
}

TEST(PortMappingParse, AddressAndProtocol) {
    EXPECT_EQ(parse_publish("127.0.0.1:8080:80/udp"),
              std::vector{mapping("127.0.0.1", 8080, 80, "udp")});
    EXPECT_EQ(parse_publish("80/TCP"), std::vector{mapping("", 0, 80, "tcp")});
    EXPECT_EQ(parse_publish("80/"), std::vector{mapping("", 0, 80, "tcp")});
}

TEST(PortMappingParse, AddressWithoutHostPortLeavesThePortToChoose) {
    EXPECT_EQ(parse_publish("127.0.0.1::80"), std::vector{mapping("127.0.0.1", 0, 80)});
}

TEST(PortMappingParse, ContainerPortAlone) {
    EXPECT_EQ(parse_publish("80"), std::vector{mapping("", 0, 80)});
}

TEST(PortMappingParse, RangesPairUp) {
    EXPECT_EQ(parse_publish("8000-8001:80-81"),
              (std::vector{mapping("", 8000, 80), mapping("", 8001, 81)}));
    EXPECT_EQ(parse_publish("80-81/udp"),
              (std::vector{mapping("", 0, 80, "udp"), mapping("", 0, 81, "udp")}));
}

TEST(PortMappingParse, HostRangeForOneContainerPortIsAChoice) {
    auto ports = parse_publish("8000-8010:80");
    ASSERT_EQ(ports.size(), 1u);
    EXPECT_EQ(ports[0].host_port, 8000);
    EXPECT_EQ(ports[0].host_port_end, 8010);
    EXPECT_EQ(ports[0].container_port, 80);
}

TEST(PortMappingParse, DockersErrorTexts) {
    EXPECT_EQ(error_of("abc"), "invalid containerPort: abc");
    EXPECT_EQ(error_of("70000:80"), "invalid hostPort: 70000");
    EXPECT_EQ(error_of("8080:70000"), "invalid containerPort: 70000");
    EXPECT_EQ(error_of("8080:"), "no port specified: 8080:<empty>");
    EXPECT_EQ(error_of("81-80"), "invalid containerPort: 81-80");
    EXPECT_EQ(error_of("8000-8002:80-81"),
              "invalid ranges specified for container and host Ports: 80-81 and 8000-8002");
    EXPECT_EQ(error_of("80/foo"), "invalid proto: foo");
    EXPECT_EQ(error_of("300.1.1.1:80:80"), "invalid IP address: 300.1.1.1");
}

TEST(PortMappingParse, SctpIsRefusedClearly) {
    EXPECT_EQ(error_of("80/sctp"), "invalid proto: sctp (vessel publishes tcp and udp ports only)");
}

TEST(PortMappingParse, Ipv6HostAddressIsRefusedClearly) {
    EXPECT_EQ(error_of("[::1]:8080:80"),
              "invalid IP address [::1]: vessel publishes ports on IPv4 addresses only for now");
    EXPECT_EQ(error_of("::1:8080:80"),
              "invalid IP address ::1: vessel publishes ports on IPv4 addresses only for now");
}

TEST(PortMappingPublishAll, EachExposedPortGetsAPortToChoose) {
    EXPECT_EQ(publish_all({"80/tcp", "53/udp"}),
              (std::vector{mapping("", 0, 80), mapping("", 0, 53, "udp")}));
}

TEST(PortMappingFormat, AsDockerPsAndPortPrintThem) {
    EXPECT_EQ(format_for_ps(mapping("", 8080, 80)), "0.0.0.0:8080->80/tcp");
    EXPECT_EQ(format_for_ps(mapping("127.0.0.1", 53, 53, "udp")), "127.0.0.1:53->53/udp");
    EXPECT_EQ(format_for_port(mapping("", 8080, 80)), "80/tcp -> 0.0.0.0:8080");
}

TEST(PortMappingJson, RoundTrips) {
    PortMapping m = mapping("127.0.0.1", 8080, 80, "udp");
    nlohmann::json j = m;
    EXPECT_EQ(j["HostIp"], "127.0.0.1");
    EXPECT_EQ(j.get<PortMapping>(), m);
    m.host_port_end = 8090;
    EXPECT_EQ(nlohmann::json(m).get<PortMapping>(), m);
}

}  // namespace
}  // namespace vessel
