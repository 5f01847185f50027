// How the remote store reaches its server: GET, HEAD and PUT of paths such as "ac/<sha256>" and
// "cas/<sha256>" under the cache's URL. Two backends: HTTP(S) through libcurl and a directory
// (file://, e.g. on NFS). Everything above this line (record format, integrity, marking the
// remote down) is shared by both.
#pragma once

#include "cache/remote_config.h"
#include "common/file_io.h"

#include <memory>
#include <string>
#include <vector>

namespace aotpack::cache {

struct Response {
    enum class Outcome { Found, Missing, Failed, TimedOut };
    Outcome outcome = Outcome::Failed;
    Bytes body;          // Found, GET only
    std::string message; // Failed/TimedOut: what went wrong, credentials already redacted
    bool ok() const { return outcome == Outcome::Found || outcome == Outcome::Missing; }
};

class RemoteBackend {
  public:
    virtual ~RemoteBackend() = default;
    // Every request of a batch runs before any returns; results in the order of `paths`.
    virtual std::vector<Response> get(const std::vector<std::string>& paths) = 0;
    virtual std::vector<Response> head(const std::vector<std::string>& paths) = 0;
    // Found on success. Called from the upload thread only.
    virtual Response put(const std::string& path, ByteView body) = 0;
    // Traffic so far, for the report: bytes received and sent.
    virtual std::uint64_t bytesDown() const = 0;
    virtual std::uint64_t bytesUp() const = 0;
};

// Opens the backend for config.url (http/https or file). Only a file:// directory that cannot
// be created, or an http(s) URL without libcurl on the machine, is an error; an unreachable
// server shows up as failed requests.
Expected<std::unique_ptr<RemoteBackend>> openBackend(const RemoteConfig& config);
Expected<std::unique_ptr<RemoteBackend>> openHttpBackend(const RemoteConfig& config);
Expected<std::unique_ptr<RemoteBackend>> openFileBackend(const RemoteConfig& config);

} // namespace aotpack::cache
