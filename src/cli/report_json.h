#pragma once

#include "compile/driver.h"

#include <string>

namespace aotpack::cli {

// The --json-report file: every job with target, time, peak memory, cache hit/miss, result and log.
Status writeBuildReport(const std::string& path, const compile::BuildOutcome& outcome,
                        const std::string& archive);

// --shard-costs REPORT: the seconds of every compiled job of an earlier --json-report, read here,
// beside the writer of that format.
Expected<compile::ShardCosts> readShardCosts(const std::filesystem::path& report);

} // namespace aotpack::cli
