#include "cache/store.h"

namespace aotpack::cache {

std::vector<std::optional<Outputs>> DiskStore::get(std::span<const Hash128> keys,
                                                   std::span<const std::string> names) {
    std::vector<std::optional<Outputs>> found;
    for (const auto& key : keys) {
        Outputs outputs;
        for (const auto& name : names) {
            auto bytes = cache_.get(key, name);
            if (!bytes) break;
            outputs[name] = std::move(*bytes);
        }
        if (outputs.size() == names.size())
            found.emplace_back(std::move(outputs));
        else
            found.emplace_back();
    }
    return found;
}

std::vector<bool> DiskStore::contains(std::span<const Hash128> keys) {
    std::vector<bool> present;
    for (const auto& key : keys)
        present.push_back(cache_.contains(key, primary_));
    return present;
}

void DiskStore::put(const Hash128& key, const Outputs& outputs) {
    auto write = [&](const std::string& name, const Bytes& bytes) {
        auto st = cache_.put(key, bytes, name);
        std::lock_guard lock(mutex_);
        if (!st && !writeError_) writeError_ = st.error().message;
        return bool(st);
    };
    for (const auto& [name, bytes] : outputs)
        if (name != primary_ && !write(name, bytes)) return;
    if (auto it = outputs.find(primary_); it != outputs.end()) write(it->first, it->second);
}

std::optional<std::string> DiskStore::takeWriteError() {
    std::lock_guard lock(mutex_);
    if (writeErrorTaken_ || !writeError_) return std::nullopt;
    writeErrorTaken_ = true;
    return writeError_;
}

} // namespace aotpack::cache
