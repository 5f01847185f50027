#include "toolchain/routing.h"

#include "common/text.h"
#include "devices/device_list.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>

namespace aotpack::toolchain {

namespace fs = std::filesystem;

std::vector<Toolchain> availableToolchains(const devices::Database& db, const ToolchainStore& store,
                                           const fs::path& factsStore) {
    std::vector<Toolchain> all = store.installed();
    // Without a facts store (--no-cache) the host's ocloc is still asked only once per compiler
    // when there is a store: what it builds is a fact about it, not a build result.
    fs::path facts = factsStore.empty() && !all.empty() ? store.dir() / "host-facts" : factsStore;
    if (auto host = hostToolchain(db, facts)) all.push_back(std::move(*host));
    std::stable_sort(all.begin(), all.end(), [](const Toolchain& a, const Toolchain& b) {
        return compareVersions(a.oclocVersion, b.oclocVersion) > 0;
    });
    return all;
}

std::optional<std::size_t> defaultToolchainFor(const std::vector<Toolchain>& newestFirst,
                                               std::uint32_t ip, bool frontend) {
    for (std::size_t i = 0; i < newestFirst.size(); ++i)
        if (newestFirst[i].supports(ip) && !(frontend && newestFirst[i].spirvOnly)) return i;
    return std::nullopt;
}

bool toolchainMatches(const Toolchain& t, const std::string& choice) {
    return t.id == choice || (choice.size() >= 4 && t.id.starts_with(choice)) ||
           t.oclocVersion == choice || t.oclocVersion.starts_with(choice + ".");
}

Expected<std::size_t> findToolchain(const std::vector<Toolchain>& toolchains,
                                    const std::string& choice) {
    for (std::size_t i = 0; i < toolchains.size(); ++i) // newest first: the newest that matches
        if (toolchainMatches(toolchains[i], choice)) return i;
    std::vector<std::string> names;
    for (const auto& t : toolchains)
        names.push_back(t.id + " (ocloc " + t.oclocVersion + ")");
    return makeError(Errc::Usage, "--toolchain '" + choice + "': no such toolchain; installed: " +
                                      (names.empty() ? "none" : join(names, ", ")) +
                                      " (aotpack toolchain list)");
}

std::string toolchainAddHint(devices::IpVersion ip) {
    // Intel moved gen8-gen11 (IP majors 8, 9, 11) out of its main compiler into ocloc-legacy.
    return ip.major < 12 ? "aotpack toolchain add debian:sid --legacy"
                         : "aotpack toolchain add debian:sid";
}

CompilerSupport supportOf(const Toolchain& t) {
    CompilerSupport s;
    s.ocloc = t.ocloc;
    s.version = t.oclocVersion;
    s.identity = t.host() ? t.identity : "toolchain " + t.id; // the same on every machine
    s.ipValues = t.ipValues;
    if (!t.host()) {
        s.toolchainId = t.id;
        if (!t.libocloc.empty()) {
            // aotpack itself runs under that loader too: the libraries it was started with (a
            // bundle's LD_LIBRARY_PATH, which --library-path would replace) come after the
            // toolchain's.
            std::string path = t.libraryPath;
            if (const char* inherited = std::getenv("LD_LIBRARY_PATH"); inherited && *inherited)
                path += std::string(":") + inherited;
            s.launcher = {t.loader.string(), "--library-path", path};
            s.libocloc = t.libocloc;
        }
    }
    return s;
}

namespace {

class RoutedCompiler : public Compiler {
  public:
    RoutedCompiler(std::vector<Toolchain> toolchains, std::map<std::uint32_t, std::size_t> routes,
                   std::vector<std::string> workerCommand, std::optional<std::size_t> frontend)
        : toolchains_(std::move(toolchains)), routes_(std::move(routes)),
          workerCommand_(std::move(workerCommand)), frontend_(frontend),
          compilers_(toolchains_.size()) {
        std::vector<std::string> versions, identity;
        for (const auto& t : toolchains_) // what some toolchain builds (the frontend device too)
            merged_.ipValues.insert(t.ipValues.begin(), t.ipValues.end());
        for (const auto& [ip, index] : routes_) {
            const Toolchain& t = toolchains_[index];
            identity.push_back(devices::IpVersion::fromValue(ip).str() + "=" +
                               supportOf(t).identity);
            if (std::find(versions.begin(), versions.end(), t.oclocVersion) == versions.end())
                versions.push_back(t.oclocVersion);
        }
        merged_.version = join(versions, " + ");
        merged_.identity = join(identity, "; ");
        merged_.ocloc = toolchains_[routes_.empty() ? 0 : routes_.begin()->second].ocloc;
    }

    const CompilerSupport& support() const override { return merged_; }
    const CompilerSupport& supportFor(devices::IpVersion ip) const override {
        auto it = routes_.find(ip.value());
        return it == routes_.end() ? merged_ : compiler(it->second).support();
    }

    CompileRun run(const std::vector<CompileJob>& jobs, const CompileLimits& limits,
                   const std::function<void(std::size_t)>& onStart,
                   const std::function<void(std::size_t, CompileResult)>& onFinish) override {
        std::map<std::size_t, std::vector<std::size_t>> groups; // toolchain -> job indices
        for (std::size_t i = 0; i < jobs.size(); ++i)
            groups[routes_.at(jobs[i].target.value())].push_back(i);
        CompileRun all;
        // One toolchain after the other, each group longest first as given (one group when all
        // targets share a toolchain, as in most builds).
        for (const auto& group : groups) {
            const std::vector<std::size_t>& members = group.second;
            std::vector<CompileJob> part;
            for (auto i : members)
                part.push_back(jobs[i]);
            CompileRun r = compiler(group.first)
                               .run(
                                   part, limits, [&](std::size_t k) { onStart(members[k]); },
                                   [&](std::size_t k, CompileResult result) {
                                       onFinish(members[k], std::move(result));
                                   });
            if (all.mode.empty() || all.mode == r.mode)
                all.mode = r.mode;
            else
                all.mode = "mixed";
            if (!r.warning.empty()) all.warning += (all.warning.empty() ? "" : "; ") + r.warning;
        }
        return all;
    }

    std::vector<FrontendResult> compileOpenClC(const std::vector<FrontendJob>& work,
                                               unsigned jobs) override {
        if (work.empty()) return {};
        auto index = frontendToolchain(work.front().device);
        if (!index) {
            std::vector<FrontendResult> failed(work.size());
            for (auto& f : failed)
                f.failure = "no installed toolchain with an OpenCL C frontend builds '" +
                            work.front().device + "'";
            return failed;
        }
        return compiler(*index).compileOpenClC(work, jobs);
    }

    std::vector<Expected<std::set<std::string>>>
    listDependencies(const std::vector<DependencyScan>& scans, unsigned jobs) override {
        return compiler(0).listDependencies(scans, jobs); // clang -M: no toolchain of its own
    }

    std::vector<OclocCallResult> runOclocCalls(const std::vector<OclocCall>& calls, unsigned jobs,
                                               bool onWorkers) override {
        return compiler(0).runOclocCalls(calls, jobs, onWorkers); // each call names its ocloc
    }

  private:
    Compiler& compiler(std::size_t index) const {
        std::lock_guard lock(mutex_);
        if (!compilers_[index])
            compilers_[index] = makeOclocCompiler(supportOf(toolchains_[index]), workerCommand_);
        return *compilers_[index];
    }

    std::optional<std::size_t> frontendToolchain(const std::string& device) const {
        if (frontend_) return frontend_;
        auto list = devices::parseDeviceList(devices::Database::builtin(), device);
        if (!list || list->targets.empty()) return std::nullopt;
        std::uint32_t ip = list->targets.front().ip.value();
        if (auto it = routes_.find(ip); it != routes_.end() && !toolchains_[it->second].spirvOnly)
            return it->second;
        return defaultToolchainFor(toolchains_, ip, true);
    }

    std::vector<Toolchain> toolchains_;
    std::map<std::uint32_t, std::size_t> routes_;
    std::vector<std::string> workerCommand_;
    std::optional<std::size_t> frontend_;
    CompilerSupport merged_;
    mutable std::mutex mutex_;
    mutable std::vector<std::shared_ptr<Compiler>> compilers_;
};

} // namespace

std::shared_ptr<Compiler> makeRoutedCompiler(std::vector<Toolchain> toolchains,
                                             std::map<std::uint32_t, std::size_t> routes,
                                             std::vector<std::string> workerCommand,
                                             std::optional<std::size_t> frontend) {
    if (toolchains.size() == 1) // the host's ocloc alone: exactly the compiler it always was
        return makeOclocCompiler(supportOf(toolchains.front()), std::move(workerCommand));
    return std::make_shared<RoutedCompiler>(std::move(toolchains), std::move(routes),
                                            std::move(workerCommand), frontend);
}

} // namespace aotpack::toolchain
