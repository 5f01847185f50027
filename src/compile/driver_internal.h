// Shared between the phases of the build driver (driver.cpp, frontend.cpp, jobs.cpp, assemble.cpp).
#pragma once

#include "archive/writer.h"
#include "cache/disk_cache.h"
#include "cache/tiered_cache.h"
#include "cache/warning_inbox.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "compile/background.h"
#include "toolchain/compiler.h"
#include "compile/driver.h"
#include "compile/history.h"
#include "compile/spirv_module.h"

#include <chrono>
#include <memory>

namespace aotpack::compile {

struct BuildContext {
    BuildContext(const BuildRequest& r, BuildObserver& o) : request(r), observer(o) {}
    const BuildRequest& request;
    BuildObserver& observer;
    devices::DeviceList targets;
    std::shared_ptr<toolchain::Compiler> compiler; // the request's, else the real ocloc
    std::optional<DiskCache> cache;     // the local build cache (also history, output records)
    // Compile results: the local cache, then the remote one if configured. Null with --no-cache.
    std::unique_ptr<cache::TieredStore> store;
    std::shared_ptr<cache::WarningInbox> cacheWarnings = std::make_shared<cache::WarningInbox>();
    History history;
    std::map<std::uint32_t, std::string> targetOptions; // IP -> extra options
    std::string frontendDevice; // --frontend-device, canonical (what ocloc -spv_only is given)
    std::unique_ptr<TempDir> scratch;
    unsigned jobs = 1;
    std::optional<Hash128> buildKey; // set when the inputs are known; recorded after a clean build
    std::optional<Hash128> planHash; // --shard: the whole build's key, the same on every shard
    std::vector<std::string> moduleNames; // every module of the archive, once they are prepared
    BackgroundWork* background = nullptr; // work beside the compiles (compression), if any
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

    // Seconds since the build started (the report's total).
    double elapsed() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
};

struct PreparedModule {
    ModuleInput input;
    Bytes spirv;
    SpirvInfo info;
    Hash128 spirvHash;
    // The SPIR-V in the scratch directory, for ocloc: written only when one of its jobs compiles
    // (a no-op build of 20,000 modules spent most of its time creating 20,000 files).
    std::filesystem::path spirvPath;
    bool validationPending = false; // full validation runs beside the compiles (not strict)
};

struct CompiledBinary {
    std::string module;
    std::uint32_t ip = 0;
    Hash128 hash;               // of the zebin
    std::optional<Bytes> zebin; // only without ctx.background: else it holds the stored form
    archive::Metadata meta;
};

// Phase 1: device list, compiler, cache, scratch directory.
archive::WriterOptions writerOptions(const BuildContext& ctx);
Status setUpBuild(BuildContext& ctx, BuildReport& report);
// After phase 4: decides the outcome and writes the archive unless jobs failed without keep_going.
// The binaries move into the writer (a large build holds each one once).
void finishBuild(BuildContext& ctx, BuildOutcome& out, archive::ArchiveWriter& writer,
                 std::vector<CompiledBinary>& binaries);

bool outputUpToDate(const BuildContext& ctx);
// The remote cache's warnings so far, through the observer (on the driver's thread).
void printCacheWarnings(const BuildContext& ctx);
void recordOutput(const BuildContext& ctx);

// Phase 2 and 3: SPIR-V for every module; failures go to report.moduleErrors.
std::vector<PreparedModule>
prepareModules(BuildContext& ctx, const std::vector<ModuleInput>& inputs, BuildReport& report);
// Beside phase 4 (ctx.background): the full SPIRV-Tools validation prepareModules
// deferred (it only warns unless --strict-spirv, and takes up to a second per large module).
void validatePending(const BuildContext& ctx, std::vector<PreparedModule>& modules);
// After ctx.background->wait(): the warnings, in module order (the results went into the cache
// as each validation ended).
void reportValidation(BuildContext& ctx, std::vector<PreparedModule>& modules);
// Before phase 4: payloads compressed beside the compiles are kept in the cache in the form the
// archive stores them (archive/stored_payload.h), for later builds to copy.
void keepStoredPayloads(BuildContext& ctx);
// Each payload's stored form from the cache when it is there (one batch; the writer copies it),
// else compressed beside the compiles (and then kept).
struct PayloadToStore {
    Hash128 hash;                 // of the raw bytes
    const Bytes* bytes = nullptr; // alive until the build ends
    bool spirv = false;
};
void reuseOrCompress(BuildContext& ctx, const std::vector<PayloadToStore>& payloads);
// Phase 4: plan the jobs (cache keys), resolve them (one batch of cache lookups), compile the
// misses, collect the binaries.
std::vector<CompiledBinary>
compileAll(BuildContext& ctx, const std::vector<PreparedModule>& modules, BuildReport& report);
// Phase 5: the modules' SPIR-V entries, then the binaries, then the archive metadata.
Status addSpirvEntries(const BuildContext& ctx, archive::ArchiveWriter& writer,
                       const std::vector<PreparedModule>& modules);
Status writeOutput(BuildContext& ctx, archive::ArchiveWriter& writer,
                   std::vector<CompiledBinary>& binaries, const BuildReport& report);

std::string effectiveOptions(const BuildContext& ctx, const PreparedModule& m, std::uint32_t ip);
Hash128 jobKey(const BuildContext& ctx, const PreparedModule& m, devices::IpVersion ip,
               const std::string& options);
// Everything the archive is made from: if the output on disk was made from the same, nothing runs.
Hash128 buildKey(const BuildContext& ctx, const std::vector<PreparedModule>& modules);

} // namespace aotpack::compile
