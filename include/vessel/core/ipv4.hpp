// IPv4 addresses and subnets as vessel's networks use them (docs/network.md): parsed and printed
// in the dotted form, kernel-free and unit-tested.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace vessel {

struct Ipv4 {
    uint32_t value = 0;  // host byte order: 10.88.0.1 is 0x0a580001

    // "10.88.0.1". Throws Error (125) naming the text when it is not a dotted quad.
    static Ipv4 parse(std::string_view text);
    std::string str() const;
    auto operator<=>(const Ipv4&) const = default;
};

struct Subnet {
    Ipv4 base;  // the network address: its host bits are zero
    int prefix = 0;

    // "10.88.0.0/16". Throws Error (125) when malformed, when the prefix is not 0..32, or when
    // host bits are set ("10.88.0.1/16": docker says "invalid subnet ... : it should be
    // 10.88.0.0/16").
    static Subnet parse(std::string_view text);
    std::string str() const;
    bool contains(Ipv4 ip) const;
    bool overlaps(const Subnet& other) const;
    Ipv4 first_host() const;  // base+1: the gateway by default
    Ipv4 broadcast() const;   // the last address
    auto operator<=>(const Subnet&) const = default;
};

// Docker's MAC for an address: 02:42 followed by the four bytes of the IP ("02:42:0a:58:00:02"),
// locally administered, so the same address always gets the same MAC.
std::string mac_for(Ipv4 ip);

}  // namespace vessel
