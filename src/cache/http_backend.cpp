// The remote cache over HTTP(S) with libcurl (net/curl_library.h): a batch of GETs or HEADs runs as
// parallel transfers on one multi handle (which keeps connections open from batch to batch);
// uploads run one at a time on their own handle on the upload thread. 429 and 503 are retried with
// backoff; anything else that is not 200 or 404 is a failed request, which the remote store counts.
#include "cache/remote_backend.h"
#include "net/curl_library.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace aotpack::cache {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kParallelTransfers = 16;
constexpr curl_off_t kMaxBody = curl_off_t(2)
                                << 30; // a zebin is far smaller; a bogus server is not

std::size_t appendBody(char* data, std::size_t size, std::size_t n, void* out) {
    auto* body = static_cast<Bytes*>(out);
    body->insert(body->end(), data, data + size * n);
    return size * n;
}

struct Upload {
    ByteView body;
    std::size_t offset = 0;
};

std::size_t readUpload(char* buffer, std::size_t size, std::size_t n, void* in) {
    auto* up = static_cast<Upload*>(in);
    std::size_t count = std::min(size * n, up->body.size() - up->offset);
    std::memcpy(buffer, up->body.data() + up->offset, count);
    up->offset += count;
    return count;
}

bool retryable(long status) {
    return status == 429 || status == 503;
}

// One request of a batch: its handle, its body, how often it was tried and when it may run again.
struct Transfer {
    std::size_t index = 0;
    CURL* easy = nullptr;
    Bytes body;
    unsigned attempts = 0;
    Clock::time_point notBefore{};
};

class HttpBackend final : public RemoteBackend {
  public:
    HttpBackend(const net::CurlLibrary& curl, RemoteConfig config)
        : curl_(curl), config_(std::move(config)) {
        base_ = config_.url.ends_with('/') ? config_.url : config_.url + "/";
        if (!config_.bearerToken.empty())
            headers_ = curl_.slist_append(headers_,
                                          ("Authorization: Bearer " + config_.bearerToken).c_str());
        headers_ = curl_.slist_append(headers_, "Expect:"); // no 1 s wait for "100 Continue"
        multi_ = curl_.multi_init();
        curl_.multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, long(kParallelTransfers));
        uploader_ = curl_.easy_init();
    }
    ~HttpBackend() override {
        curl_.easy_cleanup(uploader_);
        curl_.multi_cleanup(multi_);
        curl_.slist_free_all(headers_);
    }

    std::vector<Response> get(const std::vector<std::string>& paths) override {
        return run(paths, false);
    }
    std::vector<Response> head(const std::vector<std::string>& paths) override {
        return run(paths, true);
    }
    Response put(const std::string& path, ByteView body) override;
    std::uint64_t bytesDown() const override { return down_; }
    std::uint64_t bytesUp() const override { return up_; }

  private:
    void configure(CURL* easy, const std::string& path) const;
    std::vector<Response> run(const std::vector<std::string>& paths, bool headOnly);
    // Done with `t`: its response, or nothing if it is to be tried again.
    std::optional<Response> finish(Transfer& t, CURLcode code, const std::string& what);
    Response failure(const std::string& what, CURLcode code, long status) const;

    const net::CurlLibrary& curl_;
    RemoteConfig config_;
    std::string base_;
    curl_slist* headers_ = nullptr;
    CURLM* multi_ = nullptr;
    CURL* uploader_ = nullptr;
    std::atomic<std::uint64_t> down_{0}, up_{0};
};

void HttpBackend::configure(CURL* easy, const std::string& path) const {
    curl_.easy_setopt(easy, CURLOPT_URL, (base_ + path).c_str());
    curl_.easy_setopt(easy, CURLOPT_HTTPHEADER, headers_);
    curl_.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_.easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(config_.connectTimeoutSeconds * 1000));
    curl_.easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(config_.requestTimeoutSeconds * 1000));
    curl_.easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, kMaxBody);
    curl_.easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_.easy_setopt(easy, CURLOPT_NETRC, long(CURL_NETRC_OPTIONAL));
    if (!config_.netrc.empty()) curl_.easy_setopt(easy, CURLOPT_NETRC_FILE, config_.netrc.c_str());
    if (!config_.caFile.empty()) curl_.easy_setopt(easy, CURLOPT_CAINFO, config_.caFile.c_str());
}

Response HttpBackend::failure(const std::string& what, CURLcode code, long status) const {
    Response r;
    r.outcome =
        code == CURLE_OPERATION_TIMEDOUT ? Response::Outcome::TimedOut : Response::Outcome::Failed;
    std::string why =
        code != CURLE_OK ? curl_.easy_strerror(code) : "HTTP status " + std::to_string(status);
    r.message = redact(config_, what + " " + base_ + ": " + why);
    return r;
}

std::optional<Response> HttpBackend::finish(Transfer& t, CURLcode code, const std::string& what) {
    long status = 0;
    curl_.easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t received = 0;
    curl_.easy_getinfo(t.easy, CURLINFO_SIZE_DOWNLOAD_T, &received);
    down_ += static_cast<std::uint64_t>(received);
    if (code == CURLE_OK && retryable(status) && t.attempts <= config_.retries) {
        t.body.clear();
        t.notBefore = Clock::now() + std::chrono::milliseconds(100 << (2 * (t.attempts - 1)));
        return std::nullopt;
    }
    if (code == CURLE_OK && status == 200)
        return Response{Response::Outcome::Found, std::move(t.body), {}};
    if (code == CURLE_OK && status == 404) return Response{Response::Outcome::Missing, {}, {}};
    return failure(what, code, status);
}

std::vector<Response> HttpBackend::run(const std::vector<std::string>& paths, bool headOnly) {
    std::vector<Response> responses(paths.size());
    std::vector<Transfer> transfers(paths.size());
    std::deque<Transfer*> waiting;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        transfers[i].index = i;
        waiting.push_back(&transfers[i]);
    }
    std::size_t running = 0;
    while (!waiting.empty() || running) {
        auto now = Clock::now();
        for (std::size_t n = waiting.size(); n-- && running < kParallelTransfers;) {
            Transfer* t = waiting.front();
            waiting.pop_front();
            if (t->notBefore > now) {
                waiting.push_back(t);
                continue;
            }
            if (!t->easy) t->easy = curl_.easy_init();
            configure(t->easy, paths[t->index]);
            curl_.easy_setopt(t->easy, CURLOPT_NOBODY, headOnly ? 1L : 0L);
            curl_.easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, appendBody);
            curl_.easy_setopt(t->easy, CURLOPT_WRITEDATA, &t->body);
            curl_.easy_setopt(t->easy, CURLOPT_PRIVATE, t);
            ++t->attempts;
            curl_.multi_add_handle(multi_, t->easy);
            ++running;
        }
        int active = 0;
        curl_.multi_perform(multi_, &active);
        while (CURLMsg* msg = curl_.multi_info_read(multi_, &active)) {
            if (msg->msg != CURLMSG_DONE) continue;
            Transfer* t = nullptr;
            curl_.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
            curl_.multi_remove_handle(multi_, t->easy);
            --running;
            if (auto r = finish(*t, msg->data.result,
                                (headOnly ? "HEAD " : "GET ") + paths[t->index] + " from"))
                responses[t->index] = std::move(*r);
            else
                waiting.push_back(t);
        }
        if (running)
            curl_.multi_poll(multi_, nullptr, 0, 50, nullptr);
        else if (!waiting.empty())
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (auto& t : transfers)
        curl_.easy_cleanup(t.easy);
    return responses;
}

Response HttpBackend::put(const std::string& path, ByteView body) {
    for (unsigned attempt = 0;; ++attempt) {
        curl_.easy_reset(uploader_);
        configure(uploader_, path);
        Upload upload{body};
        Bytes reply;
        curl_.easy_setopt(uploader_, CURLOPT_UPLOAD, 1L);
        curl_.easy_setopt(uploader_, CURLOPT_READFUNCTION, readUpload);
        curl_.easy_setopt(uploader_, CURLOPT_READDATA, &upload);
        curl_.easy_setopt(uploader_, CURLOPT_INFILESIZE_LARGE, curl_off_t(body.size()));
        curl_.easy_setopt(uploader_, CURLOPT_WRITEFUNCTION, appendBody);
        curl_.easy_setopt(uploader_, CURLOPT_WRITEDATA, &reply);
        CURLcode code = curl_.easy_perform(uploader_);
        long status = 0;
        curl_.easy_getinfo(uploader_, CURLINFO_RESPONSE_CODE, &status);
        curl_off_t sent = 0;
        curl_.easy_getinfo(uploader_, CURLINFO_SIZE_UPLOAD_T, &sent);
        up_ += static_cast<std::uint64_t>(sent);
        if (code == CURLE_OK && status >= 200 && status < 300)
            return {Response::Outcome::Found, {}, {}};
        if (code != CURLE_OK || !retryable(status) || attempt >= config_.retries)
            return failure("PUT " + path + " to", code, status);
        std::this_thread::sleep_for(std::chrono::milliseconds(100 << (2 * attempt)));
    }
}

} // namespace

Expected<std::unique_ptr<RemoteBackend>> openHttpBackend(const RemoteConfig& config) {
    const net::CurlLibrary* curl = net::curl();
    if (!curl) return makeError(Errc::Unsupported, config.redactedUrl() + ": " + net::kNoCurl);
    return std::unique_ptr<RemoteBackend>(std::make_unique<HttpBackend>(*curl, config));
}

Expected<std::unique_ptr<RemoteBackend>> openBackend(const RemoteConfig& config) {
    if (config.url.starts_with("file://")) return openFileBackend(config);
    return openHttpBackend(config);
}

} // namespace aotpack::cache
