// Reads archives. Opening validates the header and the whole index (bounds, order, strings, blob
// layout, checksum) without touching payloads; a payload is read, checked and decompressed only
// when asked for. Nothing in the file is trusted: every offset and size is checked before use.
#pragma once

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
    std::uint32_t index = 0; // position in the sorted entry table
};

struct BlobInfo {
    std::uint64_t offset = 0, storedSize = 0, rawSize = 0;
    Compression compression = Compression::None;
    std::uint64_t rawChecksum = 0; // hash64 of the raw bytes
};

class ArchiveReader {
  public:
    // Maps the file read-only.
    static Expected<ArchiveReader> openFile(const std::filesystem::path& path);
    // Reads from memory the caller keeps alive (an embedded archive).
    static Expected<ArchiveReader> openMemory(ByteView data, std::string name = "<memory>");

    const std::string& name() const { return name_; }
    std::uint16_t minorVersion() const { return minor_; }
    std::uint64_t fileSize() const { return data_.size(); }

    std::size_t entryCount() const { return entries_.size(); }
    const EntryView& entry(std::size_t i) const { return entries_[i]; }
    const std::vector<EntryView>& entries() const { return entries_; }
    std::size_t blobCount() const { return blobCount_; }
    BlobInfo blob(std::uint32_t index) const;

    // O(log n) lookup.
    const EntryView* find(std::string_view module, EntryKind kind,
                          std::uint32_t targetIp = 0) const;
    // Native entries of one module, in IP order.
    std::vector<const EntryView*> nativeEntries(std::string_view module) const;
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

  private:
    struct Mapping;
    Status parse();
    Status parseIndex(ByteView index, std::uint64_t payloadStart);
    Status checkKvs() const;
    Status checkBlobs(std::uint64_t payloadStart) const;
    Status readEntries(const std::uint8_t* records, std::uint32_t count);
    Error corrupt(const std::string& what) const;
    std::string_view stringAt(std::uint32_t offset) const;
    std::vector<std::pair<std::string_view, std::string_view>> kvRange(std::uint32_t first,
                                                                       std::uint32_t count) const;

    std::shared_ptr<Mapping> mapping_;
    ByteView data_;
    std::string name_;
    std::uint16_t minor_ = 0;
    const std::uint8_t* blobs_ = nullptr;
    std::uint32_t blobCount_ = 0;
    const std::uint8_t* kvs_ = nullptr;
    std::uint32_t kvCount_ = 0;
    std::uint32_t archiveKvFirst_ = 0, archiveKvCount_ = 0;
    std::vector<std::uint32_t> entryKvFirst_, entryKvCount_;
    std::string_view strings_;
    std::vector<EntryView> entries_;
};

} // namespace aotpack::archive
