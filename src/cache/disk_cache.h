// A content-addressed store on disk, used by the build cache (zebins per SPIR-V x target x options
// x compiler) and the runtime's JIT cache (binaries per SPIR-V x options x device x driver).
// Entries are written atomically (temp + rename), carry their own checksum and are verified on
// every read, so several processes can share one directory and a torn or foreign entry is
// discarded instead of used. Least recently used entries are evicted past a size limit (reads
// refresh an entry's modification time). The directory is created private (0700).
#pragma once

#include "common/error.h"
#include "common/file_io.h"
#include "common/hash.h"
#include "common/mapped_file.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace aotpack {

struct CacheStats {
    std::uint64_t entries = 0;
    std::uint64_t bytes = 0;
};

class DiskCache {
  public:
    // The root of aotpack's caches: $AOTPACK_CACHE_DIR, else $XDG_CACHE_HOME/aotpack, else
    // ~/.cache/aotpack. The build cache is <root>/build, the JIT cache <root>/jit.
    static std::filesystem::path defaultRoot();
    // The machine-wide cache root that every user reads: $AOTPACK_SYSTEM_CACHE_DIR, else
    // /var/cache/aotpack. Its JIT cache (<root>/jit) is filled by `aotpack warm --system`.
    static std::filesystem::path systemRoot();
    static constexpr std::uint64_t kDefaultMaxBytes = 5ull << 30;
    // The size limit `aotpack cache --max-size` keeps in <dir>/max-size (every later build and
    // drop-in call uses it), else kDefaultMaxBytes.
    static std::uint64_t configuredMaxBytes(const std::filesystem::path& dir);
    static Status setConfiguredMaxBytes(const std::filesystem::path& dir, std::uint64_t bytes);

    // Private (0700, the default) for a user's caches; Shared (directories 0755, entries 0644)
    // for a machine-wide cache that root fills and every user reads (aotpack warm --system).
    enum class Access { Private, Shared };
    static Expected<DiskCache> open(const std::filesystem::path& dir,
                                    std::uint64_t maxBytes = kDefaultMaxBytes,
                                    Access access = Access::Private);
    // An existing cache, for reading only: nothing is created and no permission is changed.
    // An error if `dir` holds no cache this process can read.
    static Expected<DiskCache> openExisting(const std::filesystem::path& dir);

    const std::filesystem::path& dir() const { return dir_; }
    // A verified entry, or nothing (missing, or corrupt and now removed).
    // `kind` is the file extension: "zebin" for binaries, "meta" for data kept beside them.
    std::optional<Bytes> get(const Hash128& key, std::string_view kind = "zebin") const;
    // The same without copying: the verified entry mapped into memory, with its checksum
    // (hash64 of the data).
    struct View {
        MappedFile file;
        ByteView data;
        std::uint64_t checksum = 0;
    };
    std::optional<View> map(const Hash128& key, std::string_view kind = "zebin") const;
    Status put(const Hash128& key, ByteView data, std::string_view kind = "zebin") const;
    void remove(const Hash128& key, std::string_view kind = "zebin") const;
    // Whether an entry exists, without reading or verifying it.
    bool contains(const Hash128& key, std::string_view kind = "zebin") const;
    // Reads every entry; removes and counts those that do not verify.
    CacheStats verify() const;
    CacheStats stats() const;
    // Removes least recently used entries until the cache fits its size limit. Listing every
    // entry costs ~5 us per file (a 20,000-module build's cache has 240,000), so it runs only
    // when the cache may be over its limit: <dir>/v1/size-estimate holds what the last listing
    // found plus what has been written since, and a listing runs when that passes the limit,
    // when the file is missing, and at least once a day (it is an estimate: concurrent writers
    // may lose each other's updates). Returns what the cache holds, listed or estimated.
    CacheStats evict() const;
    // The same, listing every entry now.
    CacheStats evictNow() const;
    Status clean() const;

  private:
    std::filesystem::path entryPath(const Hash128& key, std::string_view kind) const;
    std::filesystem::path dir_;
    std::uint64_t maxBytes_ = kDefaultMaxBytes;
    Access access_ = Access::Private;
    // Bytes this process wrote since the estimate was last updated (shared by copies).
    std::shared_ptr<std::atomic<std::uint64_t>> written_ =
        std::make_shared<std::atomic<std::uint64_t>>(0);
};

} // namespace aotpack
