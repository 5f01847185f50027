// The remote cache's decisions without a server: the ActionResult codec, configuration and
// redaction, integrity checks over a real file:// store, marking a failing remote down and
// bounding uploads (a fake backend injects the faults).
#include "cache/action_result.h"
#include "cache/remote_store.h"
#include "cache/tiered_cache.h"
#include "common/subprocess.h"
#include "crypto/sha256.h"
#include "test_data.h"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <gtest/gtest.h>
#include <mutex>
#include <thread>

using namespace aotpack;
using namespace aotpack::cache;
namespace fs = std::filesystem;

namespace {

// Sets environment variables for one test and restores them after.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        value ? ::setenv(name, value, 1) : ::unsetenv(name);
    }
    ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

  private:
    const char* name_;
    std::optional<std::string> old_;
};

// A backend whose every request fails, counting what it was asked. With `holdPuts` an upload
// blocks until release(): the test knows an upload is in flight by counting, not by timing.
class FailingBackend final : public RemoteBackend {
  public:
    explicit FailingBackend(bool holdPuts = false) : hold_(holdPuts) {}
    std::vector<Response> get(const std::vector<std::string>& paths) override {
        requests += paths.size();
        return std::vector<Response>(paths.size(), failed());
    }
    std::vector<Response> head(const std::vector<std::string>& paths) override {
        return get(paths);
    }
    Response put(const std::string&, ByteView) override {
        std::unique_lock<std::mutex> lock(mutex_);
        ++requests;
        changed_.notify_all();
        changed_.wait(lock, [&] { return !hold_ || released_; });
        return failed();
    }
    void waitForPuts(std::size_t n) {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return requests.load() >= n; });
    }
    void release() {
        std::lock_guard<std::mutex> lock(mutex_);
        released_ = true;
        changed_.notify_all();
    }
    std::uint64_t bytesDown() const override { return 0; }
    std::uint64_t bytesUp() const override { return 0; }
    std::atomic<std::size_t> requests{0};

  private:
    static Response failed() { return {Response::Outcome::Failed, {}, "connection refused"}; }
    bool hold_;
    bool released_ = false;
    std::mutex mutex_;
    std::condition_variable changed_;
};

RemoteConfig fileConfig(const fs::path& dir, RemoteMode mode = RemoteMode::ReadWrite) {
    RemoteConfig c;
    c.url = "file://" + dir.string();
    c.mode = mode;
    return c;
}

std::unique_ptr<RemoteStore> fileStore(const fs::path& dir, std::vector<std::string>* warnings,
                                       RemoteMode mode = RemoteMode::ReadWrite) {
    auto store = openRemoteStore(fileConfig(dir, mode),
                                 [warnings](const std::string& w) { warnings->push_back(w); });
    EXPECT_TRUE(store);
    return std::move(*store);
}

const std::string kNames[] = {"zebin", "meta"};

} // namespace

TEST(ActionResult, EncodesBazelsWireFormat) {
    std::string hash(64, 'a');
    Bytes encoded = encodeActionResult({{"z", {hash, 5}}});
    // ActionResult.output_files (2, LEN) { path (1) "z", digest (2) { hash (1), size_bytes (2) 5 }
    // }
    std::string digest = std::string("\x0a\x40") + hash + "\x10\x05";
    std::string file = std::string("\x0a\x01z\x12") + char(digest.size()) + digest;
    Bytes expected = bytes(std::string("\x12") + char(file.size()) + file);
    EXPECT_EQ(encoded, expected);
}

TEST(ActionResult, RoundTripsAndSkipsUnknownFields) {
    std::vector<OutputRecord> outputs = {{"zebin", {sha256Hex(bytes("x")), 1}},
                                         {"meta", {sha256Hex(ByteView()), 0}}};
    Bytes encoded = encodeActionResult(outputs);
    EXPECT_EQ(decodeActionResult(encoded), outputs);
    Bytes withExtras = {0x48, 0x01, 0x21, 1, 2, 3,
                        4,    5,    6,    7, 8}; // field 9 varint, field 4 fixed64
    withExtras.insert(withExtras.end(), encoded.begin(), encoded.end());
    EXPECT_EQ(decodeActionResult(withExtras), outputs);
}

TEST(ActionResult, RejectsWhatIsNotARecord) {
    Bytes good = encodeActionResult({{"zebin", {sha256Hex(bytes("x")), 1}}});
    for (std::size_t n = 1; n < good.size(); ++n) // every truncation
        EXPECT_FALSE(decodeActionResult(ByteView(good).first(n))) << n;
    EXPECT_FALSE(decodeActionResult(bytes("\xff\xff\xff not a record")));
    EXPECT_FALSE(decodeActionResult(ByteView()));                                  // no outputs
    EXPECT_FALSE(decodeActionResult(encodeActionResult({{"zebin", {"abc", 1}}}))); // not SHA-256
    Bytes failed = good;
    failed.insert(failed.end(), {0x20, 0x01}); // exit_code 1
    EXPECT_FALSE(decodeActionResult(failed));
}

TEST(RemoteConfig, FlagsWinOverTheEnvironmentAndBadValuesAreUsageErrors) {
    ScopedEnv url("AOTPACK_REMOTE_CACHE", "http://env-host/c");
    ScopedEnv mode("AOTPACK_REMOTE_CACHE_MODE", "read-only");
    ScopedEnv timeout("AOTPACK_REMOTE_CACHE_TIMEOUT", "3");
    auto fromEnv = remoteConfig({});
    ASSERT_TRUE(fromEnv);
    EXPECT_EQ(fromEnv->url, "http://env-host/c");
    EXPECT_EQ(fromEnv->mode, RemoteMode::ReadOnly);
    EXPECT_EQ(fromEnv->requestTimeoutSeconds, 3);
    auto fromFlags = remoteConfig({"https://flag-host/c", "read-write", 7, ""});
    ASSERT_TRUE(fromFlags);
    EXPECT_EQ(fromFlags->url, "https://flag-host/c");
    EXPECT_EQ(fromFlags->mode, RemoteMode::ReadWrite);
    EXPECT_EQ(fromFlags->requestTimeoutSeconds, 7);
    for (RemoteFlags bad :
         {RemoteFlags{"ftp://x", "", 0, ""}, RemoteFlags{"http://x", "sometimes", 0, ""},
          RemoteFlags{"http://x", "", -1, ""}, RemoteFlags{"http://x", "", 0, "sha1"}}) {
        auto c = remoteConfig(bad);
        ASSERT_FALSE(c) << bad.url;
        EXPECT_EQ(c.error().code, Errc::Usage);
    }
}

TEST(RemoteConfig, CredentialsAreRedacted) {
    ScopedEnv token("AOTPACK_REMOTE_CACHE_TOKEN", "tok-123456");
    auto c = remoteConfig({"https://alice:pa55word@cache.example/x", "", 0, ""});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->bearerToken, "tok-123456");
    EXPECT_EQ(c->redactedUrl(), "https://***@cache.example/x");
    EXPECT_EQ(redact(*c, "sent tok-123456 to alice:pa55word@"), "sent *** to ***@");
}

TEST(RemoteConfig, TokenFile) {
    TempDir dir;
    ASSERT_TRUE(writeFileAtomic(dir.path() / "t", std::string("from-file\n")));
    ScopedEnv none("AOTPACK_REMOTE_CACHE_TOKEN", nullptr);
    ScopedEnv file("AOTPACK_REMOTE_CACHE_TOKEN_FILE", (dir.path() / "t").c_str());
    auto c = remoteConfig({"http://x", "", 0, ""});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->bearerToken, "from-file");
    ScopedEnv missing("AOTPACK_REMOTE_CACHE_TOKEN_FILE", (dir.path() / "nope").c_str());
    EXPECT_FALSE(remoteConfig({"http://x", "", 0, ""}));
}

TEST(RemoteStore, PutThenGetThroughAFileStore) {
    TempDir dir;
    std::vector<std::string> warnings;
    auto store = fileStore(dir.path(), &warnings);
    store->put(key("a"), {{"zebin", bytes("binary")}, {"meta", {}}});
    auto found = store->get(std::vector{key("a"), key("b")}, kNames);
    ASSERT_TRUE(found[0]);
    EXPECT_EQ((*found[0])["zebin"], bytes("binary"));
    EXPECT_TRUE((*found[0])["meta"].empty());
    EXPECT_FALSE(found[1]);
    EXPECT_EQ(store->contains(std::vector{key("a"), key("b")}), (std::vector<bool>{true, false}));
    auto s = store->stats();
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(s.misses, 1u);
    EXPECT_EQ(s.uploads, 1u);
    EXPECT_TRUE(fs::exists(dir.path() / "cas" / sha256Hex(bytes("binary"))));
    EXPECT_TRUE(warnings.empty());
}

TEST(RemoteStore, AWrongBlobOrABadRecordIsAMissNeverUsed) {
    TempDir dir;
    std::vector<std::string> warnings;
    auto store = fileStore(dir.path(), &warnings);
    store->put(key("a"), {{"zebin", bytes("binary")}, {"meta", {}}});
    store->put(key("b"), {{"zebin", bytes("other")}, {"meta", {}}});
    ASSERT_TRUE(writeFileAtomic(dir.path() / "cas" / sha256Hex(bytes("binary")),
                                std::string("BINARY"))); // same size, other bytes
    ASSERT_TRUE(writeFileAtomic(dir.path() / actionPath(key("b")), std::string("garbage")));
    auto found = store->get(std::vector{key("a"), key("b")}, kNames);
    EXPECT_FALSE(found[0]);
    EXPECT_FALSE(found[1]);
    EXPECT_EQ(store->stats().corrupt, 2u);
    ASSERT_EQ(warnings.size(), 1u); // one warning, then counted
    EXPECT_NE(warnings[0].find("rejected"), std::string::npos);
}

TEST(RemoteStore, ARecordWithoutAWantedOutputIsAMiss) {
    TempDir dir;
    std::vector<std::string> warnings;
    auto store = fileStore(dir.path(), &warnings);
    store->put(key("a"), {{"zebin", bytes("binary")}});
    EXPECT_FALSE(store->get(std::vector{key("a")}, kNames)[0]);
}

TEST(RemoteStore, ReadOnlyNeverWrites) {
    TempDir dir;
    std::vector<std::string> warnings;
    auto store = fileStore(dir.path() / "ro", &warnings, RemoteMode::ReadOnly);
    store->put(key("a"), {{"zebin", bytes("binary")}});
    EXPECT_FALSE(fs::exists(dir.path() / "ro"));
}

TEST(RemoteStore, AFailingRemoteIsMarkedDownWithOneWarning) {
    auto backend = std::make_unique<FailingBackend>();
    FailingBackend* fake = backend.get();
    std::vector<std::string> warnings;
    RemoteConfig config;
    config.url = "http://user:secret@cache.example/";
    RemoteStore store(config, std::move(backend),
                      [&warnings](const std::string& w) { warnings.push_back(w); });
    std::vector<Hash128> keys = {key("a"), key("b"), key("c"), key("d")};
    EXPECT_FALSE(store.get(keys, kNames)[0]);
    EXPECT_TRUE(store.down());
    std::size_t asked = fake->requests;
    EXPECT_FALSE(store.get(keys, kNames)[0]);
    store.put(key("a"), {{"zebin", bytes("x")}});
    EXPECT_EQ(fake->requests, asked) << "a remote that is down is not asked again";
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].find("secret"), std::string::npos);
    EXPECT_EQ(store.stats().errors, 4u);
}

TEST(TieredStore, RemoteHitsFillTheLocalCache) {
    TempDir dir;
    std::vector<std::string> warnings;
    fileStore(dir.path() / "remote", &warnings)
        ->put(key("a"), {{"zebin", bytes("z")}, {"meta", {}}});
    auto local = DiskCache::open(dir.path() / "local");
    ASSERT_TRUE(local);
    TieredStore tiers(std::make_unique<DiskStore>(*local, "zebin"),
                      fileStore(dir.path() / "remote", &warnings));
    EXPECT_TRUE(tiers.get(std::vector{key("a")}, kNames)[0]);
    EXPECT_EQ(local->get(key("a")), bytes("z"));
    EXPECT_EQ(tiers.remote()->stats().hits, 1u);
}

TEST(TieredStore, UploadsThatCannotFinishAreAbandonedInTime) {
    auto backend = std::make_unique<FailingBackend>(/*holdPuts=*/true);
    FailingBackend* requests = backend.get();
    RemoteConfig config;
    config.url = "http://cache.example/";
    TieredStore tiers(nullptr, std::make_unique<RemoteStore>(config, std::move(backend),
                                                             [](const std::string&) {}));
    for (int i = 0; i < 2; ++i) // fewer than it takes to mark the remote down
        tiers.put(key(std::to_string(i)), {{"zebin", bytes("x")}});
    requests->waitForPuts(1); // the first upload is in flight, and stays there until released
    // finishUploads waits for the upload in flight after giving up on the queue: release it
    // once the queued upload is counted as abandoned (an event, whatever the machine's speed).
    std::thread releaser([&] {
        while (tiers.remote()->stats().uploadsAbandoned == 0)
            std::this_thread::yield();
        requests->release();
    });
    auto stats = tiers.finishUploads(0.05);
    releaser.join();
    EXPECT_EQ(stats.uploadsAbandoned, 1u); // one was in flight, one still queued
    EXPECT_EQ(stats.uploadErrors, 1u);
    // Counted, not timed: the queued upload was never sent (only the one in flight was).
    EXPECT_EQ(requests->requests.load(), 1u);
}

namespace aotpack::cache {
namespace {

// docs/TRUST.md: records carry an HMAC under the shared key; a verifying reader uses only records
// whose HMAC verifies, whatever their digests say, and never uploads without the key.
TEST(RemoteStoreHmac, OnlyRecordsWithAValidHmacAreUsed) {
    TempDir dir;
    std::vector<std::string> warnings;
    auto withKey = [&](const std::string& key, bool verify) {
        RemoteConfig c = fileConfig(dir.path(), RemoteMode::ReadWrite);
        c.hmacKey = key;
        c.verifyHmac = verify;
        auto store = openRemoteStore(c, [&](const std::string& w) { warnings.push_back(w); });
        EXPECT_TRUE(store);
        return std::move(*store);
    };
    fileStore(dir.path(), &warnings)->put(key("plain"), {{"zebin", bytes("x")}, {"meta", {}}});
    withKey("k1", false)->put(key("signed"), {{"zebin", bytes("y")}, {"meta", {}}});
    withKey("k2", false)->put(key("other-key"), {{"zebin", bytes("z")}, {"meta", {}}});
    // A record moved to another job's path keeps its HMAC, which names the old path.
    withKey("k1", false)->put(key("moved-from"), {{"zebin", bytes("w")}, {"meta", {}}});
    fs::copy_file(dir.path() / actionPath(key("moved-from")),
                  dir.path() / actionPath(key("moved")));
    auto reader = withKey("k1", true);
    auto found = reader->get(
        std::vector{key("plain"), key("signed"), key("other-key"), key("moved")}, kNames);
    EXPECT_FALSE(found[0]); // no HMAC
    ASSERT_TRUE(found[1]);
    EXPECT_EQ((*found[1])["zebin"], bytes("y"));
    EXPECT_FALSE(found[2]); // another key's HMAC
    EXPECT_FALSE(found[3]); // right digest, wrong place
    EXPECT_EQ(reader->stats().unverified, 3u);
    EXPECT_EQ(reader->stats().misses, 3u);
    ASSERT_EQ(warnings.size(), 1u) << warnings.back();
    EXPECT_EQ(warnings[0].find("k1"), std::string::npos); // the key is never printed
    // Without verification the plain record is used (the default: trust the server).
    EXPECT_TRUE(fileStore(dir.path(), &warnings)->get(std::vector{key("plain")}, kNames)[0]);
    // A verifying store without the key uploads nothing.
    withKey("", true)->put(key("keyless"), {{"zebin", bytes("v")}, {"meta", {}}});
    EXPECT_FALSE(fs::exists(dir.path() / actionPath(key("keyless"))));
}

TEST(RemoteStoreHmac, VerificationNeedsTheKeyAndTheKeyIsRedacted) {
    ScopedEnv key("AOTPACK_REMOTE_CACHE_HMAC_KEY", nullptr);
    auto noKey = remoteConfig({"http://x", "", 0, "hmac"});
    ASSERT_FALSE(noKey);
    EXPECT_EQ(noKey.error().code, Errc::Usage);
    ScopedEnv secret("AOTPACK_REMOTE_CACHE_HMAC_KEY", "hmac-s3cret");
    auto c = remoteConfig({"http://x", "", 0, "hmac"});
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->verifyHmac);
    EXPECT_EQ(redact(*c, "key hmac-s3cret"), "key ***");
}

} // namespace
} // namespace aotpack::cache
