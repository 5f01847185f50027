// How many compiles one `aotpack ocloc` call may run at once. Build systems start many ocloc
// calls side by side; if each started a compile per core the machine would run cores^2 compilers.
//
// Two limits, both held for the whole call:
// - machine slots: lock files <dir>/slot-K (K < cap) taken with flock(2). The kernel drops a lock
//   when its holder exits, however it exits, so a crashed call never leaks a slot, and aotpack
//   needs no server to coordinate. Every compiling call holds at least one slot.
// - the GNU make jobserver (MAKEFLAGS --jobserver-auth=R,W or =fifo:PATH): a call already owns
//   the token make gave it; each slot past the first also needs a token, taken without waiting
//   and returned when the call ends.
#pragma once

#include <filesystem>
#include <vector>

namespace aotpack::dropin {

class CompileSlots {
  public:
    // Waits until one slot is free, then takes up to `wanted` - 1 more without waiting.
    static CompileSlots acquire(const std::filesystem::path& dir, unsigned cap, unsigned wanted);
    CompileSlots(CompileSlots&& other) noexcept;
    CompileSlots& operator=(CompileSlots&&) = delete;
    ~CompileSlots();

    unsigned count() const { return static_cast<unsigned>(slotFds_.size()); }
    // Before exec'ing the real ocloc: the first slot stays held by it until it exits.
    void keepFirstAcrossExec();

    // The machine-wide cap: $AOTPACK_OCLOC_JOBS, else the number of cores.
    static unsigned defaultCap();

  private:
    CompileSlots() = default;
    std::vector<int> slotFds_;
    int jobserverRead_ = -1, jobserverWrite_ = -1;
    std::vector<char> tokens_; // jobserver tokens taken, returned by the destructor
};

} // namespace aotpack::dropin
