// Reads archives. Nothing in the file is trusted: every offset and size is checked before use.
// Opening with IndexChecks::Full validates the header and the whole index (bounds, order, strings,
// blob layout, checksum); IndexChecks::Lookup checks the header and the index's layout only, and
// every record when it is read (docs/FORMAT.md, "Validation"), so that a runtime opening an archive
// of 100,000 entries to load one module does not read them all. A payload is read, checked and
// decompressed only when asked for.
#pragma once

#include "archive/dictionary.h"
#include "archive/format.h"
#include "common/error.h"
#include "common/file_io.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace aotpack::archive {

struct EntryView {
    std::string_view module;
    EntryKind kind = EntryKind::Spirv;
    std::uint32_t targetIp = 0;
    std::uint32_t blob = 0;
    std::uint32_t index = 0;                // position in the sorted entry table
    std::uint32_t kvFirst = 0, kvCount = 0; // its metadata: kv[first .. first+count)
};

enum class IndexChecks {
    Full,   // every rule at open: the tools
    Lookup, // layout at open, each record when read; checkIndex() on demand: the runtime
};

struct BlobInfo {
    std::uint64_t offset = 0, storedSize = 0, rawSize = 0;
    Compression compression = Compression::None;
    std::uint64_t rawChecksum = 0; // hash64 of the raw bytes
};

class ArchiveReader {
  public:
    // Maps the file read-only.
    static Expected<ArchiveReader> openFile(const std::filesystem::path& path,
                                            IndexChecks checks = IndexChecks::Full);
    // Reads from memory the caller keeps alive (an embedded archive).
    static Expected<ArchiveReader> openMemory(ByteView data, std::string name = "<memory>",
                                              IndexChecks checks = IndexChecks::Full);
    // The rules IndexChecks::Lookup leaves out at open: the index checksum, every metadata, blob
    // and entry record, the order. The runtime runs them to explain a lookup that found nothing.
    Status checkIndex() const;
    // What using one entry relies on: its metadata records and strings, its blob record.
    Status checkEntry(const EntryView& e) const;

    const std::string& name() const { return name_; }
    std::uint16_t minorVersion() const { return minor_; }
    std::uint64_t fileSize() const { return data_.size(); }

    std::size_t entryCount() const { return entryCount_; }
    // Every entry, in table order (Lookup: those whose record is intact).
    std::vector<EntryView> entries() const;
    std::size_t blobCount() const { return blobCount_; }
    BlobInfo blob(std::uint32_t index) const;

    // O(log n) lookup. Under IndexChecks::Lookup a damaged record met on the way ends the search
    // with nothing found; checkIndex() then says what is wrong.
    std::optional<EntryView> find(std::string_view module, EntryKind kind,
                                  std::uint32_t targetIp = 0) const;
    // One module's entries of one kind, in IP order.
    std::vector<EntryView> entriesOf(std::string_view module, EntryKind kind) const;
    std::vector<EntryView> nativeEntries(std::string_view module) const {
        return entriesOf(module, EntryKind::Native);
    }
    std::vector<std::string_view> modules() const;
    std::vector<std::uint32_t> targets() const; // distinct native target IPs, ascending

    std::optional<std::string_view> meta(const EntryView& e, std::string_view key) const;
    std::vector<std::pair<std::string_view, std::string_view>> metadata(const EntryView& e) const;
    std::vector<std::pair<std::string_view, std::string_view>> archiveMetadata() const;
    std::optional<std::string_view> archiveMeta(std::string_view key) const;

    // Checks the stored checksum, decompresses, checks the raw checksum.
    Expected<Bytes> payload(const EntryView& e) const;
    // The same, without a copy when the payload is stored uncompressed: `bytes` then points into
    // the mapped file (valid while the reader lives), else at `owned`.
    struct Payload {
        Bytes owned;
        ByteView bytes;
    };
    Expected<Payload> payloadView(const EntryView& e) const;
    // The stored bytes as they are in the file (for copying between archives without
    // recompressing).
    ByteView storedPayload(const EntryView& e) const;
    // Every payload's checksums and decompression.
    Status verifyPayloads() const;
    // The zstd dictionary with this id the archive carries (format 1.4), read and checked once
    // per reader; NotFound when it has none.
    Expected<std::shared_ptr<const Dictionary>> dictionary(std::uint32_t id) const;

    // A signed archive's signature block (archive/signing.h), to the end of the file; empty when
    // unsigned. The whole file, for tools that re-sign it.
    ByteView signatureBlock() const {
        return signatureOffset_ ? data_.subspan(signatureOffset_) : ByteView();
    }
    ByteView fileBytes() const { return data_; }
    // The file without its signature block: the archive as it was before it was signed.
    ByteView unsignedBytes() const {
        return signatureOffset_ ? data_.first(signatureOffset_) : data_;
    }
    std::uint64_t signatureOffset() const { return signatureOffset_; }

  private:
    struct Mapping;
    static Expected<ArchiveReader> open(ArchiveReader reader, IndexChecks checks);
    Status parseLayout(bool withChecksum);
    Status parseIndexLayout();
    Status checkRecords() const;
    Status checkKvs() const;
    Status checkKv(std::uint32_t i) const;
    Status checkBlobs() const;
    Status checkBlob(std::uint32_t i) const;
    Status checkEntries() const;
    EntryView viewOf(std::uint32_t i, const EntryRecord& r) const; // r.module must be in range
    std::optional<EntryView> recordAt(std::uint32_t i) const;      // nullopt: damaged record
    std::uint64_t payloadStart() const {
        return std::uint64_t(index_.data() - data_.data()) + index_.size();
    }
    // The first entry not less than the key; nullopt if the search met a damaged record.
    std::optional<std::size_t> lowerBound(std::string_view module, EntryKind kind,
                                          std::uint32_t targetIp) const;
    Error corrupt(const std::string& what) const;
    std::string_view stringAt(std::uint32_t offset) const;
    std::vector<std::pair<std::string_view, std::string_view>> kvRange(std::uint32_t first,
                                                                       std::uint32_t count) const;

    std::shared_ptr<Mapping> mapping_;
    struct Dictionaries;
    std::shared_ptr<Dictionaries> dictionaries_; // shared by copies of the reader
    ByteView data_;
    std::string name_;
    std::uint16_t minor_ = 0;
    ByteView index_;
    std::uint64_t indexChecksum_ = 0;
    std::uint64_t signatureOffset_ = 0;
    const std::uint8_t* records_ = nullptr;
    std::uint32_t entryCount_ = 0;
    const std::uint8_t* blobs_ = nullptr;
    std::uint32_t blobCount_ = 0;
    const std::uint8_t* kvs_ = nullptr;
    std::uint32_t kvCount_ = 0;
    std::uint32_t archiveKvFirst_ = 0, archiveKvCount_ = 0;
    std::string_view strings_;
};

} // namespace aotpack::archive
