// The build cache's interface: a store of compile results keyed by the job's hash. One entry holds
// named outputs ("zebin" and "meta" for a build job, "ocloc" for a drop-in target). Operations
// are batched so that a remote store can run a whole build's lookups in parallel before the first
// compile starts. A store never fails a build: a lookup that cannot be answered is a miss, a put
// that cannot be written is dropped (and counted by the store that dropped it).
#pragma once

#include "cache/disk_cache.h"
#include "common/file_io.h"
#include "common/hash.h"

#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace aotpack::cache {

using Outputs = std::map<std::string, Bytes>;

class Store {
  public:
    virtual ~Store() = default;
    // Per key, in order: every output named in `names`, verified, or nothing if any is missing.
    virtual std::vector<std::optional<Outputs>> get(std::span<const Hash128> keys,
                                                    std::span<const std::string> names) = 0;
    // Per key, in order: whether an entry is there (cheaper than get where a store can tell).
    virtual std::vector<bool> contains(std::span<const Hash128> keys) = 0;
    virtual void put(const Hash128& key, const Outputs& outputs) = 0;
};

// The local directory store. Each output is one DiskCache entry of kind <name>; the first name
// of an entry (its primary output) is written last, so its presence means the others are there.
class DiskStore final : public Store {
  public:
    DiskStore(DiskCache cache, std::string primary) : cache_(std::move(cache)), primary_(primary) {}
    std::vector<std::optional<Outputs>> get(std::span<const Hash128> keys,
                                            std::span<const std::string> names) override;
    std::vector<bool> contains(std::span<const Hash128> keys) override;
    void put(const Hash128& key, const Outputs& outputs) override;
    // Puts that could not be written (disk full, permissions): the first error, once.
    std::optional<std::string> takeWriteError();
    const DiskCache& disk() const { return cache_; }

  private:
    DiskCache cache_;
    std::string primary_;
    std::mutex mutex_; // guards the write error: puts come from the compile pools' threads
    std::optional<std::string> writeError_;
    bool writeErrorTaken_ = false;
};

} // namespace aotpack::cache
