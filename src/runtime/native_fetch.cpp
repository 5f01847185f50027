#include "runtime/native_fetch.h"

#include "common/hash.h"
#include "common/sha256.h"
#include "common/text.h"

#include "runtime/http_client.h"

#include <mutex>
#include <set>
#include <zstd.h>

namespace aotpack::runtime {

namespace {

Expected<Bytes> inflate(const Bytes& packed, std::uint64_t size) {
    unsigned long long declared = ZSTD_getFrameContentSize(packed.data(), packed.size());
    Bytes raw(declared == size ? size : 0);
    std::size_t n = ZSTD_decompress(raw.data(), raw.size(), packed.data(), packed.size());
    if (declared != size || ZSTD_isError(n) || n != size)
        return makeError(Errc::BadInput, "the bytes are not the ones the archive pins (a "
                                         "compressed copy that does not inflate to " +
                                             std::to_string(size) + " bytes)");
    return raw;
}

// `url`.zst (what `aotpack publish` also writes: ~3-4x smaller), else `url` when the server has
// no compressed copy (404). `silent`: the server did not answer at all (no connection, the time
// limit), which the caller remembers.
Expected<Bytes> downloadNative(const std::string& url, std::uint64_t size, bool& silent) {
    long status = 0;
    auto packed = httpGet(url + ".zst", ZSTD_compressBound(size), status);
    if (!packed && status == 404) {
        auto raw = httpGet(url, size, status);
        silent = !raw && status == 0;
        return raw;
    }
    silent = !packed && status == 0;
    if (!packed) return packed;
    return inflate(*packed, size);
}

// Servers that did not answer at all (no connection, the time limit) in this process: later
// fetches from them fail at once, so a program with many modules waits for one time limit, not
// one per module. A server that answers (404, wrong bytes) is asked again.
class SilentServers {
  public:
    bool contains(const std::string& base) {
        std::lock_guard<std::mutex> lock(mutex_);
        return silent_.count(base) != 0;
    }
    void add(const std::string& base) {
        std::lock_guard<std::mutex> lock(mutex_);
        silent_.insert(base);
    }

  private:
    std::mutex mutex_;
    std::set<std::string> silent_;
};

SilentServers& silentServers() {
    static SilentServers servers;
    return servers;
}

Hash128 cacheKey(const archive::RemoteNative& native) {
    return Hasher().add("aotpack-fetched-v1").add(native.sha256).finish();
}

} // namespace

Expected<FetchedNative> obtainRemoteNative(const archive::ArchiveReader& archive,
                                           const archive::EntryView& entry, const DiskCache* cache,
                                           const DiskCache* readOnly) {
    auto native = archive::remoteNative(archive, entry);
    if (!native) return native.error();
    for (const DiskCache* c : {cache, readOnly})
        if (auto hit = c ? c->map(cacheKey(*native), "fetched") : std::nullopt;
            hit && hit->data.size() == native->size)
            return FetchedNative{Bytes(hit->data.begin(), hit->data.end()), true};
    const char* mirror = std::getenv("AOTPACK_NATIVES_URL");
    auto base = mirror && *mirror ? std::optional<std::string_view>(mirror)
                                  : archive.archiveMeta(archive::kNativesUrl);
    if (!base || base->empty())
        return makeError(Errc::NotFound, "the archive names no natives server");
    std::string url = archive::remoteNativeUrl(std::string(*base), *native);
    // A mirror's URL may carry a token: messages then name the file only.
    std::string shown = archive::urlHasCredentials(url) ? "cas/" + native->sha256 : url;
    std::string server(*base);
    if (silentServers().contains(server))
        return makeError(Errc::NotFound, shown + ": the server did not answer earlier");
    bool silent = false;
    auto bytes = downloadNative(url, native->size, silent);
    if (silent) silentServers().add(server);
    if (!bytes) return makeError(bytes.error().code, shown + ": " + bytes.error().message);
    if (bytes->size() != native->size || sha256Hex(*bytes) != native->sha256)
        return makeError(Errc::BadInput, shown + ": the bytes are not the ones the archive pins (" +
                                             std::to_string(bytes->size()) + " bytes, SHA-256 " +
                                             sha256Hex(*bytes).substr(0, 12) + "...)");
    if (cache) (void)cache->put(cacheKey(*native), *bytes, "fetched"); // verified bytes only
    return FetchedNative{std::move(*bytes), false};
}

} // namespace aotpack::runtime
