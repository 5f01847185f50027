#include "runtime/remote_jit.h"

#include "common/text.h"
#include "net/http.h"

#include "common/diagnostics.h"

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace aotpack::runtime {

namespace {

constexpr std::uint64_t kMaxResult = 256ull << 20; // a JIT result larger than this is not one

std::string envOrEmpty(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// The write token: the variable, or the first line of the file it names.
std::string writeToken() {
    if (auto t = envOrEmpty("AOTPACK_REMOTE_CACHE_TOKEN"); !t.empty()) return t;
    if (auto file = envOrEmpty("AOTPACK_REMOTE_CACHE_TOKEN_FILE"); !file.empty())
        if (auto text = readTextFile(file)) return std::string(trim(split(*text, '\n')[0]));
    return "";
}

struct AtomicCounts {
    std::atomic<std::uint64_t> lookups{0}, hits{0}, errors{0}, uploads{0}, uploadErrors{0};
};
AtomicCounts counts;

// A server that does not answer is said once as a warning (loads JIT as without it); every
// lookup and upload is a log line under AOTPACK_LOG.
void reportServerError(const std::string& what, const std::string& message) {
    static std::once_flag once;
    std::call_once(once, [&] {
        diag::warning("the fleet's server (AOTPACK_RUNTIME_REMOTE) " + what + ": " + message +
                      "; loads JIT-compile as without it");
    });
    if (diag::logRequested()) diag::log("fleet: " + what + ": " + message);
}

std::string resultUrl(const RemoteJit& remote, const Hash128& key) {
    std::string base = remote.url;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    return base + "/jit/" + key.hex();
}

} // namespace

const std::optional<RemoteJit>& remoteJit() {
    static const std::optional<RemoteJit> remote = []() -> std::optional<RemoteJit> {
        std::string url = envOrEmpty("AOTPACK_RUNTIME_REMOTE");
        if (url.empty()) return std::nullopt;
        RemoteJit r{url, false, writeToken()};
        bool wanted = envOrEmpty("AOTPACK_RUNTIME_REMOTE_UPLOAD") == "1";
        r.upload = wanted && !r.token.empty();
        if (wanted && !r.upload)
            diag::warning("AOTPACK_RUNTIME_REMOTE_UPLOAD=1 but no write token "
                          "(AOTPACK_REMOTE_CACHE_TOKEN or AOTPACK_REMOTE_CACHE_TOKEN_FILE): "
                          "nothing is uploaded");
        return r;
    }();
    return remote;
}

Expected<Bytes> getRemoteJit(const RemoteJit& remote, const Hash128& key) {
    long status = 0;
    ++counts.lookups;
    auto result = net::httpGet(resultUrl(remote, key), kMaxResult, status, remote.token);
    if (result) {
        ++counts.hits;
        if (diag::logRequested()) diag::log("fleet: result " + key.hex() + " found");
    } else if (status == 404) {
        if (diag::logRequested()) diag::log("fleet: no result " + key.hex() + " yet");
    } else {
        ++counts.errors;
        reportServerError("did not answer a lookup", result.error().message);
    }
    return result;
}

Status putRemoteJit(const RemoteJit& remote, const Hash128& key, ByteView native) {
    if (!remote.upload) return success();
    auto st = net::httpPut(resultUrl(remote, key), native, remote.token);
    ++(st ? counts.uploads : counts.uploadErrors);
    if (st && diag::logRequested()) diag::log("fleet: uploaded result " + key.hex());
    if (!st) reportServerError("refused an upload", st.error().message);
    return st;
}

FleetCounts fleetCounts() {
    return {counts.lookups, counts.hits, counts.errors, counts.uploads, counts.uploadErrors};
}

} // namespace aotpack::runtime
