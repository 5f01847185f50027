// OpenCL C -> SPIR-V results remembered across builds, so that a rebuild (a no-op above all) does
// not run `ocloc -spv_only` for every .cl module again. An entry is keyed by the source's bytes,
// its directory (the frontend's -I), the options, the frontend device and the compiler, and lists
// the headers the source includes with their content hashes; it is used only if every header
// still has those contents. Headers are found with `clang -M` (as for --depfile) when the source
// has an #include; a source whose headers cannot be listed is simply not remembered.
// Only the default frontend (ocloc) is remembered: the clang frontend's tools have no identity
// that cache keys could use.
#pragma once

#include "compile/driver_internal.h"

#include <optional>

namespace aotpack::compile {

// The remembered SPIR-V of `in`, copied to dir/module.spv; nothing on a miss.
std::optional<std::filesystem::path> rememberedFrontend(const BuildSetup& setup,
                                                        const BuildCaches& caches,
                                                        const ModuleInput& in,
                                                        const std::filesystem::path& dir);

// Remembers what the frontend produced for these modules (each with its SPIR-V file).
void rememberFrontends(
    const BuildSetup& setup, const BuildCaches& caches,
    const std::vector<std::pair<const ModuleInput*, std::filesystem::path>>& done);

} // namespace aotpack::compile
