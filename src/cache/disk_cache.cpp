#include "cache/disk_cache.h"

#include "common/text.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace aotpack {
namespace fs = std::filesystem;

namespace {

constexpr char kEntryMagic[8] = {'A', 'O', 'T', 'P', 'K', 'C', '0', '1'};

struct EntryHeader {
    char magic[8];
    std::uint64_t size;
    std::uint64_t checksum; // XXH3-64 of the payload
    std::uint64_t reserved;
};

} // namespace

fs::path DiskCache::defaultRoot() {
    if (const char* dir = std::getenv("AOTPACK_CACHE_DIR"); dir && *dir) return dir;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return fs::path(xdg) / "aotpack";
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : "/tmp") / ".cache" / "aotpack";
}

fs::path DiskCache::systemRoot() {
    if (const char* dir = std::getenv("AOTPACK_SYSTEM_CACHE_DIR"); dir && *dir) return dir;
    return "/var/cache/aotpack";
}

Expected<DiskCache> DiskCache::open(const fs::path& dir, std::uint64_t maxBytes, Access access) {
    std::error_code ec;
    fs::create_directories(dir / "v1", ec);
    if (ec)
        return makeError(Errc::Output,
                         "cannot create cache directory '" + dir.string() + "': " + ec.message());
    // Private: entries are verified, but nobody else needs to read them. Shared: everybody reads.
    mode_t mode = access == Access::Shared ? 0755 : 0700;
    ::chmod(dir.c_str(), mode);
    ::chmod((dir / "v1").c_str(), mode);
    DiskCache cache;
    cache.dir_ = dir;
    cache.maxBytes_ = maxBytes;
    cache.access_ = access;
    return cache;
}

std::uint64_t DiskCache::configuredMaxBytes(const fs::path& dir) {
    auto text = readTextFile(dir / "max-size");
    auto bytes = text ? parseUnsigned(trim(*text)) : std::nullopt;
    return bytes && *bytes ? *bytes : kDefaultMaxBytes;
}

Status DiskCache::setConfiguredMaxBytes(const fs::path& dir, std::uint64_t bytes) {
    return writeFileAtomic(dir / "max-size", std::to_string(bytes) + "\n");
}

Expected<DiskCache> DiskCache::openExisting(const fs::path& dir) {
    if (::access((dir / "v1").c_str(), R_OK | X_OK) != 0)
        return makeError(Errc::BadInput, "cannot read cache directory '" + dir.string() +
                                             "': " + std::strerror(errno));
    DiskCache cache;
    cache.dir_ = dir;
    return cache;
}

fs::path DiskCache::entryPath(const Hash128& key, std::string_view kind) const {
    std::string hex = key.hex();
    return dir_ / "v1" / hex.substr(0, 2) / (hex + "." + std::string(kind));
}

std::optional<DiskCache::View> DiskCache::map(const Hash128& key, std::string_view kind) const {
    fs::path path = entryPath(key, kind);
    auto file = MappedFile::open(path, /*noFollow=*/true);
    if (!file) return std::nullopt;
    ByteView all = file->bytes();
    EntryHeader h{};
    bool valid = all.size() >= sizeof h;
    if (valid) std::memcpy(&h, all.data(), sizeof h);
    valid = valid && std::memcmp(h.magic, kEntryMagic, 8) == 0 && h.size == all.size() - sizeof h &&
            hash64(all.subspan(sizeof h)) == h.checksum;
    if (!valid) {
        std::error_code ec;
        fs::remove(path, ec); // torn or foreign: recompile rather than trust it
        return std::nullopt;
    }
    // LRU: mark as recently used. A minute's precision is plenty for eviction and saves a system
    // call on the runtime's hot path when a module is loaded again soon.
    if (std::time(nullptr) - file->modifiedSeconds() > 60)
        ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
    ByteView data = all.subspan(sizeof h);
    return View{std::move(*file), data, h.checksum};
}

std::optional<Bytes> DiskCache::get(const Hash128& key, std::string_view kind) const {
    auto view = map(key, kind);
    if (!view) return std::nullopt;
    return Bytes(view->data.begin(), view->data.end());
}

Status DiskCache::put(const Hash128& key, ByteView data, std::string_view kind) const {
    fs::path path = entryPath(key, kind);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec)
        return makeError(Errc::Output,
                         "cannot write cache '" + dir_.string() + "': " + ec.message());
    EntryHeader h{};
    std::memcpy(h.magic, kEntryMagic, 8);
    h.size = data.size();
    h.checksum = hash64(data);
    Bytes file(sizeof h);
    std::memcpy(file.data(), &h, sizeof h);
    file.insert(file.end(), data.begin(), data.end());
    if (access_ == Access::Shared) ::chmod(path.parent_path().c_str(), 0755);
    // Not fsynced: the entry's checksum catches a torn write (file_io.h).
    auto st = writeFileAtomic(path, file, access_ == Access::Shared ? 0644 : 0600, Sync::No);
    if (st) *written_ += file.size();
    return st;
}

bool DiskCache::contains(const Hash128& key, std::string_view kind) const {
    std::error_code ec;
    return fs::exists(entryPath(key, kind), ec);
}

void DiskCache::remove(const Hash128& key, std::string_view kind) const {
    std::error_code ec;
    fs::remove(entryPath(key, kind), ec);
}

namespace {
struct EntryFile {
    fs::path path;
    std::uint64_t size;
    fs::file_time_type used;
};

// <32 hex digits>.<kind>: every kind counts towards the limit (zebin, meta, stored, spirv, ...).
bool isEntryName(const std::string& name) {
    auto dot = name.find('.');
    return dot == 32 && name.find(".tmp.") == std::string::npos &&
           name.find_first_not_of("0123456789abcdef") == dot;
}

// A compile result (what `cache stats` counts as an entry): a binary, or a drop-in call's files.
bool isResult(const fs::path& entry) {
    return entry.extension() == ".zebin" || entry.extension() == ".ocloc";
}

std::vector<EntryFile> listEntries(const fs::path& root) {
    std::vector<EntryFile> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec) && isEntryName(it->path().filename().string()))
            out.push_back({it->path(), it->file_size(ec), it->last_write_time(ec)});
    return out;
}
} // namespace

CacheStats DiskCache::verify() const {
    CacheStats bad;
    for (const auto& e : listEntries(dir_ / "v1")) {
        std::string hex = e.path.stem().string();
        Hash128 key;
        if (hex.size() != 32) continue;
        bool valid = true;
        for (int i = 0; i < 16 && valid; ++i) {
            auto byte = parseUnsigned(hex.substr(2 * i, 2), 16);
            valid = byte.has_value();
            key.bytes[i] = static_cast<std::uint8_t>(byte.value_or(0));
        }
        if (!valid) continue; // not an entry's name
        std::string kind = e.path.extension().string().substr(1);
        if (!get(key, kind)) { // get() removes what does not verify
            ++bad.entries;
            bad.bytes += e.size;
        }
    }
    return bad;
}

CacheStats DiskCache::stats() const {
    CacheStats s;
    for (const auto& e : listEntries(dir_ / "v1")) {
        s.entries += isResult(e.path); // the other kinds ride along with a result
        s.bytes += e.size;
    }
    return s;
}

// A writer killed between creating its temporary file and renaming it leaves the temporary file;
// nothing reads those, and after an hour no live writer owns one.
static void removeStaleTemporaries(const fs::path& root) {
    std::error_code ec;
    auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(1);
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->path().filename().string().find(".tmp.") != std::string::npos &&
            it->last_write_time(ec) < cutoff)
            fs::remove(it->path(), ec);
}

namespace {
constexpr std::time_t kListAtLeastEverySeconds = 24 * 3600;

struct SizeEstimate {
    std::uint64_t bytes = 0;
    std::time_t listed = 0; // when the entries were last listed
};

std::optional<SizeEstimate> readEstimate(const fs::path& file) {
    auto text = readTextFile(file);
    if (!text) return std::nullopt;
    auto words = split(trim(*text), ' ');
    if (words.size() != 2) return std::nullopt;
    auto bytes = parseUnsigned(words[0]);
    auto listed = parseUnsigned(words[1]);
    if (!bytes || !listed) return std::nullopt;
    return SizeEstimate{*bytes, static_cast<std::time_t>(*listed)};
}

void writeEstimate(const fs::path& file, SizeEstimate e, unsigned mode) {
    std::string text = std::to_string(e.bytes) + " " + std::to_string(e.listed) + "\n";
    (void)writeFileAtomic(file, text, Sync::No, mode);
}
} // namespace

CacheStats DiskCache::evict() const {
    fs::path file = dir_ / "v1" / "size-estimate";
    auto estimate = readEstimate(file);
    std::uint64_t added = written_->exchange(0);
    if (!estimate || std::time(nullptr) - estimate->listed > kListAtLeastEverySeconds ||
        estimate->bytes + added > maxBytes_)
        return evictNow();
    estimate->bytes += added;
    if (added > 0) writeEstimate(file, *estimate, access_ == Access::Shared ? 0644 : 0600);
    return {0, estimate->bytes};
}

CacheStats DiskCache::evictNow() const {
    written_->store(0);
    removeStaleTemporaries(dir_ / "v1");
    auto entries = listEntries(dir_ / "v1");
    std::sort(entries.begin(), entries.end(),
              [](const EntryFile& a, const EntryFile& b) { return a.used > b.used; });
    CacheStats kept;
    for (const auto& e : entries) {
        if (kept.bytes + e.size > maxBytes_) {
            std::error_code ec;
            fs::remove(e.path, ec);
            continue;
        }
        kept.entries += isResult(e.path);
        kept.bytes += e.size;
    }
    writeEstimate(dir_ / "v1" / "size-estimate", {kept.bytes, std::time(nullptr)},
                  access_ == Access::Shared ? 0644 : 0600);
    return kept;
}

Status DiskCache::clean() const {
    std::error_code ec;
    fs::remove_all(dir_ / "v1", ec);
    if (ec)
        return makeError(Errc::Output,
                         "cannot clean cache '" + dir_.string() + "': " + ec.message());
    fs::create_directories(dir_ / "v1", ec);
    return success();
}

} // namespace aotpack
