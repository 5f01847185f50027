#include "common/subprocess.h"

#include "common/text.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <string_view>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace aotpack {
namespace fs = std::filesystem;

std::string ProcessResult::describe() const {
    if (timedOut)
        return "timed out after " + secondsText(timeoutSeconds > 0 ? timeoutSeconds : seconds) +
               " s";
    if (signal)
        return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    return "exit code " + std::to_string(exitCode);
}

namespace {

// Whether `entries` ("KEY=VALUE") set the variable of the environment entry `entry`.
bool setsVariable(const std::vector<std::string>& entries, std::string_view entry) {
    std::string_view key = entry.substr(0, entry.find('=') + 1); // "KEY="
    for (const auto& e : entries)
        if (std::string_view(e).substr(0, key.size()) == key) return true;
    return false;
}

} // namespace

Expected<pid_t> spawnProcess(const ProcessSpec& spec) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    std::string out = spec.outputFile.empty() ? "/dev/null" : spec.outputFile.string();
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    for (auto [parent, child] : spec.fds)
        posix_spawn_file_actions_adddup2(&actions, parent, child);
    if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);

    std::vector<char*> argv;
    for (const auto& a : spec.argv)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> envStrings = spec.extraEnv;
    for (char** e = environ; *e; ++e)
        if (!setsVariable(spec.extraEnv, *e)) envStrings.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : envStrings)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = 0;
    int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        return makeError(Errc::Unsupported,
                         "cannot run '" + spec.argv[0] + "': " + std::strerror(rc));
    return pid;
}

void killProcessGroup(pid_t pid) {
    ::kill(-pid, SIGKILL);
}

Expected<ProcessResult> runProcess(const ProcessSpec& spec, double timeoutSeconds) {
    auto start = std::chrono::steady_clock::now();
    auto pid = spawnProcess(spec);
    if (!pid) return pid.error();
    ProcessResult result;
    result.started = start;
    int status = 0;
    struct rusage usage {};
    while (true) {
        pid_t done = ::wait4(*pid, &status, WNOHANG, &usage);
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (done == *pid) break;
        if (done < 0 && errno != EINTR)
            return makeError(Errc::Internal, std::string("wait4: ") + std::strerror(errno));
        killIfOverdue(*pid, start, timeoutSeconds, result.timedOut);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    result.maxRssKb = usage.ru_maxrss;
    applyWaitStatus(result, status, result.timedOut);
    result.timeoutSeconds = timeoutSeconds;
    return result;
}

void killIfOverdue(int pid, std::chrono::steady_clock::time_point start, double limitSeconds,
                   bool& killed) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (limitSeconds > 0 && seconds > limitSeconds && !killed) {
        killed = true;
        killProcessGroup(pid);
    }
}

void applyWaitStatus(ProcessResult& r, int status, bool killedByUs) {
    r.timedOut = killedByUs;
    if (WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
    if (WIFSIGNALED(status) && !killedByUs) r.signal = WTERMSIG(status);
}

namespace {

class SystemProcesses final : public ProcessRunner {
  public:
    Expected<ProcessResult> run(const ProcessSpec& spec, double timeoutSeconds) override {
        return runProcess(spec, timeoutSeconds);
    }
};

} // namespace

ProcessRunner& systemProcesses() {
    static SystemProcesses runner;
    return runner;
}

std::string envOr(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value && *value ? value : fallback;
}

fs::path findExecutable(const std::string& name, const std::function<bool(const fs::path&)>& skip) {
    if (name.find('/') != std::string::npos) return name;
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        auto end = dirs.find(':', start);
        fs::path candidate = fs::path(dirs.substr(start, end - start)) / name;
        if (::access(candidate.c_str(), X_OK) == 0 && !(skip && skip(candidate))) return candidate;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return {};
}

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/aotpack.XXXXXX";
    if (::mkdtemp(pattern.data())) path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
}

} // namespace aotpack
