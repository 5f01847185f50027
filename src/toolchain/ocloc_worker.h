// Long-lived compile workers. A worker is a child process (`aotpack __ocloc-worker LIBOCLOC`) that
// loads libocloc once and runs one ocloc command line after another through oclocInvoke. Compared
// with one ocloc process per job it pays IGC's start-up once per worker instead of once per job
// (about 2 s for a large hashcat module; see bench/ and docs/ARCHITECTURE.md). The compiler still
// never runs in the driver's process: a worker that crashes, calls exit() or hangs takes only its
// current job with it, and the pool starts a new one.
//
// Protocol: the driver writes requests to the worker's stdin; the worker answers on fd 3.
//   request:  u32 count, then count x (u32 length, bytes): cwd, log file, ocloc argv...
//   answers:  "ready\n" once at start (or "error MESSAGE\n" and exit), then per request
//             "done EXIT_CODE PEAK_RSS_KB RSS_KB\n".
// During a job the worker's stdout and stderr are the job's log file, so whatever the compiler
// prints (even while crashing) lands there; ocloc's own captured log is appended to it. Output
// files are written into the job's directory, as ocloc itself would.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aotpack::toolchain {

constexpr const char* kWorkerCommand = "__ocloc-worker";
constexpr int kWorkerAnswerFd = 3;

// The worker's main loop; returns its exit code.
int runOclocWorker(const std::string& library);

// Request framing, shared by both sides.
std::string encodeRequest(const std::vector<std::string>& fields);
bool readRequest(int fd, std::vector<std::string>& fields);

// The libocloc the compile workers load for `ocloc`: $AOTPACK_LIBOCLOC, else one next to that
// ocloc (same directory, ../lib, ../lib/x86_64-linux-gnu, ../lib64), else, for the system's
// ocloc, the system's. Empty if none; `whyNot` then says why (empty when workers are off on
// purpose: AOTPACK_LIBOCLOC="" or a sanitizer build).
std::string findLibocloc(const std::string& ocloc, std::string* whyNot = nullptr);

// AOTPACK_LIBOCLOC="" or a sanitizer build: no compile workers, and no warning about it.
bool workersOffOnPurpose();

} // namespace aotpack::toolchain
