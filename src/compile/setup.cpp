// Phase 1 of the build: the request checked and resolved into a BuildSetup (targets, compiler,
// options, signing keys, scratch directory). Every problem here stops the build before any work.
#include "archive/signing.h"
#include "common/text.h"
#include "compile/driver_internal.h"
#include "toolchain/process_pool.h"
#include "toolchain/routing.h"

#include <thread>
#include <unistd.h>

namespace aotpack::compile {

// An output that cannot be written fails now, not after every compile: a directory in its place,
// or a directory that does not exist or is not writable.
Status checkOutputPath(const std::filesystem::path& output, const char* what) {
    if (output.empty()) return success();
    auto cannot = [&](const std::string& why) {
        return makeError(Errc::Output, "cannot write " + std::string(what) + " '" +
                                           output.string() + "': " + why);
    };
    std::error_code ec;
    if (std::filesystem::is_directory(output, ec)) return cannot("it is a directory");
    auto dir = output.parent_path().empty() ? std::filesystem::path(".") : output.parent_path();
    if (!std::filesystem::is_directory(dir, ec))
        return cannot("the directory '" + dir.string() + "' does not exist");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return cannot("the directory '" + dir.string() + "' is not writable");
    return success();
}

// --frontend-device: one device of the device language, which the installed ocloc can build when
// there is OpenCL C to compile. The canonical name goes to ocloc (and into the frontend's key).
static Status resolveFrontendDevice(const BuildRequest& request, BuildSetup& setup) {
    auto list = devices::parseDeviceList(devices::Database::builtin(), request.frontendDevice);
    if (!list) return makeError(list.error().code, "--frontend-device: " + list.error().message);
    if (list->targets.size() != 1)
        return makeError(Errc::Usage, "--frontend-device '" + request.frontendDevice + "' names " +
                                          std::to_string(list->targets.size()) +
                                          " devices; give one");
    const auto& target = list->targets.front();
    bool openClC = std::any_of(request.modules.begin(), request.modules.end(),
                               [](const auto& m) { return m.kind == SourceKind::OpenClC; });
    if (openClC && request.compile.frontend == Frontend::Ocloc &&
        !setup.compiler->support().supports(target.ip))
        return makeError(Errc::Unsupported, "--frontend-device: " + toolchain::unsupportedTarget(
                                                                        setup.compiler->support(),
                                                                        target.name, target.ip)
                                                                        .message);
    if (openClC && request.compile.frontend == Frontend::Ocloc &&
        toolchain::inBundleWithoutOpenClC())
        return makeError(Errc::Unsupported,
                         "this aotpack bundle was made with --no-opencl-c and cannot compile "
                         "OpenCL C; give SPIR-V, or use a bundle made without --no-opencl-c");
    setup.frontendDevice = target.name;
    return success();
}

// --target-options DEVICE=...: the devices must be targets of this build, or the options would
// be silently ignored.
static Status resolveTargetOptions(const BuildRequest& request, BuildSetup& setup) {
    const auto& db = devices::Database::builtin();
    for (const auto& [item, options] : request.targetOptions) {
        auto t = devices::parseDeviceList(db, item);
        if (!t) return t.error();
        for (const auto& target : t->targets) {
            bool built = std::any_of(setup.targets.targets.begin(), setup.targets.targets.end(),
                                     [&](const auto& b) { return b.ip == target.ip; });
            if (!built)
                return makeError(Errc::Usage, "--target-options '" + item + "': " + target.name +
                                                  " is not a target of this build (device list '" +
                                                  setup.targets.input + "')");
            setup.targetOptions[target.ip.value()] = options;
        }
    }
    return success();
}

// Targets the installed ocloc cannot build: one error line naming them all, or with
// --skip-unsupported one warning, and the build goes on without them (the archive's `missing`
// and the report's `skipped_targets` record them).
static std::string unsupportedHint(const BuildSetup& setup) {
    for (const auto& t : setup.targets.targets)
        if (!setup.compiler->support().supports(t.ip)) return toolchain::toolchainAddHint(t.ip);
    return "";
}

static Status dropUnsupportedTargets(bool skipUnsupported, BuildSetup& setup,
                                     BuildObserver& observer) {
    std::vector<std::string> names;
    for (const auto& t : setup.targets.targets)
        if (!setup.compiler->support().supports(t.ip))
            names.push_back(t.name + " (" + t.ip.str() + ")");
    if (names.empty()) return success();
    std::string what = "the installed ocloc " + setup.compiler->support().version + " (" +
                       setup.compiler->support().ocloc.string() + ") cannot build " +
                       join(names, ", ");
    if (!skipUnsupported)
        return makeError(Errc::Unsupported, what + "; a newer intel-opencl-icd is needed (`" +
                                                unsupportedHint(setup) +
                                                "` adds a compiler toolchain that builds them), or "
                                                "--skip-unsupported builds the other targets");
    observer.warning(what + "; skipped (--skip-unsupported)");
    std::erase_if(setup.targets.targets, [&](const auto& t) {
        if (setup.compiler->support().supports(t.ip)) return false;
        setup.skippedTargets.push_back(t.name);
        return true;
    });
    return success();
}

// Phase 1: targets, compiler, options, scratch directory.
Expected<BuildSetup> setUpBuild(const BuildRequest& request, BuildObserver& observer) {
    if (auto st = checkOutputPath(request.output.archive, "the archive"); !st) return st.error();
    if (auto st = checkOutputPath(request.output.depfile, "the depfile"); !st) return st.error();
    const auto& db = devices::Database::builtin();
    auto list = devices::parseDeviceList(db, request.deviceList);
    if (!list) return list.error();
    BuildSetup setup;
    setup.targets = std::move(*list);
    setup.compile = request.compile;
    if (!setup.compile.memoryBudgetKb)
        setup.compile.memoryBudgetKb = toolchain::defaultMemoryBudgetKb();
    setup.output = request.output;
    setup.shard = request.shard;
    setup.shardCosts = request.shardCosts;
    if (auto st = resolveTargetOptions(request, setup); !st) return st.error();
    auto compiler = chooseCompiler(request, setup.targets,
                                   request.useCache ? buildCacheDir(request) / "ocloc-facts"
                                                    : std::filesystem::path());
    if (!compiler) return compiler.error();
    setup.compiler = std::move(*compiler);
    if (auto st = resolveFrontendDevice(request, setup); !st) return st.error();
    if (auto st = dropUnsupportedTargets(request.skipUnsupported, setup, observer); !st)
        return st.error();
    auto keys = archive::loadSigningKeys(request.signKeys);
    if (!keys) return keys.error();
    setup.signingKeys = std::move(*keys);
    setup.scratchDir = std::make_shared<TempDir>();
    if (setup.scratch().empty())
        return makeError(Errc::Output, "cannot create a temporary directory");
    setup.jobs = request.jobs ? request.jobs : std::max(1u, std::thread::hardware_concurrency());
    return setup;
}

} // namespace aotpack::compile
