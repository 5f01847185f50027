// What earlier builds learned about each (module, target) job: its compile time and peak memory
// (for scheduling longest-first within the memory budget) and the fingerprints of its inputs (so
// --explain can say what changed). Kept as history.tsv in the build cache directory.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace aotpack::compile {

struct JobHistory {
    double seconds = 0;
    long maxRssKb = 0;
    std::string spirv, options, compiler; // fingerprints of the last build
};

using History = std::map<std::string, JobHistory>; // key: "module|M.m.r"

History loadHistory(const std::filesystem::path& cacheDir);
// A lost update only costs scheduling quality, so concurrent builds simply race (atomic rename).
void saveHistory(const std::filesystem::path& cacheDir, const History& history);

} // namespace aotpack::compile
