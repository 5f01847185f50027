// An Intel GPU IP version (major.minor.revision), the key that orders targets and matches binaries.
// Encoding from NEO's hw_ip_version.h: value = major << 22 | minor << 14 | revision (6 bits).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aotpack::devices {

struct IpVersion {
    std::uint32_t major = 0;
    std::uint32_t minor = 0;
    std::uint32_t revision = 0;

    std::uint32_t value() const { return major << 22 | minor << 14 | revision; }
    static IpVersion fromValue(std::uint32_t value) {
        return IpVersion{value >> 22, (value >> 14) & 0xff, value & 0x3f};
    }
    std::string str() const;
    auto operator<=>(const IpVersion& o) const { return value() <=> o.value(); }
    bool operator==(const IpVersion& o) const { return value() == o.value(); }
};

// Parses "12.55.8". Returns nothing for anything else (including out-of-range fields).
std::optional<IpVersion> parseIpVersion(std::string_view text);

} // namespace aotpack::devices
