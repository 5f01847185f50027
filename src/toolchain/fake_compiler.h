// A compiler for unit tests and benchmarks of the build stage: no ocloc, no processes. Every job
// "compiles" to a given zebin unless `behaviour` says otherwise (fail with a log, crash, hang
// until the timeout, take time), and every job it was given is remembered. OpenCL C "compiles" to
// `openClCSpirv` unless the source has an `#error` line (then it fails as ocloc does), and the
// dependencies of a source are its quoted `#include`s, found as a preprocessor would (the source's
// directory, then -I), recursively; a missing header makes the scan fail, as `clang -M` does.
#pragma once

#include "toolchain/compiler.h"

#include <mutex>

namespace aotpack::toolchain {

class FakeCompiler : public Compiler {
  public:
    // `zebin`: what every successful job returns (a real zebin, so the driver can inspect it).
    // `supported`: the targets it can build (empty: every target of the device database).
    FakeCompiler(Bytes zebin, std::string identity = "fake 1",
                 std::vector<devices::IpVersion> supported = {});

    // What a job does; the default returns the zebin. Called on the compiling thread.
    std::function<CompileResult(const CompileJob&)> behaviour;
    // Ready-made behaviours.
    CompileResult compiled(const CompileJob& job) const;
    static CompileResult failed(std::string log, std::string failure);
    static CompileResult crashed();
    static CompileResult hung(const CompileJob& job); // as a compile killed at its timeout
    double delaySeconds = 0; // every job takes this long (slowness; scheduling tests)
    double busySeconds = 0;  // every job burns this much CPU time (a machine full of compiles)
    // Appends this many bytes of the job's own (compressible) data after the zebin's ELF image,
    // so every job's binary differs and is compressed on its own. ELF readers ignore them.
    std::size_t distinctBytes = 0;

    // Every job it was asked to compile, in the order they started.
    std::vector<CompileJob> calls() const;
    // The most jobs it ran at once.
    unsigned peakConcurrency() const;

    // What every OpenCL C source compiles to (real SPIR-V, so the driver can inspect it).
    Bytes openClCSpirv;
    // Every source the frontend was asked to compile, and every dependency scan, in order.
    std::vector<std::filesystem::path> frontendCalls() const;
    std::vector<std::filesystem::path> dependencyScans() const;
    // What an ocloc command line does (the drop-in's calls); the default writes the zebin as
    // the file its `-output` names ("out" without one) and succeeds.
    std::function<OclocCallResult(const OclocCall&)> oclocBehaviour;
    // Every ocloc command line it was asked to run, in order, and whether on workers.
    std::vector<OclocCall> oclocCalls() const;
    bool oclocOnWorkers() const;

    const CompilerSupport& support() const override { return support_; }
    CompileRun run(const std::vector<CompileJob>& jobs, const CompileLimits& limits,
                   const std::function<void(std::size_t)>& onStart,
                   const std::function<void(std::size_t, CompileResult)>& onFinish) override;
    std::vector<FrontendResult> compileOpenClC(const std::vector<FrontendJob>& work,
                                               unsigned jobs) override;
    std::vector<Expected<std::set<std::string>>>
    listDependencies(const std::vector<DependencyScan>& scans, unsigned jobs) override;
    std::vector<OclocCallResult> runOclocCalls(const std::vector<OclocCall>& calls, unsigned jobs,
                                               bool onWorkers) override;

  private:
    Bytes zebin_;
    CompilerSupport support_;
    mutable std::mutex lock_;
    std::vector<CompileJob> calls_;
    std::vector<std::filesystem::path> frontendCalls_, dependencyScans_;
    std::vector<OclocCall> oclocCalls_;
    bool oclocOnWorkers_ = false;
    unsigned running_ = 0, peak_ = 0;
};

} // namespace aotpack::toolchain
