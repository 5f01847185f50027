// Work the archive needs but no compile waits for: full SPIR-V validation and compressing every
// payload (SPIR-V at the start, each native binary as soon as its job finishes or comes from the
// cache). It runs on threads that only get the CPU time the compilers leave idle (SCHED_IDLE), so
// it fills the gaps (while the first jobs start, while the last ones finish) instead of adding
// seconds after the last compile, and never slows a compile down.
#pragma once

#include "archive/writer.h"
#include "common/hash.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace aotpack::compile {

// Lowers the calling thread to SCHED_IDLE: it runs only when a core has nothing else to do.
void useIdleCpuOnly();

class BackgroundWork {
  public:
    // compressNatives = false: native binaries are stored as they are (--compression fast-load).
    BackgroundWork(unsigned threads, archive::WriterOptions options, bool compressNatives);
    ~BackgroundWork();
    BackgroundWork(const BackgroundWork&) = delete;
    BackgroundWork& operator=(const BackgroundWork&) = delete;

    void post(std::function<void()> task);
    // Compresses a payload as the archive writer would (same level, same bytes).
    void compressSpirv(const Hash128& hash, const Bytes& spirv);
    void compressNative(const Bytes& zebin); // copies the binary: the caller may drop it
    // A native binary's stored form found in the cache: handed to the writer as it is.
    void adopt(const Hash128& rawHash, archive::CompressedPayload blob);
    // Called (on a background thread) with each payload compressed here, so the build cache can
    // keep its stored form. Set before the first compress call.
    std::function<void(const Hash128&, const archive::CompressedPayload&)> onCompressed;
    // Runs what is still queued on the calling thread, then waits for what is running.
    void wait();
    // wait(), then gives the writer every compressed payload.
    void handTo(archive::ArchiveWriter& writer);

  private:
    void loop();
    void runNext(std::unique_lock<std::mutex>& lock);

    archive::WriterOptions options_;
    bool compressNatives_;
    std::mutex mutex_;
    std::condition_variable wake_, idle_;
    std::deque<std::function<void()>> queue_;
    std::size_t running_ = 0;
    bool stopping_ = false;
    std::map<Hash128, archive::CompressedPayload> compressed_;
    std::set<Hash128> requested_; // native payloads posted or adopted: each compressed once
    std::vector<std::thread> threads_;
};

} // namespace aotpack::compile
