#include "compile/driver.h"

#include "archive/reader.h"
#include "archive/signing.h"
#include "cache/counters.h"
#include "common/text.h"
#include "compile/depfile.h"
#include "compile/dictionaries.h"
#include "compile/driver_internal.h"
#include "toolchain/routing.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <tuple>
#include <unistd.h>

namespace aotpack::compile {

std::size_t BuildReport::failedJobs() const {
    std::size_t n = 0;
    for (const auto& j : jobs)
        n += j.outcome == JobOutcome::Failed;
    return n;
}

std::size_t CompiledJobs::failed() const {
    std::size_t n = 0;
    for (const auto& j : jobs)
        n += j.outcome == JobOutcome::Failed;
    return n;
}

// The build cache remembers, per output path, the build key and the checksum of the archive it
// wrote. Kept out of the archive itself so the archive's bytes do not depend on the compiler's
// file timestamps that the key includes.
static std::filesystem::path outputRecord(const DiskCache& cache,
                                          const std::filesystem::path& out) {
    std::error_code ec; // absolute() fails only without a current directory: keep the path
    std::filesystem::path absolute = std::filesystem::absolute(out, ec);
    std::string path = (ec ? out : absolute).lexically_normal().string();
    return cache.dir() / "outputs" / Hasher().add(path).finish().hex();
}

bool outputUpToDate(const BuildSetup& setup, const BuildCaches& caches, const BuildKeys& keys) {
    if (!caches.local) return false;
    auto record = readTextFile(outputRecord(*caches.local, setup.request.output));
    auto archive = readFile(setup.request.output);
    return record && archive &&
           *record == keys.build.hex() + " " + std::to_string(hash64(*archive));
}

static void recordOutput(const BuildSetup& setup, const BuildCaches& caches,
                         const BuildKeys& keys) {
    if (!caches.local) return;
    auto archive = readFile(setup.request.output);
    if (!archive) return;
    auto record = outputRecord(*caches.local, setup.request.output);
    std::error_code ec;
    std::filesystem::create_directories(record.parent_path(), ec);
    // Not fsynced: a torn record does not match, and the next build simply runs.
    (void)writeFileAtomic(record, keys.build.hex() + " " + std::to_string(hash64(*archive)),
                          Sync::No);
}

// Where the build remembers what the installed ocloc can build: its cache directory.
static std::filesystem::path buildCacheDir(const BuildRequest& r) {
    return r.cacheDir.empty() ? DiskCache::defaultRoot() / "build" : r.cacheDir;
}

// The local cache, and the remote one behind it when configured. A local cache directory that
// cannot be used is a warning (a cache never fails a build: it builds without one); a remote
// configuration that cannot work stops the build (the command line is wrong).
Expected<BuildCaches> openCaches(const BuildRequest& request, BuildObserver& observer) {
    BuildCaches caches;
    if (!request.useCache) return caches;
    auto dir = buildCacheDir(request);
    auto local = DiskCache::open(dir, request.cacheMaxBytes ? request.cacheMaxBytes
                                                            : DiskCache::configuredMaxBytes(dir));
    if (local && ::access((dir / "v1").c_str(), W_OK | X_OK) != 0)
        local = makeError(Errc::Output, "cannot write cache directory '" + dir.string() + "'");
    if (!local) {
        observer.warning(local.error().message + "; building without a cache");
        return caches;
    }
    caches.local = *local;
    caches.history = loadHistory(local->dir());
    auto inbox = caches.warnings;
    auto remote = cache::openRemoteStore(request.remoteCache,
                                         [inbox](const std::string& m) { inbox->add(m); });
    if (!remote) return remote.error();
    if (*remote) {
        caches.remoteUrl = request.remoteCache.redactedUrl();
        caches.remoteMode =
            request.remoteCache.mode == cache::RemoteMode::ReadOnly ? "read-only" : "read-write";
        caches.remoteVerify = request.remoteCache.verifyHmac ? "hmac" : "none";
    }
    caches.store = std::make_unique<cache::TieredStore>(
        std::make_unique<cache::DiskStore>(*local, "zebin"), std::move(*remote));
    return caches;
}

void printCacheWarnings(const BuildCaches& caches, BuildObserver& observer) {
    for (const auto& w : caches.warnings->take())
        observer.warning(w);
}

// Waits a bounded time for the remote cache's uploads, then counts them into
// <build cache>/remote-stats (for `aotpack cache stats`) and returns them for the report.
static std::optional<cache::RemoteStats>
finishRemoteCache(const BuildRequest& request, BuildCaches& caches, BuildObserver& observer) {
    if (!caches.store || !caches.store->remote()) return std::nullopt;
    auto stats =
        caches.store->finishUploads(std::max(10.0, 2 * request.remoteCache.requestTimeoutSeconds));
    if (stats.uploadsAbandoned)
        caches.warnings->add("remote cache: " + std::to_string(stats.uploadsAbandoned) +
                             " upload(s) abandoned (the build itself is complete)");
    printCacheWarnings(caches, observer);
    cache::addCounters(caches.local->dir() / cache::kRemoteStatsFile, cache::toCounters(stats));
    return stats;
}

// The build's cache hits and compiles, summed in <build cache>/build-stats over every build
// (`aotpack cache stats`; `cache zero` resets them).
static void countCacheUse(const BuildCaches& caches, const CompiledJobs& compiled) {
    if (!caches.local) return;
    cache::Counters delta{{"hits", 0}, {"compiled", 0}};
    for (const auto& j : compiled.jobs) {
        delta["hits"] += j.outcome == JobOutcome::CacheHit;
        delta["compiled"] += j.outcome == JobOutcome::Compiled;
    }
    cache::addCounters(caches.local->dir() / cache::kBuildStatsFile, delta);
}

// An output that cannot be written fails now, not after every compile: a directory in its place,
// or a directory that does not exist or is not writable.
Status checkOutputPath(const std::filesystem::path& output, const char* what) {
    if (output.empty()) return success();
    auto cannot = [&](const std::string& why) {
        return makeError(Errc::Output, "cannot write " + std::string(what) + " '" +
                                           output.string() + "': " + why);
    };
    std::error_code ec;
    if (std::filesystem::is_directory(output, ec)) return cannot("it is a directory");
    auto dir = output.parent_path().empty() ? std::filesystem::path(".") : output.parent_path();
    if (!std::filesystem::is_directory(dir, ec))
        return cannot("the directory '" + dir.string() + "' does not exist");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return cannot("the directory '" + dir.string() + "' is not writable");
    return success();
}

// --frontend-device: one device of the device language, which the installed ocloc can build when
// there is OpenCL C to compile. The canonical name goes to ocloc (and into the frontend's key).
static Status resolveFrontendDevice(BuildSetup& setup) {
    auto list =
        devices::parseDeviceList(devices::Database::builtin(), setup.request.frontendDevice);
    if (!list) return makeError(list.error().code, "--frontend-device: " + list.error().message);
    if (list->targets.size() != 1)
        return makeError(Errc::Usage, "--frontend-device '" + setup.request.frontendDevice +
                                          "' names " + std::to_string(list->targets.size()) +
                                          " devices; give one");
    const auto& target = list->targets.front();
    bool openClC = std::any_of(setup.request.modules.begin(), setup.request.modules.end(),
                               [](const auto& m) { return m.kind == SourceKind::OpenClC; });
    if (openClC && setup.request.frontend == Frontend::Ocloc &&
        !setup.compiler->support().supports(target.ip))
        return makeError(Errc::Unsupported, "--frontend-device: " + toolchain::unsupportedTarget(
                                                                        setup.compiler->support(),
                                                                        target.name, target.ip)
                                                                        .message);
    if (openClC && setup.request.frontend == Frontend::Ocloc && toolchain::inBundleWithoutOpenClC())
        return makeError(Errc::Unsupported,
                         "this aotpack bundle was made with --no-opencl-c and cannot compile "
                         "OpenCL C; give SPIR-V, or use a bundle made without --no-opencl-c");
    setup.frontendDevice = target.name;
    return success();
}

// --target-options DEVICE=...: the devices must be targets of this build, or the options would
// be silently ignored.
static Status resolveTargetOptions(BuildSetup& setup) {
    const auto& db = devices::Database::builtin();
    for (const auto& [item, options] : setup.request.targetOptions) {
        auto t = devices::parseDeviceList(db, item);
        if (!t) return t.error();
        for (const auto& target : t->targets) {
            bool built = std::any_of(setup.targets.targets.begin(), setup.targets.targets.end(),
                                     [&](const auto& b) { return b.ip == target.ip; });
            if (!built)
                return makeError(Errc::Usage, "--target-options '" + item + "': " + target.name +
                                                  " is not a target of this build (device list '" +
                                                  setup.request.deviceList + "')");
            setup.targetOptions[target.ip.value()] = options;
        }
    }
    return success();
}

// Targets the installed ocloc cannot build: one error line naming them all, or with
// --skip-unsupported one warning, and the build goes on without them (the archive's `missing`
// and the report's `skipped_targets` record them).
static std::string unsupportedHint(const BuildSetup& setup) {
    for (const auto& t : setup.targets.targets)
        if (!setup.compiler->support().supports(t.ip)) return toolchain::toolchainAddHint(t.ip);
    return "";
}

static Status dropUnsupportedTargets(BuildSetup& setup, BuildObserver& observer) {
    std::vector<std::string> names;
    for (const auto& t : setup.targets.targets)
        if (!setup.compiler->support().supports(t.ip))
            names.push_back(t.name + " (" + t.ip.str() + ")");
    if (names.empty()) return success();
    std::string what = "the installed ocloc " + setup.compiler->support().version + " (" +
                       setup.compiler->support().ocloc.string() + ") cannot build " +
                       join(names, ", ");
    if (!setup.request.skipUnsupported)
        return makeError(Errc::Unsupported, what + "; a newer intel-opencl-icd is needed (`" +
                                                unsupportedHint(setup) +
                                                "` adds a compiler toolchain that builds them), or "
                                                "--skip-unsupported builds the other targets");
    observer.warning(what + "; skipped (--skip-unsupported)");
    std::erase_if(setup.targets.targets, [&](const auto& t) {
        if (setup.compiler->support().supports(t.ip)) return false;
        setup.skippedTargets.push_back(t.name);
        return true;
    });
    return success();
}

// Phase 1: targets, compiler, options, scratch directory.
Expected<BuildSetup> setUpBuild(const BuildRequest& request, BuildObserver& observer) {
    if (auto st = checkOutputPath(request.output, "the archive"); !st) return st.error();
    if (auto st = checkOutputPath(request.depfile, "the depfile"); !st) return st.error();
    const auto& db = devices::Database::builtin();
    auto list = devices::parseDeviceList(db, request.deviceList);
    if (!list) return list.error();
    BuildSetup setup{request, *list};
    if (auto st = resolveTargetOptions(setup); !st) return st.error();
    auto compiler = chooseCompiler(request, setup.targets,
                                   request.useCache ? buildCacheDir(request) / "ocloc-facts"
                                                    : std::filesystem::path());
    if (!compiler) return compiler.error();
    setup.compiler = std::move(*compiler);
    if (auto st = resolveFrontendDevice(setup); !st) return st.error();
    if (auto st = dropUnsupportedTargets(setup, observer); !st) return st.error();
    auto keys = archive::loadSigningKeys(request.signKeys);
    if (!keys) return keys.error();
    setup.signingKeys = std::move(*keys);
    setup.scratchDir = std::make_shared<TempDir>();
    if (setup.scratch().empty())
        return makeError(Errc::Output, "cannot create a temporary directory");
    setup.jobs = request.jobs ? request.jobs : std::max(1u, std::thread::hardware_concurrency());
    return setup;
}

static std::optional<Error> finalError(const PreparedModules& prepared,
                                       const CompiledJobs& compiled) {
    if (!prepared.errors.empty()) // OpenCL C that did not compile is a failed compile
        return makeError(prepared.frontendFailures == prepared.errors.size() ? Errc::CompileFailed
                                                                             : Errc::BadInput,
                         std::to_string(prepared.errors.size()) +
                             " module(s) could not be read or compiled");
    if (std::size_t failed = compiled.failed())
        return makeError(Errc::CompileFailed, std::to_string(failed) + " of " +
                                                  std::to_string(compiled.jobs.size()) +
                                                  " compile jobs failed");
    return std::nullopt;
}

static void keepHistory(BuildCaches& caches, const History& learned, BuildObserver& observer) {
    if (caches.local) {
        for (const auto& [key, entry] : learned)
            caches.history[key] = entry;
        saveHistory(caches.local->dir(), caches.history);
        caches.local->evict();
    }
    if (caches.store && caches.store->local())
        if (auto e = caches.store->local()->takeWriteError()) observer.warning(*e);
}

Finished finishBuild(const BuildSetup& setup, BuildCaches& caches,
                     const std::optional<BuildKeys>& keys, const PreparedModules& prepared,
                     CompiledJobs& compiled, const std::function<Status()>& writeOutput,
                     BuildObserver& observer) {
    Finished out;
    out.error = finalError(prepared, compiled);
    keepHistory(caches, compiled.learned, observer);
    bool nothingBuilt = compiled.binaries.empty() && !compiled.jobs.empty();
    if (out.error && setup.request.keepGoing && nothingBuilt) // -k, but no job succeeded
        out.error->message += "; no job succeeded, so nothing was written";
    else if (!out.error || setup.request.keepGoing) { // never a partial archive unless asked for
        if (auto st = writeOutput(); !st) {
            out.error = st.error();
        } else {
            out.archiveWritten = true;
            if (!out.error && keys) recordOutput(setup, caches, *keys);
        }
    }
    // The archive is written: uploads may finish meanwhile.
    out.remoteCache = finishRemoteCache(setup.request, caches, observer);
    countCacheUse(caches, compiled);
    return out;
}

// CPU time (user + system) of this process's threads and of its children that have ended.
static std::pair<double, double> cpuSecondsSoFar() {
    auto seconds = [](const rusage& u) {
        auto of = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
        return of(u.ru_utime) + of(u.ru_stime);
    };
    rusage self{}, children{};
    ::getrusage(RUSAGE_SELF, &self);
    ::getrusage(RUSAGE_CHILDREN, &children);
    return {seconds(self), seconds(children)};
}

BuildReport makeReport(const BuildSetup& setup, const BuildCaches& caches,
                       const PreparedModules& prepared, CompiledJobs compiled,
                       const Finished& finished) {
    BuildReport report;
    report.deviceListInput = setup.targets.input;
    report.deviceListExpanded = setup.targets.canonical();
    report.compiler = "ocloc " + setup.compiler->support().version;
    report.jobs = std::move(compiled.jobs);
    report.moduleErrors = prepared.errors;
    report.frontendFailures = prepared.frontendFailures;
    report.skippedTargets = setup.skippedTargets;
    report.archiveWritten = finished.archiveWritten;
    report.compileMode = compiled.compileMode;
    report.shard = compiled.shard;
    report.remoteCache = finished.remoteCache;
    report.remoteCacheUrl = caches.remoteUrl;
    report.remoteCacheMode = caches.remoteMode;
    report.remoteCacheVerify = caches.remoteVerify;
    report.seconds = setup.elapsed();
    std::tie(report.aotpackCpuSeconds, report.compilerCpuSeconds) = cpuSecondsSoFar();
    return report;
}

// --cl-options: the frontend's options. Code-generation options among them (-cl-*, as
// -cl-fast-relaxed-math or -cl-opt-disable) also reach the backend compile of those modules, as
// `ocloc compile -file k.cl -options ...` applies them to both; -I, -D and -cl-std stay with the
// frontend. On SPIR-V inputs they do nothing, which is said once.
static void applyClOptions(const std::string& clOptions, std::vector<ModuleInput>& inputs,
                           BuildObserver& observer) {
    if (trim(clOptions).empty()) return;
    std::vector<std::string> codegen;
    for (const auto& word : split(clOptions, ' '))
        if (word.starts_with("-cl-") && !word.starts_with("-cl-std")) codegen.push_back(word);
    std::size_t spirv = 0;
    for (auto& in : inputs) {
        if (in.kind != SourceKind::OpenClC) {
            ++spirv;
            continue;
        }
        for (const auto& option : codegen)
            in.options += (in.options.empty() ? "" : " ") + option;
    }
    if (spirv)
        observer.warning("--cl-options applies to OpenCL C inputs only; " + std::to_string(spirv) +
                         " SPIR-V input(s) ignore it (use --options for the backend compile)");
}

// The plan's key with the measured costs the split used: shards that split by other costs must
// not be merged (they would build some jobs twice and others not at all).
static Hash128 withCosts(const Hash128& plan, const ShardCosts& costs) {
    if (costs.empty()) return plan;
    Hasher h;
    h.add(plan.bytes);
    for (const auto& [job, seconds] : costs)
        h.add(job.first).add(std::to_string(job.second)).add(std::to_string(seconds));
    return h.finish();
}

// Everything the archive is made from.
static Hash128 buildKey(const BuildSetup& setup, const std::vector<PreparedModule>& modules) {
    const BuildRequest& r = setup.request;
    Hasher h;
    h.add("aotpack-build-v1").add(AOTPACK_VERSION).add(r.deviceList).add(setup.targets.canonical());
    h.add(setup.compiler->support().identity)
        .add(r.options)
        .add(r.fp64 == Fp64Policy::Poison ? "poison" : "error")
        .add(r.maxCompression ? "max" : "default")
        .add(r.uncompressedNatives ? "raw-natives" : "")
        .add(r.portableCompression ? "portable" : builtinDictionariesIdentity());
    for (const auto& key : setup.signingKeys) // a signature is part of the output
        h.add(std::span<const std::uint8_t>(key.id()));
    for (const auto& m : modules) {
        h.add(m.input.name)
            .add(m.input.path.filename().string())
            .add(m.input.options)
            .add(m.spirvHash.bytes);
        for (const auto& t : setup.targets.targets)
            h.add(jobKey(setup, m, t.ip, effectiveOptions(setup, m, t.ip.value())).bytes);
    }
    return h.finish();
}

// A shard is up to date with respect to its own share only.
BuildKeys decideKeys(const BuildSetup& setup, const std::vector<PreparedModule>& modules) {
    BuildKeys keys{buildKey(setup, modules), std::nullopt};
    if (!setup.request.shard) return keys;
    keys.plan = withCosts(keys.build, setup.request.shardCosts);
    keys.build = Hasher().add(keys.plan->bytes).add(setup.request.shard->str()).finish();
    return keys;
}

namespace {

BuildOutcome upToDate(const BuildSetup& setup, const BuildCaches& caches,
                      const std::vector<ModuleInput>& inputs, const PreparedModules& prepared,
                      BuildObserver& observer) {
    BuildOutcome out{makeReport(setup, caches, prepared, {}, {}), std::nullopt};
    out.report.upToDate = true;
    // Make and Ninja compare times: the output must end up newer than an input touched without
    // changing it, or they would run this command again every time.
    ::utimensat(AT_FDCWD, setup.request.output.c_str(), nullptr, 0);
    if (!setup.request.depfile.empty())
        if (auto st = writeDepfile(setup, inputs, observer); !st) out.error = st.error();
    out.report.seconds = setup.elapsed();
    return out;
}

// Resolve (cache lookups), compile and assemble: the SPIR-V entries first, payloads compressed
// (or copied from the cache) beside the compiles, then the archive.
BuildOutcome compileAndAssemble(const BuildSetup& setup, BuildCaches& caches,
                                const std::vector<ModuleInput>& inputs, PreparedModules& prepared,
                                const BuildKeys& keys, BuildObserver& observer) {
    auto& modules = prepared.modules;
    archive::ArchiveWriter writer;
    if (auto st = addSpirvEntries(setup, writer, modules); !st)
        return {makeReport(setup, caches, prepared, {}, {}), st.error()};
    BackgroundWork background(setup.jobs, writerOptions(setup, modules.size()),
                              !setup.request.uncompressedNatives);
    keepStoredPayloads(caches, background);
    validatePending(caches, background, modules);
    std::vector<PayloadToStore> spirv;
    for (const auto& m : modules)
        spirv.push_back({m.spirvHash, &m.spirv, true});
    reuseOrCompress(setup, caches, background, spirv);
    auto compiled = compileAll(setup, caches, modules, keys, background, observer);
    background.wait();
    reportValidation(modules, observer);
    auto meta = archiveMetadata(setup, compiled);
    if (auto missing = missingJobs(compiled, modules, setup.skippedTargets); !missing.empty())
        meta["missing"] = missing;
    auto finished = finishBuild(
        setup, caches, keys, prepared, compiled,
        [&] { return writeArchive(setup, writer, compiled.binaries, meta, background); }, observer);
    BuildOutcome out{makeReport(setup, caches, prepared, std::move(compiled), finished),
                     finished.error};
    if (!out.error && !setup.request.depfile.empty())
        if (auto st = writeDepfile(setup, inputs, observer); !st) out.error = st.error();
    out.report.seconds = setup.elapsed();
    return out;
}

} // namespace

// The phases, in order: set up (targets, compiler, caches), prepare (inputs -> SPIR-V modules,
// checked), decide (the build key: nothing to do if the output on disk has it), then resolve,
// compile and assemble.
BuildOutcome runBuild(const BuildRequest& request, BuildObserver& observer) {
    std::vector<ModuleInput> inputs = request.modules;
    if (auto st = checkModules(inputs); !st) return {{}, st.error()};
    applyClOptions(request.clOptions, inputs, observer);
    auto setup = setUpBuild(request, observer);
    if (!setup) return {{}, setup.error()};
    auto caches = openCaches(request, observer);
    if (!caches) return {{}, caches.error()};
    auto prepared = prepareModules(*setup, *caches, inputs, observer);
    if (!prepared.errors.empty() && !request.keepGoing)
        return {makeReport(*setup, *caches, prepared, {}, {}), finalError(prepared, {})};
    auto keys = decideKeys(*setup, prepared.modules);
    if (prepared.errors.empty() && outputUpToDate(*setup, *caches, keys))
        return upToDate(*setup, *caches, inputs, prepared, observer);
    return compileAndAssemble(*setup, *caches, inputs, prepared, keys, observer);
}

} // namespace aotpack::compile
