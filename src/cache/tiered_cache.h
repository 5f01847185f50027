// The build cache as the build and the ocloc drop-in use it: the local directory first, then the
// remote cache for what the local one lacks (read-through: remote hits fill the local cache), and
// new results written locally at once and uploaded in the background (write-back), so that
// uploads never hold up a compile. Either tier may be absent.
#pragma once

#include "cache/remote_store.h"
#include "cache/store.h"

#include <condition_variable>
#include <deque>
#include <thread>

namespace aotpack::cache {

class TieredStore final : public Store {
  public:
    // Uploads queued beyond this many bytes are dropped (and counted as abandoned): a slow
    // server must not make a build hold every result it compiled in memory.
    static constexpr std::uint64_t kMaxQueuedBytes = 512ull << 20;

    TieredStore(std::unique_ptr<DiskStore> local, std::unique_ptr<RemoteStore> remote);
    ~TieredStore() override;

    std::vector<std::optional<Outputs>> get(std::span<const Hash128> keys,
                                            std::span<const std::string> names) override;
    // The same, saying per key whether the remote served it (for reports).
    std::vector<std::optional<Outputs>> get(std::span<const Hash128> keys,
                                            std::span<const std::string> names,
                                            std::vector<bool>& fromRemote);
    std::vector<bool> contains(std::span<const Hash128> keys) override;
    void put(const Hash128& key, const Outputs& outputs) override;

    DiskStore* local() { return local_.get(); }
    RemoteStore* remote() { return remote_.get(); }
    // Waits up to `seconds` for the queued uploads; abandons (and counts) the rest. Returns the
    // remote's counters. Call before reporting; the destructor calls it with no wait.
    RemoteStats finishUploads(double seconds);

  private:
    void uploadLoop();

    std::unique_ptr<DiskStore> local_;
    std::unique_ptr<RemoteStore> remote_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::pair<Hash128, Outputs>> queue_;
    std::uint64_t queuedBytes_ = 0;
    bool uploading_ = false; // the upload thread is sending an entry taken off the queue
    bool stopping_ = false;
    std::thread uploader_;
};

} // namespace aotpack::cache
