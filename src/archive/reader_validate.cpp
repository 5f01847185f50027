// ArchiveReader::parse: every structural rule of docs/FORMAT.md ("Validation"), checked in order,
// each failure with its own message. Tests in tests/unit/archive_corrupt_test.cpp cover each rule.
#include "archive/module_name.h"
#include "archive/payload_codec.h"
#include "archive/reader.h"
#include "archive/reader_internal.h"
#include "common/hash.h"
#include "common/text.h"

#include <cstring>
#include <optional>

namespace aotpack::archive {
using detail::checksumMatches;
using detail::entryKey;
using detail::fits;
using detail::load;

// Rules 1 to 5 and the archive metadata's range (6): all that IndexChecks::Lookup checks at open.
// The index checksum (rule 4) only when `withChecksum`: Full checks it here, in the documented
// order.
Status ArchiveReader::parseLayout(bool withChecksum) {
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
    // 1.2: a signature block after the payloads, to the end of the file (archive/signing.h).
    // Readers of 1.1 ignore the field and the block.
    if (fh.signatureOffset != 0 &&
        (fh.signatureOffset % 64 != 0 || fh.signatureOffset < fh.indexOffset + fh.indexSize ||
         fh.signatureOffset >= data_.size()))
        return corrupt("signature block offset " + std::to_string(fh.signatureOffset) +
                       " lies outside the file's payload area");
    signatureOffset_ = fh.signatureOffset;
    index_ = data_.subspan(fh.indexOffset, fh.indexSize);
    indexChecksum_ = fh.indexChecksum;
    if (withChecksum && !checksumMatches(hash64(index_), indexChecksum_))
        return corrupt("index checksum mismatch");
    return parseIndexLayout();
}

Status ArchiveReader::parseIndexLayout() {
    auto ih = load<IndexHeader>(index_.data());
    if (ih.entryCount > kMaxEntries) return corrupt("too many entries");
    std::uint64_t tables = sizeof(IndexHeader) +
                           std::uint64_t(ih.entryCount) * sizeof(EntryRecord) +
                           std::uint64_t(ih.blobCount) * sizeof(BlobRecord) +
                           std::uint64_t(ih.kvCount) * sizeof(KvRecord);
    if (tables + ih.stringsSize != index_.size())
        return corrupt("index tables do not add up to the index size");
    records_ = index_.data() + sizeof(IndexHeader);
    entryCount_ = ih.entryCount;
    blobs_ = records_ + std::size_t(ih.entryCount) * sizeof(EntryRecord);
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
    return success();
}

Status ArchiveReader::checkIndex() const {
    if (!checksumMatches(hash64(index_), indexChecksum_)) return corrupt("index checksum mismatch");
    return checkRecords();
}

// Rules 6 to 8: every record, in the order FORMAT.md gives.
Status ArchiveReader::checkRecords() const {
    if (auto st = checkKvs(); !st) return st;
    if (auto st = checkBlobs(); !st) return st;
    return checkEntries();
}

Status ArchiveReader::checkEntry(const EntryView& e) const {
    for (std::uint32_t i = 0; i < e.kvCount; ++i)
        if (auto st = checkKv(e.kvFirst + i); !st) return st;
    return checkBlob(e.blob);
}

Status ArchiveReader::checkKv(std::uint32_t i) const {
    auto kv = load<KvRecord>(kvs_ + std::size_t(i) * sizeof(KvRecord));
    if (kv.key >= strings_.size() || kv.value >= strings_.size())
        return corrupt("metadata string offset out of range");
    return success();
}

Status ArchiveReader::checkKvs() const {
    for (std::uint32_t i = 0; i < kvCount_; ++i)
        if (auto st = checkKv(i); !st) return st;
    return success();
}

// Rule 7 for one blob, except the order of blobs (checkBlobs).
Status ArchiveReader::checkBlob(std::uint32_t i) const {
    auto b = load<BlobRecord>(blobs_ + std::size_t(i) * sizeof(BlobRecord));
    auto bad = [&](const std::string& what) {
        return corrupt("payload " + std::to_string(i) + " " + what);
    };
    if (b.offset % kPayloadAlignment != 0) return bad("is not 64-byte aligned");
    if (b.offset < payloadStart()) return bad("overlaps the index or another payload");
    if (!fits(b.offset, b.storedSize, data_.size())) return bad("lies outside the file");
    if (b.rawSize > kMaxRawSize)
        return bad("declares " + std::to_string(b.rawSize) + " bytes (limit 1 GiB)");
    if (!knownCompression(b.compression))
        return bad("uses compression " + std::to_string(b.compression) +
                   ", which this aotpack does not know (written by a newer one?)");
    if (b.compression == 0 && b.rawSize != b.storedSize) return bad("has inconsistent sizes");
    return success();
}

Status ArchiveReader::checkBlobs() const {
    std::uint64_t previousEnd = payloadStart();
    for (std::uint32_t i = 0; i < blobCount_; ++i) {
        auto b = load<BlobRecord>(blobs_ + std::size_t(i) * sizeof(BlobRecord));
        if (b.offset < previousEnd)
            return corrupt("payload " + std::to_string(i) +
                           " overlaps the index or another payload");
        if (auto st = checkBlob(i); !st) return st;
        previousEnd = b.offset + b.storedSize;
    }
    return success();
}

// Rule 8. Names are interned, so a run of one module's entries shares a name offset: the name is
// checked, and compared with the previous one, once per module.
Status ArchiveReader::checkEntries() const {
    std::optional<EntryView> previous;
    for (std::uint32_t i = 0; i < entryCount_; ++i) {
        auto r = load<EntryRecord>(records_ + std::size_t(i) * sizeof(EntryRecord));
        if (r.module >= strings_.size())
            return corrupt("entry " + std::to_string(i) + " has a bad module name offset");
        auto e = viewOf(i, r);
        bool newName = !previous || previous->module.data() != e.module.data();
        // Dictionaries (1.4) have the one name no module can have.
        bool dictionary = e.kind == EntryKind::Dictionary;
        if (dictionary != (e.module == kDictionaryModule))
            return corrupt("entry " + std::to_string(i) + " mixes up the dictionaries' name");
        if (auto problem = newName && !dictionary ? moduleNameProblem(e.module) : std::string();
            !problem.empty())
            return corrupt("module name '" + printable(e.module) + "' " + problem);
        if (r.blob >= blobCount_)
            return corrupt("entry " + std::to_string(i) + " refers to a missing payload");
        if (!fits(r.kvFirst, r.kvCount, kvCount_))
            return corrupt("entry " + std::to_string(i) + " metadata out of range");
        if (previous && !(entryKey(*previous) < entryKey(e)))
            return corrupt("entries are not sorted or contain a duplicate ('" +
                           printable(e.module) + "')");
        previous = e;
    }
    return success();
}

} // namespace aotpack::archive
