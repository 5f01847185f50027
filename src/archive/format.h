// On-disk layout of an .aotpack archive, format 1.x (a file's minor version is the newest feature
// it uses: kMinor* below). docs/FORMAT.md is the normative description;
// this header is its transcription. All integers are little-endian.
#pragma once

#include <bit>
#include <cstdint>

namespace aotpack::archive {

static_assert(std::endian::native == std::endian::little,
              "the format is little-endian; big-endian hosts are a non-goal");

inline constexpr char kMagic[8] = {'A', 'O', 'T', 'P', 'A', 'C', 'K', '\x1a'};
inline constexpr std::uint16_t kMajorVersion = 1;
inline constexpr std::uint16_t kMinorVersion = 1; // what a writer writes unless it needs more:
inline constexpr std::uint16_t kMinorSigned = 2;  // a signature block
inline constexpr std::uint16_t kMinorRemoteNatives = 3;  // RemoteNative entries
inline constexpr std::uint16_t kMinorDictionaries = 4;   // Dictionary entries, compression 3,
                                                         // RemoteSpirv entries
inline constexpr std::uint64_t kPayloadAlignment = 64;   // zero-copy mmap of payloads
inline constexpr std::uint64_t kMaxRawSize = 1ull << 30; // per payload; larger is refused (bombs)
inline constexpr std::uint32_t kMaxEntries = 1u << 24;
inline constexpr std::uint32_t kMaxNameLength = 200;

enum class EntryKind : std::uint16_t {
    Spirv = 0,  // the module's SPIR-V; target_ip is 0
    Native = 1, // a zebin for target_ip, without embedded IR
    // 1.3: a zebin for target_ip kept on a server, not in the archive: its payload is a short
    // text naming it, its metadata `sha256` and `size` pin it (delivery/slim.h).
    RemoteNative = 2,
    // 1.4: a zstd dictionary that payloads stored with Compression::ZstdDictionary use; its
    // module is kDictionaryModule (no module name may start with '.'), target_ip its dictionary
    // id (archive/dictionary.h).
    Dictionary = 3,
    // 1.4: a module's SPIR-V kept on the server, like a RemoteNative (`slim --remote-spirv`).
    RemoteSpirv = 4,
};
inline constexpr const char* kDictionaryModule = ".zstd-dictionary";

// 2 (format 1.1): SPIR-V's words split into byte planes, then zstd (archive/payload_codec.h).
// 3 (format 1.4): one zstd frame made with a dictionary the archive carries (the frame names it).
enum class Compression : std::uint32_t {
    None = 0,
    Zstd = 1,
    ZstdBytePlanes = 2,
    ZstdDictionary = 3
};

struct FileHeader { // at offset 0, 64 bytes
    char magic[8];
    std::uint16_t major;
    std::uint16_t minor;
    std::uint32_t headerSize; // 64
    std::uint64_t fileSize;
    std::uint64_t indexOffset; // 64 in version 1.0 writers
    std::uint64_t indexSize;
    std::uint64_t indexChecksum;   // XXH3-64 of the index bytes
    std::uint64_t signatureOffset; // 1.2: where the signature block starts; 0: unsigned
    std::uint64_t headerChecksum;  // XXH3-64 of the 56 bytes before it
};
static_assert(sizeof(FileHeader) == 64);

struct IndexHeader { // at indexOffset, 32 bytes
    std::uint32_t entryCount;
    std::uint32_t blobCount;
    std::uint32_t kvCount;
    std::uint32_t archiveKvFirst; // archive-level metadata: kv[first, first+count)
    std::uint32_t archiveKvCount;
    std::uint32_t stringsSize;
    std::uint64_t reserved;
};
static_assert(sizeof(IndexHeader) == 32);

struct EntryRecord {      // sorted by (module bytes, kind, targetIp), unique
    std::uint32_t module; // string offset
    std::uint16_t kind;   // EntryKind
    std::uint16_t reserved;
    std::uint32_t targetIp; // IP value (major<<22 | minor<<14 | revision)
    std::uint32_t blob;     // index into the blob table
    std::uint32_t kvFirst;
    std::uint32_t kvCount;
    std::uint64_t reserved2;
};
static_assert(sizeof(EntryRecord) == 32);

struct BlobRecord {       // sorted by offset, non-overlapping; shared by equal payloads
    std::uint64_t offset; // absolute, multiple of kPayloadAlignment
    std::uint64_t storedSize;
    std::uint64_t rawSize;
    std::uint32_t compression; // Compression
    std::uint32_t reserved;
    std::uint64_t storedChecksum; // XXH3-64 of the stored bytes
    std::uint64_t rawChecksum;    // XXH3-64 of the raw (decompressed) bytes
};
static_assert(sizeof(BlobRecord) == 48);

struct KvRecord { // key and value are string offsets
    std::uint32_t key;
    std::uint32_t value;
};
static_assert(sizeof(KvRecord) == 8);

// Index = IndexHeader, EntryRecord[entryCount], BlobRecord[blobCount], KvRecord[kvCount],
// then stringsSize bytes of NUL-terminated strings.

} // namespace aotpack::archive
