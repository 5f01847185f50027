// Where a toolchain's .debs come from (`aotpack toolchain add SOURCE`):
//   debian:SUITE        Intel's compiler packages of that suite of Debian's archive, from the
//                       mirror the machine's own apt sources name (or --mirror URL);
//   apt:'deb URL SUITE COMPONENT...'   any apt source line (Intel's repository for Ubuntu);
//   DIRECTORY           a directory of .deb files (how Intel's releases ship them);
//   FILE                a lock file (lock.h).
// Apt sources are resolved by apt-get itself against a private state directory (its own
// sources.list, lists, cache and an empty dpkg status, so the whole dependency closure of the
// compiler is fetched): never the host's apt state, never /usr, and no root needed. apt verifies
// the archive's signatures and each .deb's hash as it downloads.
#pragma once

#include "common/error.h"
#include "common/subprocess.h"
#include "toolchain/store.h"

#include <filesystem>
#include <string>
#include <vector>

namespace aotpack::toolchain {

struct SourceSpec {
    enum class Kind { Apt, Directory, LockFile };
    Kind kind = Kind::Apt;
    std::string aptLine;        // Apt: "deb [signed-by=...] URL SUITE COMPONENT..."
    std::filesystem::path path; // Directory, LockFile
    std::string text;           // what the user wrote, recorded as the toolchain's source
};

struct SourceOptions {
    bool legacy = false;    // intel-ocloc-legacy (gen8-gen11) instead of intel-ocloc
    bool spirvOnly = false; // leave out the OpenCL C frontend (libigdfcl)
    int translator = 0;     // llvm-spirv-N (LLVM bitcode -> SPIR-V) instead of a compiler
    std::string mirror;     // debian:SUITE from this URL instead of the host's apt sources
};

// Parses SOURCE; `mirror` (may be empty) serves debian:SUITE.
Expected<SourceSpec> parseSource(const std::string& text, const std::string& mirror);

// The Debian mirror the machine's apt sources name (/etc/apt/sources.list and
// /etc/apt/sources.list.d): the first archive that is not a security or updates suite.
Expected<std::string> hostDebianMirror();

// Resolves the compiler's (or translator's) packages and their dependency closure from an apt
// source and downloads them into `downloads`; each returned .deb is pinned by the SHA-256 the
// archive's index gives.
Expected<std::vector<LocalDeb>> fetchFromApt(const std::string& aptLine,
                                             const SourceOptions& options,
                                             const std::filesystem::path& aptState,
                                             const std::filesystem::path& downloads,
                                             ProcessRunner& runner = systemProcesses());

// The .deb files of a directory (unpinned: the files' own SHA-256s are taken).
Expected<std::vector<LocalDeb>> debsInDirectory(const std::filesystem::path& dir,
                                                const SourceOptions& options);

} // namespace aotpack::toolchain
