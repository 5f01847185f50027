#include "capture/launch.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <link.h>
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

Expected<int> runWithPreload(const std::vector<std::string>& command, const fs::path& preload,
                             const std::vector<std::pair<std::string, std::string>>& env) {
    std::string list = preloadList(preload);
    pid_t pid = fork();
    if (pid < 0) return makeError(Errc::Internal, std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        setenv("LD_PRELOAD", list.c_str(), 1);
        for (const auto& [k, v] : env)
            setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> argv;
        for (const auto& a : command)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        // In the forked child: no allocation (another thread of the parent may have held the
        // allocator's lock at fork), so not diag::error, but its format.
        std::fprintf(stderr, "aotpack: error: cannot run '%s': %s\n", argv[0],
                     std::strerror(errno));
        _exit(kExitCommandNotFound);
    }
    // As system() does: Ctrl-C goes to the program, which decides; aotpack waits for it.
    auto oldInt = std::signal(SIGINT, SIG_IGN), oldQuit = std::signal(SIGQUIT, SIG_IGN);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::signal(SIGINT, oldInt);
    std::signal(SIGQUIT, oldQuit);
    return shellStatus(status);
}

} // namespace aotpack::capture
