#include "archive/reader.h"
#include "archive/reader_internal.h"

#include "archive/module_name.h"
#include "archive/payload_codec.h"
#include "common/hash.h"
#include "common/text.h"
#include "devices/ip_version.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <mutex>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aotpack::archive {
using detail::checksumMatches;
using detail::entryKey;
using detail::fits;
using detail::load;

struct ArchiveReader::Mapping {
    void* address = nullptr;
    std::size_t size = 0;
    ~Mapping() {
        if (address) ::munmap(address, size);
    }
};

struct ArchiveReader::Dictionaries {
    std::mutex mutex;
    std::map<std::uint32_t, std::shared_ptr<const Dictionary>> byId;
};

Error ArchiveReader::corrupt(const std::string& what) const {
    return makeError(Errc::BadArchive, "'" + name_ + "' is not a valid aotpack archive: " + what);
}

Expected<ArchiveReader> ArchiveReader::open(ArchiveReader reader, IndexChecks checks) {
    bool full = checks == IndexChecks::Full;
    reader.dictionaries_ = std::make_shared<Dictionaries>();
    if (auto st = reader.parseLayout(full); !st) return st.error();
    if (full)
        if (auto st = reader.checkRecords(); !st) return st.error();
    return reader;
}

Expected<ArchiveReader> ArchiveReader::openFile(const std::filesystem::path& path,
                                                IndexChecks checks) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return makeError(Errc::BadInput,
                         "cannot open '" + path.string() + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(Errc::BadInput, "'" + path.string() + "' is not a regular file");
    }
    auto mapping = std::make_shared<Mapping>();
    mapping->size = static_cast<std::size_t>(st.st_size);
    if (mapping->size > 0) {
        mapping->address = ::mmap(nullptr, mapping->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapping->address == MAP_FAILED) {
            mapping->address = nullptr;
            ::close(fd);
            return makeError(Errc::BadInput,
                             "cannot map '" + path.string() + "': " + std::strerror(errno));
        }
    }
    ::close(fd);
    ArchiveReader reader;
    reader.mapping_ = mapping;
    reader.data_ = ByteView(static_cast<const std::uint8_t*>(mapping->address), mapping->size);
    reader.name_ = path.string();
    return open(std::move(reader), checks);
}

Expected<ArchiveReader> ArchiveReader::openMemory(ByteView data, std::string name,
                                                  IndexChecks checks) {
    ArchiveReader reader;
    reader.data_ = data;
    reader.name_ = std::move(name);
    return open(std::move(reader), checks);
}

std::string_view ArchiveReader::stringAt(std::uint32_t offset) const {
    // The caller checked that the offset is in range; the table ends with NUL (parseIndexLayout).
    return std::string_view(strings_.data() + offset);
}

EntryView ArchiveReader::viewOf(std::uint32_t i, const EntryRecord& r) const {
    return {stringAt(r.module), static_cast<EntryKind>(r.kind), r.targetIp, r.blob, i, r.kvFirst,
            r.kvCount};
}

// The record's own fields, checked as every lookup reads them: under IndexChecks::Full they were
// all checked at open, under Lookup this is what makes a damaged record harmless.
std::optional<EntryView> ArchiveReader::recordAt(std::uint32_t i) const {
    auto r = load<EntryRecord>(records_ + std::size_t(i) * sizeof(EntryRecord));
    if (r.module >= strings_.size() || r.blob >= blobCount_ ||
        !fits(r.kvFirst, r.kvCount, kvCount_))
        return std::nullopt;
    return viewOf(i, r);
}

std::vector<EntryView> ArchiveReader::entries() const {
    std::vector<EntryView> out;
    out.reserve(entryCount_);
    for (std::uint32_t i = 0; i < entryCount_; ++i)
        if (auto e = recordAt(i)) out.push_back(*e);
    return out;
}

BlobInfo ArchiveReader::blob(std::uint32_t index) const {
    auto r = load<BlobRecord>(blobs_ + std::size_t(index) * sizeof(BlobRecord));
    return {r.offset, r.storedSize, r.rawSize, static_cast<Compression>(r.compression),
            r.rawChecksum};
}

std::vector<std::pair<std::string_view, std::string_view>>
ArchiveReader::kvRange(std::uint32_t first, std::uint32_t count) const {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    for (std::uint32_t i = 0; i < count; ++i) {
        auto kv = load<KvRecord>(kvs_ + std::size_t(first + i) * sizeof(KvRecord));
        if (kv.key < strings_.size() && kv.value < strings_.size()) // else checkEntry reports it
            out.emplace_back(stringAt(kv.key), stringAt(kv.value));
    }
    return out;
}

std::vector<std::pair<std::string_view, std::string_view>>
ArchiveReader::metadata(const EntryView& e) const {
    return kvRange(e.kvFirst, e.kvCount);
}

std::vector<std::pair<std::string_view, std::string_view>> ArchiveReader::archiveMetadata() const {
    return kvRange(archiveKvFirst_, archiveKvCount_);
}

std::optional<std::string_view> ArchiveReader::archiveMeta(std::string_view key) const {
    for (const auto& [k, v] : archiveMetadata())
        if (k == key) return v;
    return std::nullopt;
}

std::optional<std::string_view> ArchiveReader::meta(const EntryView& e,
                                                    std::string_view key) const {
    for (const auto& [k, v] : metadata(e))
        if (k == key) return v;
    return std::nullopt;
}

// Binary search over the records in the file: nothing is copied out at open.
std::optional<std::size_t> ArchiveReader::lowerBound(std::string_view module, EntryKind kind,
                                                     std::uint32_t targetIp) const {
    auto key = std::tuple(module, static_cast<int>(kind), targetIp);
    std::size_t low = 0, high = entryCount_;
    while (low < high) {
        std::size_t middle = low + (high - low) / 2;
        auto e = recordAt(static_cast<std::uint32_t>(middle));
        if (!e) return std::nullopt;
        if (entryKey(*e) < key)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

std::optional<EntryView> ArchiveReader::find(std::string_view module, EntryKind kind,
                                             std::uint32_t targetIp) const {
    auto i = lowerBound(module, kind, targetIp);
    if (!i || *i == entryCount_) return std::nullopt;
    auto e = recordAt(static_cast<std::uint32_t>(*i));
    if (!e || entryKey(*e) != std::tuple(module, static_cast<int>(kind), targetIp))
        return std::nullopt;
    return e;
}

std::vector<EntryView> ArchiveReader::entriesOf(std::string_view module, EntryKind kind) const {
    std::vector<EntryView> out;
    auto first = lowerBound(module, kind, 0);
    for (std::size_t i = first.value_or(entryCount_); i < entryCount_; ++i) {
        auto e = recordAt(static_cast<std::uint32_t>(i));
        if (!e || e->module != module || e->kind != kind) break;
        out.push_back(*e);
    }
    return out;
}

std::vector<std::string_view> ArchiveReader::modules() const {
    std::vector<std::string_view> out;
    for (std::uint32_t i = 0; i < entryCount_; ++i)
        if (auto e = recordAt(i);
            e && e->kind != EntryKind::Dictionary && (out.empty() || out.back() != e->module))
            out.push_back(e->module);
    return out;
}

std::vector<std::uint32_t> ArchiveReader::targets() const {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < entryCount_; ++i)
        if (auto e = recordAt(i); e && e->kind == EntryKind::Native) out.push_back(e->targetIp);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

ByteView ArchiveReader::storedPayload(const EntryView& e) const {
    if (!checkBlob(e.blob)) return {}; // only under IndexChecks::Lookup; payload() says why
    BlobInfo b = blob(e.blob);
    return data_.subspan(b.offset, b.storedSize);
}

// "payload of module 'reduce' for 12.60.7" / "... (SPIR-V)": which entry, for messages.
static std::string describePayload(const EntryView& e) {
    std::string what = "payload of module '" + printable(e.module) + "'";
    if (e.kind == EntryKind::Spirv) return what + " (SPIR-V)";
    if (e.kind == EntryKind::Native)
        return what + " for " + devices::IpVersion::fromValue(e.targetIp).str();
    if (e.kind == EntryKind::Dictionary) return "zstd dictionary " + std::to_string(e.targetIp);
    return what;
}

Expected<std::shared_ptr<const Dictionary>> ArchiveReader::dictionary(std::uint32_t id) const {
    std::lock_guard lock(dictionaries_->mutex);
    if (auto it = dictionaries_->byId.find(id); it != dictionaries_->byId.end()) return it->second;
    auto e = find(kDictionaryModule, EntryKind::Dictionary, id);
    if (!e)
        return makeError(Errc::NotFound,
                         "'" + name_ + "' carries no zstd dictionary " + std::to_string(id));
    if (blob(e->blob).compression == Compression::ZstdDictionary) // no chains of dictionaries
        return corrupt(describePayload(*e) + " is itself stored with a dictionary");
    auto raw = payload(*e);
    if (!raw) return raw.error();
    auto d = Dictionary::fromBytes(std::move(*raw), "'" + name_ + "': " + describePayload(*e));
    if (!d) return d.error();
    if ((*d)->id() != id)
        return corrupt(describePayload(*e) + " has the id " + std::to_string((*d)->id()));
    dictionaries_->byId[id] = *d;
    return *d;
}

Expected<Bytes> ArchiveReader::payload(const EntryView& e) const {
    if (auto st = checkBlob(e.blob); !st) return st.error();
    auto r = load<BlobRecord>(blobs_ + std::size_t(e.blob) * sizeof(BlobRecord));
    ByteView stored = data_.subspan(r.offset, r.storedSize);
    std::string what = describePayload(e);
    if (!checksumMatches(hash64(stored), r.storedChecksum))
        return corrupt(what + " fails its checksum");
    std::shared_ptr<const Dictionary> dictionary;
    if (r.compression == static_cast<std::uint32_t>(Compression::ZstdDictionary)) {
        auto found = this->dictionary(frameDictionaryId(stored));
        if (!found && found.error().code != Errc::NotFound) return found.error();
        if (found) dictionary = *found; // else decompressPayload says which one is missing
    }
    auto raw = decompressPayload(stored, static_cast<Compression>(r.compression), r.rawSize,
                                 dictionary.get());
    if (!raw) return corrupt(what + " " + raw.error().message);
    if (!checksumMatches(hash64(*raw), r.rawChecksum))
        return corrupt(what + " fails its checksum after decompression");
    return raw;
}

Expected<ArchiveReader::Payload> ArchiveReader::payloadView(const EntryView& e) const {
    auto r = load<BlobRecord>(blobs_ + std::size_t(e.blob) * sizeof(BlobRecord));
    if (r.compression == static_cast<std::uint32_t>(Compression::None)) {
        // Stored and raw bytes are the same: one checksum pass, both recorded values must agree.
        if (auto st = checkBlob(e.blob); !st) return st.error(); // payload() checks the others
        ByteView stored = data_.subspan(r.offset, r.storedSize);
        if (r.storedSize != r.rawSize || r.storedChecksum != r.rawChecksum ||
            !checksumMatches(hash64(stored), r.storedChecksum))
            return corrupt(describePayload(e) + " fails its checksum");
        return Payload{{}, stored};
    }
    auto raw = payload(e);
    if (!raw) return raw.error();
    Payload out{std::move(*raw), {}};
    out.bytes = out.owned;
    return out;
}

Status ArchiveReader::verifyPayloads() const {
    std::vector<bool> checked(blobCount_, false);
    for (const auto& e : entries()) {
        if (checked[e.blob]) continue;
        checked[e.blob] = true;
        if (auto p = payload(e); !p) return p.error();
    }
    return success();
}

} // namespace aotpack::archive
