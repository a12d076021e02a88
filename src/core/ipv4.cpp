#include "vessel/core/ipv4.hpp"

#include <charconv>

#include <fmt/format.h>

#include "vessel/util/error.hpp"

namespace vessel {
namespace {

// The host bits of a /prefix: 0 for /32, every bit for /0 (a shift by 32 would be undefined).
uint32_t host_mask(int prefix) {
    return prefix == 0 ? 0xffffffffu : (uint32_t{1} << (32 - prefix)) - 1;
}

// A decimal number of at most `max`, the whole of `text`: no sign, no spaces, no empty part, no
// leading zero (Go's net.ParseIP, which docker uses, refuses "010.0.0.1": some read it as octal).
bool parse_number(std::string_view text, unsigned max, unsigned& out) {
    if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && out <= max;
}

bool parse_dotted(std::string_view text, uint32_t& value) {
    value = 0;
    for (int part = 0; part < 4; ++part) {
        const size_t dot = part < 3 ? text.find('.') : text.size();
        if (dot == std::string_view::npos) return false;
        unsigned byte = 0;
        if (!parse_number(text.substr(0, dot), 255, byte)) return false;
        value = (value << 8) | byte;
        text.remove_prefix(part < 3 ? dot + 1 : dot);
    }
    return text.empty();
}

}  // namespace

Ipv4 Ipv4::parse(std::string_view text) {
    Ipv4 ip;
    if (!parse_dotted(text, ip.value))
        throw Error(fmt::format("invalid IPv4 address: \"{}\"", text));
    return ip;
}

std::string Ipv4::str() const {
    return fmt::format("{}.{}.{}.{}", value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff,
                       value & 0xff);
}

Subnet Subnet::parse(std::string_view text) {
    const size_t slash = text.find('/');
    Subnet s;
    unsigned prefix = 0;
    if (slash == std::string_view::npos || !parse_dotted(text.substr(0, slash), s.base.value) ||
        !parse_number(text.substr(slash + 1), 32, prefix))
        throw Error(
            fmt::format("invalid subnet \"{}\": expected an IPv4 CIDR like 10.88.0.0/16", text));
    s.prefix = static_cast<int>(prefix);
    if (s.base.value & host_mask(s.prefix)) {
        const Subnet fixed{Ipv4{s.base.value & ~host_mask(s.prefix)}, s.prefix};
        throw Error(fmt::format("invalid subnet {}: it should be {}", text, fixed.str()));
    }
    return s;
}

std::string Subnet::str() const {
    return base.str() + "/" + std::to_string(prefix);
}

bool Subnet::contains(Ipv4 ip) const {
    return (ip.value & ~host_mask(prefix)) == base.value;
}

// Two CIDR blocks overlap exactly when one contains the other's network address.
bool Subnet::overlaps(const Subnet& other) const {
    return contains(other.base) || other.contains(base);
}

Ipv4 Subnet::first_host() const {
    return Ipv4{base.value + 1};
}

Ipv4 Subnet::broadcast() const {
    return Ipv4{base.value | host_mask(prefix)};
}

std::string mac_for(Ipv4 ip) {
    return fmt::format("02:42:{:02x}:{:02x}:{:02x}:{:02x}", ip.value >> 24, (ip.value >> 16) & 0xff,
                       (ip.value >> 8) & 0xff, ip.value & 0xff);
}

}  // namespace vessel
