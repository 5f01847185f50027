// How one payload is stored (docs/FORMAT.md, BlobRecord "compression"): as it is, as one zstd
// frame, or - for SPIR-V - as one zstd frame of its 32-bit words split into byte planes. SPIR-V is
// a stream of little-endian words whose high bytes are mostly zero and whose low bytes are small
// ids and opcodes; split into planes (every word's byte 0, then every byte 1, ...) those runs line
// up, and zstd stores hashcat's 5.6 MB modules 2.3x smaller than the plain words at the same level
// while compressing faster (bench/compression.py). Native binaries (zebin: ELF with 16-byte GPU
// instructions) get no gain from it and stay plain zstd; so do small SPIR-V modules, which are
// mostly strings (the writer keeps whichever of the two is smaller).
#pragma once

#include "archive/dictionary.h"
#include "archive/format.h"
#include "common/error.h"
#include "common/file_io.h"

#include <cstdint>

namespace aotpack::archive {

// A payload as stored: compressed at `level` if that makes it smaller, else as it is (level 0:
// always as it is). The same input, level and dictionary give the same bytes on every machine.
struct CompressedPayload {
    Bytes stored;
    std::uint64_t rawSize = 0;
    Compression compression = Compression::None;
    std::uint64_t rawChecksum = 0;
    int level = 0;
    // The dictionary `stored` needs (Compression::ZstdDictionary), else null.
    std::shared_ptr<const Dictionary> dictionary;
};
// With a dictionary, zstd uses it in place of the plain frame (SPIR-V still tries byte planes,
// which use none): one compression per payload either way, so a build's CPU does not grow.
CompressedPayload compressPayload(ByteView raw, int level,
                                  std::shared_ptr<const Dictionary> dictionary = nullptr);

// The raw bytes of a stored payload, exactly `rawSize` of them; the error says what is wrong
// ("does not decompress", ...) without naming the payload: the caller does. `dictionary`: the
// one a Compression::ZstdDictionary frame names (the caller finds it by frameDictionaryId).
Expected<Bytes> decompressPayload(ByteView stored, Compression compression, std::uint64_t rawSize,
                                  const Dictionary* dictionary = nullptr);

// Whether this aotpack reads payloads stored with `code`.
bool knownCompression(std::uint32_t code);
// "none", "zstd", "zstd-byte-planes" (`aotpack list --json`).
const char* compressionName(Compression compression);

} // namespace aotpack::archive
