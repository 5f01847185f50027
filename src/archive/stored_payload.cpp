#include "archive/stored_payload.h"

#include <cstring>

namespace aotpack::archive {
namespace {

constexpr char kStoredMagic[4] = {'A', 'O', 'T', 'Z'};

struct Header {
    char magic[4];
    std::uint32_t compression;
    std::int32_t level;
    std::uint32_t reserved;
    std::uint64_t rawSize;
    std::uint64_t rawChecksum;
};

} // namespace

Bytes encodeStoredPayload(const CompressedPayload& p) {
    Header h{};
    std::memcpy(h.magic, kStoredMagic, sizeof kStoredMagic);
    h.compression = static_cast<std::uint32_t>(p.compression);
    h.level = p.level;
    h.rawSize = p.rawSize;
    h.rawChecksum = p.rawChecksum;
    Bytes out(sizeof h + p.stored.size());
    std::memcpy(out.data(), &h, sizeof h);
    if (!p.stored.empty()) std::memcpy(out.data() + sizeof h, p.stored.data(), p.stored.size());
    return out;
}

std::optional<CompressedPayload> decodeStoredPayload(ByteView bytes, ByteView raw,
                                                     std::shared_ptr<const Dictionary> dictionary) {
    Header h{};
    if (bytes.size() < sizeof h) return std::nullopt;
    std::memcpy(&h, bytes.data(), sizeof h);
    if (std::memcmp(h.magic, kStoredMagic, sizeof kStoredMagic) != 0 || h.rawSize != raw.size() ||
        h.rawChecksum != hash64(raw))
        return std::nullopt;
    ByteView stored = bytes.subspan(sizeof h);
    if (!knownCompression(h.compression)) return std::nullopt;
    auto compression = static_cast<Compression>(h.compression);
    if (compression != Compression::ZstdDictionary) dictionary = nullptr;
    auto check = decompressPayload(stored, compression, raw.size(), dictionary.get());
    if (!check || *check != Bytes(raw.begin(), raw.end())) return std::nullopt;
    return CompressedPayload{Bytes(stored.begin(), stored.end()),
                             h.rawSize,
                             compression,
                             h.rawChecksum,
                             h.level,
                             std::move(dictionary)};
}

} // namespace aotpack::archive
