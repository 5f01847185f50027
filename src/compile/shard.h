// One build split over N machines (`aotpack build --shard i/N`): every shard plans the whole
// build, keeps its own share of the (module, target) jobs and writes a partial archive that
// `aotpack merge` puts back together byte for byte (archive/shards.h).
//
// The share depends only on the build's inputs: jobs are ordered by expected cost, then by job
// key, and dealt longest-first to the least loaded shard. The cost is the guess from the SPIR-V's
// inlined instruction count, or a duration measured earlier and handed to every shard in one file
// (--shard-costs); never the durations a machine's own cache remembers: shards run on different
// machines with different histories, and must all compute the same split.
#pragma once

#include "common/error.h"
#include "common/hash.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::compile {

struct Shard {
    unsigned index = 1; // 1-based, like Playwright and GitLab
    unsigned count = 1;
    std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// "i/N", or "auto": SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (with SLURM_ARRAY_TASK_MIN and
// SLURM_ARRAY_TASK_STEP), CI_NODE_INDEX/CI_NODE_TOTAL (GitLab, 1-based), TEST_SHARD_INDEX/
// TEST_TOTAL_SHARDS (0-based). Errors are usage errors (exit 2) naming the value.
Expected<Shard> parseShard(const std::string& text);

// Measured compile seconds per (module, target IP), from an earlier build's JSON report
// (`--shard-costs`): every shard reads the same file, so they still agree on the split, and the
// plan's key covers the costs, so `merge` refuses shards that used different ones.
using ShardCosts = std::map<std::pair<std::string, std::uint32_t>, double>;

// For each job (its expected cost and key), the shard (1..count) that builds it.
std::vector<unsigned> assignShards(const std::vector<double>& costs,
                                   const std::vector<Hash128>& keys, unsigned count);

} // namespace aotpack::compile
