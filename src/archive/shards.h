// The partial archives of a sharded build (`aotpack build --shard i/N`) and their merge. A
// partial archive is an ordinary archive with every module's SPIR-V, the native binaries of its
// own jobs and four archive metadata keys: the plan (the whole build's key, which covers inputs,
// options, device list and compiler), its index, the count and whether `--compression max` was
// used. `mergeShards` checks that the N shards of one plan are all there, once each, copies their
// entries and drops those keys: the result is byte-identical to the one-machine build.
#pragma once

#include "archive/reader.h"
#include "archive/writer.h"

#include <optional>
#include <vector>

namespace aotpack::archive {

inline constexpr const char* kShardPlan = "shard.plan";
inline constexpr const char* kShardIndex = "shard.index";
inline constexpr const char* kShardCount = "shard.count";
inline constexpr const char* kShardMaxCompression = "shard.max_compression";

struct ShardInfo {
    std::string plan;
    unsigned index = 0;
    unsigned count = 0;
};

// The archive's shard keys; nothing for an ordinary archive; an error for keys that do not parse.
Expected<std::optional<ShardInfo>> shardInfo(const ArchiveReader& in);

struct MergedShards {
    ArchiveWriter writer;
    WriterOptions options; // the compression the shards' build used
};

// Errors (exit 8, Conflict): a shard missing, given twice, of another plan or count, or an input
// that is not a shard. Each names the archive.
Expected<MergedShards> mergeShards(const std::vector<const ArchiveReader*>& shards);

} // namespace aotpack::archive
