#include "dropin/execute.h"

#include <algorithm>
#include <chrono>

namespace aotpack::dropin {
namespace fs = std::filesystem;

namespace {

// The wall-clock (Unix) time of a steady-clock instant, for the call log.
double unixTimeOf(std::chrono::steady_clock::time_point t) {
    auto sinceThen = std::chrono::steady_clock::now() - t;
    auto unixNow = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration<double>(unixNow - sinceThen).count();
}

} // namespace

CompileOutcome compileMisses(const Plan& plan, const std::map<Hash128, JobResult>& known,
                             unsigned slots, toolchain::Compiler& compiler,
                             const fs::path& scratch) {
    std::vector<const TargetJob*> todo;
    for (const auto& t : plan.targets)
        if (!known.count(t.key) &&
            std::none_of(todo.begin(), todo.end(), [&](auto* j) { return j->key == t.key; }))
            todo.push_back(&t);
    std::vector<toolchain::OclocCall> calls;
    for (std::size_t i = 0; i < todo.size(); ++i)
        calls.push_back(
            {todo[i]->argv, scratch / ("job" + std::to_string(i)), kCompileTimeoutSeconds});
    CompileOutcome out;
    auto results = compiler.runOclocCalls(calls, slots, true);
    for (std::size_t i = 0; i < todo.size(); ++i) {
        auto& r = results[i];
        if (!r.succeeded) {
            out.failed = true;
            continue;
        }
        const TargetJob& job = *todo[i];
        out.records[job.key] = {job.device, "compiled", unixTimeOf(r.started), r.seconds};
        out.results.emplace(job.key, JobResult{std::move(r.files), std::move(r.log)});
    }
    return out;
}

std::optional<std::vector<std::string>> runFrontends(Plan& plan, const toolchain::OclocFacts& facts,
                                                     unsigned slots, toolchain::Compiler& compiler,
                                                     const fs::path& scratch) {
    std::vector<toolchain::OclocCall> calls;
    for (std::size_t i = 0; i < plan.targets.size(); ++i)
        calls.push_back({plan.targets[i].frontendArgv, scratch / ("frontend" + std::to_string(i)),
                         kCompileTimeoutSeconds});
    auto results = compiler.runOclocCalls(calls, slots, false);
    if (std::any_of(results.begin(), results.end(), [](auto& r) { return !r.succeeded; }))
        return std::nullopt;
    std::vector<std::string> logs;
    for (std::size_t i = 0; i < plan.targets.size(); ++i) {
        fs::path spirvPath = calls[i].dir / kFrontendFile;
        if (plan.irCopy) { // the backend names its binary after its input, as ocloc after the .cl
            fs::path named = calls[i].dir / (plan.input.stem().string() + ".spv");
            std::error_code ec;
            fs::rename(spirvPath, named, ec);
            spirvPath = named;
        }
        auto& files = results[i].files; // read once, by the call: not again from disk
        auto spirv = std::find_if(files.begin(), files.end(),
                                  [](const auto& f) { return f.first == kFrontendFile; });
        if (spirv == files.end()) return std::nullopt;
        setFrontendOutput(plan.targets[i], spirvPath, spirv->second, facts);
        logs.push_back(std::move(results[i].log));
    }
    return logs;
}

} // namespace aotpack::dropin
