// Lock files: the exact packages (name, version, SHA-256, size, where from) of some toolchains,
// as `aotpack toolchain lock -o FILE` writes them and `aotpack toolchain add FILE` rebuilds them
// anywhere. Kept beside a project's sources, CI builds with the developer's compilers.
//   {"format": "aotpack-toolchains/1",
//    "toolchains": [{"id": ..., "source": ..., "ocloc_version": ..., "legacy": false,
//                    "spirv_only": false,
//                    "packages": [{"name", "version", "sha256", "size", "url"}, ...]}]}
// A locked .deb is taken from the store's own copy, else from the team's server
// (SERVER/toolchains/<sha256>.deb, `aotpack toolchain publish`), else from its recorded URL; every
// byte is checked against the pin, so the source of the bytes does not matter.
#pragma once

#include "common/error.h"
#include "toolchain/store.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace aotpack::toolchain {

constexpr const char* kLockFormat = "aotpack-toolchains/1";

std::string lockText(const std::vector<Toolchain>& toolchains);
// The packages as a lock and a toolchain's manifest both list them.
nlohmann::json packagesJson(const std::vector<DebPackage>& packages);
// What a toolchain is (id, versions, source, kind, size, packages), as its manifest and
// `toolchain list --json` both begin.
nlohmann::json describeJson(const Toolchain& t);
Expected<std::vector<Toolchain>> readLock(const std::filesystem::path& file);

// The path of a .deb on the team's server, under its base URL.
std::string serverPathOf(const DebPackage& p);

// Fetches a locked toolchain's .debs into `downloads` (those the store has are used in place).
// `server` empty: none. Counts where each came from in `fetched`.
struct FetchCounts {
    unsigned store = 0, server = 0, origin = 0;
};
Expected<std::vector<LocalDeb>> fetchLocked(const Toolchain& locked, const ToolchainStore& store,
                                            const std::string& server,
                                            const std::filesystem::path& downloads,
                                            FetchCounts& fetched);

} // namespace aotpack::toolchain
