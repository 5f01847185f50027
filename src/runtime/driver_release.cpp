#include "runtime/driver_release.h"

#include "common/text.h"

#include <optional>
#include <string>
#include <utility>

namespace aotpack::runtime {

namespace {

// (26, 27) of "ocloc 26.27.39122.14" or "26.27.39122": comparable as numbers. NEO's releases
// begin in 2020; anything else is some other numbering (Level Zero's API version, say).
std::optional<std::pair<unsigned, unsigned>> releaseOf(std::string_view text) {
    if (auto space = text.rfind(' '); space != std::string_view::npos)
        text.remove_prefix(space + 1);
    auto parts = split(std::string(text), '.');
    if (parts.size() < 2) return std::nullopt;
    auto year = parseUnsigned(parts[0], 10), week = parseUnsigned(parts[1], 10);
    if (!year || !week || *year < 20) return std::nullopt;
    return std::make_pair(static_cast<unsigned>(*year), static_cast<unsigned>(*week));
}

} // namespace

bool newerThanDriver(std::string_view compiler, std::string_view driverRelease) {
    auto built = releaseOf(compiler), driver = releaseOf(driverRelease);
    return built && driver && *built > *driver;
}

} // namespace aotpack::runtime
