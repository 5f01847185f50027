// The remote cache as a Store, in the layout of Bazel's HTTP cache: a job's record at
// ac/<sha256 of the job key> (an ActionResult naming its outputs by digest) and each output at
// cas/<sha256 of its bytes>. Every blob read is checked against the digest that named it, so a
// corrupt, truncated or substituted blob is never used; a record that does not parse is a miss.
//
// Failures are never errors: a request that fails is a miss (or a dropped upload), counted, and
// after kFailuresToMarkDown failures in a row the remote is down for the rest of the process,
// with one warning, so a dead server costs one timeout, not one per job.
#pragma once

#include "cache/action_result.h"
#include "cache/counters.h"
#include "cache/remote_backend.h"
#include "cache/store.h"

#include <atomic>
#include <functional>

namespace aotpack::cache {

struct RemoteStats {
    std::uint64_t hits = 0, misses = 0;
    std::uint64_t errors = 0, timeouts = 0; // failed requests (timeouts counted in both)
    std::uint64_t corrupt = 0;              // records or blobs rejected by the checks
    std::uint64_t unverified = 0; // --remote-cache-verify hmac: records without a valid HMAC
    std::uint64_t uploads = 0, uploadErrors = 0, uploadsAbandoned = 0;
    std::uint64_t bytesDown = 0, bytesUp = 0;
    bool down = false;
};

// The counters as `aotpack cache stats` keeps them (<build cache>/remote-stats).
Counters toCounters(const RemoteStats& stats);
constexpr const char* kRemoteStatsFile = "remote-stats";

using Warn = std::function<void(const std::string&)>;

class RemoteStore final : public Store {
  public:
    static constexpr unsigned kFailuresToMarkDown = 3;
    RemoteStore(RemoteConfig config, std::unique_ptr<RemoteBackend> backend, Warn warn);

    std::vector<std::optional<Outputs>> get(std::span<const Hash128> keys,
                                            std::span<const std::string> names) override;
    std::vector<bool> contains(std::span<const Hash128> keys) override;
    // Synchronous: the blobs, then the record that names them (so a reader never finds a record
    // whose blobs are not there yet). Nothing in read-only mode or once the remote is down.
    void put(const Hash128& key, const Outputs& outputs) override;

    const RemoteConfig& config() const { return config_; }
    bool down() const { return down_; }
    void countAbandoned(std::uint64_t n) { abandoned_ += n; }
    RemoteStats stats() const;

  private:
    // Per key, its record if it parses and names every output in `names`, else empty.
    std::vector<std::vector<OutputRecord>> records(std::span<const Hash128> keys,
                                                   std::span<const std::string> names);
    std::map<std::string, Bytes> blobs(const std::vector<BlobDigest>& wanted);
    void noteFailure(const Response& r);
    void noteSuccess() { failuresInARow_ = 0; }
    void noteCorrupt(const std::string& what);

    RemoteConfig config_;
    std::unique_ptr<RemoteBackend> backend_;
    Warn warn_;
    std::atomic<bool> down_{false};
    std::atomic<bool> warnedCorrupt_{false}, warnedUnverified_{false};
    std::atomic<unsigned> failuresInARow_{0};
    std::atomic<std::uint64_t> hits_{0}, misses_{0}, errors_{0}, timeouts_{0}, corrupt_{0};
    std::atomic<std::uint64_t> uploads_{0}, uploadErrors_{0}, abandoned_{0}, unverified_{0};
};

// The path of a job's record: ac/<64 hex digits>.
std::string actionPath(const Hash128& key);

// The remote store for `config`, or nothing if no remote is configured. Errors only for a
// configuration that cannot work (see openBackend).
Expected<std::unique_ptr<RemoteStore>> openRemoteStore(const RemoteConfig& config, Warn warn);

} // namespace aotpack::cache
