// The build cache: compiled zebins addressed by a hash of everything that determines them
// (SPIR-V, target IP, options, compiler identity). Entries are written atomically (temp + rename),
// carry their own checksum and are verified on every read, so several builds can share one
// directory and a torn or foreign entry is discarded instead of used. Least recently used entries
// are evicted past a size limit (reads refresh an entry's modification time).
#pragma once

#include "common/error.h"
#include "common/file_io.h"
#include "common/hash.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace aotpack::build {

struct CacheStats {
    std::uint64_t entries = 0;
    std::uint64_t bytes = 0;
};

class BuildCache {
  public:
    // $AOTPACK_CACHE_DIR, else $XDG_CACHE_HOME/aotpack, else ~/.cache/aotpack.
    static std::filesystem::path defaultDir();
    static constexpr std::uint64_t kDefaultMaxBytes = 5ull << 30;

    static Expected<BuildCache> open(const std::filesystem::path& dir,
                                     std::uint64_t maxBytes = kDefaultMaxBytes);

    const std::filesystem::path& dir() const { return dir_; }
    // A verified entry, or nothing (missing, or corrupt and now removed).
    // `kind` is the file extension: "zebin" for binaries, "meta" for data kept beside them.
    std::optional<Bytes> get(const Hash128& key, std::string_view kind = "zebin") const;
    Status put(const Hash128& key, ByteView data, std::string_view kind = "zebin") const;
    CacheStats stats() const;
    // Removes least recently used entries until the cache fits its size limit.
    CacheStats evict() const;
    Status clean() const;

    // Remembered compile time and peak memory per (module, target), for scheduling.
    struct JobHistory {
        double seconds = 0;
        long maxRssKb = 0;
        std::string spirv, options, compiler; // fingerprints of the last build, for --explain
    };
    std::map<std::string, JobHistory> loadHistory() const;
    void saveHistory(const std::map<std::string, JobHistory>& history) const;

  private:
    std::filesystem::path entryPath(const Hash128& key, std::string_view kind) const;
    std::filesystem::path dir_;
    std::uint64_t maxBytes_ = kDefaultMaxBytes;
};

} // namespace aotpack::build
