// What the installed ocloc can build. Probed once per run: `ocloc query OCL_DRIVER_VERSION` for the
// version and `ocloc ids RELEASE` for every release and family the database knows (about 5 ms
// each). `ocloc ids` answers with every stepping ocloc supports, so an IP outside that set is a
// target this ocloc cannot build, even when the database knows it (bmg with ocloc 22.43).
#pragma once

#include "common/error.h"
#include "devices/database.h"

#include <filesystem>
#include <set>
#include <string>

namespace aotpack::devices {

struct CompilerSupport {
    std::filesystem::path ocloc; // resolved path
    std::string version;         // "22.43.24595"
    std::string identity; // version plus the compiler libraries' size and time: cache keys use it
    std::set<std::uint32_t> ipValues;
    bool supports(IpVersion ip) const { return ipValues.count(ip.value()) != 0; }
};

// `oclocPath` empty: $AOTPACK_OCLOC, else `ocloc` on PATH.
Expected<CompilerSupport> probeCompiler(const Database& db,
                                        const std::filesystem::path& oclocPath = {});

// Error for a target the database knows but this compiler cannot build.
Error unsupportedTarget(const CompilerSupport& compiler, const std::string& target, IpVersion ip);

} // namespace aotpack::devices
