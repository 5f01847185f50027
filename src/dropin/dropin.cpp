#include "dropin/dropin.h"
#include "common/diagnostics.h"

#include "archive/tools.h"
#include "cache/disk_cache.h"
#include "cache/tiered_cache.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "devices/device_list.h"
#include "dropin/call_log.h"
#include "dropin/compile_slots.h"
#include "dropin/execute.h"
#include "dropin/plan.h"
#include "toolchain/compiler_support.h"
#include "toolchain/ocloc_facts.h"
#include "toolchain/ocloc_worker.h"
#include "toolchain/routing.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

namespace aotpack::dropin {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kCacheKind = "ocloc";
// How long a call waits for its uploads to the remote cache before it exits without them.
constexpr double kUploadWaitSeconds = 10;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// The build cache, shared with `aotpack build`; none with AOTPACK_CACHE=0.
// What the drop-in learns about ocloc is kept even with AOTPACK_CACHE=0: it describes the
// compiler, not a build, and asking again costs a probe on every call.
fs::path factsStore(const std::optional<DiskCache>& cache) {
    return (cache ? cache->dir() : DiskCache::defaultRoot() / "build") / "ocloc-facts";
}

// Starts `aotpack ocloc --learn-facts LIST...` detached (its own session, stdio on /dev/null, so
// a build tool waiting on this call's pipes does not wait for it) at the lowest priority.
void learnInBackground(const std::vector<std::string>& lists) {
    pid_t child = ::fork();
    if (child < 0) return; // then the next call passes through and tries again
    if (child == 0) {
        ::setsid();
        if (::fork() != 0) ::_exit(0);
        int null = ::open("/dev/null", O_RDWR);
        for (int fd = 0; fd < 3; ++fd)
            ::dup2(null, fd);
        if (::nice(19) == -1) { // the learner only uses idle CPU; failing to lower it is harmless
        }
        std::vector<std::string> argv = {"aotpack", "ocloc", "--learn-facts"};
        argv.insert(argv.end(), lists.begin(), lists.end());
        std::vector<char*> cargv;
        for (auto& a : argv)
            cargv.push_back(a.data());
        cargv.push_back(nullptr);
        ::execv("/proc/self/exe", cargv.data());
        ::_exit(kExitCommandNotFound);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
}

std::optional<DiskCache> openCache() {
    if (envOr("AOTPACK_CACHE", "1") == "0") return std::nullopt;
    auto dir = DiskCache::defaultRoot() / "build";
    auto cache = DiskCache::open(dir, DiskCache::configuredMaxBytes(dir));
    if (!cache) return std::nullopt; // a cache that cannot be opened never fails a compile
    return *cache;
}

// The build cache as a store, with the remote cache of $AOTPACK_REMOTE_CACHE behind it. The
// drop-in has no flags of its own, so a remote configuration that cannot work is a warning.
std::unique_ptr<cache::TieredStore> openStore(const std::optional<DiskCache>& local) {
    if (!local) return nullptr;
    auto config = cache::remoteConfig({});
    if (!config) {
        diag::warning(config.error().message + "; the remote cache is not used");
        config = cache::RemoteConfig{};
    }
    auto remote =
        cache::openRemoteStore(*config, [](const std::string& message) { diag::warning(message); });
    return std::make_unique<cache::TieredStore>(
        std::make_unique<cache::DiskStore>(*local, kCacheKind),
        remote ? std::move(*remote) : nullptr);
}

// Where the machine-wide compile slots live: beside the build cache, so every call using the
// same cache shares them.
fs::path slotDir(const std::optional<DiskCache>& cache) {
    std::error_code ec;
    fs::path tmp = fs::temp_directory_path(ec);
    return cache ? cache->dir() / "slots" : (ec ? fs::path("/tmp") : tmp) / "aotpack-slots";
}

// Hands the call to the real ocloc: exec, so its output, messages and exit code are ocloc's.
[[noreturn]] void passThrough(const fs::path& ocloc, const std::vector<std::string>& args,
                              const DropinOptions& options, CallRecord record,
                              const std::optional<DiskCache>& cache, bool compiles) {
    record.action = "passed-through";
    logCall(record, cache ? cache->dir() : fs::path());
    std::optional<CompileSlots> slot;
    if (compiles) { // it compiles one target after another: one slot for as long as it runs
        slot.emplace(CompileSlots::acquire(slotDir(cache), CompileSlots::defaultCap(), 1));
        slot->keepFirstAcrossExec();
    }
    std::vector<char*> argv;
    std::string argv0 = options.argv0.empty() ? "ocloc" : options.argv0;
    argv.push_back(argv0.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    ::execv(ocloc.c_str(), argv.data());
    diag::error("cannot run the real ocloc '" + ocloc.string() + "'");
    std::_Exit(kExitCommandNotFound);
}

// The results the cache already holds, by job key.
std::map<Hash128, JobResult> lookUp(const Plan& plan, cache::Store* store) {
    std::map<Hash128, JobResult> found;
    if (!store) return found;
    std::vector<Hash128> keys;
    for (const auto& t : plan.targets)
        if (std::find(keys.begin(), keys.end(), t.key) == keys.end()) keys.push_back(t.key);
    const std::string names[] = {kCacheKind};
    auto entries = store->get(keys, names);
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (entries[i])
            if (auto r = decodeJobResult((*entries[i])[kCacheKind]))
                found.emplace(keys[i], std::move(*r));
    return found;
}

const Bytes* findFile(const JobResult& r, const std::string& name) {
    for (const auto& [n, data] : r.files)
        if (n == name) return &data;
    return nullptr;
}

// Writes what ocloc would have written; each file atomically.
Status writeOutputs(const Plan& plan, const std::map<Hash128, JobResult>& results) {
    if (!plan.fat) {
        const JobResult& r = results.at(plan.targets[0].key);
        std::error_code ec;
        if (plan.createOutputDir) fs::create_directories(plan.outputDir, ec);
        if (plan.irCopy && r.files.size() != 1)
            return makeError(Errc::Internal, "the backend compile did not write one binary");
        for (const auto& [name, data] : r.files)
            if (auto st = writeFileAtomic(plan.outputDir / name, data); !st) return st;
        if (plan.irCopy)
            return writeFileAtomic(plan.outputDir /
                                       irCopyName(r.files[0].first, plan.outputNoSuffix),
                                   plan.targets[0].frontendSpirv);
        return success();
    }
    std::vector<archive::ArMember> members;
    for (const auto& t : plan.targets) {
        const Bytes* zebin = findFile(results.at(t.key), kFatMemberFile);
        if (!zebin) return makeError(Errc::Internal, "ocloc wrote no binary for " + t.device);
        members.push_back({t.member, *zebin});
    }
    Bytes genericIr;
    if (plan.genericIr) {
        genericIr = archive::makeSpirvElf(plan.spirv, ""); // 22.43: no BuildOptions section
        members.push_back({"generic_ir", genericIr});
    }
    return writeFileAtomic(plan.fatOutput, archive::encodeOclocAr(members));
}

// ocloc's messages: each target's log, as one ocloc call prints them.
void printMessages(const Plan& plan, const std::map<Hash128, JobResult>& results,
                   const std::vector<std::string>& frontendLogs) {
    std::string text;
    for (std::size_t i = 0; i < plan.targets.size(); ++i) {
        const auto& t = plan.targets[i];
        text += targetMessages(frontendLogs.empty() ? "" : frontendLogs[i], results.at(t.key).log,
                               t.device, plan.fat);
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

bool isCompileCommand(const std::vector<std::string>& args) {
    return !args.empty() && (args[0] == "compile" || (!args[0].empty() && args[0][0] == '-'));
}

} // namespace

namespace {

// One call: what it needs to hand itself to the real ocloc at any point.
struct Call {
    fs::path ocloc;
    const std::vector<std::string>& args;
    const DropinOptions& options;
    std::optional<DiskCache> cache;
    CallRecord record;
    std::unique_ptr<cache::TieredStore> store; // compile results: local, then remote
    std::shared_ptr<toolchain::Compiler> compiler;

    [[noreturn]] void passThrough(const std::string& reason, bool compiles = true) {
        record.reason = reason;
        dropin::passThrough(ocloc, args, options, record, cache, compiles);
    }
    fs::path cacheDir() const { return cache ? cache->dir() : fs::path(); }
};

// Frontends (OpenCL C), cache lookups and compiles: the results of every target, or nothing
// and `failure` says why (the caller passes the call through once the scratch directory is gone).
std::optional<std::map<Hash128, JobResult>> resultsOf(Call& call, Plan& plan,
                                                      const toolchain::OclocFacts& facts,
                                                      std::vector<std::string>& frontendLogs,
                                                      std::string& failure) {
    TempDir scratch;
    std::optional<CompileSlots> slots;
    auto takeSlots = [&](std::size_t wanted) {
        if (!slots)
            slots.emplace(CompileSlots::acquire(slotDir(call.cache), CompileSlots::defaultCap(),
                                                static_cast<unsigned>(wanted)));
        return std::max(1u, slots->count());
    };
    if (!plan.targets[0].frontendArgv.empty()) { // OpenCL C
        auto logs = runFrontends(plan, facts, takeSlots(plan.targets.size()), *call.compiler,
                                 scratch.path());
        slots.reset(); // a pass-through takes its own
        if (!logs) {
            failure = "an OpenCL C frontend failed";
            return std::nullopt;
        }
        frontendLogs = std::move(*logs);
    }
    auto results = lookUp(plan, call.store.get());
    std::size_t misses = 0;
    for (const auto& t : plan.targets)
        misses += !results.count(t.key);
    CompileOutcome compiled;
    if (misses)
        compiled = compileMisses(plan, results, takeSlots(misses), *call.compiler, scratch.path());
    slots.reset();
    if (compiled.failed) { // ocloc's own errors, from ocloc
        failure = "a compile failed";
        return std::nullopt;
    }
    // Eviction walks the whole cache: one call in 64 that compiled pays for it, as ccache
    // cleans up now and then rather than on every call.
    bool evict = !compiled.results.empty() && compiled.results.begin()->first.bytes[0] % 64 == 0;
    for (auto& [key, result] : compiled.results) {
        if (call.store) call.store->put(key, {{kCacheKind, encodeJobResult(result)}});
        results.emplace(key, std::move(result));
    }
    if (call.cache && evict) call.cache->evict();
    for (const auto& t : plan.targets) { // a repeated item is compiled once: hits after that
        auto it = compiled.records.find(t.key);
        call.record.targets.push_back(
            it != compiled.records.end() ? it->second : TargetRecord{t.device, "cache-hit"});
        if (it != compiled.records.end()) compiled.records.erase(it);
    }
    return results;
}

} // namespace

// The ocloc a call runs: $AOTPACK_OCLOC, else the newest toolchain (the host's ocloc or the
// store's, toolchain/routing.h) that builds every target of the call's -device, as `aotpack build`
// would route them; the host's when none is named or none builds them all.
static fs::path oclocFor(const std::vector<std::string>& args, const fs::path& factsStore) {
    fs::path host = toolchain::findRealOcloc();
    auto device = std::find(args.begin(), args.end(), "-device");
    if (!envOr("AOTPACK_OCLOC", "").empty() || device == args.end() || device + 1 == args.end())
        return host;
    const auto& db = devices::Database::builtin();
    auto list = devices::parseDeviceList(db, *(device + 1));
    toolchain::ToolchainStore store(toolchain::ToolchainStore::defaultDir());
    auto installed = store.installed();
    if (!list || list->targets.empty() || installed.empty()) return host;
    auto toolchains = toolchain::availableToolchains(db, store, factsStore);
    for (const auto& t : toolchains) {
        bool all = std::all_of(list->targets.begin(), list->targets.end(),
                               [&](const auto& target) { return t.supports(target.ip.value()); });
        if (all) return t.host() ? host : t.ocloc;
    }
    return host;
}

int runDropin(const std::vector<std::string>& args, const DropinOptions& options) {
    auto start = Clock::now();
    auto cache = openCache();
    fs::path ocloc = oclocFor(args, factsStore(cache));
    if (!ocloc.empty() && ocloc != toolchain::findRealOcloc()) // the background learner's too
        ::setenv("AOTPACK_OCLOC", ocloc.c_str(), 1);
    Call call{ocloc, args, options, std::move(cache), {args, "compiled", "", "", {}, 0}, {}, {}};
    call.store = openStore(call.cache);
    toolchain::CompilerSupport real; // the call's own ocloc: it needs no facts to run it
    real.ocloc = ocloc;
    call.compiler = options.compiler ? options.compiler
                                     : toolchain::makeOclocCompiler(real, options.workerCommand);
    if (call.ocloc.empty()) {
        diag::error("the real ocloc is not on PATH (aotpack's own shims are skipped); install "
                    "intel-opencl-icd or set AOTPACK_OCLOC");
        return kExitCommandNotFound;
    }
    auto parsed = parseCommandLine(args);
    if (!parsed.compile) call.passThrough(parsed.passThroughReason, isCompileCommand(args));
    if (envOr("NEOReadDebugKeys", "0") != "0")
        call.passThrough("NEO debug keys are set (they change what ocloc builds)");
    toolchain::OclocFacts facts(call.ocloc, factsStore(call.cache));
    facts.deferProbes();
    auto planned = makePlan(*parsed.compile, facts);
    if (!planned.plan && !facts.deferred().empty()) {
        learnInBackground(facts.deferred());
        call.passThrough("first call with device list '" + join(facts.deferred(), "', '") +
                         "': aotpack learns its targets in the background meanwhile");
    }
    if (!planned.plan) call.passThrough(planned.passThroughReason);
    Plan& plan = *planned.plan;
    std::vector<std::string> frontendLogs;
    std::string failure;
    auto found = resultsOf(call, plan, facts, frontendLogs, failure);
    if (!found) call.passThrough(failure);
    const auto& results = *found;
    if (auto st = writeOutputs(plan, results); !st)
        call.passThrough("cannot write the output: " + st.error().message);
    if (!parsed.compile->quiet) printMessages(plan, results, frontendLogs);
    call.record.output = plan.fat ? plan.fatOutput.string() : plan.outputDir.string();
    if (call.store && call.store->remote())
        cache::addCounters(call.cacheDir() / cache::kRemoteStatsFile,
                           cache::toCounters(call.store->finishUploads(kUploadWaitSeconds)));
    call.record.seconds = secondsSince(start);
    logCall(call.record, call.cacheDir());
    return 0;
}

// What the shim's `ocloc` runs: the bundle's wrapper when this aotpack runs from a bundle (the
// wrapper names itself in AOTPACK_LAUNCHER and sets the library path the bundle needs), else
// this executable. A value inherited from another aotpack's wrapper is ignored.
static fs::path shimLauncher(const fs::path& self) {
    std::error_code ec;
    fs::path wrapper = fs::canonical(envOr("AOTPACK_LAUNCHER", "/nonexistent"), ec);
    if (!ec && fs::equivalent(wrapper.parent_path() / "../libexec/aotpack", self, ec))
        return wrapper;
    return self;
}

int learnFacts(const std::vector<std::string>& deviceLists) {
    fs::path ocloc = toolchain::findRealOcloc();
    if (ocloc.empty()) return kExitCommandNotFound;
    toolchain::OclocFacts facts(ocloc, factsStore(openCache()));
    for (const auto& list : deviceLists)
        (void)facts.expand(list); // remembered in the store
    return 0;
}

fs::path ensureShimDir(std::string& error) {
    std::error_code ec;
    fs::path launcher = shimLauncher(fs::canonical("/proc/self/exe", ec));
    fs::path dir = DiskCache::defaultRoot() / "shim" /
                   Hasher().add(launcher.string()).finish().hex().substr(0, 16);
    fs::create_directories(dir, ec);
    if (!ec)
        (void)writeFileAtomic(dir / toolchain::kShimMarker, std::string("aotpack ocloc shim\n"));
    fs::path link = dir / "ocloc";
    if (!ec && fs::read_symlink(link, ec) == launcher) return dir;
    fs::path temp = dir / (".ocloc." + std::to_string(::getpid()));
    fs::remove(temp, ec);
    fs::create_symlink(launcher, temp, ec);
    if (!ec) fs::rename(temp, link, ec); // atomic: a concurrent caller sees the old or new link
    if (ec) {
        error = "cannot create the shim directory '" + dir.string() + "': " + ec.message();
        return {};
    }
    return dir;
}

} // namespace aotpack::dropin
