// The one seam to the compiler tools: what the compiler is (its identity, part of every cache key,
// and the targets it can build) and four operations: compile SPIR-V jobs to native binaries,
// compile OpenCL C to SPIR-V (the frontend), list the files an OpenCL C source reads (its
// headers, for --depfile and the frontend cache), and run ocloc command lines as a build tool
// wrote them (the ocloc drop-in), returning the files each wrote. OclocCompiler runs the real tools
// over the pools (ocloc on long-lived libocloc workers or one process per job; clang + llvm-spirv;
// `clang -M`); FakeCompiler (fake_compiler.h) stands in for them in unit tests and benchmarks.
#pragma once

#include "common/error.h"
#include "common/file_io.h"
#include "devices/ip_version.h"
#include "toolchain/compiler_support.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace aotpack::toolchain {

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

// OpenCL C to SPIR-V: ocloc -spv_only (default), or the upstream toolchain, clang + llvm-spirv
// ($AOTPACK_CLANG, default clang; $AOTPACK_LLVM_SPIRV, default llvm-spirv-14).
enum class Frontend { Ocloc, Clang };

struct FrontendJob {
    std::filesystem::path source;     // the .cl file
    std::filesystem::path includeDir; // -I for it (its own directory)
    std::string options;              // more frontend options (-D, -I, -cl-*), space-separated
    std::string device;               // ocloc -spv_only's -device: a canonical device name
    Frontend frontend = Frontend::Ocloc;
    double timeoutSeconds = 0; // 0: none
    std::filesystem::path dir; // a scratch directory of its own
};

struct FrontendResult {
    std::optional<std::filesystem::path> spirv; // in the job's directory; nothing if it failed
    std::string failure;                        // "exit code 245 (ocloc BUILD_PROGRAM_FAILURE)"
    std::string log;                            // what the tools printed, trimmed
};

// The files an OpenCL C source reads, as `clang -M` lists them with the frontend's options.
struct DependencyScan {
    std::filesystem::path source;
    std::filesystem::path includeDir;
    std::string options;
};

// One ocloc command line as a build tool wrote it (the drop-in's calls): argv[0] is the ocloc,
// run in `dir` (its own scratch directory), so every file it writes there is its output.
struct OclocCall {
    std::vector<std::string> argv;
    std::filesystem::path dir;
    double timeoutSeconds = 0; // 0: none
};

struct OclocCallResult {
    bool succeeded = false;                           // ocloc exited 0 and its files could be read
    std::vector<std::pair<std::string, Bytes>> files; // written in `dir`, by name, sorted
    std::string log;                                  // what it printed
    std::chrono::steady_clock::time_point started;
    double seconds = 0;
};

class Compiler {
  public:
    virtual ~Compiler() = default;
    virtual const toolchain::CompilerSupport& support() const = 0;
    // The compiler of one target: support() unless targets go to different toolchains
    // (routing.h), where support() describes them all together.
    virtual const toolchain::CompilerSupport& supportFor(devices::IpVersion) const {
        return support();
    }
    // Compiles every job, in the given order, at most limits.jobs at once. onStart(i) and
    // onFinish(i, result) are never called concurrently with each other.
    virtual CompileRun run(const std::vector<CompileJob>& jobs, const CompileLimits& limits,
                           const std::function<void(std::size_t)>& onStart,
                           const std::function<void(std::size_t, CompileResult)>& onFinish) = 0;
    // OpenCL C to SPIR-V, at most `jobs` at once; the results in the order of `work`.
    virtual std::vector<FrontendResult> compileOpenClC(const std::vector<FrontendJob>& work,
                                                       unsigned jobs) = 0;
    // Each source and the headers it includes (absolute or as given); an error when they cannot
    // be listed (no clang, a header not found), which callers treat as "unknown".
    virtual std::vector<Expected<std::set<std::string>>>
    listDependencies(const std::vector<DependencyScan>& scans, unsigned jobs) = 0;
    // Runs every call, at most `jobs` at once, on compile workers when `onWorkers` (and they
    // start); the results in the order of `calls`.
    virtual std::vector<OclocCallResult> runOclocCalls(const std::vector<OclocCall>& calls,
                                                       unsigned jobs, bool onWorkers) = 0;
};

// The real ocloc of `support`; with `workerCommand` (the CLI's own `__ocloc-worker`), on
// long-lived workers when its libocloc is found.
std::shared_ptr<Compiler> makeOclocCompiler(toolchain::CompilerSupport support,
                                            std::vector<std::string> workerCommand);

} // namespace aotpack::toolchain
