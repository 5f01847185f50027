// Phases 2 and 3 of the build: every module becomes validated SPIR-V. OpenCL C goes through
// `ocloc -spv_only` in worker processes, in parallel, like the compiles.
#include "common/parallel.h"
#include "common/text.h"
#include "compile/driver_internal.h"
#include "compile/frontend_cache.h"
#include "compile/process_pool.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <malloc.h>

namespace aotpack::compile {
namespace fs = std::filesystem;

namespace {

PoolTask frontendTask(BuildContext& ctx, const ModuleInput& in, const fs::path& dir) {
    std::error_code ec; // a directory that cannot be made fails this job, not the build
    fs::create_directories(dir, ec);
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
                     {},
                     {}};
    } else {
        task.spec = {{ctx.compiler->support().ocloc.string(), "compile", "-file", in.path.string(),
                      "-spv_only", "-device", ctx.frontendDevice, "-output", "module", "-options",
                      options},
                     dir,
                     dir / "log",
                     {},
                     {}};
    }
    task.timeoutSeconds = ctx.request.timeoutSeconds;
    return task;
}

// ocloc names the output after the device ("module_XE_HPC_COREpvc.spv"): find it by extension.
std::optional<fs::path> findSpirvOutput(const fs::path& dir) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().extension() == ".spv") return entry.path();
    return std::nullopt;
}

// ocloc's exit code is its error code mod 256, often with nothing in its log: name it.
std::string oclocErrorName(const ProcessResult& r) {
    switch (r.signal || r.timedOut ? 0 : r.exitCode) {
    case 223:
        return ": ocloc's INVALID_DEVICE";
    case 226:
        return ": ocloc's INVALID_COMMAND_LINE";
    case 225:
        return ": ocloc's INVALID_FILE (the source could not be read)";
    case 245:
        return ": ocloc's BUILD_PROGRAM_FAILURE";
    default:
        return "";
    }
}

// The whole log: the CLI abbreviates what it prints (keeping the first errors), the JSON report
// keeps it all.
std::string frontendLog(const fs::path& log) {
    auto text = readTextFile(log);
    return text ? std::string(trim(*text)) : std::string();
}

} // namespace

static std::vector<std::optional<fs::path>>
runFrontends(BuildContext& ctx, const std::vector<ModuleInput>& inputs, BuildReport& report) {
    std::vector<std::optional<fs::path>> spirvFiles(inputs.size());
    std::vector<std::pair<const ModuleInput*, fs::path>> ran; // frontends that ran and succeeded
    std::vector<PoolTask> tasks;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].kind == SourceKind::Spirv) {
            spirvFiles[i] = inputs[i].path;
            continue;
        }
        std::error_code ec;
        if (fs::file_size(inputs[i].path, ec) == 0 && !ec) { // ocloc says only "exit code 225"
            report.moduleErrors.push_back("module '" + inputs[i].name + "' (" +
                                          inputs[i].path.string() +
                                          "): the OpenCL C file is empty");
            continue;
        }
        fs::path dir = ctx.scratch->path() / "frontend" / inputs[i].name;
        if (auto remembered = rememberedFrontend(ctx, inputs[i], dir)) {
            spirvFiles[i] = *remembered;
            continue;
        }
        PoolTask task = frontendTask(ctx, inputs[i], dir);
        task.onFinish = [&, i, dir](Expected<ProcessResult> r) {
            auto out = r && r->succeeded() ? findSpirvOutput(dir) : std::nullopt;
            if (out) {
                spirvFiles[i] = *out;
                ran.emplace_back(&inputs[i], *out);
                return;
            }
            std::string why = r ? r->describe() + oclocErrorName(*r) : r.error().message;
            report.moduleErrors.push_back("module '" + inputs[i].name + "' (" +
                                          inputs[i].path.string() + "): OpenCL C compile failed (" +
                                          why + ")\n" + frontendLog(dir / "log"));
            ++report.frontendFailures;
        };
        tasks.push_back(std::move(task));
    }
    runPool(tasks, {ctx.jobs, 0, {}});
    rememberFrontends(ctx, ran);
    return spirvFiles;
}

namespace {

// Inspection results by SPIR-V hash: validating a large module takes seconds, and a rebuild should
// not pay that again. Only successful inspections are stored.
Hash128 infoKey(const Hash128& spirv) {
    return Hasher().add("aotpack-spirv-info-v4").add(spirv.bytes).finish();
}

std::optional<SpirvInfo> cachedInfo(const BuildContext& ctx, const Hash128& spirv) {
    if (!ctx.cache) return std::nullopt;
    auto bytes = ctx.cache->get(infoKey(spirv), "meta");
    if (!bytes) return std::nullopt;
    auto doc = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    SpirvInfo info;
    info.entryPoints = doc.value("entry_points", std::vector<std::string>{});
    info.usesFp64 = doc.value("fp64", false);
    info.validationProblem = doc.value("validation", std::string());
    info.inlinedInstructions = doc.value("inlined_instructions", 0.0);
    return info;
}

void storeInfo(const BuildContext& ctx, const Hash128& spirv, const SpirvInfo& info) {
    if (!ctx.cache) return;
    std::string text = nlohmann::json{{"entry_points", info.entryPoints},
                                      {"fp64", info.usesFp64},
                                      {"validation", info.validationProblem},
                                      {"inlined_instructions", info.inlinedInstructions}}
                           .dump();
    (void)ctx.cache->put(infoKey(spirv),
                         ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
                         "meta");
}

struct Inspected {
    std::optional<PreparedModule> module;
    std::string error, warning;
};

constexpr const char* kCompilingAnyway = " (compiling anyway; --strict-spirv makes this an error)";

std::string describeModule(const ModuleInput& input) {
    return "module '" + input.name + "' (" + input.path.string() + ")";
}

Inspected inspectOne(const BuildContext& ctx, const ModuleInput& input, const fs::path& file) {
    std::string what = describeModule(input);
    auto bytes = readFile(file);
    if (!bytes) return {std::nullopt, bytes.error().message, ""};
    Hash128 hash = hash128(*bytes);
    auto info = cachedInfo(ctx, hash);
    bool pending = false;
    if (!info) {
        // Validation only warns unless the build is strict: then it need not hold up the
        // compiles (validatePending runs it beside them).
        pending = !ctx.request.strictSpirv;
        auto fresh = inspectSpirv(*bytes, what, !pending);
        if (!fresh) return {std::nullopt, fresh.error().message, ""};
        if (!pending) storeInfo(ctx, hash, *fresh);
        info = *fresh;
    }
    Inspected out;
    if (!info->validationProblem.empty()) {
        std::string problem = what + " fails SPIR-V validation: " + info->validationProblem;
        if (ctx.request.strictSpirv) return {std::nullopt, problem, ""};
        out.warning = problem + kCompilingAnyway;
    }
    out.module = PreparedModule{input,
                                std::move(*bytes),
                                std::move(*info),
                                hash,
                                ctx.scratch->path() / "spirv" / (input.name + ".spv"),
                                pending};
    return out;
}

std::string validationWarning(const PreparedModule& m) {
    return describeModule(m.input) + " fails SPIR-V validation: " + m.info.validationProblem +
           kCompilingAnyway;
}

} // namespace

// One validation at a time: SPIRV-Tools' validator holds ~25x the module's size while it runs
// (heaptrack: 130 MB for one of hashcat's 5.6 MB modules), and the build's peak memory is the
// compilers' plus the driver's. malloc_trim hands those pages back before the next one.
void validatePending(const BuildContext& ctx, std::vector<PreparedModule>& modules) {
    ctx.background->post([&ctx, &modules] {
        for (auto& m : modules)
            if (m.validationPending) {
                m.info.validationProblem = validationProblem(m.spirv);
                storeInfo(ctx, m.spirvHash, m.info); // here, not at the end of the build
                ::malloc_trim(0);
            }
    });
}

void reportValidation(BuildContext& ctx, std::vector<PreparedModule>& modules) {
    for (auto& m : modules) {
        if (!m.validationPending) continue;
        m.validationPending = false;
        if (!m.info.validationProblem.empty()) ctx.observer.warning(validationWarning(m));
    }
}

std::vector<PreparedModule>
prepareModules(BuildContext& ctx, const std::vector<ModuleInput>& inputs, BuildReport& report) {
    auto spirvFiles = runFrontends(ctx, inputs, report);
    std::vector<Inspected> results(inputs.size());
    parallelFor(inputs.size(), ctx.jobs, [&](std::size_t i) {
        if (spirvFiles[i]) results[i] = inspectOne(ctx, inputs[i], *spirvFiles[i]);
    });
    std::vector<PreparedModule> modules;
    for (auto& r : results) { // in input order, so messages and modules are deterministic
        if (!r.warning.empty()) ctx.observer.warning(r.warning);
        if (!r.error.empty()) report.moduleErrors.push_back(r.error);
        if (r.module) modules.push_back(std::move(*r.module));
    }
    return modules;
}

} // namespace aotpack::compile
