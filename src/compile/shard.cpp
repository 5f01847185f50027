#include "compile/shard.h"

#include "common/file_io.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "devices/ip_version.h"

#include <algorithm>
#include <numeric>

namespace aotpack::compile {
namespace {

Error usage(const std::string& message) {
    return makeError(Errc::Usage, message);
}

std::optional<unsigned> number(const std::string& text) {
    auto v = parseUnsigned(text);
    if (!v || *v > 1000000) return std::nullopt;
    return static_cast<unsigned>(*v);
}

Expected<Shard> checked(const std::string& what, std::optional<unsigned> index,
                        std::optional<unsigned> count) {
    if (!index || !count)
        return usage(what + " is not INDEX/COUNT with whole numbers (e.g. --shard 2/4)");
    if (*count == 0) return usage(what + ": the number of shards must be at least 1");
    if (*index == 0 || *index > *count)
        return usage(what + ": the shard index must be between 1 and " + std::to_string(*count) +
                     " (shards are numbered from 1)");
    return Shard{*index, *count};
}

// Slurm numbers array tasks by their IDs, which start at SLURM_ARRAY_TASK_MIN and step by
// SLURM_ARRAY_TASK_STEP (--array=0-6:2 gives 0, 2, 4, 6).
Expected<Shard> fromSlurm() {
    auto id = number(envOr("SLURM_ARRAY_TASK_ID", ""));
    auto count = number(envOr("SLURM_ARRAY_TASK_COUNT", ""));
    auto min = number(envOr("SLURM_ARRAY_TASK_MIN", "0"));
    auto step = number(envOr("SLURM_ARRAY_TASK_STEP", "1"));
    if (!id || !count || !min || !step || *step == 0 || *id < *min || (*id - *min) % *step)
        return usage("--shard auto: SLURM_ARRAY_TASK_ID '" + envOr("SLURM_ARRAY_TASK_ID", "") +
                     "' does not fit SLURM_ARRAY_TASK_MIN/STEP/COUNT");
    return checked("--shard auto (Slurm)", (*id - *min) / *step + 1, count);
}

} // namespace

Expected<Shard> parseShard(const std::string& text) {
    if (text == "auto") {
        if (!envOr("SLURM_ARRAY_TASK_ID", "").empty()) return fromSlurm();
        if (!envOr("CI_NODE_INDEX", "").empty())
            return checked("--shard auto (CI_NODE_INDEX/CI_NODE_TOTAL)",
                           number(envOr("CI_NODE_INDEX", "")), number(envOr("CI_NODE_TOTAL", "")));
        if (!envOr("TEST_SHARD_INDEX", "").empty()) {
            auto index = number(envOr("TEST_SHARD_INDEX", ""));
            return checked("--shard auto (TEST_SHARD_INDEX/TEST_TOTAL_SHARDS)",
                           index ? std::optional(*index + 1) : std::nullopt,
                           number(envOr("TEST_TOTAL_SHARDS", "")));
        }
        return usage("--shard auto: no scheduler variables (SLURM_ARRAY_TASK_ID, CI_NODE_INDEX "
                     "or TEST_SHARD_INDEX) are set");
    }
    auto slash = text.find('/');
    if (slash == std::string::npos)
        return usage("--shard '" + text + "' is not INDEX/COUNT (e.g. 2/4) or auto");
    return checked("--shard '" + text + "'", number(text.substr(0, slash)),
                   number(text.substr(slash + 1)));
}

std::vector<unsigned> assignShards(const std::vector<double>& costs,
                                   const std::vector<Hash128>& keys, unsigned count) {
    std::vector<std::size_t> order(costs.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return costs[a] != costs[b] ? costs[a] > costs[b] : keys[a] < keys[b];
    });
    std::vector<double> load(count, 0);
    std::vector<std::size_t> jobs(count, 0);
    std::vector<unsigned> shard(costs.size(), 1);
    for (std::size_t i : order) {
        unsigned best = 0;
        for (unsigned s = 1; s < count; ++s)
            if (load[s] < load[best] || (load[s] == load[best] && jobs[s] < jobs[best])) best = s;
        load[best] += costs[i];
        ++jobs[best];
        shard[i] = best + 1;
    }
    return shard;
}

} // namespace aotpack::compile
