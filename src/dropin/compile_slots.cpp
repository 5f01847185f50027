#include "dropin/compile_slots.h"

#include "common/subprocess.h"
#include "common/text.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <tuple>
#include <unistd.h>

namespace aotpack::dropin {

namespace fs = std::filesystem;

namespace {

// Tries to lock slot `k`; the open descriptor on success, -1 otherwise.
int tryLockSlot(const fs::path& dir, unsigned k) {
    std::string path = (dir / ("slot-" + std::to_string(k))).string();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
    ::close(fd);
    return -1;
}

int tryAnySlot(const fs::path& dir, unsigned cap, unsigned first) {
    for (unsigned i = 0; i < cap; ++i)
        if (int fd = tryLockSlot(dir, (first + i) % cap); fd >= 0) return fd;
    return -1;
}

// The jobserver's descriptors from MAKEFLAGS, each opened anew with O_NONBLOCK: the inherited
// pipe's file description is shared with make and every other job, so its flags must not change.
std::pair<int, int> openJobserver() {
    const char* flags = std::getenv("MAKEFLAGS");
    if (!flags) return {-1, -1};
    std::string text = flags;
    std::string auth;
    for (const char* key : {"--jobserver-auth=", "--jobserver-fds="})
        if (auto at = text.rfind(key); at != std::string::npos)
            auth = text.substr(at + std::string(key).size(),
                               text.find(' ', at) - at - std::string(key).size());
    if (auth.empty()) return {-1, -1};
    if (auth.rfind("fifo:", 0) == 0) {
        struct stat st {};
        if (::stat(auth.c_str() + 5, &st) != 0 || !S_ISFIFO(st.st_mode)) return {-1, -1};
        int fd = ::open(auth.c_str() + 5, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        return {fd, fd};
    }
    auto parts = split(auth, ',');
    if (parts.size() != 2) return {-1, -1};
    auto r = parseUnsigned(parts[0]), w = parseUnsigned(parts[1]);
    // make passes the descriptors only to recursive (`+`) recipes; in other commands the same
    // numbers may be unrelated files, which must never be read from or written to.
    auto isPipe = [](unsigned long long fd) {
        struct stat st {};
        return ::fstat(static_cast<int>(fd), &st) == 0 && S_ISFIFO(st.st_mode);
    };
    if (!r || !w || !isPipe(*r) || !isPipe(*w)) return {-1, -1};
    auto reopen = [](unsigned long long fd, int mode) {
        std::string path = "/proc/self/fd/" + std::to_string(fd);
        return ::open(path.c_str(), mode | O_NONBLOCK | O_CLOEXEC);
    };
    int readFd = reopen(*r, O_RDONLY), writeFd = reopen(*w, O_WRONLY);
    if (readFd < 0 || writeFd < 0) {
        for (int fd : {readFd, writeFd})
            if (fd >= 0) ::close(fd);
        return {-1, -1};
    }
    return {readFd, writeFd};
}

} // namespace

unsigned CompileSlots::defaultCap() {
    if (auto n = parseUnsigned(envOr("AOTPACK_OCLOC_JOBS", "")); n && *n > 0)
        return static_cast<unsigned>(*n);
    return std::max(1u, std::thread::hardware_concurrency());
}

CompileSlots CompileSlots::acquire(const fs::path& dir, unsigned cap, unsigned wanted) {
    CompileSlots slots;
    std::error_code ec;
    fs::create_directories(dir, ec);
    cap = std::max(1u, cap);
    unsigned first = static_cast<unsigned>(::getpid()) % cap; // callers spread over the slots
    auto delay = std::chrono::milliseconds(5);
    int fd;
    while ((fd = tryAnySlot(dir, cap, first)) < 0) {
        if (ec) break; // no slot directory: do not wait for what cannot exist
        std::this_thread::sleep_for(delay);
        delay = std::min(delay * 2, std::chrono::milliseconds(100));
    }
    if (fd >= 0) slots.slotFds_.push_back(fd);
    std::tie(slots.jobserverRead_, slots.jobserverWrite_) = openJobserver();
    bool jobserver = slots.jobserverRead_ >= 0 && slots.jobserverWrite_ >= 0;
    while (slots.slotFds_.size() < std::min(wanted, cap) && !slots.slotFds_.empty()) {
        char token = 0;
        if (jobserver && ::read(slots.jobserverRead_, &token, 1) != 1) break;
        int more = tryAnySlot(dir, cap, first);
        if (more < 0) {
            if (jobserver) (void)!::write(slots.jobserverWrite_, &token, 1);
            break;
        }
        if (jobserver) slots.tokens_.push_back(token);
        slots.slotFds_.push_back(more);
    }
    return slots;
}

CompileSlots::CompileSlots(CompileSlots&& other) noexcept
    : slotFds_(std::move(other.slotFds_)), jobserverRead_(other.jobserverRead_),
      jobserverWrite_(other.jobserverWrite_), tokens_(std::move(other.tokens_)) {
    other.slotFds_.clear();
    other.tokens_.clear();
    other.jobserverRead_ = other.jobserverWrite_ = -1;
}

CompileSlots::~CompileSlots() {
    for (char token : tokens_)
        (void)!::write(jobserverWrite_, &token, 1);
    if (jobserverRead_ >= 0) ::close(jobserverRead_);
    if (jobserverWrite_ >= 0 && jobserverWrite_ != jobserverRead_) ::close(jobserverWrite_);
    for (int fd : slotFds_)
        ::close(fd);
}

void CompileSlots::keepFirstAcrossExec() {
    if (!slotFds_.empty()) ::fcntl(slotFds_[0], F_SETFD, 0);
}

} // namespace aotpack::dropin
