// runBuild: the build's phases in order (setup.cpp, caches.cpp, frontend.cpp, keys.cpp, jobs.cpp,
// assemble.cpp, report.cpp), and how a build ends: up to date, or compiled and assembled.
#include "compile/driver.h"

#include "common/text.h"
#include "compile/depfile.h"
#include "compile/driver_internal.h"

#include <fcntl.h>
#include <sys/stat.h>

namespace aotpack::compile {

static std::optional<Error> finalError(const PreparedModules& prepared,
                                       const CompiledJobs& compiled) {
    if (!prepared.errors.empty()) // OpenCL C that did not compile is a failed compile
        return makeError(prepared.frontendFailures == prepared.errors.size() ? Errc::CompileFailed
                                                                             : Errc::BadInput,
                         std::to_string(prepared.errors.size()) +
                             " module(s) could not be read or compiled");
    if (std::size_t failed = compiled.failed())
        return makeError(Errc::CompileFailed, std::to_string(failed) + " of " +
                                                  std::to_string(compiled.jobs.size()) +
                                                  " compile jobs failed");
    return std::nullopt;
}

Finished finishBuild(const BuildSetup& setup, BuildCaches& caches,
                     const std::optional<BuildKeys>& keys, const PreparedModules& prepared,
                     CompiledJobs& compiled, const std::function<Status()>& writeOutput,
                     BuildObserver& observer) {
    Finished out;
    out.error = finalError(prepared, compiled);
    keepHistory(caches, compiled.learned, observer);
    bool nothingBuilt = compiled.binaries.empty() && !compiled.jobs.empty();
    if (out.error && setup.compile.keepGoing && nothingBuilt) // -k, but no job succeeded
        out.error->message += "; no job succeeded, so nothing was written";
    else if (!out.error || setup.compile.keepGoing) { // never a partial archive unless asked for
        if (auto st = writeOutput(); !st) {
            out.error = st.error();
        } else {
            out.archiveWritten = true;
            if (!out.error && keys) recordOutput(setup, caches, *keys);
        }
    }
    // The archive is written: uploads may finish meanwhile.
    out.remoteCache = finishRemoteCache(caches, observer);
    countCacheUse(caches, compiled);
    return out;
}

// --cl-options: the frontend's options. Code-generation options among them (-cl-*, as
// -cl-fast-relaxed-math or -cl-opt-disable) also reach the backend compile of those modules, as
// `ocloc compile -file k.cl -options ...` applies them to both; -I, -D and -cl-std stay with the
// frontend. On SPIR-V inputs they do nothing, which is said once.
static void applyClOptions(const std::string& clOptions, std::vector<ModuleInput>& inputs,
                           BuildObserver& observer) {
    if (trim(clOptions).empty()) return;
    std::vector<std::string> codegen;
    for (const auto& word : split(clOptions, ' '))
        if (word.starts_with("-cl-") && !word.starts_with("-cl-std")) codegen.push_back(word);
    std::size_t spirv = 0;
    for (auto& in : inputs) {
        if (in.kind != SourceKind::OpenClC) {
            ++spirv;
            continue;
        }
        for (const auto& option : codegen)
            in.options += (in.options.empty() ? "" : " ") + option;
    }
    if (spirv)
        observer.warning("--cl-options applies to OpenCL C inputs only; " + std::to_string(spirv) +
                         " SPIR-V input(s) ignore it (use --options for the backend compile)");
}

namespace {

BuildOutcome upToDate(const BuildSetup& setup, const BuildCaches& caches,
                      const std::vector<ModuleInput>& inputs, const PreparedModules& prepared,
                      BuildObserver& observer) {
    BuildOutcome out{makeReport(setup, caches, prepared, {}, {}), std::nullopt};
    out.report.upToDate = true;
    // Make and Ninja compare times: the output must end up newer than an input touched without
    // changing it, or they would run this command again every time.
    ::utimensat(AT_FDCWD, setup.output.archive.c_str(), nullptr, 0);
    if (!setup.output.depfile.empty())
        if (auto st = writeDepfile(setup, inputs, observer); !st) out.error = st.error();
    out.report.seconds = setup.elapsed();
    return out;
}

// Resolve (cache lookups), compile and assemble: the SPIR-V entries first, payloads compressed
// (or copied from the cache) beside the compiles, then the archive.
BuildOutcome compileAndAssemble(const BuildSetup& setup, BuildCaches& caches,
                                const std::vector<ModuleInput>& inputs, PreparedModules& prepared,
                                const BuildKeys& keys, BuildObserver& observer) {
    auto& modules = prepared.modules;
    archive::ArchiveWriter writer;
    if (auto st = addSpirvEntries(setup, writer, modules); !st)
        return {makeReport(setup, caches, prepared, {}, {}), st.error()};
    BackgroundWork background(setup.jobs, writerOptions(setup, modules.size()),
                              !setup.output.uncompressedNatives);
    keepStoredPayloads(caches, background);
    validatePending(caches, background, modules);
    std::vector<PayloadToStore> spirv;
    for (const auto& m : modules)
        spirv.push_back({m.spirvHash, &m.spirv, true});
    reuseOrCompress(setup, caches, background, spirv);
    auto compiled = compileAll(setup, caches, modules, keys, background, observer);
    background.wait();
    reportValidation(modules, observer);
    auto meta = archiveMetadata(setup, compiled);
    if (auto missing = missingJobs(compiled, modules, setup.skippedTargets); !missing.empty())
        meta["missing"] = missing;
    auto finished = finishBuild(
        setup, caches, keys, prepared, compiled,
        [&] { return writeArchive(setup, writer, compiled.binaries, meta, background); }, observer);
    BuildOutcome out{makeReport(setup, caches, prepared, std::move(compiled), finished),
                     finished.error};
    if (!out.error && !setup.output.depfile.empty())
        if (auto st = writeDepfile(setup, inputs, observer); !st) out.error = st.error();
    out.report.seconds = setup.elapsed();
    return out;
}

} // namespace

// The phases, in order: set up (targets, compiler, caches), prepare (inputs -> SPIR-V modules,
// checked), decide (the build key: nothing to do if the output on disk has it), then resolve,
// compile and assemble.
BuildOutcome runBuild(const BuildRequest& request, BuildObserver& observer) {
    std::vector<ModuleInput> inputs = request.modules;
    if (auto st = checkModules(inputs); !st) return {{}, st.error()};
    applyClOptions(request.compile.clOptions, inputs, observer);
    auto setup = setUpBuild(request, observer);
    if (!setup) return {{}, setup.error()};
    auto caches = openCaches(request, observer);
    if (!caches) return {{}, caches.error()};
    auto prepared = prepareModules(*setup, *caches, inputs, observer);
    if (!prepared.errors.empty() && !request.compile.keepGoing)
        return {makeReport(*setup, *caches, prepared, {}, {}), finalError(prepared, {})};
    auto keys = decideKeys(*setup, prepared.modules);
    if (prepared.errors.empty() && outputUpToDate(*setup, *caches, keys))
        return upToDate(*setup, *caches, inputs, prepared, observer);
    return compileAndAssemble(*setup, *caches, inputs, prepared, keys, observer);
}

} // namespace aotpack::compile
