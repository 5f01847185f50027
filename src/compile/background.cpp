#include "compile/background.h"

namespace aotpack::compile {

BackgroundWork::BackgroundWork(unsigned threads, archive::WriterOptions options,
                               bool compressNatives)
    : options_(options), compressNatives_(compressNatives) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i)
        threads_.emplace_back([this] { loop(); });
}

// Work not started yet is dropped: the build that posted it has ended (an error ends it early).
BackgroundWork::~BackgroundWork() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        queue_.clear();
    }
    wake_.notify_all();
    for (auto& t : threads_)
        t.join();
}

// Takes the first queued task and runs it without holding the lock.
void BackgroundWork::runNext(std::unique_lock<std::mutex>& lock) {
    auto task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    task();
    lock.lock();
    --running_;
}

void BackgroundWork::loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        runNext(lock);
        if (queue_.empty() && running_ == 0) idle_.notify_all();
    }
}

void BackgroundWork::post(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(task));
    }
    wake_.notify_one();
}

void BackgroundWork::postFirst(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_front(std::move(task));
    }
    wake_.notify_one();
}

// On a background thread: the stored form, to the cache (onCompressed) and for the writer.
void BackgroundWork::compressAndKeep(const Hash128& hash, ByteView raw,
                                     std::shared_ptr<const archive::Dictionary> dictionary) {
    auto blob = archive::compressPayload(raw, options_.levelFor(raw.size()), std::move(dictionary));
    if (onCompressed) onCompressed(hash, blob);
    std::lock_guard lock(mutex_);
    compressed_[hash] = std::move(blob);
}

void BackgroundWork::compressSpirv(const Hash128& hash, const Bytes& spirv) {
    post([this, hash, &spirv] {
        compressAndKeep(hash, spirv, options_.dictionaryOf(archive::EntryKind::Spirv, 0));
    });
}

void BackgroundWork::compressNative(const Hash128& hash, Bytes zebin, std::uint32_t targetIp) {
    {
        std::lock_guard lock(mutex_);
        if (!requested_.insert(hash).second) return; // the same bytes are compressed once
    }
    if (!compressNatives_) { // --compression fast-load: stored as they are
        adopt(hash, archive::compressPayload(zebin, 0));
        return;
    }
    postFirst([this, zebin = std::move(zebin), hash, targetIp] {
        compressAndKeep(hash, zebin, options_.dictionaryOf(archive::EntryKind::Native, targetIp));
    });
}

void BackgroundWork::adopt(const Hash128& rawHash, archive::CompressedPayload blob) {
    std::lock_guard lock(mutex_);
    requested_.insert(rawHash);
    compressed_[rawHash] = std::move(blob);
}

void BackgroundWork::wait() {
    // The caller has nothing else to do: it helps with what is still queued.
    std::unique_lock lock(mutex_);
    while (!queue_.empty())
        runNext(lock);
    idle_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
}

void BackgroundWork::handTo(archive::ArchiveWriter& writer) {
    wait();
    std::lock_guard lock(mutex_);
    for (auto& [hash, blob] : compressed_)
        writer.adoptCompressed(hash, std::move(blob));
    compressed_.clear();
}

} // namespace aotpack::compile
