#include "toolchain/fake_compiler.h"

#include "common/hash.h"
#include "common/text.h"
#include "devices/database.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>
#include <thread>

namespace aotpack::toolchain {

FakeCompiler::FakeCompiler(Bytes zebin, std::string identity,
                           std::vector<devices::IpVersion> supported)
    : zebin_(std::move(zebin)) {
    support_.version = "fake";
    support_.identity = std::move(identity);
    if (supported.empty())
        for (const auto& d : devices::Database::builtin().devices()) {
            support_.ipValues.insert(d.current.ip.value());
            for (const auto& s : d.older)
                support_.ipValues.insert(s.ip.value());
        }
    for (const auto& ip : supported)
        support_.ipValues.insert(ip.value());
}

namespace {

double threadCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

// CPU time, not wall time: 16 fake compiles on 2 cores take 8x longer, as real ones do.
void burnCpu(double seconds) {
    double end = threadCpuSeconds() + seconds;
    volatile std::uint64_t x = 1;
    while (threadCpuSeconds() < end)
        for (int i = 0; i < 1000; ++i)
            x = x * 6364136223846793005ull + 1442695040888963407ull;
}

// Text-like bytes that depend on the job: compressible, as a zebin is, but not across jobs.
void appendDistinct(Bytes& zebin, const CompileJob& job, std::size_t n) {
    Hash128 h = Hasher().add(job.spirv.string()).add(job.target.str()).add(job.options).finish();
    std::uint64_t seed = 0;
    std::memcpy(&seed, h.bytes.data(), sizeof seed);
    for (std::size_t i = 0; i < n; ++i) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        zebin.push_back(static_cast<std::uint8_t>('a' + (seed >> 59)));
    }
}

} // namespace

CompileResult FakeCompiler::compiled(const CompileJob& job) const {
    CompileResult r;
    r.zebin = zebin_;
    if (distinctBytes > 0) appendDistinct(*r.zebin, job, distinctBytes);
    r.log = "Build succeeded.\n";
    return r;
}

CompileResult FakeCompiler::failed(std::string log, std::string failure) {
    CompileResult r;
    r.log = std::move(log);
    r.failure = std::move(failure);
    return r;
}

CompileResult FakeCompiler::crashed() {
    return failed("", "ocloc failed: killed by signal 11 (Segmentation fault)");
}

CompileResult FakeCompiler::hung(const CompileJob& job) {
    return failed("", "ocloc failed: timed out after " + secondsText(job.timeoutSeconds) + " s");
}

std::vector<CompileJob> FakeCompiler::calls() const {
    std::lock_guard<std::mutex> l(lock_);
    return calls_;
}

unsigned FakeCompiler::peakConcurrency() const {
    std::lock_guard<std::mutex> l(lock_);
    return peak_;
}

CompileRun FakeCompiler::run(const std::vector<CompileJob>& jobs, const CompileLimits& limits,
                             const std::function<void(std::size_t)>& onStart,
                             const std::function<void(std::size_t, CompileResult)>& onFinish) {
    std::atomic<std::size_t> next{0};
    std::mutex callbacks; // onStart/onFinish never run concurrently, as with the pools
    auto worker = [&] {
        for (std::size_t i; (i = next++) < jobs.size();) {
            {
                std::lock_guard<std::mutex> c(callbacks);
                onStart(i);
                std::lock_guard<std::mutex> l(lock_);
                calls_.push_back(jobs[i]);
                peak_ = std::max(peak_, ++running_);
            }
            auto start = std::chrono::steady_clock::now();
            if (delaySeconds > 0)
                std::this_thread::sleep_for(std::chrono::duration<double>(delaySeconds));
            if (busySeconds > 0) burnCpu(busySeconds);
            CompileResult r = behaviour ? behaviour(jobs[i]) : compiled(jobs[i]);
            r.started = start;
            r.seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::lock_guard<std::mutex> c(callbacks);
            {
                std::lock_guard<std::mutex> l(lock_);
                --running_;
            }
            onFinish(i, std::move(r));
        }
    };
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < std::max(1u, limits.jobs); ++t)
        threads.emplace_back(worker);
    for (auto& t : threads)
        t.join();
    return {jobs.empty() ? "" : "fake", ""};
}

std::vector<std::filesystem::path> FakeCompiler::frontendCalls() const {
    std::lock_guard<std::mutex> l(lock_);
    return frontendCalls_;
}

std::vector<std::filesystem::path> FakeCompiler::dependencyScans() const {
    std::lock_guard<std::mutex> l(lock_);
    return dependencyScans_;
}

namespace {

// The first `#error` line of a source, as a compiler would report it; "" for none.
std::string errorDirective(const std::string& source) {
    for (const auto& line : split(source, '\n'))
        if (trim(line).starts_with("#error")) return "error:" + std::string(trim(line).substr(6));
    return "";
}

// The file a quoted `#include "name"` opens: beside the including file, then in the -I
// directories.
std::optional<std::filesystem::path>
resolveInclude(const std::string& name, const std::filesystem::path& from,
               const std::vector<std::filesystem::path>& dirs) {
    std::error_code ec;
    if (std::filesystem::exists(from.parent_path() / name, ec)) return from.parent_path() / name;
    for (const auto& dir : dirs)
        if (std::filesystem::exists(dir / name, ec)) return dir / name;
    return std::nullopt;
}

Expected<std::set<std::string>> scanIncludes(const DependencyScan& scan) {
    std::vector<std::filesystem::path> dirs = {scan.includeDir};
    auto words = split(scan.options, ' ');
    for (std::size_t i = 0; i + 1 < words.size(); ++i)
        if (words[i] == "-I") dirs.emplace_back(words[i + 1]);
    std::set<std::string> found = {scan.source.string()};
    std::vector<std::filesystem::path> todo = {scan.source};
    while (!todo.empty()) {
        auto file = todo.back();
        todo.pop_back();
        auto text = readTextFile(file);
        if (!text) return text.error();
        for (const auto& line : split(*text, '\n')) {
            std::string_view l = trim(line);
            if (!l.starts_with("#include \"")) continue;
            std::string name(l.substr(10, l.find('"', 10) - 10));
            auto header = resolveInclude(name, file, dirs);
            if (!header)
                return makeError(Errc::CompileFailed,
                                 file.string() + ": '" + name + "' file not found");
            if (found.insert(header->string()).second) todo.push_back(*header);
        }
    }
    return found;
}

} // namespace

std::vector<FrontendResult> FakeCompiler::compileOpenClC(const std::vector<FrontendJob>& work,
                                                         unsigned) {
    std::vector<FrontendResult> results;
    for (const auto& job : work) {
        {
            std::lock_guard<std::mutex> l(lock_);
            frontendCalls_.push_back(job.source);
        }
        FrontendResult r;
        auto source = readTextFile(job.source);
        std::error_code ec;
        std::filesystem::create_directories(job.dir, ec);
        if (!source) {
            r.failure = "exit code 225 (ocloc INVALID_FILE)";
        } else if (r.log = errorDirective(*source); !r.log.empty()) {
            r.failure = "exit code 245 (ocloc BUILD_PROGRAM_FAILURE)";
        } else if (auto st = writeFileAtomic(job.dir / "module.spv", openClCSpirv); !st) {
            r.failure = st.error().message;
        } else {
            r.spirv = job.dir / "module.spv";
        }
        results.push_back(std::move(r));
    }
    return results;
}

std::vector<Expected<std::set<std::string>>>
FakeCompiler::listDependencies(const std::vector<DependencyScan>& scans, unsigned) {
    std::vector<Expected<std::set<std::string>>> results;
    for (const auto& scan : scans) {
        {
            std::lock_guard<std::mutex> l(lock_);
            dependencyScans_.push_back(scan.source);
        }
        results.push_back(scanIncludes(scan));
    }
    return results;
}

std::vector<OclocCall> FakeCompiler::oclocCalls() const {
    std::lock_guard<std::mutex> l(lock_);
    return oclocCalls_;
}

bool FakeCompiler::oclocOnWorkers() const {
    std::lock_guard<std::mutex> l(lock_);
    return oclocOnWorkers_;
}

// One after the other: the drop-in's decisions, not the pool's, are under test.
std::vector<OclocCallResult> FakeCompiler::runOclocCalls(const std::vector<OclocCall>& calls,
                                                         unsigned, bool onWorkers) {
    std::vector<OclocCallResult> results;
    for (const auto& call : calls) {
        {
            std::lock_guard<std::mutex> l(lock_);
            oclocCalls_.push_back(call);
            oclocOnWorkers_ = onWorkers;
        }
        if (oclocBehaviour) {
            results.push_back(oclocBehaviour(call));
            continue;
        }
        auto output = std::find(call.argv.begin(), call.argv.end(), "-output");
        std::string name = output != call.argv.end() && output + 1 != call.argv.end()
                               ? *(output + 1)
                               : std::string("out");
        OclocCallResult r;
        r.succeeded = true;
        r.files.emplace_back(name, zebin_);
        r.started = std::chrono::steady_clock::now();
        results.push_back(std::move(r));
    }
    return results;
}

} // namespace aotpack::toolchain
