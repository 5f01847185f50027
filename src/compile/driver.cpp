#include "compile/driver.h"

#include "archive/reader.h"
#include "cache/counters.h"
#include "common/text.h"
#include "compile/depfile.h"
#include "compile/driver_internal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace aotpack::compile {

std::size_t BuildReport::failedJobs() const {
    std::size_t n = 0;
    for (const auto& j : jobs)
        n += j.outcome == JobOutcome::Failed;
    return n;
}

// The build cache remembers, per output path, the build key and the checksum of the archive it
// wrote. Kept out of the archive itself so the archive's bytes do not depend on the compiler's
// file timestamps that the key includes.
static std::filesystem::path outputRecord(const BuildContext& ctx) {
    std::string path = std::filesystem::absolute(ctx.request.output).lexically_normal().string();
    return ctx.cache->dir() / "outputs" / Hasher().add(path).finish().hex();
}

bool outputUpToDate(const BuildContext& ctx) {
    if (!ctx.cache || !ctx.buildKey) return false;
    auto record = readTextFile(outputRecord(ctx));
    auto archive = readFile(ctx.request.output);
    return record && archive &&
           *record == ctx.buildKey->hex() + " " + std::to_string(hash64(*archive));
}

void recordOutput(const BuildContext& ctx) {
    if (!ctx.cache || !ctx.buildKey) return;
    auto archive = readFile(ctx.request.output);
    if (!archive) return;
    std::filesystem::create_directories(outputRecord(ctx).parent_path());
    // Not fsynced: a torn record does not match, and the next build simply runs.
    (void)writeFileAtomic(outputRecord(ctx),
                          ctx.buildKey->hex() + " " + std::to_string(hash64(*archive)), Sync::No);
}

// Where the build remembers what the installed ocloc can build: its cache directory.
static std::filesystem::path buildCacheDir(const BuildRequest& r) {
    return r.cacheDir.empty() ? DiskCache::defaultRoot() / "build" : r.cacheDir;
}

// The local cache, and the remote one behind it when configured. A local cache directory that
// cannot be used is a warning (a cache never fails a build: it builds without one); a remote
// configuration that cannot work stops the build (the command line is wrong).
static Status openCaches(BuildContext& ctx, BuildReport& report) {
    auto dir = buildCacheDir(ctx.request);
    auto cache = DiskCache::open(dir, ctx.request.cacheMaxBytes ? ctx.request.cacheMaxBytes
                                                                : DiskCache::kDefaultMaxBytes);
    if (cache && ::access((dir / "v1").c_str(), W_OK | X_OK) != 0)
        cache = makeError(Errc::Output, "cannot write cache directory '" + dir.string() + "'");
    if (!cache) {
        ctx.observer.warning(cache.error().message + "; building without a cache");
        return success();
    }
    ctx.cache = *cache;
    ctx.history = loadHistory(cache->dir());
    auto inbox = ctx.cacheWarnings;
    auto remote = cache::openRemoteStore(ctx.request.remoteCache,
                                         [inbox](const std::string& m) { inbox->add(m); });
    if (!remote) return remote.error();
    if (*remote) {
        report.remoteCacheUrl = ctx.request.remoteCache.redactedUrl();
        report.remoteCacheMode = ctx.request.remoteCache.mode == cache::RemoteMode::ReadOnly
                                     ? "read-only"
                                     : "read-write";
    }
    ctx.store = std::make_unique<cache::TieredStore>(
        std::make_unique<cache::DiskStore>(*cache, "zebin"), std::move(*remote));
    return success();
}

void printCacheWarnings(const BuildContext& ctx) {
    for (const auto& w : ctx.cacheWarnings->take())
        ctx.observer.warning(w);
}

// Waits a bounded time for the remote cache's uploads, then counts them into the report and
// into <build cache>/remote-stats (for `aotpack cache stats`).
static void finishRemoteCache(BuildContext& ctx, BuildReport& report) {
    if (!ctx.store || !ctx.store->remote()) return;
    auto stats =
        ctx.store->finishUploads(std::max(10.0, 2 * ctx.request.remoteCache.requestTimeoutSeconds));
    if (stats.uploadsAbandoned)
        ctx.cacheWarnings->add("remote cache: " + std::to_string(stats.uploadsAbandoned) +
                               " upload(s) abandoned (the build itself is complete)");
    printCacheWarnings(ctx);
    report.remoteCache = stats;
    cache::addCounters(ctx.cache->dir() / cache::kRemoteStatsFile, cache::toCounters(stats));
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
static Status resolveFrontendDevice(BuildContext& ctx) {
    auto list = devices::parseDeviceList(devices::Database::builtin(), ctx.request.frontendDevice);
    if (!list) return makeError(list.error().code, "--frontend-device: " + list.error().message);
    if (list->targets.size() != 1)
        return makeError(Errc::Usage, "--frontend-device '" + ctx.request.frontendDevice +
                                          "' names " + std::to_string(list->targets.size()) +
                                          " devices; give one");
    const auto& target = list->targets.front();
    bool openClC = std::any_of(ctx.request.modules.begin(), ctx.request.modules.end(),
                               [](const auto& m) { return m.kind == SourceKind::OpenClC; });
    if (openClC && ctx.request.frontend == Frontend::Ocloc &&
        !ctx.compiler->support().supports(target.ip))
        return makeError(Errc::Unsupported,
                         "--frontend-device: " + toolchain::unsupportedTarget(ctx.compiler->support(),
                                                                            target.name, target.ip)
                                                     .message);
    if (openClC && ctx.request.frontend == Frontend::Ocloc && toolchain::inBundleWithoutOpenClC())
        return makeError(Errc::Unsupported,
                         "this aotpack bundle was made with --no-opencl-c and cannot compile "
                         "OpenCL C; give SPIR-V, or use a bundle made without --no-opencl-c");
    ctx.frontendDevice = target.name;
    return success();
}

// --target-options DEVICE=...: the devices must be targets of this build, or the options would
// be silently ignored.
static Status resolveTargetOptions(BuildContext& ctx) {
    const auto& db = devices::Database::builtin();
    for (const auto& [item, options] : ctx.request.targetOptions) {
        auto t = devices::parseDeviceList(db, item);
        if (!t) return t.error();
        for (const auto& target : t->targets) {
            bool built = std::any_of(ctx.targets.targets.begin(), ctx.targets.targets.end(),
                                     [&](const auto& b) { return b.ip == target.ip; });
            if (!built)
                return makeError(Errc::Usage, "--target-options '" + item + "': " + target.name +
                                                  " is not a target of this build (device list '" +
                                                  ctx.request.deviceList + "')");
            ctx.targetOptions[target.ip.value()] = options;
        }
    }
    return success();
}

// Targets the installed ocloc cannot build: one error line naming them all, or with
// --skip-unsupported one warning, and the build goes on without them (the archive's `missing`
// and the report's `skipped_targets` record them).
static Status dropUnsupportedTargets(BuildContext& ctx, BuildReport& report) {
    std::vector<std::string> names;
    for (const auto& t : ctx.targets.targets)
        if (!ctx.compiler->support().supports(t.ip))
            names.push_back(t.name + " (" + t.ip.str() + ")");
    if (names.empty()) return success();
    std::string what = "the installed ocloc " + ctx.compiler->support().version + " (" +
                       ctx.compiler->support().ocloc.string() + ") cannot build " +
                       join(names, ", ");
    if (!ctx.request.skipUnsupported)
        return makeError(Errc::Unsupported,
                         what + "; a newer intel-opencl-icd is needed, or --skip-unsupported "
                                "builds the other targets");
    ctx.observer.warning(what + "; skipped (--skip-unsupported)");
    std::erase_if(ctx.targets.targets, [&](const auto& t) {
        if (ctx.compiler->support().supports(t.ip)) return false;
        report.skippedTargets.push_back(t.name);
        return true;
    });
    return success();
}

// Phase 1: targets, compiler, cache. Every problem here stops the build before any work.
Status setUpBuild(BuildContext& ctx, BuildReport& report) {
    if (auto st = checkOutputPath(ctx.request.output, "the archive"); !st) return st;
    if (auto st = checkOutputPath(ctx.request.depfile, "the depfile"); !st) return st;
    const auto& db = devices::Database::builtin();
    auto list = devices::parseDeviceList(db, ctx.request.deviceList);
    if (!list) return list.error();
    ctx.targets = *list;
    report.deviceListInput = list->input;
    report.deviceListExpanded = list->canonical();
    if (auto st = resolveTargetOptions(ctx); !st) return st;
    ctx.compiler = ctx.request.compiler;
    if (!ctx.compiler) {
        auto compiler = toolchain::probeCompiler(db, ctx.request.ocloc,
                                               ctx.request.useCache ? buildCacheDir(ctx.request) / "ocloc-facts"
                                                                    : std::filesystem::path());
        if (!compiler) return compiler.error();
        ctx.compiler = toolchain::makeOclocCompiler(*compiler, ctx.request.workerCommand);
    }
    report.compiler = "ocloc " + ctx.compiler->support().version;
    if (auto st = resolveFrontendDevice(ctx); !st) return st;
    if (auto st = dropUnsupportedTargets(ctx, report); !st) return st;
    if (ctx.request.useCache)
        if (auto st = openCaches(ctx, report); !st) return st;
    ctx.scratch = std::make_unique<TempDir>();
    if (ctx.scratch->path().empty())
        return makeError(Errc::Output, "cannot create a temporary directory");
    ctx.jobs =
        ctx.request.jobs ? ctx.request.jobs : std::max(1u, std::thread::hardware_concurrency());
    return success();
}

static std::optional<Error> finalError(const BuildReport& report) {
    if (!report.moduleErrors.empty()) // OpenCL C that did not compile is a failed compile
        return makeError(report.frontendFailures == report.moduleErrors.size() ? Errc::CompileFailed
                                                                               : Errc::BadInput,
                         std::to_string(report.moduleErrors.size()) +
                             " module(s) could not be read or compiled");
    if (std::size_t failed = report.failedJobs())
        return makeError(Errc::CompileFailed, std::to_string(failed) + " of " +
                                                  std::to_string(report.jobs.size()) +
                                                  " compile jobs failed");
    return std::nullopt;
}

void finishBuild(BuildContext& ctx, BuildOutcome& out, archive::ArchiveWriter& writer,
                 std::vector<CompiledBinary>& binaries) {
    out.error = finalError(out.report);
    if (ctx.cache) {
        saveHistory(ctx.cache->dir(), ctx.history);
        ctx.cache->evict();
    }
    if (ctx.store && ctx.store->local())
        if (auto e = ctx.store->local()->takeWriteError()) ctx.observer.warning(*e);
    bool nothingBuilt = binaries.empty() && !out.report.jobs.empty();
    if (out.error && ctx.request.keepGoing && nothingBuilt) // -k, but no job succeeded
        out.error->message += "; no job succeeded, so nothing was written";
    else if (!out.error || ctx.request.keepGoing) { // never a partial archive unless asked for
        if (auto st = writeOutput(ctx, writer, binaries, out.report); !st) {
            out.error = st.error();
        } else {
            out.report.archiveWritten = true;
            if (!out.error) recordOutput(ctx);
        }
    }
    finishRemoteCache(ctx, out.report); // the archive is written: uploads may finish meanwhile
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

namespace {

// What the archive is made from; a shard is up to date with respect to its own share only.
void decideBuildKey(BuildContext& ctx, const std::vector<PreparedModule>& modules) {
    ctx.buildKey = buildKey(ctx, modules);
    if (!ctx.request.shard) return;
    ctx.planHash = withCosts(*ctx.buildKey, ctx.request.shardCosts);
    ctx.buildKey = Hasher().add(ctx.planHash->bytes).add(ctx.request.shard->str()).finish();
}

BuildOutcome upToDate(BuildContext& ctx, const std::vector<ModuleInput>& inputs, BuildOutcome out) {
    out.report.upToDate = true;
    // Make and Ninja compare times: the output must end up newer than an input touched without
    // changing it, or they would run this command again every time.
    ::utimensat(AT_FDCWD, ctx.request.output.c_str(), nullptr, 0);
    if (!ctx.request.depfile.empty())
        if (auto st = writeDepfile(ctx, inputs); !st) out.error = st.error();
    out.report.seconds = ctx.elapsed();
    return out;
}

// Resolve (cache lookups), compile and assemble: the SPIR-V entries first, payloads compressed
// (or copied from the cache) beside the compiles, then the archive.
BuildOutcome compileAndAssemble(BuildContext& ctx, const std::vector<ModuleInput>& inputs,
                                std::vector<PreparedModule>& modules, BuildOutcome out) {
    archive::ArchiveWriter writer;
    if (auto st = addSpirvEntries(ctx, writer, modules); !st) return {out.report, st.error()};
    BackgroundWork background(ctx.jobs, writerOptions(ctx), !ctx.request.uncompressedNatives);
    ctx.background = &background;
    keepStoredPayloads(ctx);
    validatePending(ctx, modules);
    std::vector<PayloadToStore> spirv;
    for (const auto& m : modules)
        spirv.push_back({m.spirvHash, &m.spirv, true});
    reuseOrCompress(ctx, spirv);
    auto binaries = compileAll(ctx, modules, out.report);
    background.wait();
    reportValidation(ctx, modules);
    finishBuild(ctx, out, writer, binaries);
    if (!out.error && !ctx.request.depfile.empty())
        if (auto st = writeDepfile(ctx, inputs); !st) out.error = st.error();
    out.report.seconds = ctx.elapsed();
    return out;
}

} // namespace

// The phases, in order: set up (targets, compiler, caches), prepare (inputs -> SPIR-V modules,
// checked), decide (the build key: nothing to do if the output on disk has it), then resolve,
// compile and assemble.
BuildOutcome runBuild(const BuildRequest& request, BuildObserver& observer) {
    BuildOutcome out;
    BuildContext ctx(request, observer);
    std::vector<ModuleInput> inputs = request.modules;
    if (auto st = checkModules(inputs); !st) return {out.report, st.error()};
    applyClOptions(request.clOptions, inputs, observer);
    if (auto st = setUpBuild(ctx, out.report); !st) return {out.report, st.error()};
    auto modules = prepareModules(ctx, inputs, out.report);
    for (const auto& m : modules)
        ctx.moduleNames.push_back(m.input.name);
    if (!out.report.moduleErrors.empty() && !request.keepGoing) {
        out.error = finalError(out.report);
        return out;
    }
    decideBuildKey(ctx, modules);
    if (out.report.moduleErrors.empty() && outputUpToDate(ctx))
        return upToDate(ctx, inputs, std::move(out));
    return compileAndAssemble(ctx, inputs, modules, std::move(out));
}

} // namespace aotpack::compile
