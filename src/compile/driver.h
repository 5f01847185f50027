// `aotpack build`: modules x targets -> one archive. The phases, in order:
//   1. resolve the device list and check the installed ocloc can build every target
//   2. OpenCL C -> SPIR-V (ocloc -spv_only, in worker processes)
//   3. validate every SPIR-V with SPIRV-Tools; apply the fp64 policy per target
//   4. one job per (module, target): a cache hit, or an ocloc process (parallel, longest first)
//   5. write the archive atomically, only if every job succeeded (or with keep_going)
#pragma once

#include "cache/remote_store.h"
#include "common/error.h"
#include "compile/inputs.h"
#include "compile/shard.h"
#include "devices/device_list.h"
#include "toolchain/compiler.h"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::compile {

enum class Fp64Policy { Error, Poison };

using Frontend = toolchain::Frontend; // OpenCL C to SPIR-V: ocloc -spv_only, or clang + llvm-spirv

// How the compiles and the frontend run (a request's; BuildSetup holds them resolved).
struct CompileSettings {
    std::string options;   // --options: every compile
    std::string clOptions; // --cl-options: the OpenCL C frontend (code-generation ones also
                           // reach those modules' compiles, through ModuleInput::options)
    Frontend frontend = Frontend::Ocloc;
    Fp64Policy fp64 = Fp64Policy::Error;
    bool strictSpirv = false; // SPIR-V failing validation is an error, not a warning
    bool keepGoing = false;   // -k: a partial archive rather than none
    double timeoutSeconds = 3600;
    std::uint64_t memoryBudgetKb = 0; // --max-memory; 0 in a request: 80% of the available memory
};

// What the build writes and how.
struct OutputSettings {
    std::filesystem::path archive;
    std::filesystem::path depfile;                        // empty: none
    std::vector<std::filesystem::path> extraDependencies; // the depfile's other inputs
    bool maxCompression = false;      // zstd 19 for every payload (slower builds, smaller archives)
    bool portableCompression = false; // no trained dictionaries: readable before format 1.4
    bool uncompressedNatives = false; // native binaries stored raw: faster loads, larger archives
};

struct BuildRequest {
    std::string deviceList;
    std::vector<ModuleInput> modules;
    CompileSettings compile;
    OutputSettings output;
    std::vector<std::pair<std::string, std::string>> targetOptions; // device-list item -> options
    std::string frontendDevice = "pvc"; // the device ocloc -spv_only preprocesses for
    unsigned jobs = 0;                  // 0: number of cores
    bool skipUnsupported = false; // targets the installed ocloc cannot build: skipped, recorded
    bool useCache = true;
    std::filesystem::path cacheDir;  // empty: <cache root>/build (see DiskCache)
    std::uint64_t cacheMaxBytes = 0; // 0: default
    cache::RemoteConfig remoteCache; // a shared cache behind the local one (docs/REMOTE_CACHE.md)
    std::optional<Shard> shard;      // build only this shard's jobs, into a partial archive
    ShardCosts shardCosts;           // measured costs for the split (--shard-costs), if any
    std::vector<std::filesystem::path> signKeys; // private keys the archive is signed with
    std::filesystem::path ocloc; // one compiler for every target; empty: the toolchains below
    // --toolchain: "ID|VERSION" for every target, or "DEVICES=ID|VERSION" for those; the others
    // go to the newest toolchain that builds them (toolchain/routing.h). Ignored with `ocloc`
    // or $AOTPACK_OCLOC, which name one compiler.
    std::vector<std::string> toolchains;
    // Long-lived compile workers: the command that starts one (the CLI passes itself with
    // toolchain::kWorkerCommand; toolchain/ocloc_worker.h). Empty, or when libocloc is not found or
    // no worker starts: one ocloc process per job.
    std::vector<std::string> workerCommand;
    // The compiler of the compile jobs; empty: the real ocloc above (tests pass a
    // toolchain::FakeCompiler).
    std::shared_ptr<toolchain::Compiler> compiler;
};

enum class JobOutcome { Compiled, CacheHit, Failed, NotRun };

struct JobReport {
    std::string module;
    std::string target;
    std::uint32_t ip = 0;
    JobOutcome outcome = JobOutcome::NotRun;
    double started = 0; // when the compile started, seconds after the build did (a timeline)
    double seconds = 0;
    double compileSeconds = 0; // compile workers: the compile alone, in-process (else 0)
    long maxRssKb = 0;
    std::string why;   // why it ran: "not in cache: first build", "SPIR-V changed", ...
    std::string error; // for Failed: what went wrong, module and target named
    std::string log;   // the compiler's output
    std::vector<std::string> droppedKernels; // fp64 poison
};

struct BuildReport {
    std::string deviceListInput;
    std::string deviceListExpanded;
    std::string compiler;
    std::vector<JobReport> jobs;
    std::vector<std::string> moduleErrors;   // frontend or validation failures
    std::size_t frontendFailures = 0;        // of which OpenCL C that did not compile
    std::vector<std::string> skippedTargets; // --skip-unsupported: targets ocloc cannot build
    double seconds = 0;
    // Where the build's CPU time went: aotpack's own threads (reading, hashing, validating,
    // compressing, writing) and its finished child processes (compile workers, ocloc, the
    // frontend). With `seconds` x cores they show what is left idle.
    double aotpackCpuSeconds = 0;
    double compilerCpuSeconds = 0;
    bool archiveWritten = false;
    bool upToDate = false;   // the output was already built from the same inputs: nothing ran
    std::string compileMode; // "workers" (long-lived, libocloc) or "processes" (ocloc per job)
    struct ShardReport {
        Shard shard;
        std::string plan;                  // the whole build's key: equal on every shard
        std::vector<double> expectedCosts; // per shard, the guess the split balanced
        double largestJobCost = 0;         // no split can beat it
    };
    std::optional<ShardReport> shard;
    std::optional<cache::RemoteStats> remoteCache; // when a remote cache was configured
    std::string remoteCacheUrl;                    // its URL, credentials removed
    std::string remoteCacheMode;                   // "read-write" or "read-only"
    std::string remoteCacheVerify;                 // "hmac" or "none"
    std::size_t failedJobs() const;
};

// Receives progress while the build runs (the CLI draws its progress bar from it).
class BuildObserver {
  public:
    virtual ~BuildObserver() = default;
    virtual void planned(std::size_t /*compileJobs*/, std::size_t /*cacheHits*/) {}
    virtual void jobStarted(const JobReport&) {}
    virtual void jobFinished(const JobReport&) {}
    virtual void warning(const std::string&) {}
};

// Returns the report even when jobs failed; the error is for failures that stop the build early
// (bad device list, unsupported target, no compiler) or, after the report, for the exit code.
struct BuildOutcome {
    BuildReport report;
    std::optional<Error> error;
};
BuildOutcome runBuild(const BuildRequest& request, BuildObserver& observer);

// `aotpack add-targets`: compile an archive's own SPIR-V for more targets into a new archive.
struct AddTargetsRequest {
    std::filesystem::path input;
    BuildRequest build; // deviceList = the targets to add; modules come from the archive
};
BuildOutcome addTargets(const AddTargetsRequest& request, BuildObserver& observer);

// An output that cannot be written, found before any work: a directory in its place, or a
// directory that does not exist or is not writable (exit 6, naming `what` and the path).
Status checkOutputPath(const std::filesystem::path& output, const char* what);

} // namespace aotpack::compile
