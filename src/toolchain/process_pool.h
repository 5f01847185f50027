// Runs compiler processes in parallel: at most `jobs` at once, within a memory budget (each task
// carries an estimate of its peak memory, from earlier builds), each with a timeout. A child that
// crashes, exits non-zero or hangs only fails its own task.
#pragma once

#include "common/subprocess.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace aotpack::toolchain {

struct PoolTask {
    ProcessSpec spec;
    double timeoutSeconds = 0;
    std::uint64_t memoryEstimateKb = 0;
    std::function<void()> onStart;
    std::function<void(Expected<ProcessResult>)> onFinish;
};

struct PoolLimits {
    unsigned jobs = 1;
    std::uint64_t memoryBudgetKb = 0; // 0: no memory limit
    // Long-lived compile workers (toolchain/ocloc_worker.h) to send the tasks' command lines to;
    // empty, or if no worker starts: one process per task.
    std::vector<std::string> workerCommand;
};

// Runs the tasks in the given order (callers sort longest first). Returns when all have finished;
// true if they ran on long-lived workers.
bool runPool(std::vector<PoolTask>& tasks, const PoolLimits& limits);
// The worker variant; false (nothing run) if no worker starts.
bool runWorkerPool(std::vector<PoolTask>& tasks, const PoolLimits& limits);

// Whether a task expected to need `extra` KiB may start beside `running` tasks using `used` KiB
// (both pools ask this).
bool fitsBudget(std::uint64_t used, std::uint64_t extra, const PoolLimits& limits,
                std::size_t running);

// What compilers (ocloc processes, compile workers, clang) get in their environment, given this
// process's GLIBC_TUNABLES (null: unset): glibc's malloc asks for transparent huge pages, which
// cuts IGC's page faults 20-60x and its CPU time by ~7% in a fresh ocloc process and ~3% per
// compile in a worker, at the same peak memory (docs/BENCHMARKS.md, "Huge pages for the
// compilers"). A user who sets glibc.malloc.hugetlb keeps their choice.
std::vector<std::string> compilerEnvironment(const char* tunables);

// A default memory budget: 80% of MemAvailable.
std::uint64_t defaultMemoryBudgetKb();

} // namespace aotpack::toolchain
