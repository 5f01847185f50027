// runtime/native_fetch: a slim archive's native comes from the server (here a file:// directory
// laid out as `aotpack publish` writes it), is checked against the pinned SHA-256 before it is
// cached, and later loads read it from the cache. Real test binaries (tests/data), the real
// libcurl.
#include "common/file_io.h"
#include "common/subprocess.h"
#include "crypto/sha256.h"
#include "delivery/slim.h"
#include "runtime/native_fetch.h"
#include "test_data.h"

#include <cstdlib>
#include <gtest/gtest.h>
#include <zstd.h>

using namespace aotpack;

namespace {

struct SlimFixture {
    TempDir dir;
    Bytes pvcNative = testData("vector_ops.12.60.7.bin");
    Bytes file;
    std::optional<archive::ArchiveReader> slim;

    // The archive slimmed with its natives on `url` (default: dir/srv).
    explicit SlimFixture(std::string url = "") {
        archive::ArchiveWriter w;
        EXPECT_TRUE(w.addSpirv("vector_ops", testData("vector_ops.spv"), {}));
        EXPECT_TRUE(w.addNative("vector_ops", kPvc, pvcNative, {}));
        Bytes fat = *w.finish();
        auto in = archive::ArchiveReader::openMemory(fat, "app.aotpack");
        auto slimmed = delivery::slimArchive(*in, url.empty() ? serverUrl() : url);
        EXPECT_TRUE(slimmed);
        file = *slimmed->finish();
        slim = *archive::ArchiveReader::openMemory(file, "app.slim.aotpack");
    }
    std::string serverUrl() const { return "file://" + (dir.path() / "srv").string(); }
    std::filesystem::path onServer(const std::string& suffix = "") const {
        return dir.path() / "srv" / "cas" / (sha256Hex(pvcNative) + suffix);
    }
    void publish(ByteView bytes, const std::string& suffix = "") const {
        std::error_code ec;
        std::filesystem::create_directories(onServer().parent_path(), ec);
        ASSERT_TRUE(writeFileAtomic(onServer(suffix), bytes));
    }
    archive::EntryView entry() const {
        return *slim->find("vector_ops", archive::EntryKind::RemoteNative, kPvc);
    }
};

TEST(NativeFetch, FetchesVerifiesThenServesFromTheCache) {
    SlimFixture f;
    f.publish(f.pvcNative);
    auto cache = DiskCache::open(f.dir.path() / "cache");
    ASSERT_TRUE(cache);
    auto first = runtime::obtainRemoteNative(*f.slim, f.entry(), &*cache);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->bytes, f.pvcNative);
    EXPECT_FALSE(first->fromCache);
    std::error_code ec;
    std::filesystem::remove(f.onServer(), ec); // the server is no longer needed
    auto second = runtime::obtainRemoteNative(*f.slim, f.entry(), &*cache);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->bytes, f.pvcNative);
    EXPECT_TRUE(second->fromCache);
}

TEST(NativeFetch, BytesThatAreNotPinnedAreNeitherReturnedNorCached) {
    SlimFixture f;
    f.publish(testData("vector_ops.12.55.8.bin")); // another target's binary under pvc's name
    auto cache = DiskCache::open(f.dir.path() / "cache");
    auto wrong = runtime::obtainRemoteNative(*f.slim, f.entry(), &*cache);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, Errc::BadInput);
    EXPECT_NE(wrong.error().message.find("not the ones the archive pins"), std::string::npos)
        << wrong.error().message;
    f.publish(f.pvcNative); // the right bytes: fetched, not a cache hit of the wrong ones
    auto right = runtime::obtainRemoteNative(*f.slim, f.entry(), &*cache);
    ASSERT_TRUE(right) << right.error().message;
    EXPECT_FALSE(right->fromCache);
}

TEST(NativeFetch, MissingOnTheServerNamesTheFile) {
    SlimFixture f;
    auto missing = runtime::obtainRemoteNative(*f.slim, f.entry(), nullptr);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("cas/" + sha256Hex(f.pvcNative)), std::string::npos)
        << missing.error().message;
}

TEST(NativeFetch, TheCompressedCopyIsPreferred) {
    SlimFixture f;
    Bytes packed(ZSTD_compressBound(f.pvcNative.size()));
    packed.resize(
        ZSTD_compress(packed.data(), packed.size(), f.pvcNative.data(), f.pvcNative.size(), 3));
    f.publish(packed, ".zst");
    f.publish(testData("vector_ops.12.55.8.bin")); // a wrong raw copy: never read
    auto got = runtime::obtainRemoteNative(*f.slim, f.entry(), nullptr);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->bytes, f.pvcNative);
}

TEST(NativeFetch, AMirrorReplacesTheArchivesServer) {
    SlimFixture f("file:///nonexistent/aotpack-natives");
    f.publish(f.pvcNative);
    EXPECT_FALSE(runtime::obtainRemoteNative(*f.slim, f.entry(), nullptr));
    ::setenv("AOTPACK_NATIVES_URL", f.serverUrl().c_str(), 1);
    auto got = runtime::obtainRemoteNative(*f.slim, f.entry(), nullptr);
    ::unsetenv("AOTPACK_NATIVES_URL");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->bytes, f.pvcNative);
}

TEST(NativeFetch, AReadOnlyCacheIsReadAfterTheUsersOwn) {
    SlimFixture f;
    f.publish(f.pvcNative);
    auto system = DiskCache::open(f.dir.path() / "system");
    ASSERT_TRUE(runtime::obtainRemoteNative(*f.slim, f.entry(), &*system)); // fills it
    std::error_code ec;
    std::filesystem::remove(f.onServer(), ec);
    auto user = DiskCache::open(f.dir.path() / "user");
    auto got = runtime::obtainRemoteNative(*f.slim, f.entry(), &*user, &*system);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_TRUE(got->fromCache);
    EXPECT_EQ(got->bytes, f.pvcNative);
}

} // namespace
