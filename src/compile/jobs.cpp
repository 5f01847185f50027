// Phase 4 of the build: one job per (module, target). A job is a verified cache hit or a compile
// on the build's Compiler (compile/compiler.h), longest expected first (compile/schedule.h), each
// in its own directory.
#include "archive/stored_payload.h"
#include "archive/zebin.h"
#include "common/text.h"
#include "compile/driver_internal.h"
#include "toolchain/process_pool.h"
#include "compile/schedule.h"

#include <algorithm>
#include <regex>

namespace aotpack::compile {
namespace fs = std::filesystem;

namespace {

constexpr const char* kPoisonFp64 = "-cl-poison-unsupported-fp64-kernels";
// Before a job has run once, its duration is guessed from the instructions IGC will compile after
// inlining: on 25 hashcat modules x 2 targets this ranks compile times with Spearman 0.72 (file
// size: 0.43) and puts every job over 50 s first. The scale (median seen there) only matters when
// guesses are mixed with remembered durations.
constexpr double kSecondsPerInlinedInstruction = 5.5e-5;

struct Job {
    const PreparedModule* module = nullptr;
    const devices::ResolvedTarget* target = nullptr;
    std::string options;
    Hash128 key;
    std::string historyKey;
    JobHistory fingerprint;
    JobReport report;
    double expectedSeconds = 0;
    std::optional<Hash128> binary; // the zebin's hash, once it is compiled or found
    std::optional<Bytes> zebin;    // until it goes to ctx.background (its stored form)
    std::string kernels;           // the zebin's kernels, for the archive's metadata
};

bool needsPoison(const BuildContext& ctx, const PreparedModule& m,
                 const devices::ResolvedTarget& t) {
    return m.info.usesFp64 && !t.info.device->fp64 && ctx.request.fp64 == Fp64Policy::Poison;
}

std::string hex(std::string_view text) {
    return hash128(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())).hex();
}

std::string explain(const BuildContext& ctx, const Job& job) {
    if (!ctx.cache) return "the cache is off (--no-cache, or its directory cannot be used)";
    auto it = ctx.history.find(job.historyKey);
    if (it == ctx.history.end()) return "first build of this module for this target";
    if (it->second.spirv != job.fingerprint.spirv) return "its SPIR-V changed";
    if (it->second.options != job.fingerprint.options) return "its build options changed";
    if (it->second.compiler != job.fingerprint.compiler) return "the compiler changed";
    return "not in the cache (evicted, or built with another cache directory)";
}

std::vector<std::string> droppedKernels(const std::string& log) {
    static const std::regex pattern("Removing unsupported FP64 function: '([^']+)'");
    std::vector<std::string> out;
    for (std::sregex_iterator it(log.begin(), log.end(), pattern), end; it != end; ++it)
        out.push_back((*it)[1]);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Job planJob(BuildContext& ctx, const PreparedModule& m, const devices::ResolvedTarget& t) {
    Job job;
    job.module = &m;
    job.target = &t;
    job.options = effectiveOptions(ctx, m, t.ip.value());
    job.report.module = m.input.name;
    job.report.target = t.name;
    job.report.ip = t.ip.value();
    job.historyKey = m.input.name + "|" + t.ip.str();
    job.fingerprint.spirv = m.spirvHash.hex();
    job.fingerprint.options = hex(job.options);
    job.fingerprint.compiler = hex(ctx.compiler->support().identity);
    job.key = jobKey(ctx, m, t.ip, job.options);
    auto h = ctx.history.find(job.historyKey);
    job.expectedSeconds = h != ctx.history.end()
                              ? h->second.seconds
                              : m.info.inlinedInstructions * kSecondsPerInlinedInstruction;
    return job;
}

// A module that declares Float64 may only load and store doubles, which targets without fp64
// compile fine (piglit's vload-double tests): the compiler decides, and only its "Double type is
// not supported" error becomes the fp64 policy's message.
bool failedForFp64(const Job& job, const std::string& log) {
    return job.module->info.usesFp64 && !job.target->info.device->fp64 &&
           log.find("Double type is not supported") != std::string::npos;
}

std::string fp64Message(const Job& job) {
    return "module '" + job.module->input.name + "' uses fp64, which " + job.target->name + " (" +
           job.target->ip.str() +
           ") lacks; use --fp64=poison to drop those kernels for this target";
}

// The binary goes to the background work, which keeps only its stored form (a large build would
// otherwise hold every raw binary until the archive is written).
void keepBinary(BuildContext& ctx, Job& job, Bytes zebin) {
    job.binary = hash128(zebin);
    if (ctx.background)
        ctx.background->compressNative(*job.binary, std::move(zebin));
    else
        job.zebin = std::move(zebin);
}

void finishCompile(BuildContext& ctx, Job& job, toolchain::CompileResult r) {
    JobReport& rep = job.report;
    rep.log = std::move(r.log);
    rep.outcome = JobOutcome::Failed;
    std::string who =
        "module '" + rep.module + "' for target " + rep.target + " (" + job.target->ip.str() + ")";
    // Start and duration from the same clock reading, so the report's timeline adds up.
    if (r.started != std::chrono::steady_clock::time_point{})
        rep.started = std::chrono::duration<double>(r.started - ctx.start).count();
    rep.seconds = r.seconds;
    rep.compileSeconds = r.compileSeconds;
    rep.maxRssKb = r.maxRssKb;
    if (!r.zebin) {
        rep.error = failedForFp64(job, rep.log) ? fp64Message(job) : who + ": " + r.failure;
        return;
    }
    auto info = archive::inspectZebin(*r.zebin);
    if (!info) {
        rep.error = who + ": ocloc succeeded but its output is unusable: " + info.error().message;
        return;
    }
    rep.outcome = JobOutcome::Compiled;
    rep.droppedKernels = droppedKernels(rep.log);
    job.kernels = join(info->kernels, ",");
    if (ctx.store) { // the fp64 kernels ocloc dropped are only in its log: keep them beside it
        std::string dropped = join(rep.droppedKernels, ",");
        ctx.store->put(job.key,
                       {{"zebin", *r.zebin}, {"meta", Bytes(dropped.begin(), dropped.end())}});
    }
    keepBinary(ctx, job, std::move(*r.zebin));
    auto& h = ctx.history[job.historyKey];
    h = job.fingerprint;
    h.seconds = r.seconds;
    h.maxRssKb = r.maxRssKb;
}

toolchain::CompileJob compileJob(const BuildContext& ctx, const Job& job, const fs::path& dir) {
    auto h = ctx.history.find(job.historyKey);
    std::uint64_t memory =
        h != ctx.history.end() && h->second.maxRssKb > 0 ? h->second.maxRssKb : 1024 * 1024;
    return {job.module->spirvPath,      job.target->ip, job.options,
            ctx.request.timeoutSeconds, memory,         dir};
}

archive::Metadata binaryMetadata(const BuildContext& ctx, const Job& job) {
    archive::Metadata meta = {
        {"target", job.target->name}, {"ip", job.target->ip.str()},
        {"format", "zebin"},          {"compiler", "ocloc " + ctx.compiler->support().version},
        {"options", job.options},     {"kernels", job.kernels}};
    if (!job.report.droppedKernels.empty())
        meta["dropped_kernels"] = join(job.report.droppedKernels, ",");
    return meta;
}

} // namespace

Hash128 jobKey(const BuildContext& ctx, const PreparedModule& m, devices::IpVersion ip,
               const std::string& options) {
    return Hasher()
        .add("aotpack-zebin-v1")
        .add(m.spirvHash.bytes)
        .add(ip.str())
        .add(options)
        .add(ctx.compiler->support().identity)
        .finish();
}

Hash128 buildKey(const BuildContext& ctx, const std::vector<PreparedModule>& modules) {
    Hasher h;
    h.add("aotpack-build-v1")
        .add(AOTPACK_VERSION)
        .add(ctx.request.deviceList)
        .add(ctx.targets.canonical());
    h.add(ctx.compiler->support().identity)
        .add(ctx.request.options)
        .add(ctx.request.fp64 == Fp64Policy::Poison ? "poison" : "error")
        .add(ctx.request.maxCompression ? "max" : "default")
        .add(ctx.request.uncompressedNatives ? "raw-natives" : "");
    for (const auto& m : modules) {
        h.add(m.input.name)
            .add(m.input.path.filename().string())
            .add(m.input.options)
            .add(m.spirvHash.bytes);
        for (const auto& t : ctx.targets.targets)
            h.add(jobKey(ctx, m, t.ip, effectiveOptions(ctx, m, t.ip.value())).bytes);
    }
    return h.finish();
}

std::string effectiveOptions(const BuildContext& ctx, const PreparedModule& m, std::uint32_t ip) {
    std::vector<std::string> parts;
    for (const std::string* s : {&ctx.request.options, &m.input.options})
        if (!s->empty()) parts.push_back(*s);
    if (auto it = ctx.targetOptions.find(ip); it != ctx.targetOptions.end())
        parts.push_back(it->second);
    for (const auto& t : ctx.targets.targets)
        if (t.ip.value() == ip && needsPoison(ctx, m, t)) parts.push_back(kPoisonFp64);
    return join(parts, " ");
}

// --shard i/N: only this shard's jobs stay (compile/shard.h says how they are dealt).
static void keepShard(const BuildContext& ctx, std::vector<Job>& jobs, BuildReport& report) {
    const Shard& shard = *ctx.request.shard;
    std::vector<double> costs;
    std::vector<Hash128> keys;
    for (const auto& job : jobs) {
        auto measured =
            ctx.request.shardCosts.find({job.module->input.name, job.target->ip.value()});
        costs.push_back(measured != ctx.request.shardCosts.end()
                            ? measured->second
                            : job.module->info.inlinedInstructions * kSecondsPerInlinedInstruction);
        keys.push_back(job.key);
    }
    auto assigned = assignShards(costs, keys, shard.count);
    BuildReport::ShardReport r{shard, ctx.planHash->hex(), std::vector<double>(shard.count, 0)};
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        r.expectedCosts[assigned[i] - 1] += costs[i];
        r.largestJobCost = std::max(r.largestJobCost, costs[i]);
    }
    report.shard = r;
    std::vector<Job> mine;
    for (std::size_t i = 0; i < jobs.size(); ++i)
        if (assigned[i] == shard.index) mine.push_back(std::move(jobs[i]));
    jobs = std::move(mine);
}

// The cache key of a payload's stored (compressed) form at a compression level. v2: format 1.1
// stores SPIR-V as byte planes (archive/payload_codec.h), so v1 forms are not what it writes.
static Hash128 storedKey(const Hash128& raw, int level) {
    return Hasher().add("aotpack-stored-v2").add(raw.bytes).add(std::to_string(level)).finish();
}

void reuseOrCompress(BuildContext& ctx, const std::vector<PayloadToStore>& payloads) {
    if (!ctx.background) return;
    auto compress = [&ctx](const PayloadToStore& p) {
        if (p.spirv)
            ctx.background->compressSpirv(p.hash, *p.bytes);
        else
            ctx.background->compressNative(p.hash, *p.bytes);
    };
    bool rawNatives = ctx.request.uncompressedNatives;
    std::vector<const PayloadToStore*> wanted;
    std::vector<Hash128> keys;
    auto options = writerOptions(ctx);
    for (const auto& p : payloads) {
        if (!ctx.store || (rawNatives && !p.spirv)) { // nothing stored to reuse
            compress(p);
            continue;
        }
        wanted.push_back(&p);
        keys.push_back(storedKey(p.hash, options.levelFor(p.bytes->size())));
    }
    if (wanted.empty()) return;
    const std::string names[] = {"stored"};
    auto found = ctx.store->get(keys, names);
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        auto blob = found[i]
                        ? archive::decodeStoredPayload((*found[i])["stored"], *wanted[i]->bytes)
                        : std::nullopt;
        if (blob)
            ctx.background->adopt(wanted[i]->hash, std::move(*blob));
        else
            compress(*wanted[i]);
    }
}

// Cache hits: their stored form is copied into the archive (or compressed beside the compiles);
// the raw binaries are then dropped, as a compiled job's are.
static void reuseStoredPayloads(BuildContext& ctx, std::span<Job* const> hits) {
    std::vector<PayloadToStore> payloads;
    for (Job* job : hits) {
        job->binary = hash128(*job->zebin);
        auto info = archive::inspectZebin(*job->zebin);
        job->kernels = info ? join(info->kernels, ",") : "";
        payloads.push_back({*job->binary, &*job->zebin, false});
    }
    reuseOrCompress(ctx, payloads);
    if (ctx.background)
        for (Job* job : hits)
            job->zebin.reset();
}

void keepStoredPayloads(BuildContext& ctx) {
    if (!ctx.background || !ctx.store) return;
    cache::TieredStore* store = ctx.store.get();
    ctx.background->onCompressed = [store](const Hash128& raw,
                                           const archive::CompressedPayload& blob) {
        store->put(storedKey(raw, blob.level), {{"stored", archive::encodeStoredPayload(blob)}});
    };
}

// One batch of lookups (a remote cache runs them in parallel); returns the hits.
static std::vector<Job*> lookUp(BuildContext& ctx, std::span<Job* const> wanted) {
    std::vector<Hash128> keys;
    for (const Job* job : wanted)
        keys.push_back(job->key);
    const std::string names[] = {"zebin", "meta"};
    std::vector<bool> fromRemote;
    auto found = ctx.store->get(keys, names, fromRemote);
    std::vector<Job*> hits;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        if (!found[i]) continue;
        Job& job = *wanted[i];
        job.zebin = std::move((*found[i])["zebin"]);
        const Bytes& dropped = (*found[i])["meta"];
        if (!dropped.empty())
            job.report.droppedKernels = split(std::string(dropped.begin(), dropped.end()), ',');
        job.report.outcome = JobOutcome::CacheHit;
        job.report.why = fromRemote[i] ? "remote cache hit" : "cache hit";
        hits.push_back(&job);
    }
    return hits;
}

// Every job's cache lookup before any compile starts, so that only the misses are scheduled. In
// batches of kLookupBatch: each batch's raw binaries are dropped before the next is read (a warm
// 80,000-job build held 590 MB of them), and a remote cache still has plenty to run in parallel.
// Returns the number of hits.
static std::size_t lookUpAll(BuildContext& ctx, std::vector<Job>& jobs) {
    constexpr std::size_t kLookupBatch = 1024;
    if (!ctx.store) return 0;
    std::vector<Job*> wanted;
    for (auto& job : jobs)
        if (job.report.outcome != JobOutcome::Failed) wanted.push_back(&job);
    std::size_t hits = 0;
    for (std::size_t at = 0; at < wanted.size(); at += kLookupBatch) {
        auto batch = std::span(wanted).subspan(at, std::min(kLookupBatch, wanted.size() - at));
        auto found = lookUp(ctx, batch);
        reuseStoredPayloads(ctx, found);
        hits += found.size();
    }
    printCacheWarnings(ctx);
    return hits;
}

static std::vector<Job*> inScheduleOrder(const std::vector<Job*>& jobs, unsigned slots) {
    std::vector<double> expected;
    for (const Job* job : jobs)
        expected.push_back(job->expectedSeconds);
    std::vector<Job*> ordered;
    for (std::size_t i : scheduleOrder(expected, slots))
        ordered.push_back(jobs[i]);
    return ordered;
}

// Plan: one job per (module, target) with its cache key (only this shard's with --shard).
static std::vector<Job> planJobs(BuildContext& ctx, const std::vector<PreparedModule>& modules,
                                 BuildReport& report) {
    std::vector<Job> jobs;
    for (const auto& m : modules)
        for (const auto& t : ctx.targets.targets)
            jobs.push_back(planJob(ctx, m, t));
    if (ctx.request.shard) keepShard(ctx, jobs, report);
    return jobs;
}

// The compiler reads a module's SPIR-V from the scratch directory: written once per module that
// has a job to compile (scratch: not fsynced). A job whose module cannot be written fails.
static void writeScratchSpirv(std::vector<Job*>& toCompile) {
    std::map<const PreparedModule*, std::string> written; // module -> error ("" if written)
    for (Job* job : toCompile) {
        auto [it, first] = written.try_emplace(job->module);
        if (first) {
            std::error_code ec;
            fs::create_directories(job->module->spirvPath.parent_path(), ec);
            auto st = writeFileAtomic(job->module->spirvPath, job->module->spirv, 0644, Sync::No);
            if (!st) it->second = st.error().message;
        }
        if (!it->second.empty()) {
            job->report.outcome = JobOutcome::Failed;
            job->report.error = it->second;
        }
    }
}

// Compile: every job the cache did not have, longest expected first, on the build's Compiler.
static void compileMisses(BuildContext& ctx, std::vector<Job>& jobs, std::size_t hits,
                          BuildReport& report) {
    std::vector<Job*> toCompile;
    for (auto& job : jobs)
        if (job.report.outcome == JobOutcome::NotRun) {
            job.report.why = explain(ctx, job);
            toCompile.push_back(&job);
        }
    writeScratchSpirv(toCompile);
    std::erase_if(toCompile, [](const Job* j) { return j->report.outcome == JobOutcome::Failed; });
    toCompile = inScheduleOrder(toCompile, ctx.jobs);
    std::vector<const Job*> refused; // failed before compiling (fp64): reported like failures
    for (const auto& job : jobs)
        if (job.report.outcome == JobOutcome::Failed) refused.push_back(&job);
    ctx.observer.planned(toCompile.size() + refused.size(), hits);
    for (const Job* job : refused)
        ctx.observer.jobFinished(job->report);
    std::vector<toolchain::CompileJob> work;
    for (std::size_t i = 0; i < toCompile.size(); ++i)
        work.push_back(
            compileJob(ctx, *toCompile[i], ctx.scratch->path() / "jobs" / std::to_string(i)));
    std::uint64_t budget =
        ctx.request.maxMemoryKb ? ctx.request.maxMemoryKb : toolchain::defaultMemoryBudgetKb();
    toolchain::CompileRun run = ctx.compiler->run(
        work, {ctx.jobs, budget},
        [&](std::size_t i) { ctx.observer.jobStarted(toCompile[i]->report); },
        [&](std::size_t i, toolchain::CompileResult r) {
            finishCompile(ctx, *toCompile[i], std::move(r));
            ctx.observer.jobFinished(toCompile[i]->report);
        });
    if (!work.empty()) report.compileMode = run.mode;
    if (!run.warning.empty()) ctx.observer.warning(run.warning);
}

// The jobs into the report, and the binaries for the archive.
static std::vector<CompiledBinary> collect(const BuildContext& ctx, std::vector<Job>& jobs,
                                           BuildReport& report) {
    std::vector<CompiledBinary> binaries;
    for (auto& job : jobs) {
        if (job.binary) {
            auto meta = binaryMetadata(ctx, job); // reads the report: before it moves
            binaries.push_back({job.module->input.name, job.target->ip.value(), *job.binary,
                                std::move(job.zebin), std::move(meta)});
        }
        report.jobs.push_back(std::move(job.report));
    }
    return binaries;
}

std::vector<CompiledBinary>
compileAll(BuildContext& ctx, const std::vector<PreparedModule>& modules, BuildReport& report) {
    std::vector<Job> jobs = planJobs(ctx, modules, report);
    std::size_t hits = lookUpAll(ctx, jobs); // resolve: one batch of cache lookups
    compileMisses(ctx, jobs, hits, report);
    return collect(ctx, jobs, report);
}

} // namespace aotpack::compile
