#include "toolchain/ocloc_worker.h"

#include "common/subprocess.h"
#include "toolchain/compiler_support.h"
#include "toolchain/ocloc_facts.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace aotpack::toolchain {

namespace {

using InvokeFn = int (*)(unsigned, const char**, uint32_t, const uint8_t**, const uint64_t*,
                         const char**, uint32_t, const uint8_t**, const uint64_t*, const char**,
                         uint32_t*, uint8_t***, uint64_t**, char***);
using FreeFn = int (*)(uint32_t*, uint8_t***, uint64_t**, char***);

bool readAll(int fd, void* data, std::size_t size) {
    auto* p = static_cast<char*>(data);
    while (size) {
        ssize_t n = ::read(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

void writeAll(int fd, const void* data, std::size_t size) {
    const auto* p = static_cast<const char*>(data);
    while (size) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

void answer(const std::string& line) {
    writeAll(kWorkerAnswerFd, line.data(), line.size());
}

// VmHWM and VmRSS from /proc/self/status, in KiB.
std::pair<long, long> memoryKb() {
    std::ifstream status("/proc/self/status");
    std::string key;
    long peak = 0, rss = 0;
    while (status >> key) {
        if (key == "VmHWM:")
            status >> peak;
        else if (key == "VmRSS:")
            status >> rss;
        status.ignore(1 << 16, '\n');
    }
    return {peak, rss};
}

// Resets VmHWM so that the next job's peak is its own (Linux >= 4.0).
void resetPeakMemory() {
    int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    writeAll(fd, "5", 1);
    ::close(fd);
}

// Runs one job; returns ocloc's exit code.
int runJob(InvokeFn invoke, FreeFn release, const std::vector<std::string>& fields) {
    const std::string& dir = fields[0];
    int log = ::open(fields[1].c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log >= 0) {
        std::fflush(stdout);
        ::dup2(log, 1);
        ::dup2(log, 2);
        ::close(log);
    }
    if (::chdir(dir.c_str()) != 0) return -1;
    std::vector<const char*> argv;
    for (std::size_t i = 2; i < fields.size(); ++i)
        argv.push_back(fields[i].c_str());
    uint32_t count = 0;
    uint8_t** outputs = nullptr;
    uint64_t* sizes = nullptr;
    char** names = nullptr;
    int rc = invoke(static_cast<unsigned>(argv.size()), argv.data(), 0, nullptr, nullptr, nullptr,
                    0, nullptr, nullptr, nullptr, &count, &outputs, &sizes, &names);
    for (uint32_t i = 0; i < count; ++i) {
        std::string name = names[i];
        if (name == "stdout.log") {
            writeAll(1, outputs[i], sizes[i]);
            continue;
        }
        if (name.find('/') != std::string::npos) continue;
        int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) continue;
        writeAll(fd, outputs[i], sizes[i]);
        ::close(fd);
    }
    release(&count, &outputs, &sizes, &names);
    return rc;
}

} // namespace

std::string encodeRequest(const std::vector<std::string>& fields) {
    std::string out;
    auto put = [&out](std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
    put(static_cast<std::uint32_t>(fields.size()));
    for (const auto& f : fields) {
        put(static_cast<std::uint32_t>(f.size()));
        out += f;
    }
    return out;
}

bool readRequest(int fd, std::vector<std::string>& fields) {
    std::uint32_t count = 0;
    if (!readAll(fd, &count, 4) || count < 3 || count > 4096) return false;
    fields.assign(count, {});
    for (auto& f : fields) {
        std::uint32_t size = 0;
        if (!readAll(fd, &size, 4) || size > (64u << 20)) return false;
        f.resize(size);
        if (size && !readAll(fd, f.data(), size)) return false;
    }
    return true;
}

int runOclocWorker(const std::string& library) {
    void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    auto invoke = handle ? reinterpret_cast<InvokeFn>(::dlsym(handle, "oclocInvoke")) : nullptr;
    auto release = handle ? reinterpret_cast<FreeFn>(::dlsym(handle, "oclocFreeOutput")) : nullptr;
    if (!invoke || !release) {
        const char* why = ::dlerror();
        answer("error cannot load " + library + ": " + (why ? why : "no oclocInvoke") + "\n");
        return 1;
    }
    answer("ready\n");
    std::vector<std::string> fields;
    while (readRequest(0, fields)) {
        resetPeakMemory();
        auto start = std::chrono::steady_clock::now();
        int rc = runJob(invoke, release, fields);
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fflush(stdout);
        std::fflush(stderr);
        auto [peak, rss] = memoryKb();
        char secondsText[32];
        std::snprintf(secondsText, sizeof secondsText, "%.6f", seconds);
        answer("done " + std::to_string(rc) + " " + std::to_string(peak) + " " +
               std::to_string(rss) + " " + secondsText + "\n");
    }
    return 0;
}

// libocloc dlopens IGC with RTLD_DEEPBIND, which sanitizer runtimes refuse: a sanitized aotpack
// cannot be a worker, so sanitized builds compile in processes.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

bool workersOffOnPurpose() {
    const char* env = std::getenv("AOTPACK_LIBOCLOC");
    return kSanitized || (env && !*env);
}

std::string findLibocloc(const std::string& ocloc, std::string* whyNot) {
    auto none = [whyNot](std::string why) {
        if (whyNot) *whyNot = std::move(why);
        return std::string();
    };
    if (kSanitized) return none("");                       // deliberate: no warning
    if (const char* env = std::getenv("AOTPACK_LIBOCLOC")) // "" disables workers
        return *env ? std::string(env) : none("");
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path dir = fs::canonical(ocloc, ec).parent_path();
    // Next to the ocloc in use first: a relocated toolchain (`aotpack bundle`) or a custom prefix
    // has its own libocloc, and the system's would not match that ocloc.
    for (const fs::path& candidate :
         {dir / "libocloc.so", dir / "../lib/libocloc.so",
          dir / "../lib/x86_64-linux-gnu/libocloc.so", dir / "../lib64/libocloc.so"})
        if (!ec && fs::exists(candidate, ec)) return candidate.lexically_normal().string();
    if (std::getenv("AOTPACK_OCLOC") || ocloc != toolchain::findRealOcloc().string())
        return none("no libocloc.so next to '" + ocloc + "' (set AOTPACK_LIBOCLOC to use one)");
    for (const char* sys :
         {"/usr/lib/x86_64-linux-gnu", "/usr/local/lib", "/usr/lib64", "/usr/lib"})
        if (fs::exists(fs::path(sys) / "libocloc.so", ec))
            return (fs::path(sys) / "libocloc.so").string();
    return none("libocloc.so is neither next to '" + ocloc +
                "' nor in the system's library directories");
}

} // namespace aotpack::toolchain
