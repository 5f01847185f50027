#include "capture/launch.h"

#include "common/diagnostics.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <link.h>
#include <spawn.h>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>

namespace aotpack::capture {

namespace fs = std::filesystem;

namespace {

// A sanitizer runtime this process runs with must come first in a child's LD_PRELOAD, or the
// sanitized preload library refuses to load (only in sanitizer builds of aotpack).
std::string sanitizerRuntime() {
    std::string found;
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* out) {
            std::string name = info->dlpi_name ? info->dlpi_name : "";
            if (name.find("libasan.so") != std::string::npos ||
                name.find("libtsan.so") != std::string::npos) {
                *static_cast<std::string*>(out) = name;
                return 1;
            }
            return 0;
        },
        &found);
    return found;
}

// The preload library first among the loader's OpenCL layers, before any the user named.
std::string layerList(const fs::path& preload) {
    std::string list = preload.string();
    if (const char* old = std::getenv("OPENCL_LAYERS"); old && *old) list += std::string(":") + old;
    return list;
}

std::string preloadList(const fs::path& preload) {
    std::string list = sanitizerRuntime();
    list += (list.empty() ? "" : ":") + preload.string();
    if (const char* old = std::getenv("LD_PRELOAD"); old && *old) list += std::string(":") + old;
    return list;
}

int shellStatus(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

} // namespace

fs::path findPreloadLibrary(std::string& whyNot) {
    constexpr const char* kName = "libaotpack_preload.so";
    if (const char* env = std::getenv("AOTPACK_PRELOAD"); env && *env) {
        std::error_code ec;
        if (fs::is_regular_file(env, ec)) return env;
        whyNot = std::string("AOTPACK_PRELOAD names '") + env + "', which is not a file";
        return {};
    }
    std::error_code ec;
    fs::path exeDir = fs::canonical("/proc/self/exe", ec).parent_path();
    std::vector<fs::path> places = {exeDir / AOTPACK_PRELOAD_RELDIR / kName, // installed
                                    exeDir / "../lib/aotpack" / kName,       // `aotpack bundle`
                                    exeDir / "../../lib/aotpack" / kName};   // build tree
    for (const auto& p : places)
        if (fs::is_regular_file(p, ec)) return p.lexically_normal();
    whyNot = "libaotpack_preload.so is not in " + places[0].lexically_normal().string() +
             " (set AOTPACK_PRELOAD to its path)";
    return {};
}

namespace {

// This process's environment with `set` replacing or adding variables, as "K=V" strings.
std::vector<std::string>
childEnvironment(const std::vector<std::pair<std::string, std::string>>& set) {
    std::vector<std::string> out;
    for (char** e = environ; *e; ++e) {
        std::string_view entry(*e);
        auto key = entry.substr(0, entry.find('='));
        bool replaced =
            std::any_of(set.begin(), set.end(), [&](auto& kv) { return kv.first == key; });
        if (!replaced) out.emplace_back(entry);
    }
    for (const auto& [k, v] : set)
        out.push_back(k + "=" + v);
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

} // namespace

Expected<int> runWithPreload(const std::vector<std::string>& command, const fs::path& preload,
                             const std::vector<std::pair<std::string, std::string>>& env) {
    // Level Zero through LD_PRELOAD, OpenCL through the loader's layers (opencl_layer.cpp).
    std::vector<std::pair<std::string, std::string>> set = {{"LD_PRELOAD", preloadList(preload)},
                                                            {"OPENCL_LAYERS", layerList(preload)}};
    set.insert(set.end(), env.begin(), env.end());
    std::vector<std::string> envText = childEnvironment(set), args = command;
    auto envp = pointers(envText);
    auto argv = pointers(args);
    // As system() does: Ctrl-C goes to the program, which decides; aotpack waits for it.
    auto oldInt = std::signal(SIGINT, SIG_IGN), oldQuit = std::signal(SIGQUIT, SIG_IGN);
    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data());
    int status = 0;
    while (spawned == 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::signal(SIGINT, oldInt);
    std::signal(SIGQUIT, oldQuit);
    if (spawned != 0) {
        diag::error("cannot run '" + command[0] + "': " + std::strerror(spawned));
        return kExitCommandNotFound;
    }
    return shellStatus(status);
}

} // namespace aotpack::capture
