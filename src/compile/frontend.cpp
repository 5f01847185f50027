// Phases 2 and 3 of the build: every module becomes validated SPIR-V. OpenCL C goes through the
// build's Compiler (toolchain/compiler.h: `ocloc -spv_only` in parallel processes, or a fake).
#include "common/parallel.h"
#include "common/text.h"
#include "compile/driver_internal.h"
#include "compile/frontend_cache.h"

#include <nlohmann/json.hpp>

#include <malloc.h>

namespace aotpack::compile {
namespace fs = std::filesystem;

static toolchain::FrontendJob frontendJob(const BuildSetup& setup, const ModuleInput& in,
                                          const fs::path& dir) {
    std::string options = setup.compile.clOptions;
    if (!in.options.empty()) options += (options.empty() ? "" : " ") + in.options;
    return {in.path,
            in.path.parent_path(),
            options,
            setup.frontendDevice,
            setup.compile.frontend,
            setup.compile.timeoutSeconds,
            dir};
}

static std::vector<std::optional<fs::path>> runFrontends(const BuildSetup& setup,
                                                         const BuildCaches& caches,
                                                         const std::vector<ModuleInput>& inputs,
                                                         PreparedModules& report) {
    std::vector<std::optional<fs::path>> spirvFiles(inputs.size());
    std::vector<std::size_t> compiled; // the inputs given to the frontend
    std::vector<toolchain::FrontendJob> work;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].kind == SourceKind::Spirv) {
            spirvFiles[i] = inputs[i].path;
            continue;
        }
        std::error_code ec;
        if (fs::file_size(inputs[i].path, ec) == 0 && !ec) { // ocloc says only "exit code 225"
            report.errors.push_back("module '" + inputs[i].name + "' (" + inputs[i].path.string() +
                                    "): the OpenCL C file is empty");
            continue;
        }
        fs::path dir = setup.scratch() / "frontend" / inputs[i].name;
        if (auto remembered = rememberedFrontend(setup, caches, inputs[i], dir)) {
            spirvFiles[i] = *remembered;
            continue;
        }
        compiled.push_back(i);
        work.push_back(frontendJob(setup, inputs[i], dir));
    }
    auto results = setup.compiler->compileOpenClC(work, setup.jobs);
    std::vector<std::pair<const ModuleInput*, fs::path>> ran; // frontends that ran and succeeded
    for (std::size_t k = 0; k < compiled.size(); ++k) {
        const ModuleInput& in = inputs[compiled[k]];
        if (results[k].spirv) {
            spirvFiles[compiled[k]] = *results[k].spirv;
            ran.emplace_back(&in, *results[k].spirv);
            continue;
        }
        report.errors.push_back("module '" + in.name + "' (" + in.path.string() +
                                "): OpenCL C compile failed (" + results[k].failure + ")\n" +
                                results[k].log);
        ++report.frontendFailures;
    }
    rememberFrontends(setup, caches, ran);
    return spirvFiles;
}

namespace {

// Inspection results by SPIR-V hash: validating a large module takes seconds, and a rebuild should
// not pay that again (nor parse it again). Only successful inspections are stored; one made
// without validation says so, and is validated when a build first needs that.
Hash128 infoKey(const Hash128& spirv) {
    return Hasher().add("aotpack-spirv-info-v5").add(spirv.bytes).finish();
}

std::optional<SpirvInfo> cachedInfo(const BuildCaches& caches, const Hash128& spirv) {
    if (!caches.local) return std::nullopt;
    auto bytes = caches.local->get(infoKey(spirv), "meta");
    if (!bytes) return std::nullopt;
    auto doc = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    SpirvInfo info;
    info.entryPoints = doc.value("entry_points", std::vector<std::string>{});
    info.usesFp64 = doc.value("fp64", false);
    info.validationProblem = doc.value("validation", std::string());
    info.validated = doc.value("validated", false);
    info.inlinedInstructions = doc.value("inlined_instructions", 0.0);
    return info;
}

void storeInfo(const BuildCaches& caches, const Hash128& spirv, const SpirvInfo& info) {
    if (!caches.local) return;
    std::string text = nlohmann::json{{"entry_points", info.entryPoints},
                                      {"fp64", info.usesFp64},
                                      {"validation", info.validationProblem},
                                      {"validated", info.validated},
                                      {"inlined_instructions", info.inlinedInstructions}}
                           .dump();
    (void)caches.local->put(
        infoKey(spirv), ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
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

// SPIR-V that aotpack's own frontend made from OpenCL C is a translator's output, which IGC reads
// and the user cannot change: SPIRV-Tools' findings there are about the translator (ocloc 22.43
// writes SPIR-V 1.4 without its global variables in the entry points' interfaces, so every hashcat
// kernel was flagged), and validating a multi-MB module costs ~1 core-s of a cold build
// (docs/BENCHMARKS.md). It is validated only when the build is strict.
bool worthValidating(const BuildSetup& setup, const ModuleInput& input) {
    return setup.compile.strictSpirv || input.kind == SourceKind::Spirv;
}

Inspected inspectOne(const BuildSetup& setup, const BuildCaches& caches, const ModuleInput& input,
                     const fs::path& file) {
    std::string what = describeModule(input);
    auto bytes = readFile(file);
    if (!bytes) return {std::nullopt, bytes.error().message, ""};
    Hash128 hash = hash128(*bytes);
    bool validate = worthValidating(setup, input);
    auto info = cachedInfo(caches, hash);
    if (info && validate && !info->validated) info.reset(); // inspected before, not validated
    bool pending = false;
    if (!info) {
        // Validation only warns unless the build is strict: then it need not hold up the
        // compiles (validatePending runs it beside them, and stores the result then).
        pending = validate && !setup.compile.strictSpirv;
        auto fresh = inspectSpirv(*bytes, what, setup.compile.strictSpirv);
        if (!fresh) return {std::nullopt, fresh.error().message, ""};
        if (!pending) storeInfo(caches, hash, *fresh);
        info = *fresh;
    }
    if (!validate) info->validationProblem.clear();
    Inspected out;
    if (!info->validationProblem.empty()) {
        std::string problem = what + " fails SPIR-V validation: " + info->validationProblem;
        if (setup.compile.strictSpirv) return {std::nullopt, problem, ""};
        out.warning = problem + kCompilingAnyway;
    }
    out.module = PreparedModule{input,
                                std::move(*bytes),
                                std::move(*info),
                                hash,
                                setup.scratch() / "spirv" / (input.name + ".spv"),
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
void validatePending(const BuildCaches& caches, BackgroundWork& background,
                     std::vector<PreparedModule>& modules) {
    background.post([&caches, &modules] {
        for (auto& m : modules)
            if (m.validationPending) {
                m.info.validationProblem = validationProblem(m.spirv);
                m.info.validated = true;
                storeInfo(caches, m.spirvHash, m.info); // here, not at the end of the build
                ::malloc_trim(0);
            }
    });
}

void reportValidation(std::vector<PreparedModule>& modules, BuildObserver& observer) {
    for (auto& m : modules) {
        if (!m.validationPending) continue;
        m.validationPending = false;
        if (!m.info.validationProblem.empty()) observer.warning(validationWarning(m));
    }
}

PreparedModules prepareModules(const BuildSetup& setup, const BuildCaches& caches,
                               const std::vector<ModuleInput>& inputs, BuildObserver& observer) {
    PreparedModules out;
    auto spirvFiles = runFrontends(setup, caches, inputs, out);
    std::vector<Inspected> results(inputs.size());
    parallelFor(inputs.size(), setup.jobs, [&](std::size_t i) {
        if (spirvFiles[i]) results[i] = inspectOne(setup, caches, inputs[i], *spirvFiles[i]);
    });
    for (auto& r : results) { // in input order, so messages and modules are deterministic
        if (!r.warning.empty()) observer.warning(r.warning);
        if (!r.error.empty()) out.errors.push_back(r.error);
        if (r.module) out.modules.push_back(std::move(*r.module));
    }
    return out;
}

} // namespace aotpack::compile
