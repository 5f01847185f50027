// Phase 5 of the build: the archive. Everything recorded is independent of paths, time and user,
// so the same inputs give the same bytes.
#include "archive/shards.h"
#include "archive/signing.h"
#include "common/text.h"
#include "compile/dictionaries.h"
#include "compile/driver_internal.h"

namespace aotpack::compile {

Status addSpirvEntries(const BuildSetup& setup, archive::ArchiveWriter& writer,
                       const std::vector<PreparedModule>& modules) {
    for (const auto& m : modules) {
        std::vector<std::string> parts;
        for (const std::string* s : {&setup.compile.options, &m.input.options})
            if (!s->empty()) parts.push_back(*s);
        archive::Metadata meta = {{"entry_points", join(m.info.entryPoints, ",")},
                                  {"options", join(parts, " ")},
                                  {"source", m.input.path.filename().string()},
                                  {"fp64", m.info.usesFp64 ? "yes" : "no"}};
        if (auto st = writer.addSpirv(m.input.name, m.spirv, meta); !st) return st;
    }
    return success();
}

archive::WriterOptions writerOptions(const BuildSetup& setup, std::size_t modules) {
    archive::WriterOptions options;
    options.threads = setup.jobs;
    if (setup.output.maxCompression) options.useMaxCompression();
    if (!setup.output.portableCompression && modules >= kModulesForDictionaries)
        options.dictionaryFor = builtinDictionary;
    return options;
}

std::string missingJobs(const CompiledJobs& compiled, const std::vector<PreparedModule>& modules,
                        const std::vector<std::string>& skippedTargets) {
    std::vector<std::string> missing;
    for (const auto& job : compiled.jobs)
        if (job.outcome == JobOutcome::Failed || job.outcome == JobOutcome::NotRun)
            missing.push_back(job.module + "@" + job.target);
    for (const auto& m : modules) // --skip-unsupported
        for (const auto& target : skippedTargets)
            missing.push_back(m.input.name + "@" + target);
    return join(missing, ",");
}

archive::Metadata archiveMetadata(const BuildSetup& setup, const CompiledJobs& compiled) {
    archive::Metadata meta = {{"tool", "aotpack " AOTPACK_VERSION},
                              {"devices.input", setup.targets.input},
                              {"devices.expanded", setup.targets.canonical()},
                              {"compiler", "ocloc " + setup.compiler->support().version},
                              {"options", setup.compile.options}};
    if (setup.output.uncompressedNatives) meta[archive::kCompressionKey] = archive::kFastLoad;
    // The runtime applies the same policy when it JIT-compiles for a GPU without fp64.
    if (setup.compile.fp64 == Fp64Policy::Poison) meta["fp64_policy"] = "poison";
    if (compiled.shard) { // archive/shards.h: what `merge` checks and then removes
        meta[archive::kShardPlan] = compiled.shard->plan;
        meta[archive::kShardIndex] = std::to_string(compiled.shard->shard.index);
        meta[archive::kShardCount] = std::to_string(compiled.shard->shard.count);
        if (setup.output.maxCompression) meta[archive::kShardMaxCompression] = "1";
    }
    return meta;
}

Status writeArchive(const BuildSetup& setup, archive::ArchiveWriter& writer,
                    const std::vector<CompiledBinary>& binaries, const archive::Metadata& meta,
                    BackgroundWork& background) {
    for (const auto& b : binaries)
        if (auto st = writer.addNativeStored(b.module, b.ip, b.hash, b.meta); !st) return st;
    for (const auto& [key, value] : meta)
        writer.setArchiveMetadata(key, value);
    background.handTo(writer);
    return archive::writeArchiveFile(setup.output.archive, writer, background.options(),
                                     setup.signingKeys);
}

} // namespace aotpack::compile
