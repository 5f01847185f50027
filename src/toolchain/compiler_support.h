// What the build's compiler is and can build: the installed ocloc, its version and identity (part
// of every cache key), and the IP versions it supports (`ocloc ids` of every family and release
// the database knows, through the one facts store of ocloc_facts.h).
#pragma once

#include "common/error.h"
#include "devices/database.h"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace aotpack::toolchain {

struct CompilerSupport {
    std::filesystem::path ocloc; // resolved path
    std::string version;         // "22.43.24595"
    std::string identity; // version plus the compiler libraries' size and time: cache keys use it
    std::set<std::uint32_t> ipValues;
    // A toolchain of the store (toolchain.h): its id (recorded per native), and how its compile
    // workers run: `launcher` (its ld-linux and --library-path) before aotpack's worker command,
    // loading `libocloc`. All empty for the host's ocloc.
    std::string toolchainId;
    std::vector<std::string> launcher;
    std::filesystem::path libocloc;
    bool supports(devices::IpVersion ip) const { return ipValues.count(ip.value()) != 0; }
};

// `oclocPath` empty: findRealOcloc(). With `factsStore` (a directory), the answers are kept there
// and later runs read them instead of running `ocloc ids` once per family and release.
Expected<CompilerSupport> probeCompiler(const devices::Database& db,
                                        const std::filesystem::path& oclocPath = {},
                                        const std::filesystem::path& factsStore = {});

// Error for a target the database knows but this compiler cannot build.
Error unsupportedTarget(const CompilerSupport& compiler, const std::string& target,
                        devices::IpVersion ip);

// The line of a bundle's MANIFEST (`aotpack bundle --no-opencl-c`) that says it carries no
// OpenCL C frontend, and whether this aotpack runs from such a bundle (its MANIFEST is at
// libexec/../MANIFEST).
constexpr const char* kNoOpenClCLine = "opencl-c: no";
bool inBundleWithoutOpenClC();

} // namespace aotpack::toolchain
