// Runs compiler processes in parallel: at most `jobs` at once, within a memory budget (each task
// carries an estimate of its peak memory, from earlier builds), each with a timeout. A child that
// crashes, exits non-zero or hangs only fails its own task.
#pragma once

#include "common/subprocess.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace aotpack::build {

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
};

// Runs the tasks in the given order (callers sort longest first). Returns when all have finished.
void runPool(std::vector<PoolTask>& tasks, const PoolLimits& limits);

// A default memory budget: 80% of MemAvailable.
std::uint64_t defaultMemoryBudgetKb();

} // namespace aotpack::build
