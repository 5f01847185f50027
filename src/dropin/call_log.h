// What one `aotpack ocloc` call did, told three ways:
// - AOTPACK_LOG=1: one line on stderr;
// - AOTPACK_OCLOC_REPORT=DIR: one JSON file per call in DIR (format `aotpack-ocloc-report/1`),
//   with wall-clock start times so that calls running side by side can be laid on one timeline;
// - counters in the build cache directory, which `aotpack cache stats` prints.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace aotpack::dropin {

struct TargetRecord {
    std::string device;
    std::string result; // "cache-hit" or "compiled"
    double started = 0; // compiled: Unix time the compile started
    double seconds = 0; // compiled: how long it took
};

struct CallRecord {
    std::vector<std::string> args;
    std::string action; // "compiled" (modelled) or "passed-through"
    std::string reason; // passed-through: why
    std::string output;
    std::vector<TargetRecord> targets;
    double seconds = 0;
};

void logCall(const CallRecord& record, const std::filesystem::path& cacheDir);

// The counters: calls, modelled, passed_through, hits, misses.
std::map<std::string, unsigned long long> readStats(const std::filesystem::path& cacheDir);
// `aotpack cache zero`: the counts start again from zero.
void zeroStats(const std::filesystem::path& cacheDir);

} // namespace aotpack::dropin
