// OclocCompiler: a compile job is `ocloc compile -spirv_input -file F -device IP --format zebin
// -exclude_ir -output zebin -output_no_suffix [-options O]` in the job's directory, run on the
// pools (process_pool.h); the zebin and the log are read back from that directory.
#include "toolchain/compiler.h"
#include "toolchain/frontend.h"
#include "toolchain/ocloc_calls.h"
#include "toolchain/ocloc_worker.h"
#include "toolchain/process_pool.h"

namespace aotpack::toolchain {

namespace fs = std::filesystem;

namespace {

CompileResult resultOf(const CompileJob& job, const Expected<ProcessResult>& r) {
    CompileResult out;
    out.log = readTextFile(job.dir / "log").value_or("");
    if (!r) {
        out.failure = r.error().message;
        return out;
    }
    out.started = r->started;
    out.seconds = r->seconds;
    out.compileSeconds = r->compileSeconds;
    out.maxRssKb = r->maxRssKb;
    if (!r->succeeded()) {
        out.failure = "ocloc failed: " + describeOclocFailure(*r);
        return out;
    }
    // ocloc 24 and newer append .bin even with -output_no_suffix.
    std::error_code ec;
    auto zebin =
        readFile(fs::exists(job.dir / "zebin", ec) ? job.dir / "zebin" : job.dir / "zebin.bin");
    if (!zebin) {
        out.failure = "ocloc succeeded but wrote no binary: " + zebin.error().message;
        return out;
    }
    out.zebin = std::move(*zebin);
    return out;
}

class OclocCompiler : public Compiler {
  public:
    OclocCompiler(CompilerSupport support, std::vector<std::string> workerCommand)
        : support_(std::move(support)), workerCommand_(std::move(workerCommand)) {}

    const CompilerSupport& support() const override { return support_; }

    CompileRun run(const std::vector<CompileJob>& jobs, const CompileLimits& limits,
                   const std::function<void(std::size_t)>& onStart,
                   const std::function<void(std::size_t, CompileResult)>& onFinish) override {
        std::vector<PoolTask> tasks;
        for (std::size_t i = 0; i < jobs.size(); ++i)
            tasks.push_back(task(
                jobs[i], [&onStart, i] { onStart(i); },
                [&onFinish, &jobs, i](Expected<ProcessResult> r) {
                    onFinish(i, resultOf(jobs[i], r));
                }));
        PoolLimits pool{limits.jobs, limits.memoryBudgetKb, {}};
        std::string whyNot;
        if (!workerCommand_.empty())
            if (std::string lib = workerLibrary(&whyNot); !lib.empty()) {
                pool.workerCommand = support_.launcher; // a store toolchain's own loader
                pool.workerCommand.insert(pool.workerCommand.end(), workerCommand_.begin(),
                                          workerCommand_.end());
                pool.workerCommand.push_back(lib);
            }
        if (tasks.empty()) return {"", ""};
        CompileRun run{runPool(tasks, pool) ? "workers" : "processes", ""};
        if (run.mode == "processes" && !workerCommand_.empty() &&
            (!pool.workerCommand.empty() || !whyNot.empty()))
            run.warning = "compiling with one ocloc process per job, not compile workers: " +
                          (whyNot.empty() ? "no compile worker started" : whyNot);
        return run;
    }

    std::vector<FrontendResult> compileOpenClC(const std::vector<FrontendJob>& work,
                                               unsigned jobs) override {
        return runFrontendJobs(support_.ocloc, work, jobs);
    }

    std::vector<Expected<std::set<std::string>>>
    listDependencies(const std::vector<DependencyScan>& scans, unsigned jobs) override {
        return runDependencyScans(scans, jobs);
    }

    std::vector<OclocCallResult> runOclocCalls(const std::vector<OclocCall>& calls, unsigned jobs,
                                               bool onWorkers) override {
        return runOclocCallsOnPool(calls, jobs,
                                   onWorkers ? workerCommand_ : std::vector<std::string>());
    }

  private:
    // A store toolchain names its libocloc; the host's is looked for beside its ocloc.
    std::string workerLibrary(std::string* whyNot) const {
        if (support_.libocloc.empty()) return findLibocloc(support_.ocloc.string(), whyNot);
        return workersOffOnPurpose() ? std::string() : support_.libocloc.string();
    }

    PoolTask task(const CompileJob& job, std::function<void()> started,
                  std::function<void(Expected<ProcessResult>)> finished) const {
        std::error_code ec; // a directory that cannot be made fails this job, not the build
        fs::create_directories(job.dir, ec);
        PoolTask t;
        t.spec = {{support_.ocloc.string(), "compile", "-spirv_input", "-file", job.spirv.string(),
                   "-device", job.target.str(), "--format", "zebin", "-exclude_ir", "-output",
                   "zebin", "-output_no_suffix"},
                  job.dir,
                  job.dir / "log",
                  {},
                  {}};
        if (!job.options.empty()) {
            t.spec.argv.push_back("-options");
            t.spec.argv.push_back(job.options);
        }
        t.timeoutSeconds = job.timeoutSeconds;
        t.memoryEstimateKb = job.memoryEstimateKb;
        t.onStart = std::move(started);
        t.onFinish = std::move(finished);
        return t;
    }

    CompilerSupport support_;
    std::vector<std::string> workerCommand_;
};

} // namespace

std::shared_ptr<Compiler> makeOclocCompiler(CompilerSupport support,
                                            std::vector<std::string> workerCommand) {
    return std::make_shared<OclocCompiler>(std::move(support), std::move(workerCommand));
}

} // namespace aotpack::toolchain
