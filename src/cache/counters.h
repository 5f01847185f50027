// Named counters kept in a small text file ("name value" lines) that several processes update:
// `aotpack cache stats` prints them (the ocloc drop-in's calls, the remote cache's traffic).
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace aotpack::cache {

using Counters = std::map<std::string, unsigned long long>;

// The build's own counters in the build cache's directory: cache hits and compiles.
inline constexpr const char* kBuildStatsFile = "build-stats";

// Adds `delta` to the file's counters under an exclusive lock. Best effort: counters never fail
// a build.
void addCounters(const std::filesystem::path& file, const Counters& delta);
Counters readCounters(const std::filesystem::path& file);
// Every counter of the file back to zero (the file is removed).
void zeroCounters(const std::filesystem::path& file);

} // namespace aotpack::cache
