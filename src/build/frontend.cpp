// Phases 2 and 3 of the build: every module becomes validated SPIR-V. OpenCL C goes through
// `ocloc -spv_only` in worker processes, in parallel, like the compiles.
#include "build/driver_internal.h"
#include "build/process_pool.h"
#include "common/text.h"

#include <cstdlib>

namespace aotpack::build {
namespace fs = std::filesystem;

namespace {

std::string envOr(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value && *value ? value : fallback;
}

PoolTask frontendTask(BuildContext& ctx, const ModuleInput& in, const fs::path& dir) {
    fs::create_directories(dir);
    std::string options = "-I " + in.path.parent_path().string();
    if (!ctx.request.clOptions.empty()) options += " " + ctx.request.clOptions;
    if (!in.options.empty()) options += " " + in.options;
    PoolTask task;
    if (ctx.request.frontend == Frontend::Clang) {
        // Two tools in one worker; options are word-split by the shell like a compiler command
        // line.
        std::string script = "\"$3\" -cl-std=CL2.0 -target spir64 -O2 -emit-llvm -c -Xclang "
                             "-finclude-default-header "
                             "$1 \"$2\" -o module.bc && \"$4\" module.bc -o module.spv";
        task.spec = {{"sh", "-c", script, "sh", options, in.path.string(),
                      envOr("AOTPACK_CLANG", "clang"),
                      envOr("AOTPACK_LLVM_SPIRV", "llvm-spirv-14")},
                     dir,
                     dir / "log",
                     {}};
    } else {
        task.spec = {{ctx.compiler->ocloc.string(), "compile", "-file", in.path.string(),
                      "-spv_only", "-device", ctx.request.frontendDevice, "-output", "module",
                      "-options", options},
                     dir,
                     dir / "log",
                     {}};
    }
    task.timeoutSeconds = ctx.request.timeoutSeconds;
    return task;
}

// ocloc names the output after the device ("module_XE_HPC_COREpvc.spv"): find it by extension.
std::optional<fs::path> findSpirvOutput(const fs::path& dir) {
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".spv") return entry.path();
    return std::nullopt;
}

std::string logTail(const fs::path& log) {
    auto text = readTextFile(log);
    if (!text) return "";
    std::string trimmed(trim(*text));
    return trimmed.size() > 4000 ? trimmed.substr(trimmed.size() - 4000) : trimmed;
}

} // namespace

static std::vector<std::optional<fs::path>>
runFrontends(BuildContext& ctx, const std::vector<ModuleInput>& inputs, BuildReport& report) {
    std::vector<std::optional<fs::path>> spirvFiles(inputs.size());
    std::vector<PoolTask> tasks;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].kind == SourceKind::Spirv) {
            spirvFiles[i] = inputs[i].path;
            continue;
        }
        fs::path dir = ctx.scratch->path() / "frontend" / inputs[i].name;
        PoolTask task = frontendTask(ctx, inputs[i], dir);
        task.onFinish = [&, i, dir](Expected<ProcessResult> r) {
            auto out = r && r->succeeded() ? findSpirvOutput(dir) : std::nullopt;
            if (out) {
                spirvFiles[i] = *out;
                return;
            }
            std::string why = r ? r->describe() : r.error().message;
            report.moduleErrors.push_back(
                "module '" + inputs[i].name + "' (" + inputs[i].path.string() +
                "): OpenCL C to SPIR-V failed (" + why + ")\n" + logTail(dir / "log"));
        };
        tasks.push_back(std::move(task));
    }
    runPool(tasks, {ctx.jobs, 0});
    return spirvFiles;
}

std::vector<PreparedModule>
prepareModules(BuildContext& ctx, const std::vector<ModuleInput>& inputs, BuildReport& report) {
    auto spirvFiles = runFrontends(ctx, inputs, report);
    std::vector<PreparedModule> modules;
    fs::create_directories(ctx.scratch->path() / "spirv");
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!spirvFiles[i]) continue;
        std::string what = "module '" + inputs[i].name + "' (" + inputs[i].path.string() + ")";
        auto bytes = readFile(*spirvFiles[i]);
        if (!bytes) {
            report.moduleErrors.push_back(bytes.error().message);
            continue;
        }
        auto info = inspectSpirv(*bytes, what);
        if (!info) {
            report.moduleErrors.push_back(info.error().message);
            continue;
        }
        if (!info->validationProblem.empty()) {
            std::string problem = what + " fails SPIR-V validation: " + info->validationProblem;
            if (ctx.request.strictSpirv) {
                report.moduleErrors.push_back(problem);
                continue;
            }
            ctx.observer.warning(problem +
                                 " (compiling anyway; --strict-spirv makes this an error)");
        }
        PreparedModule m{inputs[i],
                         std::move(*bytes),
                         std::move(*info),
                         {},
                         ctx.scratch->path() / "spirv" / (inputs[i].name + ".spv")};
        m.spirvHash = hash128(m.spirv);
        if (auto st = writeFileAtomic(m.spirvPath, m.spirv); !st) {
            report.moduleErrors.push_back(st.error().message);
            continue;
        }
        modules.push_back(std::move(m));
    }
    return modules;
}

} // namespace aotpack::build
