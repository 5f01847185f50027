// Phase 4 of the build: one job per (module, target). A job is a verified cache hit or a compile
// on the build's Compiler (toolchain/compiler.h), longest expected first (compile/schedule.h), each
// in its own directory.
#include "archive/stored_payload.h"
#include "archive/zebin.h"
#include "common/text.h"
#include "compile/driver_internal.h"
#include "compile/schedule.h"
#include "toolchain/process_pool.h"

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
    std::optional<Bytes> zebin;    // a cache hit's, until its stored form is made
    std::string kernels;           // the zebin's kernels, for the archive's metadata
};

bool needsPoison(const BuildSetup& setup, const PreparedModule& m,
                 const devices::ResolvedTarget& t) {
    return m.info.usesFp64 && !t.info.device->fp64 && setup.compile.fp64 == Fp64Policy::Poison;
}

std::string hex(std::string_view text) {
    return hash128(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())).hex();
}

std::string explain(const BuildCaches& caches, const Job& job) {
    if (!caches.local) return "the cache is off (--no-cache, or its directory cannot be used)";
    auto it = caches.history.find(job.historyKey);
    if (it == caches.history.end()) return "first build of this module for this target";
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

Job planJob(const BuildSetup& setup, const History& history, const PreparedModule& m,
            const devices::ResolvedTarget& t) {
    Job job;
    job.module = &m;
    job.target = &t;
    job.options = effectiveOptions(setup, m, t.ip.value());
    job.report.module = m.input.name;
    job.report.target = t.name;
    job.report.ip = t.ip.value();
    job.historyKey = m.input.name + "|" + t.ip.str();
    job.fingerprint.spirv = m.spirvHash.hex();
    job.fingerprint.options = hex(job.options);
    job.fingerprint.compiler = hex(setup.compiler->supportFor(t.ip).identity);
    job.key = jobKey(setup, m, t.ip, job.options);
    auto h = history.find(job.historyKey);
    job.expectedSeconds = h != history.end()
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

archive::Metadata binaryMetadata(const BuildSetup& setup, const Job& job) {
    const auto& compiler = setup.compiler->supportFor(job.target->ip);
    archive::Metadata meta = {
        {"target", job.target->name}, {"ip", job.target->ip.str()},
        {"format", "zebin"},          {"compiler", "ocloc " + compiler.version},
        {"options", job.options},     {"kernels", job.kernels}};
    if (!compiler.toolchainId.empty()) meta["toolchain"] = compiler.toolchainId; // FORMAT.md
    if (!job.report.droppedKernels.empty())
        meta["dropped_kernels"] = join(job.report.droppedKernels, ",");
    return meta;
}

} // namespace

Hash128 jobKey(const BuildSetup& setup, const PreparedModule& m, devices::IpVersion ip,
               const std::string& options) {
    return Hasher()
        .add("aotpack-zebin-v1")
        .add(m.spirvHash.bytes)
        .add(ip.str())
        .add(options)
        .add(setup.compiler->supportFor(ip).identity)
        .finish();
}

std::string effectiveOptions(const BuildSetup& setup, const PreparedModule& m, std::uint32_t ip) {
    std::vector<std::string> parts;
    for (const std::string* s : {&setup.compile.options, &m.input.options})
        if (!s->empty()) parts.push_back(*s);
    if (auto it = setup.targetOptions.find(ip); it != setup.targetOptions.end())
        parts.push_back(it->second);
    for (const auto& t : setup.targets.targets)
        if (t.ip.value() == ip && needsPoison(setup, m, t)) parts.push_back(kPoisonFp64);
    return join(parts, " ");
}

// --shard i/N: only this shard's jobs stay (compile/shard.h says how they are dealt).
static BuildReport::ShardReport keepShard(const BuildSetup& setup, const Hash128& plan,
                                          std::vector<Job>& jobs) {
    const Shard& shard = *setup.shard;
    std::vector<double> costs;
    std::vector<Hash128> keys;
    for (const auto& job : jobs) {
        auto measured = setup.shardCosts.find({job.module->input.name, job.target->ip.value()});
        costs.push_back(measured != setup.shardCosts.end()
                            ? measured->second
                            : job.module->info.inlinedInstructions * kSecondsPerInlinedInstruction);
        keys.push_back(job.key);
    }
    auto assigned = assignShards(costs, keys, shard.count);
    BuildReport::ShardReport r{shard, plan.hex(), std::vector<double>(shard.count, 0)};
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        r.expectedCosts[assigned[i] - 1] += costs[i];
        r.largestJobCost = std::max(r.largestJobCost, costs[i]);
    }
    std::vector<Job> mine;
    for (std::size_t i = 0; i < jobs.size(); ++i)
        if (assigned[i] == shard.index) mine.push_back(std::move(jobs[i]));
    jobs = std::move(mine);
    return r;
}

// The cache key of a payload's stored (compressed) form at a compression level with a dictionary
// (its id; 0: none). v2: format 1.1 stores SPIR-V as byte planes (archive/payload_codec.h), so
// v1 forms are not what it writes.
static Hash128 storedKey(const Hash128& raw, int level, const archive::Dictionary* dictionary) {
    Hasher h;
    h.add("aotpack-stored-v2").add(raw.bytes).add(std::to_string(level));
    if (dictionary) h.add("dictionary").add(std::to_string(dictionary->id()));
    return h.finish();
}

static std::shared_ptr<const archive::Dictionary> dictionaryFor(const archive::WriterOptions& o,
                                                                const PayloadToStore& p) {
    return o.dictionaryOf(p.spirv ? archive::EntryKind::Spirv : archive::EntryKind::Native,
                          p.targetIp);
}

void reuseOrCompress(const BuildSetup& setup, const BuildCaches& caches, BackgroundWork& background,
                     const std::vector<PayloadToStore>& payloads) {
    auto compress = [&background](const PayloadToStore& p) {
        if (p.spirv)
            background.compressSpirv(p.hash, *p.bytes);
        else
            background.compressNative(p.hash, *p.bytes, p.targetIp);
    };
    bool rawNatives = setup.output.uncompressedNatives;
    std::vector<const PayloadToStore*> wanted;
    std::vector<Hash128> keys;
    const auto& options = background.options();
    for (const auto& p : payloads) {
        if (!caches.store || (rawNatives && !p.spirv)) { // nothing stored to reuse
            compress(p);
            continue;
        }
        wanted.push_back(&p);
        keys.push_back(
            storedKey(p.hash, options.levelFor(p.bytes->size()), dictionaryFor(options, p).get()));
    }
    if (wanted.empty()) return;
    const std::string names[] = {"stored"};
    auto found = caches.store->get(keys, names);
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        auto blob = found[i]
                        ? archive::decodeStoredPayload((*found[i])["stored"], *wanted[i]->bytes,
                                                       dictionaryFor(options, *wanted[i]))
                        : std::nullopt;
        if (blob)
            background.adopt(wanted[i]->hash, std::move(*blob));
        else
            compress(*wanted[i]);
    }
}

void keepStoredPayloads(const BuildCaches& caches, BackgroundWork& background) {
    if (!caches.store) return;
    cache::TieredStore* store = caches.store.get();
    background.onCompressed = [store](const Hash128& raw, const archive::CompressedPayload& blob) {
        store->put(storedKey(raw, blob.level, blob.dictionary.get()),
                   {{"stored", archive::encodeStoredPayload(blob)}});
    };
}

namespace {

// Phase 4's own working state: the build's setup and caches, where binaries go, and what this
// build learned about its jobs. Lives for one compileAll call.
class CompilePhase {
  public:
    CompilePhase(const BuildSetup& setup, const BuildCaches& caches, BackgroundWork& background,
                 BuildObserver& observer)
        : setup_(setup), caches_(caches), background_(background), observer_(observer) {}

    CompiledJobs run(const std::vector<PreparedModule>& modules, const BuildKeys& keys);

  private:
    std::vector<Job*> lookUp(std::span<Job* const> wanted);
    void reuseStoredPayloads(std::span<Job* const> hits);
    std::size_t lookUpAll(std::vector<Job>& jobs);
    void compileMisses(std::vector<Job>& jobs, std::size_t hits);
    toolchain::CompileJob compileJob(const Job& job, const fs::path& dir) const;
    void finishCompile(Job& job, toolchain::CompileResult r);
    CompiledJobs collect(std::vector<Job>& jobs);

    const BuildSetup& setup_;
    const BuildCaches& caches_;
    BackgroundWork& background_;
    BuildObserver& observer_;
    History learned_;
    std::string compileMode_;
};

// One batch of lookups (a remote cache runs them in parallel); returns the hits.
std::vector<Job*> CompilePhase::lookUp(std::span<Job* const> wanted) {
    std::vector<Hash128> keys;
    for (const Job* job : wanted)
        keys.push_back(job->key);
    const std::string names[] = {"zebin", "meta"};
    std::vector<bool> fromRemote;
    auto found = caches_.store->get(keys, names, fromRemote);
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

// Cache hits: their stored form is copied into the archive (or compressed beside the compiles);
// the raw binaries are then dropped, as a compiled job's are.
void CompilePhase::reuseStoredPayloads(std::span<Job* const> hits) {
    std::vector<PayloadToStore> payloads;
    for (Job* job : hits) {
        job->binary = hash128(*job->zebin);
        auto info = archive::inspectZebin(*job->zebin);
        job->kernels = info ? join(info->kernels, ",") : "";
        payloads.push_back({*job->binary, &*job->zebin, false, job->target->ip.value()});
    }
    reuseOrCompress(setup_, caches_, background_, payloads);
    for (Job* job : hits)
        job->zebin.reset();
}

// Every job's cache lookup before any compile starts, so that only the misses are scheduled. In
// batches of kLookupBatch: each batch's raw binaries are dropped before the next is read (a warm
// 80,000-job build held 590 MB of them), and a remote cache still has plenty to run in parallel.
// Returns the number of hits.
std::size_t CompilePhase::lookUpAll(std::vector<Job>& jobs) {
    constexpr std::size_t kLookupBatch = 1024;
    if (!caches_.store) return 0;
    std::vector<Job*> wanted;
    for (auto& job : jobs)
        if (job.report.outcome != JobOutcome::Failed) wanted.push_back(&job);
    std::size_t hits = 0;
    for (std::size_t at = 0; at < wanted.size(); at += kLookupBatch) {
        auto batch = std::span(wanted).subspan(at, std::min(kLookupBatch, wanted.size() - at));
        auto found = lookUp(batch);
        reuseStoredPayloads(found);
        hits += found.size();
    }
    printCacheWarnings(caches_, observer_);
    return hits;
}

std::vector<Job*> inScheduleOrder(const std::vector<Job*>& jobs, unsigned slots) {
    std::vector<double> expected;
    for (const Job* job : jobs)
        expected.push_back(job->expectedSeconds);
    std::vector<Job*> ordered;
    for (std::size_t i : scheduleOrder(expected, slots))
        ordered.push_back(jobs[i]);
    return ordered;
}

// The compiler reads a module's SPIR-V from the scratch directory: written once per module that
// has a job to compile (scratch: not fsynced). A job whose module cannot be written fails.
void writeScratchSpirv(std::vector<Job*>& toCompile) {
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

toolchain::CompileJob CompilePhase::compileJob(const Job& job, const fs::path& dir) const {
    auto h = caches_.history.find(job.historyKey);
    std::uint64_t memory =
        h != caches_.history.end() && h->second.maxRssKb > 0 ? h->second.maxRssKb : 1024 * 1024;
    return {job.module->spirvPath,         job.target->ip, job.options,
            setup_.compile.timeoutSeconds, memory,         dir};
}

void CompilePhase::finishCompile(Job& job, toolchain::CompileResult r) {
    JobReport& rep = job.report;
    rep.log = std::move(r.log);
    rep.outcome = JobOutcome::Failed;
    std::string who =
        "module '" + rep.module + "' for target " + rep.target + " (" + job.target->ip.str() + ")";
    // Start and duration from the same clock reading, so the report's timeline adds up.
    if (r.started != std::chrono::steady_clock::time_point{})
        rep.started = std::chrono::duration<double>(r.started - setup_.start).count();
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
    if (caches_.store) { // the fp64 kernels ocloc dropped are only in its log: keep them beside it
        std::string dropped = join(rep.droppedKernels, ",");
        caches_.store->put(job.key,
                           {{"zebin", *r.zebin}, {"meta", Bytes(dropped.begin(), dropped.end())}});
    }
    // The binary goes to the background work, which keeps only its stored form (a large build
    // would otherwise hold every raw binary until the archive is written).
    job.binary = hash128(*r.zebin);
    background_.compressNative(*job.binary, std::move(*r.zebin), job.target->ip.value());
    auto& h = learned_[job.historyKey];
    h = job.fingerprint;
    h.seconds = r.seconds;
    h.maxRssKb = r.maxRssKb;
}

// Compile: every job the cache did not have, longest expected first, on the build's Compiler.
void CompilePhase::compileMisses(std::vector<Job>& jobs, std::size_t hits) {
    std::vector<Job*> toCompile;
    for (auto& job : jobs)
        if (job.report.outcome == JobOutcome::NotRun) {
            job.report.why = explain(caches_, job);
            toCompile.push_back(&job);
        }
    writeScratchSpirv(toCompile);
    std::erase_if(toCompile, [](const Job* j) { return j->report.outcome == JobOutcome::Failed; });
    toCompile = inScheduleOrder(toCompile, setup_.jobs);
    std::vector<const Job*> refused; // failed before compiling (fp64): reported like failures
    for (const auto& job : jobs)
        if (job.report.outcome == JobOutcome::Failed) refused.push_back(&job);
    observer_.planned(toCompile.size() + refused.size(), hits);
    for (const Job* job : refused)
        observer_.jobFinished(job->report);
    std::vector<toolchain::CompileJob> work;
    for (std::size_t i = 0; i < toCompile.size(); ++i)
        work.push_back(compileJob(*toCompile[i], setup_.scratch() / "jobs" / std::to_string(i)));
    toolchain::CompileRun run = setup_.compiler->run(
        work, {setup_.jobs, setup_.compile.memoryBudgetKb},
        [&](std::size_t i) { observer_.jobStarted(toCompile[i]->report); },
        [&](std::size_t i, toolchain::CompileResult r) {
            finishCompile(*toCompile[i], std::move(r));
            observer_.jobFinished(toCompile[i]->report);
        });
    if (!work.empty()) compileMode_ = run.mode;
    if (!run.warning.empty()) observer_.warning(run.warning);
}

// The jobs' reports, and the binaries for the archive.
CompiledJobs CompilePhase::collect(std::vector<Job>& jobs) {
    CompiledJobs out;
    for (auto& job : jobs) {
        if (job.binary)
            out.binaries.push_back({job.module->input.name, job.target->ip.value(), *job.binary,
                                    binaryMetadata(setup_, job)});
        out.jobs.push_back(std::move(job.report));
    }
    out.learned = std::move(learned_);
    // Every job a cache hit: nothing compiled, and the report says so rather than "".
    out.compileMode = compileMode_.empty() ? "none" : compileMode_;
    return out;
}

// Plan (one job per (module, target) with its cache key; only this shard's with --shard),
// resolve (one batch of cache lookups), compile the misses, collect.
CompiledJobs CompilePhase::run(const std::vector<PreparedModule>& modules, const BuildKeys& keys) {
    std::vector<Job> jobs;
    for (const auto& m : modules)
        for (const auto& t : setup_.targets.targets)
            jobs.push_back(planJob(setup_, caches_.history, m, t));
    std::optional<BuildReport::ShardReport> shard;
    if (setup_.shard) shard = keepShard(setup_, keys.plan.value_or(keys.build), jobs);
    std::size_t hits = lookUpAll(jobs);
    compileMisses(jobs, hits);
    CompiledJobs out = collect(jobs);
    out.shard = std::move(shard);
    return out;
}

} // namespace

CompiledJobs compileAll(const BuildSetup& setup, const BuildCaches& caches,
                        const std::vector<PreparedModule>& modules, const BuildKeys& keys,
                        BackgroundWork& background, BuildObserver& observer) {
    return CompilePhase(setup, caches, background, observer).run(modules, keys);
}

} // namespace aotpack::compile
