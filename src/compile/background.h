// Work the archive needs but no compile waits for: full SPIR-V validation and compressing every
// payload (SPIR-V at the start, each native binary as soon as its job finishes or comes from the
// cache), on one thread per compile slot, beside the compiles. A native binary's compression goes
// to the front of the queue: it starts the moment its compile ends, so when the last compile
// ends only its own compression is left (bench/run.py: "after the last compile").
//
// The threads run at normal priority. They used to run at SCHED_IDLE, to fill only the cores the
// compilers left idle; but a task already started there cannot be sped up (an unprivileged thread
// cannot leave SCHED_IDLE), so on a machine busy with anything else it waited for the whole build
// and ran after it: a warm 3-module build beside another build took 12.9 s for 0.8 s of CPU, and
// at -j16 the compressions queued behind 16 compiles made a 0.7 s tail.
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

class BackgroundWork {
  public:
    // compressNatives = false: native binaries are stored as they are (--compression fast-load).
    BackgroundWork(unsigned threads, archive::WriterOptions options, bool compressNatives);
    ~BackgroundWork();
    BackgroundWork(const BackgroundWork&) = delete;
    BackgroundWork& operator=(const BackgroundWork&) = delete;

    void post(std::function<void()> task);
    // The same, ahead of everything queued: for work the end of the build waits on.
    void postFirst(std::function<void()> task);
    // Compresses a payload as the archive writer would (same level, same bytes).
    void compressSpirv(const Hash128& hash, const Bytes& spirv);
    // Takes the binary: after its stored form is made, the build holds only that.
    void compressNative(const Hash128& hash, Bytes zebin, std::uint32_t targetIp);
    // A native binary's stored form found in the cache: handed to the writer as it is.
    void adopt(const Hash128& rawHash, archive::CompressedPayload blob);
    // Called (on a background thread) with each payload compressed here, so the build cache can
    // keep its stored form. Set before the first compress call.
    std::function<void(const Hash128&, const archive::CompressedPayload&)> onCompressed;
    // Runs what is still queued on the calling thread, then waits for what is running.
    void wait();
    // wait(), then gives the writer every compressed payload.
    void handTo(archive::ArchiveWriter& writer);
    // What the payloads are compressed with: the archive must be written with the same.
    const archive::WriterOptions& options() const { return options_; }

  private:
    void loop();
    void runNext(std::unique_lock<std::mutex>& lock);
    void compressAndKeep(const Hash128& hash, ByteView raw,
                         std::shared_ptr<const archive::Dictionary> dictionary);

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
