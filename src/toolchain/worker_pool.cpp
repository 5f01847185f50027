// runPool with long-lived workers (toolchain/ocloc_worker.h): the same tasks, limits and results as
// one process per task, but each task is sent to an idle worker instead of starting ocloc.
#include "toolchain/ocloc_worker.h"
#include "toolchain/process_pool.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace aotpack::toolchain {

namespace {

using Clock = std::chrono::steady_clock;

// A worker whose resident memory stays above this after a job is replaced, so that what IGC keeps
// between compiles cannot add up across a long build.
constexpr long kRecycleRssKb = 1L << 20;

struct Worker {
    pid_t pid = -1;
    int requests = -1; // we write
    int answers = -1;  // we read
    std::string pending;
    long task = -1; // index of the running task, -1 when idle
    Clock::time_point start;
    bool killed = false;
};

// Reads one line from the worker; "" on EOF or error.
std::string readLine(Worker& w, int timeoutMs) {
    while (true) {
        if (auto nl = w.pending.find('\n'); nl != std::string::npos) {
            std::string line = w.pending.substr(0, nl);
            w.pending.erase(0, nl + 1);
            return line;
        }
        pollfd p{w.answers, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0) return {};
        char buf[256];
        ssize_t n = ::read(w.answers, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return {};
        w.pending.append(buf, static_cast<std::size_t>(n));
    }
}

void stopWorker(Worker& w) {
    if (w.requests >= 0) ::close(w.requests);
    if (w.answers >= 0) ::close(w.answers);
    w.requests = w.answers = -1;
}

// Ends a worker that is gone or must go; returns its wait status.
int reapWorker(Worker& w, bool kill) {
    if (w.pid <= 0) return 0; // already reaped (waitpid(-1) would wait for any child)
    if (kill) killProcessGroup(w.pid);
    stopWorker(w);
    int status = 0;
    while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    w.pid = -1;
    return status;
}

Expected<Worker> startWorker(const std::vector<std::string>& command) {
    int toWorker[2], fromWorker[2];
    if (::pipe2(toWorker, O_CLOEXEC) != 0) return makeError(Errc::Internal, "pipe failed");
    if (::pipe2(fromWorker, O_CLOEXEC) != 0) {
        ::close(toWorker[0]);
        ::close(toWorker[1]);
        return makeError(Errc::Internal, "pipe failed");
    }
    ProcessSpec spec{command,
                     {},
                     {},
                     compilerEnvironment(std::getenv("GLIBC_TUNABLES")),
                     {{toWorker[0], 0}, {fromWorker[1], kWorkerAnswerFd}}};
    auto pid = spawnProcess(spec);
    ::close(toWorker[0]);
    ::close(fromWorker[1]);
    Worker w;
    w.requests = toWorker[1];
    w.answers = fromWorker[0];
    if (!pid) {
        stopWorker(w);
        return pid.error();
    }
    w.pid = *pid;
    std::string hello = readLine(w, 60'000);
    if (hello != "ready") {
        reapWorker(w, true);
        return makeError(Errc::Unsupported,
                         "compile worker did not start" + (hello.empty() ? "" : ": " + hello));
    }
    return w;
}

bool sendTask(Worker& w, PoolTask& task, long index) {
    std::vector<std::string> fields{task.spec.cwd.string(), task.spec.outputFile.string()};
    fields.insert(fields.end(), task.spec.argv.begin(), task.spec.argv.end());
    std::string request = encodeRequest(fields);
    w.start = Clock::now(); // before the worker can start: the job's time includes the compile's
    if (::write(w.requests, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
        return false;
    w.task = index;
    w.killed = false;
    return true;
}

ProcessResult resultFromStatus(const Worker& w, int status) {
    ProcessResult r;
    r.started = w.start;
    r.seconds = std::chrono::duration<double>(Clock::now() - w.start).count();
    applyWaitStatus(r, status, w.killed);
    if (r.exitCode == 0 && !r.timedOut && !r.signal) r.exitCode = 1; // it exited mid-job
    return r;
}

// One build's workers: hands tasks to idle workers (starting new ones up to limits.jobs) and
// turns their answers, or their deaths, into task results.
class WorkerPool {
  public:
    WorkerPool(std::vector<PoolTask>& tasks, const PoolLimits& limits)
        : tasks_(tasks), limits_(limits) {}

    // False if not even the first worker starts (nothing has run).
    bool run() {
        while (next_ < tasks_.size() || busy_ > 0) {
            if (!dispatch()) return false;
            collect();
        }
        for (auto& w : workers_)
            reapWorker(w, false); // EOF on its requests ends the worker's loop
        return true;
    }

  private:
    bool fits(std::uint64_t extra) const { return fitsBudget(memoryInUse_, extra, limits_, busy_); }

    Worker* idleWorker() {
        std::erase_if(workers_, [](const Worker& w) { return w.pid <= 0; });
        for (auto& w : workers_)
            if (w.pid > 0 && w.task < 0) return &w;
        if (workers_.size() >= limits_.jobs) return nullptr;
        auto w = startWorker(limits_.workerCommand);
        if (!w) {
            startError_ = w.error();
            return nullptr;
        }
        workers_.push_back(std::move(*w));
        return &workers_.back();
    }

    // Starts tasks while there are free slots, memory and workers.
    bool dispatch() {
        while (next_ < tasks_.size() && busy_ < limits_.jobs &&
               fits(tasks_[next_].memoryEstimateKb)) {
            Worker* w = idleWorker();
            if (!w && !started_) return false; // no worker at all: the caller uses processes
            if (!w && busy_ == 0) { // workers ran before but none starts now: fail, don't spin
                tasks_[next_++].onFinish(startError_.value_or(
                    Error{Errc::Internal, "no compile worker could be started"}));
                continue;
            }
            if (!w) return true; // run the rest on the workers there are
            PoolTask& task = tasks_[next_];
            if (!sendTask(*w, task, static_cast<long>(next_))) {
                reapWorker(*w, true); // it died while idle: the task goes to another worker
                continue;
            }
            started_ = true;
            if (task.onStart) task.onStart();
            memoryInUse_ += task.memoryEstimateKb;
            ++busy_;
            ++next_;
        }
        return true;
    }

    // Waits up to 50 ms for answers; finishes the tasks that ended; kills workers past timeout.
    void collect() {
        std::vector<pollfd> fds;
        std::vector<Worker*> owners;
        for (auto& w : workers_)
            if (w.pid > 0 && w.task >= 0) {
                fds.push_back({w.answers, POLLIN, 0});
                owners.push_back(&w);
            }
        ::poll(fds.data(), fds.size(), 50);
        for (std::size_t i = 0; i < fds.size(); ++i) {
            Worker& w = *owners[i];
            if (fds[i].revents)
                answered(w, (fds[i].revents & (POLLHUP | POLLERR)) != 0);
            else
                enforceTimeout(w);
        }
    }

    void answered(Worker& w, bool hungUp) {
        std::string line = readLine(w, 0);
        if (line.empty() && !hungUp) return; // a partial line: the rest follows
        PoolTask& task = tasks_[static_cast<std::size_t>(w.task)];
        ProcessResult r;
        std::istringstream in(line);
        std::string word;
        long rss = 0;
        bool recycle = false;
        if (in >> word && word == "done" && in >> r.exitCode >> r.maxRssKb >> rss) {
            r.started = w.start;
            r.seconds = std::chrono::duration<double>(Clock::now() - w.start).count();
            if (!(in >> r.compileSeconds)) r.compileSeconds = 0;
            recycle = rss > kRecycleRssKb;
        } else {
            r = resultFromStatus(w, reapWorker(w, false)); // it died: its wait status says how
            r.timeoutSeconds = task.timeoutSeconds;
        }
        memoryInUse_ -= task.memoryEstimateKb;
        --busy_;
        w.task = -1;
        if (recycle) reapWorker(w, true);
        task.onFinish(r);
    }

    void enforceTimeout(Worker& w) { // a killed worker's answers pipe reaches EOF: answered()
        killIfOverdue(w.pid, w.start, tasks_[static_cast<std::size_t>(w.task)].timeoutSeconds,
                      w.killed);
    }

    std::vector<PoolTask>& tasks_;
    const PoolLimits& limits_;
    std::vector<Worker> workers_;
    std::uint64_t memoryInUse_ = 0;
    std::size_t next_ = 0, busy_ = 0;
    bool started_ = false;
    std::optional<Error> startError_;
};

} // namespace

bool runWorkerPool(std::vector<PoolTask>& tasks, const PoolLimits& limits) {
    // A worker that dies makes writes to its requests pipe fail: we see that as EOF on its
    // answers, not as a SIGPIPE that would end the build.
    std::signal(SIGPIPE, SIG_IGN);
    return WorkerPool(tasks, limits).run();
}

} // namespace aotpack::toolchain
