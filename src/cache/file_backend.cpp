// The remote cache in a shared directory (file:///mnt/nfs/aotpack-cache): the same ac/ and cas/
// layout as the HTTP cache, files written to a temporary name and renamed, so that readers on
// other machines see a whole blob or none.
#include "cache/remote_backend.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace aotpack::cache {
namespace {

class FileBackend final : public RemoteBackend {
  public:
    explicit FileBackend(std::filesystem::path root) : root_(std::move(root)) {}

    std::vector<Response> get(const std::vector<std::string>& paths) override {
        std::vector<Response> responses;
        for (const auto& path : paths)
            responses.push_back(read(path, true));
        return responses;
    }
    std::vector<Response> head(const std::vector<std::string>& paths) override {
        std::vector<Response> responses;
        for (const auto& path : paths)
            responses.push_back(read(path, false));
        return responses;
    }
    Response put(const std::string& path, ByteView body) override {
        std::error_code ec;
        std::filesystem::create_directories((root_ / path).parent_path(), ec);
        auto st = writeFileAtomic(root_ / path, body);
        if (!st) return {Response::Outcome::Failed, {}, st.error().message};
        up_ += body.size();
        return {Response::Outcome::Found, {}, {}};
    }
    std::uint64_t bytesDown() const override { return down_; }
    std::uint64_t bytesUp() const override { return up_; }

  private:
    Response read(const std::string& path, bool withBody) {
        std::filesystem::path file = root_ / path;
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0)
            return errno == ENOENT
                       ? Response{Response::Outcome::Missing, {}, {}}
                       : Response{Response::Outcome::Failed,
                                  {},
                                  "cannot read '" + file.string() + "': " + std::strerror(errno)};
        if (!withBody) return {Response::Outcome::Found, {}, {}};
        auto bytes = readFile(file);
        if (!bytes) return {Response::Outcome::Failed, {}, bytes.error().message};
        down_ += bytes->size();
        return {Response::Outcome::Found, std::move(*bytes), {}};
    }

    std::filesystem::path root_;
    std::atomic<std::uint64_t> down_{0}, up_{0};
};

} // namespace

Expected<std::unique_ptr<RemoteBackend>> openFileBackend(const RemoteConfig& config) {
    std::filesystem::path root = config.url.substr(std::strlen("file://"));
    std::error_code ec;
    if (root.empty() || root.is_relative())
        return makeError(Errc::Usage,
                         "remote cache '" + config.url + "': a file:// URL needs an absolute path");
    if (config.mode == RemoteMode::ReadWrite) {
        for (const char* sub : {"ac", "cas"})
            std::filesystem::create_directories(root / sub, ec);
        if (ec)
            return makeError(Errc::Output, "cannot create remote cache directory '" +
                                               root.string() + "': " + ec.message());
    }
    return std::unique_ptr<RemoteBackend>(std::make_unique<FileBackend>(root));
}

} // namespace aotpack::cache
