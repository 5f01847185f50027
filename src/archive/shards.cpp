#include "archive/shards.h"

#include "archive/tools.h"
#include "common/text.h"

#include <algorithm>
#include <map>

namespace aotpack::archive {
namespace {

Error shardsConflict(const std::string& message) {
    return makeError(Errc::Conflict, message);
}

// The shards, each checked against the first: same plan, same count, every index once.
Expected<std::vector<ShardInfo>> checkShards(const std::vector<const ArchiveReader*>& shards) {
    std::vector<ShardInfo> infos;
    std::map<unsigned, std::string> seen;
    for (const auto* in : shards) {
        auto info = shardInfo(*in);
        if (!info) return info.error();
        if (!*info)
            return shardsConflict("'" + in->name() +
                                  "' is not a shard of a sharded build (merge "
                                  "shards only with each other)");
        const ShardInfo& first = infos.empty() ? **info : infos.front();
        if ((*info)->plan != first.plan || (*info)->count != first.count)
            return shardsConflict(
                "'" + in->name() + "' is shard " + std::to_string((*info)->index) + "/" +
                std::to_string((*info)->count) + " of another build (plan " +
                (*info)->plan.substr(0, 12) + ", not " + first.plan.substr(0, 12) +
                "): other inputs, options, devices or compiler");
        if (auto [it, fresh] = seen.emplace((*info)->index, in->name()); !fresh)
            return shardsConflict("shard " + std::to_string((*info)->index) + "/" +
                                  std::to_string(first.count) + " is given twice: '" + it->second +
                                  "' and '" + in->name() + "'");
        infos.push_back(**info);
    }
    std::vector<std::string> missing;
    for (unsigned i = 1; i <= infos.front().count; ++i)
        if (!seen.count(i)) missing.push_back(std::to_string(i));
    if (!missing.empty())
        return shardsConflict("shard(s) " + join(missing, ",") + " of " +
                              std::to_string(infos.front().count) + " missing (plan " +
                              infos.front().plan.substr(0, 12) + ")");
    return infos;
}

// "module@target" entries of every shard, in the one-machine build's order: modules by name,
// targets in the order of the expanded device list.
std::string mergedMissing(const std::vector<const ArchiveReader*>& shards) {
    auto targets =
        split(std::string(shards.front()->archiveMeta("devices.expanded").value_or("")), ',');
    auto rank = [&](const std::string& job) {
        auto at = job.rfind('@');
        std::string target = at == std::string::npos ? "" : job.substr(at + 1);
        auto pos = std::find(targets.begin(), targets.end(), target) - targets.begin();
        return std::make_pair(job.substr(0, at), pos);
    };
    std::vector<std::string> all;
    for (const auto* in : shards)
        if (auto m = in->archiveMeta("missing"); m && !m->empty())
            for (auto& job : split(std::string(*m), ','))
                all.push_back(job);
    std::sort(all.begin(), all.end(),
              [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    return join(all, ",");
}

} // namespace

Expected<std::optional<ShardInfo>> shardInfo(const ArchiveReader& in) {
    auto plan = in.archiveMeta(kShardPlan);
    if (!plan) return std::optional<ShardInfo>();
    auto index = parseUnsigned(in.archiveMeta(kShardIndex).value_or(""));
    auto count = parseUnsigned(in.archiveMeta(kShardCount).value_or(""));
    if (!index || !count || *index == 0 || *index > *count)
        return makeError(Errc::BadArchive, "'" + in.name() + "' has malformed shard metadata");
    return std::optional(ShardInfo{std::string(*plan), unsigned(*index), unsigned(*count)});
}

Expected<MergedShards> mergeShards(const std::vector<const ArchiveReader*>& shards) {
    if (shards.empty()) return shardsConflict("no shards to merge");
    auto infos = checkShards(shards);
    if (!infos) return infos.error();
    MergedShards out;
    for (const auto* in : shards) {
        if (auto st = copyEntriesAsStored(*in, out.writer); !st) return st.error();
    }
    for (const auto& [k, v] : shards.front()->archiveMetadata()) {
        std::string key(k);
        if (!key.starts_with("shard.") && key != "missing")
            out.writer.setArchiveMetadata(key, std::string(v));
    }
    if (std::string missing = mergedMissing(shards); !missing.empty())
        out.writer.setArchiveMetadata("missing", missing);
    if (shards.front()->archiveMeta(kShardMaxCompression)) out.options.useMaxCompression();
    return out;
}

} // namespace aotpack::archive
