#include "net/http.h"

#include "common/text.h"
#include "net/curl_library.h"

#include <algorithm>
#include <mutex>
#include <set>

namespace aotpack::net {

namespace {

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

// "http://host:port" of a URL: what "a server" is for the memory below.
std::string originOf(const std::string& url) {
    auto scheme = url.find("://");
    return scheme == std::string::npos ? url : url.substr(0, url.find('/', scheme + 3));
}

// Servers that did not answer at all (no connection, the time limit) in this process: later
// requests to them fail at once, so a program with many modules waits for one time limit, not
// one per module. A server that answers (404, wrong bytes) is asked again.
class SilentServers {
  public:
    bool contains(const std::string& origin) {
        std::lock_guard<std::mutex> lock(mutex_);
        return silent_.count(origin) != 0;
    }
    void add(const std::string& origin) {
        std::lock_guard<std::mutex> lock(mutex_);
        silent_.insert(origin);
    }

  private:
    std::mutex mutex_;
    std::set<std::string> silent_;
};

SilentServers& silentServers() {
    static SilentServers servers;
    return servers;
}

} // namespace

Expected<Bytes> httpGet(const std::string& url, std::uint64_t size, long& status,
                        const std::string& token, long timeoutMs) {
    status = 0;
    std::string origin = originOf(url);
    if (silentServers().contains(origin))
        return makeError(Errc::NotFound, "the server did not answer earlier");
    const CurlLibrary* curl = net::curl();
    if (!curl) return makeError(Errc::Unsupported, kNoCurl);
    CURL* h = curl->easy_init();
    if (!h) return makeError(Errc::Internal, "libcurl cannot start a transfer");
    Download d;
    d.limit = size;
    long timeout = timeoutMs ? timeoutMs : fetchTimeoutMs();
    curl->easy_setopt(h, CURLOPT_URL, url.c_str());
    curl->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl->easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L); // safe in a program's threads
    curl->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                      std::min(timeout, 1000L)); // unreachable: <= 1 s
    curl->easy_setopt(h, CURLOPT_WRITEFUNCTION, onData);
    curl->easy_setopt(h, CURLOPT_WRITEDATA, &d);
    std::string auth = "Authorization: Bearer " + token;
    curl_slist header{auth.data(), nullptr};
    if (!token.empty()) curl->easy_setopt(h, CURLOPT_HTTPHEADER, &header);
    CURLcode rc = curl->easy_perform(h);
    status = 0;
    curl->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl->easy_cleanup(h);
    if (rc == CURLE_FILE_COULDNT_READ_FILE) status = 404; // file:// has no status of its own
    bool answered = rc == CURLE_OK || status != 0 || rc == CURLE_WRITE_ERROR;
    if (!answered && !url.starts_with("file:")) silentServers().add(origin);
    if (rc == CURLE_WRITE_ERROR) return makeError(Errc::BadInput, "the server sent too many bytes");
    if (rc == CURLE_HTTP_RETURNED_ERROR)
        return makeError(Errc::NotFound, "the server answered HTTP " + std::to_string(status));
    if (rc != CURLE_OK) return makeError(Errc::NotFound, curl->easy_strerror(rc));
    return std::move(d.bytes);
}

namespace {

std::size_t onRead(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* rest = static_cast<ByteView*>(user);
    std::size_t n = std::min(size * count, rest->size());
    std::copy_n(rest->data(), n, buffer);
    *rest = rest->subspan(n);
    return n;
}

} // namespace

Status httpPut(const std::string& url, ByteView data, const std::string& token, long timeoutMs) {
    long timeout = timeoutMs ? timeoutMs : fetchTimeoutMs();
    const CurlLibrary* curl = net::curl();
    if (!curl) return makeError(Errc::Unsupported, kNoCurl);
    CURL* h = curl->easy_init();
    if (!h) return makeError(Errc::Internal, "libcurl cannot start a transfer");
    ByteView rest = data;
    std::string auth = "Authorization: Bearer " + token;
    curl_slist header{auth.data(), nullptr};
    curl->easy_setopt(h, CURLOPT_URL, url.c_str());
    curl->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl->easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl->easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
    curl->easy_setopt(h, CURLOPT_READFUNCTION, onRead);
    curl->easy_setopt(h, CURLOPT_READDATA, &rest);
    if (!token.empty()) curl->easy_setopt(h, CURLOPT_HTTPHEADER, &header);
    curl->easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout, 1000L));
    CURLcode rc = curl->easy_perform(h);
    long status = 0;
    curl->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl->easy_cleanup(h);
    if (rc == CURLE_HTTP_RETURNED_ERROR)
        return makeError(Errc::Output, "the server answered HTTP " + std::to_string(status));
    if (rc != CURLE_OK) return makeError(Errc::Output, curl->easy_strerror(rc));
    return success();
}

long fetchTimeoutMs() {
    const char* env = std::getenv("AOTPACK_FETCH_TIMEOUT_MS");
    auto v = env ? parseUnsigned(env) : std::nullopt;
    return v && *v > 0 && *v < 3600000 ? static_cast<long>(*v) : 2000;
}

} // namespace aotpack::net
