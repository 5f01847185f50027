// The phases of the build driver, each a function that takes what it needs and returns what it
// made, in the file named for it:
//   setUpBuild      request -> BuildSetup (targets, compiler, settings; read-only afterwards)
//                   setup.cpp
//   openCaches      request -> BuildCaches (the local and remote caches: services, not data)
//                   caches.cpp
//   prepareModules  inputs -> PreparedModules (SPIR-V, checked; per-module errors)  frontend.cpp
//   decideKeys      modules -> BuildKeys (nothing to do if the output on disk has the key)
//                   keys.cpp
//   compileAll      modules -> CompiledJobs (cache lookups, compiles, binaries, history)  jobs.cpp
//   writeArchive    SPIR-V + binaries + metadata from the setup -> the archive file  assemble.cpp
//   makeReport      the phases' results -> BuildReport (never read back)  report.cpp
// runBuild (driver.cpp) and addTargets (add_targets.cpp) are the lists of phases.
#pragma once

#include "archive/writer.h"
#include "cache/disk_cache.h"
#include "cache/tiered_cache.h"
#include "cache/warning_inbox.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "compile/background.h"
#include "compile/driver.h"
#include "compile/history.h"
#include "compile/spirv_module.h"
#include "crypto/ed25519.h"
#include "toolchain/compiler.h"

#include <chrono>
#include <functional>
#include <memory>

namespace aotpack::compile {

// Phase 1's result: what every later phase builds with. Only setUpBuild and openCaches read the
// BuildRequest; the phases after them see the values resolved here.
struct BuildSetup {
    devices::DeviceList targets;                   // without the skipped ones (input: as given)
    std::vector<std::string> skippedTargets;       // --skip-unsupported: what ocloc cannot build
    std::shared_ptr<toolchain::Compiler> compiler; // the request's, else the real ocloc
    std::map<std::uint32_t, std::string> targetOptions; // IP -> extra options
    std::string frontendDevice; // --frontend-device, canonical (what ocloc -spv_only is given)
    std::vector<crypto::Ed25519Key> signingKeys; // --sign, loaded (and checked) before any work
    CompileSettings compile; // the request's, with the memory budget resolved (never 0)
    OutputSettings output;
    std::optional<Shard> shard; // --shard: only this shard's jobs, into a partial archive
    ShardCosts shardCosts;      // --shard-costs: the measured costs the split uses
    unsigned jobs = 1;
    std::shared_ptr<TempDir> scratchDir; // removed with the last copy of the setup
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

    const std::filesystem::path& scratch() const { return scratchDir->path(); }
    // Seconds since the build started (the report's total).
    double elapsed() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
};

// The caches a build reads and writes: the local directory (also the job history and the output
// records) and the store of compile results in front of it (local, then remote). Services with
// their own locking; phases take them by reference. Without a cache: no `local`, no `store`.
struct BuildCaches {
    std::optional<DiskCache> local;
    std::unique_ptr<cache::TieredStore> store;
    std::shared_ptr<cache::WarningInbox> warnings = std::make_shared<cache::WarningInbox>();
    History history; // as earlier builds left it; compileAll returns what this build learned
    // For the report: credentials removed; "" without a remote cache.
    std::string remoteUrl, remoteMode, remoteVerify;
    double remoteUploadWaitSeconds = 10; // at the end, for the uploads still running
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

struct PreparedModules {
    std::vector<PreparedModule> modules;
    std::vector<std::string> errors;  // frontend or validation failures, in input order
    std::size_t frontendFailures = 0; // of which OpenCL C that did not compile
};

// What the archive is made from: if the output on disk was made from the same, nothing runs.
struct BuildKeys {
    Hash128 build;
    std::optional<Hash128> plan; // --shard: the whole build's key, the same on every shard
};

struct CompiledBinary {
    std::string module;
    std::uint32_t ip = 0;
    Hash128 hash; // of the zebin; its stored form is in the build's BackgroundWork
    archive::Metadata meta;
};

struct CompiledJobs {
    std::vector<JobReport> jobs; // one per (module, target) of this build (or shard)
    std::vector<CompiledBinary> binaries;
    History learned; // the history entries of the jobs that compiled
    std::string compileMode;
    std::optional<BuildReport::ShardReport> shard;
    std::size_t failed() const;
};

// Phase 1: device list, compiler, options, scratch directory. Every problem here stops the build
// before any work.
Expected<BuildSetup> setUpBuild(const BuildRequest& request, BuildObserver& observer);
// The compiler of a build's targets (compile/toolchains.cpp); `factsStore` keeps what each ocloc
// said it builds.
Expected<std::shared_ptr<toolchain::Compiler>>
chooseCompiler(const BuildRequest& request, const devices::DeviceList& targets,
               const std::filesystem::path& factsStore);
Expected<BuildCaches> openCaches(const BuildRequest& request, BuildObserver& observer);
// The remote cache's warnings so far, through the observer (on the driver's thread).
void printCacheWarnings(const BuildCaches& caches, BuildObserver& observer);
// How the build's archive stores payloads. With `modules` or more, the trained dictionaries
// (compile/dictionaries.h): each costs ~2.5 KiB in the archive and saves ~20% of its payloads'
// stored size, which pays only beyond a few modules (4 examples: +3 KiB; piglit's 66: -17%).
inline constexpr std::size_t kModulesForDictionaries = 16;
archive::WriterOptions writerOptions(const BuildSetup& setup, std::size_t modules);

// Phases 2 and 3: SPIR-V for every module.
PreparedModules prepareModules(const BuildSetup& setup, const BuildCaches& caches,
                               const std::vector<ModuleInput>& inputs, BuildObserver& observer);
// Beside phase 4: the full SPIRV-Tools validation prepareModules deferred (it only warns unless
// --strict-spirv, and takes up to a second per large module); after background.wait(),
// reportValidation prints its warnings in module order.
void validatePending(const BuildCaches& caches, BackgroundWork& background,
                     std::vector<PreparedModule>& modules);
void reportValidation(std::vector<PreparedModule>& modules, BuildObserver& observer);

BuildKeys decideKeys(const BuildSetup& setup, const std::vector<PreparedModule>& modules);

// Before phase 4: payloads compressed beside the compiles are kept in the cache in the form the
// archive stores them (archive/stored_payload.h), for later builds to copy.
void keepStoredPayloads(const BuildCaches& caches, BackgroundWork& background);
// Each payload's stored form from the cache when it is there (one batch; the writer copies it),
// else compressed beside the compiles (and then kept).
struct PayloadToStore {
    Hash128 hash;                 // of the raw bytes
    const Bytes* bytes = nullptr; // alive until the build ends
    bool spirv = false;
    std::uint32_t targetIp = 0; // natives: which dictionary compresses it
};
void reuseOrCompress(const BuildSetup& setup, const BuildCaches& caches, BackgroundWork& background,
                     const std::vector<PayloadToStore>& payloads);
// Phase 4: plan the jobs (cache keys), resolve them (one batch of cache lookups), compile the
// misses; every binary goes to `background` as it arrives.
CompiledJobs compileAll(const BuildSetup& setup, const BuildCaches& caches,
                        const std::vector<PreparedModule>& modules, const BuildKeys& keys,
                        BackgroundWork& background, BuildObserver& observer);

// Phase 5: the archive's metadata from the setup (devices, compiler, options, policies, shard).
archive::Metadata archiveMetadata(const BuildSetup& setup, const CompiledJobs& compiled);
// "module@target,..." for every job that did not produce a binary and every skipped target.
std::string missingJobs(const CompiledJobs& compiled, const std::vector<PreparedModule>& modules,
                        const std::vector<std::string>& skippedTargets);
Status addSpirvEntries(const BuildSetup& setup, archive::ArchiveWriter& writer,
                       const std::vector<PreparedModule>& modules);
// The binaries and metadata into `writer` (it already holds the SPIR-V), then the file.
Status writeArchive(const BuildSetup& setup, archive::ArchiveWriter& writer,
                    const std::vector<CompiledBinary>& binaries, const archive::Metadata& meta,
                    BackgroundWork& background);

// After phase 4: history and eviction, the archive unless jobs failed without --keep-going, the
// output record, the remote cache's uploads. Returns the build's error, if any, and whether the
// archive was written.
struct Finished {
    std::optional<Error> error;
    bool archiveWritten = false;
    std::optional<cache::RemoteStats> remoteCache;
};
Finished finishBuild(const BuildSetup& setup, BuildCaches& caches,
                     const std::optional<BuildKeys>& keys, const PreparedModules& prepared,
                     CompiledJobs& compiled, const std::function<Status()>& writeOutput,
                     BuildObserver& observer);
// The report, from the phases' results.
BuildReport makeReport(const BuildSetup& setup, const BuildCaches& caches,
                       const PreparedModules& prepared, CompiledJobs compiled,
                       const Finished& finished);

std::string effectiveOptions(const BuildSetup& setup, const PreparedModule& m, std::uint32_t ip);
Hash128 jobKey(const BuildSetup& setup, const PreparedModule& m, devices::IpVersion ip,
               const std::string& options);

// caches.cpp: whether the archive on disk is the one this key made; at the end of a build its
// record, the history (with eviction), the remote uploads and the hit counters.
bool outputUpToDate(const BuildSetup& setup, const BuildCaches& caches, const BuildKeys& keys);
void recordOutput(const BuildSetup& setup, const BuildCaches& caches, const BuildKeys& keys);
void keepHistory(BuildCaches& caches, const History& learned, BuildObserver& observer);
std::optional<cache::RemoteStats> finishRemoteCache(BuildCaches& caches, BuildObserver& observer);
void countCacheUse(const BuildCaches& caches, const CompiledJobs& compiled);
// Where the build keeps its cache, and what the installed ocloc can build: its cache directory.
std::filesystem::path buildCacheDir(const BuildRequest& r);

} // namespace aotpack::compile
