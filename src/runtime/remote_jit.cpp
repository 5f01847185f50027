#include "runtime/remote_jit.h"

#include "common/text.h"
#include "runtime/http_client.h"

#include <cstdlib>

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
        r.upload = envOrEmpty("AOTPACK_RUNTIME_REMOTE_UPLOAD") == "1" && !r.token.empty();
        return r;
    }();
    return remote;
}

Expected<Bytes> getRemoteJit(const RemoteJit& remote, const Hash128& key) {
    long status = 0;
    return httpGet(resultUrl(remote, key), kMaxResult, status, remote.token);
}

Status putRemoteJit(const RemoteJit& remote, const Hash128& key, ByteView native) {
    if (!remote.upload) return success();
    return httpPut(resultUrl(remote, key), native, remote.token);
}

} // namespace aotpack::runtime
