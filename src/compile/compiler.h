// The build's one seam to a compiler: what it is (its identity, part of every cache key, and the
// targets it can build) and one operation, compiling a set of jobs. OclocCompiler runs the real
// ocloc over the pools (long-lived libocloc workers, or one process per job); FakeCompiler
// (fake_compiler.h) stands in for it in unit tests and benchmarks.
#pragma once

#include "common/file_io.h"
#include "devices/compiler_support.h"
#include "devices/ip_version.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::compile {

struct CompileJob {
    std::filesystem::path spirv; // the module's SPIR-V on disk
    devices::IpVersion target;
    std::string options;                // -options for the compiler ("" for none)
    double timeoutSeconds = 0;          // 0: none
    std::uint64_t memoryEstimateKb = 0; // its expected peak, for the memory budget
    std::filesystem::path dir;          // a scratch directory of its own
};

struct CompileResult {
    std::optional<Bytes> zebin; // the native binary; nothing if the compile failed
    std::string log;            // what the compiler printed
    std::string failure;        // why it failed: "exit code 245 (ocloc BUILD_PROGRAM_FAILURE)"
    std::chrono::steady_clock::time_point started; // when the compiler got the job
    double seconds = 0;                            // from `started` to its end
    double compileSeconds = 0; // inside the compiler proper (workers measure it), else 0
    long maxRssKb = 0;
};

struct CompileLimits {
    unsigned jobs = 1;                // at most this many at once
    std::uint64_t memoryBudgetKb = 0; // 0: no memory limit
};

struct CompileRun {
    std::string mode;    // "workers", "processes", "fake": the report's compile_mode
    std::string warning; // e.g. why workers were not used; "" for none
};

class Compiler {
  public:
    virtual ~Compiler() = default;
    virtual const devices::CompilerSupport& support() const = 0;
    // Compiles every job, in the given order, at most limits.jobs at once. onStart(i) and
    // onFinish(i, result) are never called concurrently with each other.
    virtual CompileRun run(const std::vector<CompileJob>& jobs, const CompileLimits& limits,
                           const std::function<void(std::size_t)>& onStart,
                           const std::function<void(std::size_t, CompileResult)>& onFinish) = 0;
};

// The real ocloc of `support`; with `workerCommand` (the CLI's own `__ocloc-worker`), on
// long-lived workers when its libocloc is found.
std::shared_ptr<Compiler> makeOclocCompiler(devices::CompilerSupport support,
                                            std::vector<std::string> workerCommand);

} // namespace aotpack::compile
