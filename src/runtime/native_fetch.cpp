#include "runtime/native_fetch.h"

#include "common/hash.h"
#include "common/sha256.h"
#include "common/text.h"

#include <algorithm>
#include <curl/curl.h> // constants and types only: the library is dlopen'ed
#include <dlfcn.h>
#include <mutex>
#include <set>
#include <zstd.h>

namespace aotpack::runtime {

namespace {

// The few libcurl entry points a fetch needs, resolved once.
struct CurlApi {
    CURL* (*init)() = nullptr;
    CURLcode (*setopt)(CURL*, CURLoption, ...) = nullptr;
    CURLcode (*perform)(CURL*) = nullptr;
    CURLcode (*getinfo)(CURL*, CURLINFO, ...) = nullptr;
    void (*cleanup)(CURL*) = nullptr;
    const char* (*strerror)(CURLcode) = nullptr;
};

const CurlApi* curlApi() {
    static CurlApi api;
    static bool loaded = false;
    static std::once_flag once;
    std::call_once(once, [] {
        void* lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
        if (!lib) return;
        auto sym = [lib](const char* name) { return ::dlsym(lib, name); };
        api.init = reinterpret_cast<decltype(api.init)>(sym("curl_easy_init"));
        api.setopt = reinterpret_cast<decltype(api.setopt)>(sym("curl_easy_setopt"));
        api.perform = reinterpret_cast<decltype(api.perform)>(sym("curl_easy_perform"));
        api.getinfo = reinterpret_cast<decltype(api.getinfo)>(sym("curl_easy_getinfo"));
        api.cleanup = reinterpret_cast<decltype(api.cleanup)>(sym("curl_easy_cleanup"));
        api.strerror = reinterpret_cast<decltype(api.strerror)>(sym("curl_easy_strerror"));
        loaded =
            api.init && api.setopt && api.perform && api.getinfo && api.cleanup && api.strerror;
    });
    return loaded ? &api : nullptr;
}

struct Download {
    Bytes bytes;
    std::uint64_t limit = 0; // more than the pinned size is refused as it arrives
};

std::size_t onData(char* data, std::size_t size, std::size_t count, void* user) {
    auto* d = static_cast<Download*>(user);
    std::size_t n = size * count;
    if (d->bytes.size() + n > d->limit) return 0; // aborts the transfer (CURLE_WRITE_ERROR)
    d->bytes.insert(d->bytes.end(), data, data + n);
    return n;
}

// `status`: the HTTP status, 0 when there was none.
Expected<Bytes> download(const std::string& url, std::uint64_t size, long& status) {
    const CurlApi* curl = curlApi();
    if (!curl) return makeError(Errc::Unsupported, "libcurl.so.4 is not installed");
    CURL* h = curl->init();
    if (!h) return makeError(Errc::Internal, "libcurl cannot start a transfer");
    Download d;
    d.limit = size;
    long timeout = fetchTimeoutMs();
    curl->setopt(h, CURLOPT_URL, url.c_str());
    curl->setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl->setopt(h, CURLOPT_FAILONERROR, 1L);
    curl->setopt(h, CURLOPT_NOSIGNAL, 1L); // safe in a program's threads
    curl->setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl->setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout, 1000L)); // unreachable: <= 1 s
    curl->setopt(h, CURLOPT_WRITEFUNCTION, onData);
    curl->setopt(h, CURLOPT_WRITEDATA, &d);
    CURLcode rc = curl->perform(h);
    status = 0;
    curl->getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl->cleanup(h);
    if (rc == CURLE_FILE_COULDNT_READ_FILE) status = 404; // file:// has no status of its own
    if (rc == CURLE_WRITE_ERROR) return makeError(Errc::BadInput, "the server sent too many bytes");
    if (rc == CURLE_HTTP_RETURNED_ERROR)
        return makeError(Errc::NotFound, "the server answered HTTP " + std::to_string(status));
    if (rc != CURLE_OK) return makeError(Errc::NotFound, curl->strerror(rc));
    return std::move(d.bytes);
}

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
    auto packed = download(url + ".zst", ZSTD_compressBound(size), status);
    if (!packed && status == 404) {
        auto raw = download(url, size, status);
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

long fetchTimeoutMs() {
    const char* env = std::getenv("AOTPACK_FETCH_TIMEOUT_MS");
    auto v = env ? parseUnsigned(env) : std::nullopt;
    return v && *v > 0 && *v < 3600000 ? static_cast<long>(*v) : 2000;
}

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
