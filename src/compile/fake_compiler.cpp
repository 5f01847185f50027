#include "compile/fake_compiler.h"

#include "devices/database.h"

#include <atomic>
#include <thread>

namespace aotpack::compile {

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

CompileResult FakeCompiler::compiled(const CompileJob&) const {
    CompileResult r;
    r.zebin = zebin_;
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
    return failed("", "ocloc failed: timed out after " + std::to_string(job.timeoutSeconds) + " s");
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

} // namespace aotpack::compile
