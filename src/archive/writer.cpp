#include "archive/writer.h"

#include "archive/signing.h"

#include "archive/module_name.h"
#include "common/parallel.h"
#include "common/text.h"
#include "devices/ip_version.h"

#include <atomic>

#include <algorithm>
#include <cstring>
#include <future>
#include <thread>

namespace aotpack::archive {

Status ArchiveWriter::addSpirv(const std::string& module, Bytes spirv, Metadata meta) {
    return add({module, static_cast<std::uint16_t>(EntryKind::Spirv), 0}, std::move(spirv),
               std::move(meta));
}

Status ArchiveWriter::addNative(const std::string& module, std::uint32_t targetIp, Bytes zebin,
                                Metadata meta) {
    return add({module, static_cast<std::uint16_t>(EntryKind::Native), targetIp}, std::move(zebin),
               std::move(meta));
}

Status ArchiveWriter::addEntry(const std::string& module, std::uint16_t kind,
                               std::uint32_t targetIp, Bytes payload, Metadata meta) {
    return add({module, kind, targetIp}, std::move(payload), std::move(meta));
}

Status ArchiveWriter::addNativeStored(const std::string& module, std::uint32_t targetIp,
                                      const Hash128& rawHash, Metadata meta) {
    return addHashed({module, static_cast<std::uint16_t>(EntryKind::Native), targetIp}, rawHash,
                     nullptr, std::move(meta));
}

Status ArchiveWriter::add(Key key, Bytes data, Metadata meta) {
    if (data.size() > kMaxRawSize)
        return makeError(Errc::BadInput,
                         "module '" + std::get<0>(key) + "' has a payload larger than 1 GiB");
    Hash128 h = hash128(data);
    return addHashed(std::move(key), h, std::make_shared<const Bytes>(std::move(data)),
                     std::move(meta));
}

Status ArchiveWriter::addHashed(Key key, const Hash128& h, std::shared_ptr<const Bytes> raw,
                                Metadata meta) {
    const std::string& module = std::get<0>(key);
    if (auto problem = moduleNameProblem(module); !problem.empty())
        return makeError(Errc::BadInput, "module name '" + printable(module) + "' " + problem);
    if (auto it = entries_.find(key); it != entries_.end()) {
        if (it->second.payload == h) return success(); // the same content again: kept once
        std::uint16_t kind = std::get<1>(key);
        std::string what =
            kind == static_cast<std::uint16_t>(EntryKind::Spirv) ? "SPIR-V"
            : kind == static_cast<std::uint16_t>(EntryKind::Native)
                ? "binaries for target " + devices::IpVersion::fromValue(std::get<2>(key)).str()
                : "entries of kind " + std::to_string(kind);
        return makeError(Errc::Conflict, "module '" + module + "' has two different " + what);
    }
    if (raw) {
        auto [it, inserted] = payloads_.try_emplace(h, raw);
        if (!inserted && !it->second) it->second = std::move(raw);
    } else {
        payloads_.try_emplace(h, nullptr); // its stored form comes through adoptCompressed
    }
    if (std::get<1>(key) == static_cast<std::uint16_t>(EntryKind::Native))
        nativePayloads_.insert(h);
    entries_[key] = Entry{h, std::move(meta)};
    return success();
}

namespace {

// Interns strings in first-use order; the order is fixed by the sorted traversal, so it is stable.
class StringTable {
  public:
    std::uint32_t intern(const std::string& s) {
        auto [it, inserted] = offsets_.try_emplace(s, static_cast<std::uint32_t>(bytes_.size()));
        if (inserted) {
            bytes_.insert(bytes_.end(), s.begin(), s.end());
            bytes_.push_back(0);
        }
        return it->second;
    }
    const Bytes& bytes() const { return bytes_; }

  private:
    std::map<std::string, std::uint32_t> offsets_;
    Bytes bytes_;
};

template <class T> void append(Bytes& out, const T& value) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    out.insert(out.end(), p, p + sizeof(T));
}

std::uint64_t alignUp(std::uint64_t v) {
    return (v + kPayloadAlignment - 1) / kPayloadAlignment * kPayloadAlignment;
}

} // namespace

int ArchiveWriter::levelFor(const Hash128& payload, std::size_t rawSize,
                            const WriterOptions& options) const {
    auto it = archiveMeta_.find(kCompressionKey);
    bool fastLoad = it != archiveMeta_.end() && it->second == kFastLoad;
    if (fastLoad && nativePayloads_.count(payload)) return 0;
    return options.levelFor(rawSize);
}

// Payloads compressed ahead (adoptCompressed) at the same level are reused, not copied: the bytes
// are the same either way. The others are compressed into `fresh`.
std::vector<const CompressedPayload*>
ArchiveWriter::compressAll(const std::vector<const Bytes*>& raws,
                           const std::vector<Hash128>& hashes, const WriterOptions& options,
                           std::vector<CompressedPayload>& fresh) const {
    std::vector<const CompressedPayload*> blobs(raws.size());
    fresh.assign(raws.size(), {});
    unsigned threads =
        options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    parallelFor(raws.size(), threads, [&](std::size_t i) {
        auto it = precompressed_.find(hashes[i]);
        const CompressedPayload* ahead = it != precompressed_.end() ? &it->second : nullptr;
        if (!raws[i] && !ahead) return; // added by hash and never handed over: finish() says so
        int level = levelFor(hashes[i], raws[i] ? raws[i]->size() : ahead->rawSize, options);
        if (ahead && (ahead->level == level || ahead->level == kLevelOfStoredPayload) &&
            (!raws[i] || ahead->rawChecksum == hash64(*raws[i]))) {
            blobs[i] = ahead;
            return;
        }
        if (raws[i]) {
            fresh[i] = compressPayload(*raws[i], level);
        } else { // only its stored form, at another level: the bytes must be those of `level`
            auto raw = decompressPayload(ahead->stored, ahead->compression, ahead->rawSize);
            if (!raw) return;
            fresh[i] = compressPayload(*raw, level);
        }
        blobs[i] = &fresh[i];
    });
    return blobs;
}

namespace {

// The index's tables before blob offsets are known: entry records, metadata pairs, strings.
struct IndexTables {
    std::vector<EntryRecord> entries;
    std::vector<KvRecord> kvs;
    StringTable strings;
    std::uint32_t archiveKvFirst = 0;

    void addKvs(const Metadata& meta) {
        for (const auto& [k, v] : meta)
            kvs.push_back({strings.intern(k), strings.intern(v)});
    }
};

// Blob records: each payload at the next aligned offset from `offset`, in blob order.
std::vector<BlobRecord> layOutBlobs(const std::vector<const CompressedPayload*>& blobs,
                                    std::uint64_t offset) {
    std::vector<BlobRecord> records;
    for (const auto* p : blobs) {
        const CompressedPayload& b = *p;
        records.push_back({offset, b.stored.size(), b.rawSize,
                           static_cast<std::uint32_t>(b.compression), 0, hash64(b.stored),
                           b.rawChecksum});
        offset = alignUp(offset + b.stored.size());
    }
    return records;
}

Bytes encodeIndex(const IndexTables& t, std::size_t archiveKvCount,
                  const std::vector<BlobRecord>& blobs) {
    IndexHeader ih{};
    ih.entryCount = static_cast<std::uint32_t>(t.entries.size());
    ih.blobCount = static_cast<std::uint32_t>(blobs.size());
    ih.archiveKvFirst = t.archiveKvFirst;
    ih.archiveKvCount = static_cast<std::uint32_t>(archiveKvCount);
    ih.kvCount = static_cast<std::uint32_t>(t.kvs.size());
    ih.stringsSize = static_cast<std::uint32_t>(t.strings.bytes().size());
    Bytes index;
    append(index, ih);
    for (const auto& r : t.entries)
        append(index, r);
    for (const auto& b : blobs)
        append(index, b);
    for (const auto& kv : t.kvs)
        append(index, kv);
    index.insert(index.end(), t.strings.bytes().begin(), t.strings.bytes().end());
    return index;
}

FileHeader fileHeaderFor(ByteView index, std::uint64_t fileSize, std::uint16_t minor) {
    FileHeader fh{};
    std::memcpy(fh.magic, kMagic, sizeof kMagic);
    fh.major = kMajorVersion;
    fh.minor = minor;
    fh.headerSize = sizeof(FileHeader);
    fh.fileSize = fileSize;
    fh.indexOffset = sizeof(FileHeader);
    fh.indexSize = index.size();
    fh.indexChecksum = hash64(index);
    fh.headerChecksum = hash64(
        ByteView(reinterpret_cast<const std::uint8_t*>(&fh), offsetof(FileHeader, headerChecksum)));
    return fh;
}

// Header, index, then each payload at its offset, zero-padded between and to the end.
Bytes concatenate(const Bytes& index, const std::vector<const CompressedPayload*>& blobs,
                  const std::vector<BlobRecord>& records, std::uint64_t fileSize,
                  std::uint16_t minor) {
    Bytes out;
    out.reserve(fileSize);
    append(out, fileHeaderFor(index, fileSize, minor));
    out.insert(out.end(), index.begin(), index.end());
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        out.resize(records[i].offset, 0);
        out.insert(out.end(), blobs[i]->stored.begin(), blobs[i]->stored.end());
    }
    out.resize(fileSize, 0);
    return out;
}

} // namespace

// Blobs are numbered in the order entries first use them, entries being in key order.
std::map<Hash128, std::uint32_t> ArchiveWriter::numberBlobs(std::vector<const Bytes*>& raws,
                                                            std::vector<Hash128>& hashes) const {
    std::map<Hash128, std::uint32_t> blobIndex;
    for (const auto& [key, entry] : entries_)
        if (blobIndex.try_emplace(entry.payload, static_cast<std::uint32_t>(raws.size())).second) {
            raws.push_back(payloads_.at(entry.payload).get());
            hashes.push_back(entry.payload);
        }
    return blobIndex;
}

Expected<Bytes> ArchiveWriter::finish(const WriterOptions& options) const {
    std::vector<const Bytes*> raws;
    std::vector<Hash128> hashes;
    auto blobIndex = numberBlobs(raws, hashes);
    std::vector<CompressedPayload> fresh;
    auto blobs = compressAll(raws, hashes, options, fresh);
    for (std::size_t i = 0; i < blobs.size(); ++i)
        if (!blobs[i])
            return makeError(Errc::Internal, "payload " + hashes[i].hex() +
                                                 " was added by hash, but its stored form was "
                                                 "not handed to the writer");
    IndexTables tables;
    for (const auto& [key, entry] : entries_) {
        EntryRecord r{};
        r.module = tables.strings.intern(std::get<0>(key));
        r.kind = std::get<1>(key);
        r.targetIp = std::get<2>(key);
        r.blob = blobIndex.at(entry.payload);
        r.kvFirst = static_cast<std::uint32_t>(tables.kvs.size());
        r.kvCount = static_cast<std::uint32_t>(entry.meta.size());
        tables.addKvs(entry.meta);
        tables.entries.push_back(r);
    }
    tables.archiveKvFirst = static_cast<std::uint32_t>(tables.kvs.size());
    tables.addKvs(archiveMeta_);
    std::uint64_t indexSize = sizeof(IndexHeader) + tables.entries.size() * sizeof(EntryRecord) +
                              blobs.size() * sizeof(BlobRecord) +
                              tables.kvs.size() * sizeof(KvRecord) + tables.strings.bytes().size();
    auto records = layOutBlobs(blobs, alignUp(sizeof(FileHeader) + indexSize));
    Bytes index = encodeIndex(tables, archiveMeta_.size(), records);
    std::uint64_t fileSize = records.empty() ? alignUp(sizeof(FileHeader) + indexSize)
                                             : records.back().offset + records.back().storedSize;
    // Only an archive that needs 1.3 says so: every other stays readable as 1.1 by older readers.
    bool remote = std::any_of(entries_.begin(), entries_.end(), [](const auto& e) {
        return std::get<1>(e.first) == static_cast<std::uint16_t>(EntryKind::RemoteNative);
    });
    return concatenate(index, blobs, records, fileSize,
                       remote ? kMinorRemoteNatives : kMinorVersion);
}

Status writeArchiveFile(const std::filesystem::path& path, const ArchiveWriter& writer,
                        const WriterOptions& options, const std::vector<Ed25519Key>& signWith) {
    auto bytes = writer.finish(options);
    if (!bytes) return bytes.error();
    if (signWith.empty()) return writeFileAtomic(path, *bytes);
    auto signed_ = signArchiveBytes(*bytes, path.string(), signWith);
    if (!signed_) return signed_.error();
    return writeFileAtomic(path, *signed_);
}

} // namespace aotpack::archive
