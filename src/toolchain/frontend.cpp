#include "toolchain/frontend.h"

#include "common/text.h"
#include "toolchain/process_pool.h"

#include <map>

namespace aotpack::toolchain {
namespace fs = std::filesystem;

std::string describeOclocFailure(const ProcessResult& r) {
    std::string text = r.describe();
    static const std::map<int, const char*> names = {
        {250, "OUT_OF_HOST_MEMORY"}, {245, "BUILD_PROGRAM_FAILURE"}, {223, "INVALID_DEVICE"},
        {212, "INVALID_PROGRAM"},    {226, "INVALID_COMMAND_LINE"},  {225, "INVALID_FILE"},
        {224, "COMPILATION_CRASH"}};
    if (!r.timedOut && !r.signal)
        if (auto it = names.find(r.exitCode); it != names.end())
            text += std::string(" (ocloc ") + it->second + ")";
    return text;
}

namespace {

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    for (auto& w : split(text, ' '))
        if (!trim(w).empty()) out.emplace_back(trim(w));
    return out;
}

ProcessSpec frontendCommand(const fs::path& ocloc, const FrontendJob& job) {
    std::string options = "-I " + job.includeDir.string();
    if (!job.options.empty()) options += " " + job.options;
    if (job.frontend == Frontend::Clang) {
        // Two tools in one task; options are word-split by the shell like a compiler command line.
        std::string script = "\"$3\" -cl-std=CL2.0 -target spir64 -O2 -emit-llvm -c -Xclang "
                             "-finclude-default-header "
                             "$1 \"$2\" -o module.bc && \"$4\" module.bc -o module.spv";
        return {{"sh", "-c", script, "sh", options, job.source.string(),
                 envOr("AOTPACK_CLANG", "clang"), envOr("AOTPACK_LLVM_SPIRV", "llvm-spirv-14")},
                job.dir,
                job.dir / "log",
                {},
                {}};
    }
    return {{ocloc.string(), "compile", "-file", job.source.string(), "-spv_only", "-device",
             job.device, "-output", "module", "-options", options},
            job.dir,
            job.dir / "log",
            {},
            {}};
}

// ocloc names the output after the device ("module_XE_HPC_COREpvc.spv"): find it by extension.
std::optional<fs::path> findSpirvOutput(const fs::path& dir) {
    for (const auto& entry : listDirectory(dir))
        if (entry.extension() == ".spv") return entry;
    return std::nullopt;
}

FrontendResult frontendResult(const FrontendJob& job, const Expected<ProcessResult>& r) {
    FrontendResult out;
    auto log = readTextFile(job.dir / "log");
    out.log = log ? std::string(trim(*log)) : std::string();
    if (r && r->succeeded()) out.spirv = findSpirvOutput(job.dir);
    if (out.spirv) return out;
    out.failure = !r                                ? r.error().message
                  : r->succeeded()                  ? "no SPIR-V was written"
                  : job.frontend == Frontend::Ocloc ? describeOclocFailure(*r)
                                                    : r->describe();
    return out;
}

PoolTask dependencyTask(const DependencyScan& scan, const fs::path& log) {
    std::vector<std::string> argv = {envOr("AOTPACK_CLANG", "clang"),
                                     "-x",
                                     "cl",
                                     "-cl-std=CL2.0",
                                     "-Xclang",
                                     "-finclude-default-header",
                                     "-M",
                                     "-MT",
                                     "x",
                                     "-I",
                                     scan.includeDir.string()};
    for (auto& w : words(scan.options))
        argv.push_back(w);
    argv.push_back(scan.source.string());
    PoolTask task;
    task.spec = {argv, {}, log, {}, {}};
    task.timeoutSeconds = 120;
    return task;
}

} // namespace

std::vector<FrontendResult> runFrontendJobs(const fs::path& ocloc,
                                            const std::vector<FrontendJob>& work, unsigned jobs) {
    std::vector<FrontendResult> results(work.size());
    std::vector<PoolTask> tasks;
    for (std::size_t i = 0; i < work.size(); ++i) {
        std::error_code ec; // a directory that cannot be made fails this job, not the build
        fs::create_directories(work[i].dir, ec);
        PoolTask task;
        task.spec = frontendCommand(ocloc, work[i]);
        task.timeoutSeconds = work[i].timeoutSeconds;
        task.onFinish = [&results, &work, i](Expected<ProcessResult> r) {
            results[i] = frontendResult(work[i], r);
        };
        tasks.push_back(std::move(task));
    }
    runPool(tasks, {jobs, 0, {}});
    return results;
}

std::vector<Expected<std::set<std::string>>>
runDependencyScans(const std::vector<DependencyScan>& scans, unsigned jobs) {
    std::vector<Expected<std::set<std::string>>> results(scans.size(), std::set<std::string>{});
    TempDir logs;
    std::vector<PoolTask> tasks;
    for (std::size_t i = 0; i < scans.size(); ++i) {
        fs::path log = logs.path() / std::to_string(i);
        tasks.push_back(dependencyTask(scans[i], log));
        tasks.back().onFinish = [&results, i, log](Expected<ProcessResult> r) {
            if (!r) {
                results[i] = r.error();
            } else if (!r->succeeded()) {
                results[i] = makeError(Errc::CompileFailed, "clang -M: " + r->describe());
            } else {
                std::set<std::string> deps;
                parseMakeRule(readTextFile(log).value_or(""), deps);
                results[i] = std::move(deps);
            }
        };
    }
    runPool(tasks, {jobs, 0, {}});
    return results;
}

void parseMakeRule(const std::string& text, std::set<std::string>& deps) {
    auto colon = text.find(": ");
    if (colon == std::string::npos) return;
    std::string current;
    for (std::size_t i = colon + 2; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\\' && i + 1 < text.size() && text[i + 1] == ' ') {
            current += ' ';
            ++i;
        } else if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
            ++i;
        } else if (c == ' ' || c == '\n') {
            if (!current.empty()) deps.insert(current);
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) deps.insert(current);
}

} // namespace aotpack::toolchain
