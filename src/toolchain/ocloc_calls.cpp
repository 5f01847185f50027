#include "toolchain/ocloc_calls.h"

#include "toolchain/ocloc_worker.h"
#include "toolchain/process_pool.h"

#include <algorithm>

namespace aotpack::toolchain {
namespace fs = std::filesystem;

namespace {

// Every regular file in `dir`, by name; false if one cannot be read.
bool collectFiles(const fs::path& dir, std::vector<std::pair<std::string, Bytes>>& files) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        auto data = readFile(it->path());
        if (!data) return false;
        files.emplace_back(it->path().filename().string(), std::move(*data));
    }
    std::sort(files.begin(), files.end());
    return !ec;
}

// The call in its directory, its messages beside it (not among its outputs).
PoolTask callTask(const OclocCall& call, OclocCallResult& result) {
    std::error_code ec; // a directory that cannot be made fails this call
    fs::create_directories(call.dir, ec);
    fs::path log = call.dir.string() + ".log";
    PoolTask task;
    task.spec = {call.argv, call.dir, log, {}, {}};
    task.timeoutSeconds = call.timeoutSeconds;
    task.memoryEstimateKb = 1024 * 1024;
    task.onFinish = [&result, dir = call.dir, log](Expected<ProcessResult> r) {
        if (r) {
            result.started = r->started;
            result.seconds = r->seconds;
        }
        result.log = readTextFile(log).value_or("");
        result.succeeded = r && r->succeeded() && collectFiles(dir, result.files);
    };
    return task;
}

} // namespace

std::vector<OclocCallResult> runOclocCallsOnPool(const std::vector<OclocCall>& calls, unsigned jobs,
                                                 const std::vector<std::string>& workerCommand) {
    std::vector<OclocCallResult> results(calls.size());
    std::vector<PoolTask> tasks;
    for (std::size_t i = 0; i < calls.size(); ++i)
        tasks.push_back(callTask(calls[i], results[i]));
    if (tasks.empty()) return results;
    PoolLimits limits{jobs, defaultMemoryBudgetKb(), {}};
    if (!workerCommand.empty())
        if (auto lib = findLibocloc(calls[0].argv[0]); !lib.empty()) {
            limits.workerCommand = workerCommand;
            limits.workerCommand.push_back(lib);
        }
    runPool(tasks, limits);
    return results;
}

} // namespace aotpack::toolchain
