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
    if (std::get<1>(key) == static_cast<std::uint16_t>(EntryKind::Dictionary))
        return success(); // finish() carries the dictionaries the payloads use
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

static bool sameDictionary(const CompressedPayload& p, const Dictionary* dictionary) {
    return (p.dictionary ? p.dictionary->id() : 0) == (dictionary ? dictionary->id() : 0);
}

// One payload's stored form: compressed ahead (adoptCompressed) at the same level with the same
// dictionary, or adopted as another archive stored it, is reused, not copied; otherwise it is
// compressed into `fresh`. Null: added by hash and never handed over (finish() says so).
const CompressedPayload* ArchiveWriter::compressOne(const Blobs& blobs, std::size_t i,
                                                    const WriterOptions& options,
                                                    CompressedPayload& fresh) const {
    auto it = precompressed_.find(blobs.hashes[i]);
    const CompressedPayload* ahead = it != precompressed_.end() ? &it->second : nullptr;
    const Bytes* raw = blobs.raws[i];
    if (!raw && !ahead) return nullptr;
    int level = levelFor(blobs.hashes[i], raw ? raw->size() : ahead->rawSize, options);
    const auto& [module, kind, ip] = *blobs.firstUse[i];
    auto dictionary = level > 0 ? options.dictionaryOf(static_cast<EntryKind>(kind), ip) : nullptr;
    if (ahead &&
        ((ahead->level == level && sameDictionary(*ahead, dictionary.get())) ||
         ahead->level == kLevelOfStoredPayload) &&
        (!raw || ahead->rawChecksum == hash64(*raw)))
        return ahead;
    if (raw) {
        fresh = compressPayload(*raw, level, dictionary);
    } else { // only its stored form, made otherwise: the bytes must be those of this choice
        auto again = decompressPayload(ahead->stored, ahead->compression, ahead->rawSize,
                                       ahead->dictionary.get());
        if (!again) return nullptr;
        fresh = compressPayload(*again, level, dictionary);
    }
    return &fresh;
}

std::vector<const CompressedPayload*>
ArchiveWriter::compressAll(const Blobs& blobs, const WriterOptions& options,
                           std::vector<CompressedPayload>& fresh) const {
    std::vector<const CompressedPayload*> stored(blobs.raws.size());
    fresh.assign(blobs.raws.size(), {});
    unsigned threads =
        options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    parallelFor(stored.size(), threads,
                [&](std::size_t i) { stored[i] = compressOne(blobs, i, options, fresh[i]); });
    return stored;
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

// The file: header, index (with the archive metadata), payloads at their aligned offsets.
Bytes assemble(IndexTables& tables, const Metadata& archiveMeta,
               const std::vector<const CompressedPayload*>& blobs, std::uint16_t minor) {
    tables.archiveKvFirst = static_cast<std::uint32_t>(tables.kvs.size());
    tables.addKvs(archiveMeta);
    std::uint64_t indexSize = sizeof(IndexHeader) + tables.entries.size() * sizeof(EntryRecord) +
                              blobs.size() * sizeof(BlobRecord) +
                              tables.kvs.size() * sizeof(KvRecord) + tables.strings.bytes().size();
    auto records = layOutBlobs(blobs, alignUp(sizeof(FileHeader) + indexSize));
    Bytes index = encodeIndex(tables, archiveMeta.size(), records);
    std::uint64_t fileSize = records.empty() ? alignUp(sizeof(FileHeader) + indexSize)
                                             : records.back().offset + records.back().storedSize;
    return concatenate(index, blobs, records, fileSize, minor);
}

} // namespace

// Blobs are numbered in the order entries first use them, entries being in key order.
ArchiveWriter::Blobs ArchiveWriter::numberBlobs() const {
    Blobs b;
    for (const auto& [key, entry] : entries_)
        if (b.index.try_emplace(entry.payload, static_cast<std::uint32_t>(b.raws.size())).second) {
            b.raws.push_back(payloads_.at(entry.payload).get());
            b.hashes.push_back(entry.payload);
            b.firstUse.push_back(&key);
        }
    return b;
}

namespace {

// The dictionaries the stored payloads need (and those `carried`), each once, by id.
Expected<std::map<std::uint32_t, std::shared_ptr<const Dictionary>>>
dictionariesUsed(const std::vector<const CompressedPayload*>& stored,
                 std::vector<std::shared_ptr<const Dictionary>> carried) {
    for (const auto* p : stored) {
        if (p->compression != Compression::ZstdDictionary) continue;
        if (!p->dictionary)
            return makeError(Errc::Internal, "a payload stored with zstd dictionary " +
                                                 std::to_string(frameDictionaryId(p->stored)) +
                                                 " came without the dictionary");
        carried.push_back(p->dictionary);
    }
    std::map<std::uint32_t, std::shared_ptr<const Dictionary>> used;
    for (const auto& d : carried) {
        auto [it, added] = used.try_emplace(d->id(), d);
        if (!added && !std::ranges::equal(it->second->bytes(), d->bytes()))
            return makeError(Errc::Conflict, "two different zstd dictionaries have the id " +
                                                 std::to_string(it->first));
    }
    return used;
}

} // namespace

Expected<Bytes> ArchiveWriter::finish(const WriterOptions& options) const {
    Blobs numbered = numberBlobs();
    std::vector<CompressedPayload> fresh;
    auto blobs = compressAll(numbered, options, fresh);
    for (std::size_t i = 0; i < blobs.size(); ++i)
        if (!blobs[i])
            return makeError(Errc::Internal, "payload " + numbered.hashes[i].hex() +
                                                 " was added by hash, but its stored form was "
                                                 "not handed to the writer");
    auto dictionaries = dictionariesUsed(blobs, carried_);
    if (!dictionaries) return dictionaries.error();
    // Each dictionary: an entry of its own, after the others, in plain zstd (8 KiB of zebin
    // fragments store in ~2.5 KiB).
    std::map<Key, std::uint32_t> dictionaryEntries;
    std::vector<CompressedPayload> dictionaryBlobs;
    for (const auto& [id, dictionary] : *dictionaries) {
        dictionaryEntries[{kDictionaryModule, static_cast<std::uint16_t>(EntryKind::Dictionary),
                           id}] = static_cast<std::uint32_t>(blobs.size() + dictionaryBlobs.size());
        dictionaryBlobs.push_back(compressPayload(dictionary->bytes(), options.zstdLevel));
    }
    for (const auto& b : dictionaryBlobs)
        blobs.push_back(&b);
    IndexTables tables;
    static const Metadata kNoMetadata;
    auto addRecord = [&](const Key& key, std::uint32_t blob, const Metadata& meta) {
        EntryRecord r{};
        r.module = tables.strings.intern(std::get<0>(key));
        r.kind = std::get<1>(key);
        r.targetIp = std::get<2>(key);
        r.blob = blob;
        r.kvFirst = static_cast<std::uint32_t>(tables.kvs.size());
        r.kvCount = static_cast<std::uint32_t>(meta.size());
        tables.addKvs(meta);
        tables.entries.push_back(r);
    };
    auto nextDictionary = dictionaryEntries.begin(); // merged into the sorted entry order
    for (const auto& [key, entry] : entries_) {
        for (; nextDictionary != dictionaryEntries.end() && nextDictionary->first < key;
             ++nextDictionary)
            addRecord(nextDictionary->first, nextDictionary->second, kNoMetadata);
        addRecord(key, numbered.index.at(entry.payload), entry.meta);
    }
    for (; nextDictionary != dictionaryEntries.end(); ++nextDictionary)
        addRecord(nextDictionary->first, nextDictionary->second, kNoMetadata);
    return assemble(tables, archiveMeta_, blobs, minorVersionNeeded(!dictionaries->empty()));
}

// Only an archive that needs a newer minor version says so: every other stays readable as 1.1
// by older readers.
std::uint16_t ArchiveWriter::minorVersionNeeded(bool dictionaries) const {
    auto has = [this](EntryKind kind) {
        return std::any_of(entries_.begin(), entries_.end(), [kind](const auto& e) {
            return std::get<1>(e.first) == static_cast<std::uint16_t>(kind);
        });
    };
    if (dictionaries || has(EntryKind::RemoteSpirv)) return kMinorDictionaries;
    return has(EntryKind::RemoteNative) ? kMinorRemoteNatives : kMinorVersion;
}

Status writeArchiveFile(const std::filesystem::path& path, const ArchiveWriter& writer,
                        const WriterOptions& options,
                        const std::vector<crypto::Ed25519Key>& signWith) {
    auto bytes = writer.finish(options);
    if (!bytes) return bytes.error();
    if (signWith.empty()) return writeFileAtomic(path, *bytes);
    auto signed_ = signArchiveBytes(*bytes, path.string(), signWith);
    if (!signed_) return signed_.error();
    return writeFileAtomic(path, *signed_);
}

} // namespace aotpack::archive
