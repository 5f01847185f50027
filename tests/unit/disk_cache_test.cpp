#include "cache/disk_cache.h"
#include "common/subprocess.h"
#include "test_data.h"

#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace aotpack;
namespace fs = std::filesystem;

namespace {
fs::path entryFile(const fs::path& root, const Hash128& k) {
    return root / "v1" / k.hex().substr(0, 2) / (k.hex() + ".zebin");
}
} // namespace

TEST(DiskCache, PutThenGet) {
    TempDir dir;
    auto cache = DiskCache::open(dir.path() / "c");
    ASSERT_TRUE(cache);
    EXPECT_FALSE(cache->get(key("a")));
    ASSERT_TRUE(cache->put(key("a"), bytes("payload")));
    EXPECT_EQ(*cache->get(key("a")), bytes("payload"));
    struct stat st {};
    ASSERT_EQ(::stat((dir.path() / "c").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(DiskCache, CorruptEntryIsDiscarded) {
    TempDir dir;
    auto cache = DiskCache::open(dir.path());
    ASSERT_TRUE(cache->put(key("a"), bytes("payload")));
    fs::path file = entryFile(dir.path(), key("a"));
    auto size = fs::file_size(file);
    fs::resize_file(file, size - 2); // a torn write
    EXPECT_FALSE(cache->get(key("a")));
    EXPECT_FALSE(fs::exists(file));
}

TEST(DiskCache, PlantedSymlinkIsNotFollowed) {
    TempDir dir;
    auto cache = DiskCache::open(dir.path() / "c");
    ASSERT_TRUE(cache->put(key("a"), bytes("payload")));
    fs::path file = entryFile(dir.path() / "c", key("a"));
    fs::path outside = dir.path() / "outside";
    { std::ofstream(outside) << "secret"; }
    fs::remove(file);
    fs::create_symlink(outside, file);
    EXPECT_FALSE(cache->get(key("a")));
    ASSERT_TRUE(cache->put(key("a"), bytes("new")));
    EXPECT_FALSE(fs::is_symlink(file));
    std::ifstream in(outside);
    std::string content;
    in >> content;
    EXPECT_EQ(content, "secret");
}

TEST(DiskCache, EvictsLeastRecentlyUsed) {
    TempDir dir;
    auto cache = DiskCache::open(dir.path(), 200); // room for about three 40-byte entries + headers
    // Written an hour apart, long ago (reads refresh entries older than a minute).
    std::int64_t hour = 0;
    for (const char* k : {"a", "b", "c", "d"}) {
        ASSERT_TRUE(cache->put(key(k), Bytes(40, 'x')));
        auto path = dir.path() / "v1" / key(k).hex().substr(0, 2) / (key(k).hex() + ".zebin");
        timespec times[2] = {{1'000'000'000 + 3600 * ++hour, 0}, {1'000'000'000 + 3600 * hour, 0}};
        ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    }
    ASSERT_TRUE(cache->get(key("a"))); // "a" is now the most recently used
    auto kept = cache->evict();
    EXPECT_EQ(kept.entries, 2u);
    EXPECT_TRUE(cache->get(key("a")));
    EXPECT_TRUE(cache->get(key("d")));
    EXPECT_FALSE(cache->get(key("b")));
}

// A build does not list the whole cache to find out it is under its limit: it keeps an estimate
// (what the last listing found plus what was written since) and lists only past the limit, or
// when the estimate is missing. Every kind of entry counts (stored forms, SPIR-V facts).
TEST(DiskCache, EvictionListsEntriesOnlyWhenTheCacheMayBeFull) {
    TempDir dir;
    auto cache = DiskCache::open(dir.path(), 1000);
    ASSERT_TRUE(cache->put(key("a"), Bytes(100, 'x'), "stored"));
    EXPECT_EQ(cache->evict().bytes, 132u); // no estimate yet: listed (the entry and its header)
    // Written behind this process's back: the estimate does not know it, so nothing is listed.
    auto foreign = dir.path() / "v1" / "ff" / (std::string(32, 'f') + ".zebin");
    fs::create_directories(foreign.parent_path());
    ASSERT_TRUE(writeFileAtomic(foreign, Bytes(2000, 'y')));
    EXPECT_EQ(cache->evict().bytes, 132u);
    EXPECT_TRUE(fs::exists(foreign));
    // Once this process's writes take the estimate past the limit, the entries are listed and the
    // least recently used go, whatever their kind.
    ASSERT_TRUE(cache->put(key("b"), Bytes(900, 'z'), "meta"));
    auto kept = cache->evict();
    EXPECT_LE(kept.bytes, 1000u);
    EXPECT_FALSE(fs::exists(foreign)); // too large to keep beside the newest
    EXPECT_EQ(cache->evictNow().bytes, kept.bytes);
}

// The limit kept in the cache directory is what later opens use.
TEST(DiskCacheTest, ConfiguredMaxBytes) {
    TempDir tmp;
    EXPECT_EQ(DiskCache::configuredMaxBytes(tmp.path()), DiskCache::kDefaultMaxBytes);
    ASSERT_TRUE(DiskCache::setConfiguredMaxBytes(tmp.path(), 12345));
    EXPECT_EQ(DiskCache::configuredMaxBytes(tmp.path()), 12345u);
}
