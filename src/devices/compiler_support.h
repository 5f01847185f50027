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

// The real ocloc: `requested`, else $AOTPACK_OCLOC, else `ocloc` on PATH - never aotpack itself
// (its drop-in shim, `aotpack ocloc --shim-dir`, or a copy of aotpack named ocloc), so a shim
// early on PATH cannot call itself. Empty when there is none.
std::filesystem::path findRealOcloc(const std::filesystem::path& requested = {});

// The marker file that makes a directory an aotpack shim directory (skipped by findRealOcloc).
constexpr const char* kShimMarker = ".aotpack-shim";

// The line of a bundle's MANIFEST (`aotpack bundle --no-opencl-c`) that says it carries no
// OpenCL C frontend, and whether this aotpack runs from such a bundle (its MANIFEST is at
// libexec/../MANIFEST).
constexpr const char* kNoOpenClCLine = "opencl-c: no";
bool inBundleWithoutOpenClC();

// `oclocPath` empty: findRealOcloc(). With `rememberIn` (a cache directory), the answer is kept
// there per ocloc, compiler stamp and database, and later runs read it instead of running
// `ocloc ids` once per family and release (~25 processes, started at once: 0.1-0.2 s).
Expected<CompilerSupport> probeCompiler(const Database& db,
                                        const std::filesystem::path& oclocPath = {},
                                        const std::filesystem::path& rememberIn = {});

// The size and mtime of ocloc and the compiler libraries: part of every cache key, so an
// upgraded compiler misses even if its version string did not change.
std::string compilerStamp(const std::filesystem::path& ocloc);

// Error for a target the database knows but this compiler cannot build.
Error unsupportedTarget(const CompilerSupport& compiler, const std::string& target, IpVersion ip);

} // namespace aotpack::devices
