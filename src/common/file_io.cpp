#include "common/file_io.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace aotpack {
namespace fs = std::filesystem;

Expected<Bytes> readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(Errc::BadInput,
                         "cannot read '" + path.string() + "': " + std::strerror(errno));
    Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return makeError(Errc::BadInput, "error while reading '" + path.string() + "'");
    return data;
}

Expected<std::string> readTextFile(const fs::path& path) {
    auto data = readFile(path);
    if (!data) return data.error();
    return std::string(data->begin(), data->end());
}

static Status writeAll(int fd, ByteView data, const fs::path& tmp, Sync sync) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            return makeError(Errc::Output,
                             "cannot write '" + tmp.string() + "': " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
    if (sync == Sync::Yes && ::fsync(fd) != 0)
        return makeError(Errc::Output,
                         "cannot sync '" + tmp.string() + "': " + std::strerror(errno));
    return success();
}

Status writeFileAtomic(const fs::path& path, ByteView data, unsigned mode, Sync sync) {
    fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::string pattern = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
    int fd = ::mkstemp(pattern.data());
    if (fd < 0)
        return makeError(Errc::Output,
                         "cannot create a file in '" + dir.string() + "': " + std::strerror(errno));
    fs::path tmp = pattern;
    ::fchmod(fd, mode);
    Status written = writeAll(fd, data, tmp, sync);
    if (::close(fd) != 0 && written)
        written =
            makeError(Errc::Output, "cannot close '" + tmp.string() + "': " + std::strerror(errno));
    if (written && ::rename(tmp.c_str(), path.c_str()) != 0)
        written = makeError(Errc::Output,
                            "cannot rename onto '" + path.string() + "': " + std::strerror(errno));
    if (!written) ::unlink(tmp.c_str());
    return written;
}

std::vector<std::filesystem::path> listDirectory(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> entries;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        entries.push_back(it->path());
    return entries;
}

} // namespace aotpack
