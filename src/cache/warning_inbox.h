// Warnings raised on any thread (the remote cache's upload thread among them), printed later by
// the thread that owns the terminal, so they never cut through a progress line.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace aotpack::cache {

class WarningInbox {
  public:
    void add(std::string message) {
        std::lock_guard lock(mutex_);
        messages_.push_back(std::move(message));
    }
    std::vector<std::string> take() {
        std::lock_guard lock(mutex_);
        return std::exchange(messages_, {});
    }

  private:
    std::mutex mutex_;
    std::vector<std::string> messages_;
};

} // namespace aotpack::cache
