// The build's compiler: the request's own (tests), one named ocloc (--ocloc, $AOTPACK_OCLOC), or
// the host's ocloc and the store's toolchains, each target routed to one (toolchain/routing.h).
#include "common/subprocess.h"
#include "common/text.h"
#include "compile/driver_internal.h"
#include "toolchain/routing.h"

namespace aotpack::compile {

namespace fs = std::filesystem;

// --toolchain CHOICE or DEVICES=CHOICE, applied in order over the default routes; a CHOICE for
// every target is the OpenCL C frontend's too (`frontend`).
static Status applyChoices(const BuildRequest& request, const devices::DeviceList& targets,
                           const std::vector<toolchain::Toolchain>& toolchains,
                           std::map<std::uint32_t, std::size_t>& routes,
                           std::optional<std::size_t>& frontend) {
    const auto& db = devices::Database::builtin();
    for (const auto& option : request.toolchains) {
        auto eq = option.find('=');
        std::string choice = eq == std::string::npos ? option : option.substr(eq + 1);
        auto index = toolchain::findToolchain(toolchains, choice);
        if (!index) return index.error();
        devices::DeviceList chosen = targets;
        if (eq == std::string::npos && !toolchains[*index].spirvOnly) frontend = *index;
        if (eq != std::string::npos) {
            auto list = devices::parseDeviceList(db, option.substr(0, eq));
            if (!list) return list.error();
            chosen = *list;
        }
        const auto& t = toolchains[*index];
        for (const auto& target : chosen.targets) {
            if (!t.supports(target.ip.value()))
                return makeError(Errc::Unsupported, "--toolchain '" + option + "': " + t.id +
                                                        " (ocloc " + t.oclocVersion +
                                                        ") cannot build " + target.name + " (" +
                                                        target.ip.str() + ")");
            routes[target.ip.value()] = *index;
        }
    }
    return success();
}

Expected<std::shared_ptr<toolchain::Compiler>> chooseCompiler(const BuildRequest& request,
                                                              const devices::DeviceList& targets,
                                                              const fs::path& factsStore) {
    if (request.compiler) return request.compiler;
    const auto& db = devices::Database::builtin();
    if (!request.ocloc.empty() || !envOr("AOTPACK_OCLOC", "").empty()) {
        auto compiler = toolchain::probeCompiler(db, request.ocloc, factsStore);
        if (!compiler) return compiler.error();
        return toolchain::makeOclocCompiler(*compiler, request.workerCommand);
    }
    toolchain::ToolchainStore store(toolchain::ToolchainStore::defaultDir());
    auto toolchains = toolchain::availableToolchains(db, store, factsStore);
    if (toolchains.empty()) { // neither: the host's own error says what to install
        auto compiler = toolchain::probeCompiler(db, {}, factsStore);
        if (!compiler) return compiler.error();
        return makeError(Errc::Unsupported, "no compiler toolchain is installed");
    }
    std::map<std::uint32_t, std::size_t> routes;
    for (const auto& t : targets.targets)
        if (auto index = toolchain::defaultToolchainFor(toolchains, t.ip.value()))
            routes[t.ip.value()] = *index;
    std::optional<std::size_t> frontend;
    if (auto st = applyChoices(request, targets, toolchains, routes, frontend); !st)
        return st.error();
    return toolchain::makeRoutedCompiler(std::move(toolchains), std::move(routes),
                                         request.workerCommand, frontend);
}

} // namespace aotpack::compile
