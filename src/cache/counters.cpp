#include "cache/counters.h"

#include "common/file_io.h"
#include "common/text.h"

#include <fcntl.h>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

namespace aotpack::cache {

static Counters parseCounters(const std::string& text) {
    Counters counters;
    for (const auto& line : split(text, '\n'))
        if (auto sp = line.find(' '); sp != std::string::npos)
            if (auto v = parseUnsigned(line.substr(sp + 1))) counters[line.substr(0, sp)] = *v;
    return counters;
}

static std::string readAll(int fd) {
    std::string text;
    char buf[512];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        text.append(buf, static_cast<std::size_t>(n));
    return text;
}

void addCounters(const std::filesystem::path& file, const Counters& delta) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;
    if (::flock(fd, LOCK_EX) == 0) {
        auto counters = parseCounters(readAll(fd));
        for (const auto& [name, value] : delta)
            counters[name] += value;
        std::ostringstream out;
        for (const auto& [name, value] : counters)
            out << name << ' ' << value << '\n';
        std::string s = out.str();
        if (::ftruncate(fd, 0) == 0 && ::lseek(fd, 0, SEEK_SET) == 0)
            (void)!::write(fd, s.data(), s.size());
    }
    ::close(fd);
}

Counters readCounters(const std::filesystem::path& file) {
    auto text = readTextFile(file);
    return text ? parseCounters(*text) : Counters{};
}

void zeroCounters(const std::filesystem::path& file) {
    std::error_code ec;
    std::filesystem::remove(file, ec); // best effort, like the counters themselves
}

} // namespace aotpack::cache
