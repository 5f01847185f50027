// Builds an archive in memory. The output depends only on the content added, never on the order it
// was added in, the time, the user or paths: entries are sorted, equal payloads are stored once and
// compression runs per payload with fixed parameters.
#pragma once

#include "archive/format.h"
#include "archive/payload_codec.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/hash.h"
#include "crypto/ed25519.h"

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace aotpack::archive {

using Metadata = std::map<std::string, std::string>;

struct WriterOptions {
    // zstd levels by payload size, chosen by measurement (bench/compression.py,
    // docs/ARCHITECTURE.md): hashcat's 330 KB-1 MB zebins at 19 (15 stores them 15% larger);
    // small payloads (piglit's 32 KB zebins, small SPIR-V) at 15, within 1.2% of 19 for a quarter
    // of its CPU; multi-MB SPIR-V at 9, where 19 costs ~7 s of CPU per 5 MB, which on a 2-core
    // build machine costs more than it saves. `--compression max` uses 19 for everything.
    int smallPayloadLevel = 15;
    int zstdLevel = 19;
    int largePayloadLevel = 9;
    std::size_t smallPayloadBytes = 128u << 10;
    std::size_t largePayloadBytes = 1u << 20;
    unsigned threads = 0; // 0: hardware concurrency; does not change the output
    int levelFor(std::size_t rawSize) const {
        if (rawSize > largePayloadBytes) return largePayloadLevel;
        return rawSize <= smallPayloadBytes ? smallPayloadLevel : zstdLevel;
    }
    // `--compression max`: zstdLevel for every payload.
    void useMaxCompression() { smallPayloadLevel = largePayloadLevel = zstdLevel; }
    // The trained dictionary (archive/dictionary.h) to compress an entry's payload with, by its
    // kind and target; null or unset: none. The archive then carries each dictionary it used.
    std::function<std::shared_ptr<const Dictionary>(EntryKind, std::uint32_t targetIp)>
        dictionaryFor;
    std::shared_ptr<const Dictionary> dictionaryOf(EntryKind kind, std::uint32_t targetIp) const {
        return dictionaryFor ? dictionaryFor(kind, targetIp) : nullptr;
    }
};

// Archive metadata "compression" = "fast-load" (`--compression fast-load`): native binaries are
// stored uncompressed, so the runtime hands them to the driver straight from the mapped file,
// without decompressing (~0.3 ms per 400 KB zebin) or copying, at the cost of a larger archive.
// SPIR-V stays compressed. Tools that rewrite an archive (merge, remove-targets, add-targets)
// carry the metadata and with it the choice.
inline constexpr const char* kCompressionKey = "compression";
inline constexpr const char* kFastLoad = "fast-load";

class ArchiveWriter {
  public:
    void setArchiveMetadata(const std::string& key, const std::string& value) {
        archiveMeta_[key] = value;
    }
    Status addSpirv(const std::string& module, Bytes spirv, Metadata meta);
    Status addNative(const std::string& module, std::uint32_t targetIp, Bytes zebin, Metadata meta);
    // A native entry known only by its raw bytes' hash: its stored form comes through
    // adoptCompressed before finish(), so a large build need not hold every raw binary.
    Status addNativeStored(const std::string& module, std::uint32_t targetIp,
                           const Hash128& rawHash, Metadata meta);
    // Any kind, also one this version does not know (copied as it is: FORMAT.md, "kind"), but
    // Dictionary entries, which the writer makes for the dictionaries its payloads use.
    Status addEntry(const std::string& module, std::uint16_t kind, std::uint32_t targetIp,
                    Bytes payload, Metadata meta);
    Expected<Bytes> finish(const WriterOptions& options = {}) const;
    // A payload compressed ahead of time (compressPayload), e.g. on idle CPU while a build
    // compiles: finish() uses it instead of compressing again if it chooses the same level.
    void adoptCompressed(const Hash128& rawHash, CompressedPayload blob) {
        precompressed_[rawHash] = std::move(blob);
    }
    // A payload as another archive stored it, used as it is whatever level finish() would
    // choose (an archive records the bytes, not the level). Only for archives written by the
    // same aotpack with the same options, such as the shards of one plan (archive/shards.h):
    // then the bytes are those finish() would have made.
    void adoptStoredPayload(const Hash128& rawHash, CompressedPayload blob) {
        blob.level = kLevelOfStoredPayload;
        precompressed_[rawHash] = std::move(blob);
    }
    // A dictionary to carry even if no stored payload uses it: a slim archive's remote natives
    // are served as the dictionary frames the fat archive stored (delivery/publish.h).
    void carryDictionary(std::shared_ptr<const Dictionary> dictionary) {
        carried_.push_back(std::move(dictionary));
    }
    std::size_t entryCount() const { return entries_.size(); }
    static constexpr int kLevelOfStoredPayload = -1000;

  private:
    using Key = std::tuple<std::string, std::uint16_t, std::uint32_t>;
    struct Entry {
        Hash128 payload;
        Metadata meta;
    };
    Status add(Key key, Bytes data, Metadata meta);
    // `raw` may be null: then only adoptCompressed provides the payload.
    Status addHashed(Key key, const Hash128& h, std::shared_ptr<const Bytes> raw, Metadata meta);

    // The payloads in blob order: raw bytes (null if only adopted), hash, first entry's key.
    struct Blobs {
        std::vector<const Bytes*> raws;
        std::vector<Hash128> hashes;
        std::vector<const Key*> firstUse;
        std::map<Hash128, std::uint32_t> index;
    };
    Blobs numberBlobs() const;
    std::uint16_t minorVersionNeeded(bool dictionaries) const;
    int levelFor(const Hash128& payload, std::size_t rawSize, const WriterOptions& options) const;
    std::vector<const CompressedPayload*> compressAll(const Blobs& blobs,
                                                      const WriterOptions& options,
                                                      std::vector<CompressedPayload>& fresh) const;
    const CompressedPayload* compressOne(const Blobs& blobs, std::size_t i,
                                         const WriterOptions& options,
                                         CompressedPayload& fresh) const;

    std::map<Key, Entry> entries_;
    std::map<Hash128, CompressedPayload> precompressed_;
    std::map<Hash128, std::shared_ptr<const Bytes>> payloads_;
    std::set<Hash128> nativePayloads_; // payloads of native entries (fast-load)
    Metadata archiveMeta_;
    std::vector<std::shared_ptr<const Dictionary>> carried_;
};

// Writes the archive atomically; with `signWith`, signed by those keys (archive/signing.h) before
// it is written, so the file is never there unsigned.
Status writeArchiveFile(const std::filesystem::path& path, const ArchiveWriter& writer,
                        const WriterOptions& options = {},
                        const std::vector<crypto::Ed25519Key>& signWith = {});

} // namespace aotpack::archive
