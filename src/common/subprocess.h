// Child processes for compilers and probes. Each child runs in its own process group (so a timeout
// kills the compiler and anything it started), in a given directory, with stdout and stderr sent to
// a file: the caller never has to drain pipes, and the log survives for the report.
#pragma once

#include "common/error.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace aotpack {

struct ProcessSpec {
    std::vector<std::string> argv;
    std::filesystem::path cwd;         // empty: the current directory
    std::filesystem::path outputFile;  // stdout+stderr; empty: /dev/null
    std::vector<std::string> extraEnv; // "KEY=VALUE" set in the environment (replacing KEY)
    // {parent fd, child fd}: extra descriptors the child gets (after stdout/stderr; child fd 0
    // replaces /dev/null on stdin). Parent fds should be close-on-exec.
    std::vector<std::pair<int, int>> fds;
};

struct ProcessResult {
    int exitCode = -1;                             // valid when signal == 0 and !timedOut
    int signal = 0;                                // the signal that ended the child
    bool timedOut = false;                         // killed by us after the timeout
    double timeoutSeconds = 0;                     // that timeout (what describe() names)
    long maxRssKb = 0;                             // peak resident memory of the child
    std::chrono::steady_clock::time_point started; // when the child was handed its work
    double seconds = 0;                            // from `started` to its end
    double compileSeconds = 0; // time inside oclocInvoke, measured by a compile worker (else 0)
    bool succeeded() const { return !timedOut && signal == 0 && exitCode == 0; }
    std::string describe() const; // "exit code 1", "killed by signal 11 (Segmentation fault)", ...
};

// The one timeout rule: a child that has run longer than `limitSeconds` (0: no limit) since
// `start` has its process group killed, once (`killed` remembers it).
void killIfOverdue(int pid, std::chrono::steady_clock::time_point start, double limitSeconds,
                   bool& killed);

// A child's wait status into `r`: its exit code, or the signal that ended it - unless we killed it
// at its timeout (`killedByUs`), which is r.timedOut instead.
void applyWaitStatus(ProcessResult& r, int status, bool killedByUs);

// Starts a child; returns its pid.
Expected<pid_t> spawnProcess(const ProcessSpec& spec);

// Kills the child's whole process group.
void killProcessGroup(pid_t pid);

// Runs a child to completion; kills it after `timeoutSeconds` (0: no limit).
Expected<ProcessResult> runProcess(const ProcessSpec& spec, double timeoutSeconds = 0);

// How the single runs of a program (a probe, apt, the C compiler, strip, tar) start: through a
// runner they are given, so a unit test gives a fake that records the command lines and answers
// as a failing or missing tool would (tests/unit/fake_process_runner.h). The compile pools
// (toolchain/process_pool, worker_pool) run many children in one loop of their own, behind the
// toolchain::Compiler seam and its fake; the drop-in's exec of the real ocloc replaces the
// process and is not a run.
class ProcessRunner {
  public:
    virtual ~ProcessRunner() = default;
    // What runProcess does: the child to completion, killed after `timeoutSeconds` (0: no limit).
    virtual Expected<ProcessResult> run(const ProcessSpec& spec, double timeoutSeconds) = 0;
};

// The real runner: runProcess.
ProcessRunner& systemProcesses();

// $name if set and non-empty, else `fallback` (tool overrides such as AOTPACK_CLANG).
std::string envOr(const char* name, const char* fallback);

// Finds an executable on PATH (or returns `name` when it contains a '/'), passing over candidates
// for which `skip` is true.
std::filesystem::path
findExecutable(const std::string& name,
               const std::function<bool(const std::filesystem::path&)>& skip = {});

// A fresh private directory under $TMPDIR; removed by the destructor.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

} // namespace aotpack
