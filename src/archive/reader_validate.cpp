// ArchiveReader::parse: every structural rule of docs/FORMAT.md ("Validation"), checked in order,
// each failure with its own message. Tests in tests/unit/archive_corrupt_test.cpp cover each rule.
#include "archive/module_name.h"
#include "archive/payload_codec.h"
#include "archive/reader.h"
#include "archive/reader_internal.h"
#include "common/hash.h"
#include "common/text.h"

#include <cstring>

namespace aotpack::archive {
using detail::checksumMatches;
using detail::load;

static bool fits(std::uint64_t offset, std::uint64_t size, std::uint64_t limit) {
    return offset <= limit && size <= limit - offset;
}

Status ArchiveReader::parse() {
    if (data_.size() < sizeof(FileHeader))
        return corrupt("file is too short (" + std::to_string(data_.size()) + " bytes)");
    auto fh = load<FileHeader>(data_.data());
    if (std::memcmp(fh.magic, kMagic, sizeof kMagic) != 0)
        return corrupt("wrong magic (not an aotpack archive)");
    if (fh.major != kMajorVersion)
        return makeError(Errc::BadArchive,
                         "'" + name_ + "' is archive format " + std::to_string(fh.major) + "." +
                             std::to_string(fh.minor) + "; this aotpack reads format " +
                             std::to_string(kMajorVersion) + ".x (upgrade aotpack)");
    minor_ = fh.minor;
    if (!checksumMatches(hash64(data_.first(offsetof(FileHeader, headerChecksum))),
                         fh.headerChecksum))
        return corrupt("header checksum mismatch");
    if (fh.headerSize < sizeof(FileHeader)) return corrupt("header size is too small");
    if (fh.fileSize != data_.size())
        return corrupt("file is " + std::to_string(data_.size()) + " bytes but the header says " +
                       std::to_string(fh.fileSize) + " (truncated?)");
    if (fh.indexOffset < fh.headerSize || !fits(fh.indexOffset, fh.indexSize, data_.size()))
        return corrupt("index lies outside the file");
    if (fh.indexSize < sizeof(IndexHeader)) return corrupt("index is too small");
    ByteView index = data_.subspan(fh.indexOffset, fh.indexSize);
    if (!checksumMatches(hash64(index), fh.indexChecksum))
        return corrupt("index checksum mismatch");
    return parseIndex(index, fh.indexOffset + fh.indexSize);
}

Status ArchiveReader::parseIndex(ByteView index, std::uint64_t payloadStart) {
    auto ih = load<IndexHeader>(index.data());
    if (ih.entryCount > kMaxEntries) return corrupt("too many entries");
    std::uint64_t tables = sizeof(IndexHeader) +
                           std::uint64_t(ih.entryCount) * sizeof(EntryRecord) +
                           std::uint64_t(ih.blobCount) * sizeof(BlobRecord) +
                           std::uint64_t(ih.kvCount) * sizeof(KvRecord);
    if (tables + ih.stringsSize != index.size())
        return corrupt("index tables do not add up to the index size");
    const std::uint8_t* p = index.data() + sizeof(IndexHeader);
    const std::uint8_t* entries = p;
    blobs_ = entries + std::size_t(ih.entryCount) * sizeof(EntryRecord);
    blobCount_ = ih.blobCount;
    kvs_ = blobs_ + std::size_t(ih.blobCount) * sizeof(BlobRecord);
    kvCount_ = ih.kvCount;
    strings_ = std::string_view(
        reinterpret_cast<const char*>(kvs_ + std::size_t(ih.kvCount) * sizeof(KvRecord)),
        ih.stringsSize);
    if (!strings_.empty() && strings_.back() != '\0')
        return corrupt("string table is not NUL-terminated");
    if (!fits(ih.archiveKvFirst, ih.archiveKvCount, ih.kvCount))
        return corrupt("archive metadata out of range");
    archiveKvFirst_ = ih.archiveKvFirst;
    archiveKvCount_ = ih.archiveKvCount;
    if (auto st = checkKvs(); !st) return st;
    if (auto st = checkBlobs(payloadStart); !st) return st;
    return readEntries(entries, ih.entryCount);
}

Status ArchiveReader::checkKvs() const {
    for (std::uint32_t i = 0; i < kvCount_; ++i) {
        auto kv = load<KvRecord>(kvs_ + std::size_t(i) * sizeof(KvRecord));
        if (kv.key >= strings_.size() || kv.value >= strings_.size())
            return corrupt("metadata string offset out of range");
    }
    return success();
}

Status ArchiveReader::checkBlobs(std::uint64_t payloadStart) const {
    std::uint64_t previousEnd = payloadStart;
    for (std::uint32_t i = 0; i < blobCount_; ++i) {
        auto b = load<BlobRecord>(blobs_ + std::size_t(i) * sizeof(BlobRecord));
        auto bad = [&](const std::string& what) {
            return corrupt("payload " + std::to_string(i) + " " + what);
        };
        if (b.offset % kPayloadAlignment != 0) return bad("is not 64-byte aligned");
        if (b.offset < previousEnd) return bad("overlaps the index or another payload");
        if (!fits(b.offset, b.storedSize, data_.size())) return bad("lies outside the file");
        if (b.rawSize > kMaxRawSize)
            return bad("declares " + std::to_string(b.rawSize) + " bytes (limit 1 GiB)");
        if (!knownCompression(b.compression))
            return bad("uses compression " + std::to_string(b.compression) +
                       ", which this aotpack does not know (written by a newer one?)");
        if (b.compression == 0 && b.rawSize != b.storedSize) return bad("has inconsistent sizes");
        previousEnd = b.offset + b.storedSize;
    }
    return success();
}

Status ArchiveReader::readEntries(const std::uint8_t* records, std::uint32_t count) {
    entries_.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        auto r = load<EntryRecord>(records + std::size_t(i) * sizeof(EntryRecord));
        if (r.module >= strings_.size())
            return corrupt("entry " + std::to_string(i) + " has a bad module name offset");
        EntryView e{stringAt(r.module), static_cast<EntryKind>(r.kind), r.targetIp, r.blob, i};
        bool newName = entries_.empty() || entries_.back().module.data() != e.module.data();
        if (auto problem = newName ? moduleNameProblem(e.module) : std::string(); !problem.empty())
            return corrupt("module name '" + printable(e.module) + "' " + problem);
        if (r.blob >= blobCount_)
            return corrupt("entry " + std::to_string(i) + " refers to a missing payload");
        if (!fits(r.kvFirst, r.kvCount, kvCount_))
            return corrupt("entry " + std::to_string(i) + " metadata out of range");
        if (!entries_.empty()) {
            auto prev = std::tuple(entries_.back().module, static_cast<int>(entries_.back().kind),
                                   entries_.back().targetIp);
            auto cur = std::tuple(e.module, static_cast<int>(e.kind), e.targetIp);
            if (!(prev < cur))
                return corrupt("entries are not sorted or contain a duplicate ('" +
                               printable(e.module) + "')");
        }
        entries_.push_back(e);
        entryKvFirst_.push_back(r.kvFirst);
        entryKvCount_.push_back(r.kvCount);
    }
    return success();
}

} // namespace aotpack::archive
