// Phase 5 of the build: the archive. Everything recorded is independent of paths, time and user,
// so the same inputs give the same bytes.
#include "archive/shards.h"
#include "common/text.h"
#include "compile/driver_internal.h"

namespace aotpack::compile {

Status addSpirvEntries(const BuildContext& ctx, archive::ArchiveWriter& writer,
                       const std::vector<PreparedModule>& modules) {
    for (const auto& m : modules) {
        std::vector<std::string> parts;
        for (const std::string* s : {&ctx.request.options, &m.input.options})
            if (!s->empty()) parts.push_back(*s);
        archive::Metadata meta = {{"entry_points", join(m.info.entryPoints, ",")},
                                  {"options", join(parts, " ")},
                                  {"source", m.input.path.filename().string()},
                                  {"fp64", m.info.usesFp64 ? "yes" : "no"}};
        if (auto st = writer.addSpirv(m.input.name, m.spirv, meta); !st) return st;
    }
    return success();
}

archive::WriterOptions writerOptions(const BuildContext& ctx) {
    archive::WriterOptions options;
    options.threads = ctx.jobs;
    if (ctx.request.maxCompression) options.useMaxCompression();
    return options;
}

static std::string missingJobs(const BuildReport& report, const std::vector<std::string>& modules) {
    std::vector<std::string> missing;
    for (const auto& job : report.jobs)
        if (job.outcome == JobOutcome::Failed || job.outcome == JobOutcome::NotRun)
            missing.push_back(job.module + "@" + job.target);
    for (const auto& m : modules) // --skip-unsupported
        for (const auto& target : report.skippedTargets)
            missing.push_back(m + "@" + target);
    return join(missing, ",");
}

Status writeOutput(BuildContext& ctx, archive::ArchiveWriter& writer,
                   std::vector<CompiledBinary>& binaries, const BuildReport& report) {
    for (auto& b : binaries) {
        auto st = b.zebin ? writer.addNative(b.module, b.ip, std::move(*b.zebin), std::move(b.meta))
                          : writer.addNativeStored(b.module, b.ip, b.hash, std::move(b.meta));
        if (!st) return st;
    }
    binaries.clear();
    writer.setArchiveMetadata("tool", "aotpack " AOTPACK_VERSION);
    writer.setArchiveMetadata("devices.input", report.deviceListInput);
    writer.setArchiveMetadata("devices.expanded", report.deviceListExpanded);
    writer.setArchiveMetadata("compiler", report.compiler);
    if (ctx.request.uncompressedNatives)
        writer.setArchiveMetadata(archive::kCompressionKey, archive::kFastLoad);
    writer.setArchiveMetadata("options", ctx.request.options);
    // The runtime applies the same policy when it JIT-compiles for a GPU without fp64.
    if (ctx.request.fp64 == Fp64Policy::Poison) writer.setArchiveMetadata("fp64_policy", "poison");
    if (report.shard) { // archive/shards.h: what `merge` checks and then removes
        writer.setArchiveMetadata(archive::kShardPlan, report.shard->plan);
        writer.setArchiveMetadata(archive::kShardIndex, std::to_string(report.shard->shard.index));
        writer.setArchiveMetadata(archive::kShardCount, std::to_string(report.shard->shard.count));
        if (ctx.request.maxCompression)
            writer.setArchiveMetadata(archive::kShardMaxCompression, "1");
    }
    std::string missing = missingJobs(report, ctx.moduleNames);
    if (!missing.empty()) writer.setArchiveMetadata("missing", missing);
    if (ctx.background) ctx.background->handTo(writer);
    return archive::writeArchiveFile(ctx.request.output, writer, writerOptions(ctx));
}

} // namespace aotpack::compile
