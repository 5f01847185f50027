#include "cache/tiered_cache.h"

#include <chrono>

namespace aotpack::cache {

static std::uint64_t sizeOf(const Outputs& outputs) {
    std::uint64_t n = 0;
    for (const auto& [name, bytes] : outputs)
        n += bytes.size();
    return n;
}

TieredStore::TieredStore(std::unique_ptr<DiskStore> local, std::unique_ptr<RemoteStore> remote)
    : local_(std::move(local)), remote_(std::move(remote)) {}

TieredStore::~TieredStore() {
    finishUploads(0);
}

std::vector<std::optional<Outputs>> TieredStore::get(std::span<const Hash128> keys,
                                                     std::span<const std::string> names) {
    std::vector<bool> fromRemote;
    return get(keys, names, fromRemote);
}

std::vector<std::optional<Outputs>> TieredStore::get(std::span<const Hash128> keys,
                                                     std::span<const std::string> names,
                                                     std::vector<bool>& fromRemote) {
    fromRemote.assign(keys.size(), false);
    std::vector<std::optional<Outputs>> found =
        local_ ? local_->get(keys, names) : std::vector<std::optional<Outputs>>(keys.size());
    if (!remote_) return found;
    std::vector<Hash128> missing;
    std::vector<std::size_t> where;
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (!found[i]) {
            missing.push_back(keys[i]);
            where.push_back(i);
        }
    auto fetched = remote_->get(missing, names);
    for (std::size_t j = 0; j < fetched.size(); ++j) {
        if (!fetched[j]) continue;
        if (local_) local_->put(missing[j], *fetched[j]);
        found[where[j]] = std::move(fetched[j]);
        fromRemote[where[j]] = true;
    }
    return found;
}

std::vector<bool> TieredStore::contains(std::span<const Hash128> keys) {
    std::vector<bool> present = local_ ? local_->contains(keys) : std::vector<bool>(keys.size());
    if (!remote_) return present;
    auto remote = remote_->contains(keys);
    for (std::size_t i = 0; i < keys.size(); ++i)
        present[i] = present[i] || remote[i];
    return present;
}

void TieredStore::put(const Hash128& key, const Outputs& outputs) {
    if (local_) local_->put(key, outputs);
    if (!remote_ || remote_->config().mode == RemoteMode::ReadOnly || remote_->down()) return;
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (queuedBytes_ + sizeOf(outputs) > kMaxQueuedBytes) {
        remote_->countAbandoned(1);
        return;
    }
    queuedBytes_ += sizeOf(outputs);
    queue_.emplace_back(key, outputs);
    if (!uploader_.joinable()) uploader_ = std::thread([this] { uploadLoop(); });
    changed_.notify_all();
}

void TieredStore::uploadLoop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return; // stopping, nothing left
        auto [key, outputs] = std::move(queue_.front());
        queue_.pop_front();
        queuedBytes_ -= sizeOf(outputs);
        uploading_ = true;
        lock.unlock();
        remote_->put(key, outputs);
        lock.lock();
        uploading_ = false;
        changed_.notify_all();
    }
}

RemoteStats TieredStore::finishUploads(double seconds) {
    if (!remote_) return {};
    {
        std::unique_lock lock(mutex_);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        changed_.wait_until(lock, deadline,
                            [this] { return (queue_.empty() && !uploading_) || remote_->down(); });
        remote_->countAbandoned(queue_.size());
        queue_.clear();
        queuedBytes_ = 0;
        stopping_ = true;
        changed_.notify_all();
    }
    // The upload in flight, if any, ends within one request timeout (or at once if down).
    if (uploader_.joinable()) uploader_.join();
    return remote_->stats();
}

} // namespace aotpack::cache
