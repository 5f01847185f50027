#include "toolchain/process_pool.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>

namespace aotpack::toolchain {

namespace {

using Clock = std::chrono::steady_clock;

struct Running {
    std::size_t task;
    Clock::time_point start;
    bool killed = false;
};

void finish(PoolTask& task, const Running& r, int status, const struct rusage& usage) {
    ProcessResult result;
    result.started = r.start;
    result.seconds = std::chrono::duration<double>(Clock::now() - r.start).count();
    result.maxRssKb = usage.ru_maxrss;
    applyWaitStatus(result, status, r.killed);
    result.timeoutSeconds = task.timeoutSeconds;
    task.onFinish(result);
}

} // namespace

std::vector<std::string> compilerEnvironment(const char* tunables) {
    std::string current = tunables ? tunables : "";
    if (current.find("glibc.malloc.hugetlb") != std::string::npos) return {};
    return {"GLIBC_TUNABLES=" + current + (current.empty() ? "" : ":") + "glibc.malloc.hugetlb=1"};
}

bool runPool(std::vector<PoolTask>& tasks, const PoolLimits& limits) {
    if (!limits.workerCommand.empty() && runWorkerPool(tasks, limits)) return true;
    std::map<pid_t, Running> running;
    std::uint64_t memoryInUse = 0;
    std::size_t next = 0;
    while (next < tasks.size() || !running.empty()) {
        while (next < tasks.size() && running.size() < limits.jobs &&
               fitsBudget(memoryInUse, tasks[next].memoryEstimateKb, limits, running.size())) {
            PoolTask& task = tasks[next];
            if (task.onStart) task.onStart();
            ProcessSpec spec = task.spec;
            for (auto& entry : compilerEnvironment(std::getenv("GLIBC_TUNABLES")))
                spec.extraEnv.push_back(entry);
            auto pid = spawnProcess(spec);
            if (!pid) {
                task.onFinish(pid.error());
            } else {
                running[*pid] = Running{next, Clock::now()};
                memoryInUse += task.memoryEstimateKb;
            }
            ++next;
        }
        int status = 0;
        struct rusage usage {};
        pid_t pid = ::wait4(-1, &status, WNOHANG, &usage);
        if (pid > 0 && running.count(pid)) {
            Running r = running[pid];
            running.erase(pid);
            memoryInUse -= tasks[r.task].memoryEstimateKb;
            finish(tasks[r.task], r, status, usage);
            continue;
        }
        for (auto& [p, r] : running)
            killIfOverdue(p, r.start, tasks[r.task].timeoutSeconds, r.killed);
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
    return false;
}

std::uint64_t defaultMemoryBudgetKb() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::uint64_t value = 0;
    std::string unit;
    while (meminfo >> key >> value >> unit)
        if (key == "MemAvailable:") return value / 10 * 8;
    return 0;
}

bool fitsBudget(std::uint64_t used, std::uint64_t extra, const PoolLimits& limits,
                std::size_t running) {
    // One task always runs, even if its estimate alone exceeds the budget.
    return running == 0 || limits.memoryBudgetKb == 0 || used + extra <= limits.memoryBudgetKb;
}

} // namespace aotpack::toolchain
