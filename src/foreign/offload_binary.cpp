#include "foreign/offload_binary.h"

#include "common/bytes_at.h"
#include "foreign/inflate.h"

#include <cstring>
#include <optional>
#include <zstd.h>

namespace aotpack::foreign {

namespace {

constexpr std::uint64_t kHeaderV1 = 32, kHeaderV3 = 40, kEntrySize = 40;

Error malformedBinary(std::uint64_t offset, const std::string& what) {
    return malformedAt("OffloadBinary", offset, what);
}

// A NUL-terminated string at `at` (v1), or `size` bytes (v2+).
std::optional<std::string> stringAt(ByteView b, std::uint64_t at,
                                    std::optional<std::uint64_t> size) {
    if (at >= b.size()) return std::nullopt;
    const char* p = reinterpret_cast<const char*>(b.data() + at);
    if (size) return fits(b, at, *size) ? std::optional(std::string(p, *size)) : std::nullopt;
    const void* nul = std::memchr(p, 0, b.size() - at);
    return nul ? std::optional(std::string(p, static_cast<const char*>(nul) - p)) : std::nullopt;
}

Expected<Bytes> inflate(ByteView body, std::uint64_t inflatedSize) {
    bool zstd = body.size() >= 4 && load<std::uint32_t>(body, 0) == ZSTD_MAGICNUMBER;
    auto out = inflateBody(body, inflatedSize, zstd ? Codec::Zstd : Codec::Zlib);
    if (!out)
        return malformedBinary(32, "its compressed body does not decode to its inflated size");
    return std::move(*out);
}

Expected<OffloadEntry> readEntry(ByteView b, std::uint64_t at, std::uint32_t version) {
    if (!fits(b, at, kEntrySize)) return malformedBinary(at, "entry out of range");
    OffloadEntry e;
    e.version = version;
    e.imageKind = load<std::uint16_t>(b, at);
    e.offloadKind = load<std::uint16_t>(b, at + 2);
    auto strings = load<std::uint64_t>(b, at + 8), count = load<std::uint64_t>(b, at + 16);
    auto image = load<std::uint64_t>(b, at + 24), imageSize = load<std::uint64_t>(b, at + 32);
    std::uint64_t record = version == 1 ? 16 : 24;
    if (count > b.size() / record || !fits(b, strings, count * record))
        return malformedBinary(at, "string map out of range");
    if (!fits(b, image, imageSize)) return malformedBinary(at, "image out of range");
    for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t r = strings + i * record;
        auto key = stringAt(b, load<std::uint64_t>(b, r), std::nullopt);
        auto value =
            stringAt(b, load<std::uint64_t>(b, r + 8),
                     version == 1 ? std::nullopt : std::optional(load<std::uint64_t>(b, r + 16)));
        if (!key || !value) return malformedBinary(r, "string out of range");
        e.strings[*key] = *value;
    }
    e.image = b.subspan(image, imageSize);
    return e;
}

} // namespace

bool looksLikeOffloadBinary(ByteView bytes) {
    return bytes.size() >= kHeaderV1 && std::memcmp(bytes.data(), kOffloadMagic, 4) == 0;
}

const char* imageKindName(std::uint16_t kind) {
    static const char* names[] = {"none",      "object", "bitcode", "cubin",
                                  "fatbinary", "ptx",    "spirv",   "syclbin"};
    return kind < 8 ? names[kind] : "unknown";
}

const char* offloadKindName(std::uint16_t kind) {
    switch (kind) {
    case 1:
        return "openmp";
    case 2:
        return "cuda";
    case 4:
        return "hip";
    case 8:
        return "sycl";
    default:
        return "none";
    }
}

Expected<OffloadBinary> readOffloadBinary(ByteView bytes) {
    if (!looksLikeOffloadBinary(bytes)) return malformedBinary(0, "no 0x10FF10AD magic");
    auto version = load<std::uint32_t>(bytes, 4);
    auto size = load<std::uint64_t>(bytes, 8);
    auto entriesOffset = load<std::uint64_t>(bytes, 16);
    if (version == 0 || version > 3)
        return malformedBinary(4, "unknown version " + std::to_string(version));
    if (size < kHeaderV1 || size > bytes.size()) return malformedBinary(8, "size out of range");
    ByteView b = bytes.first(size);
    std::shared_ptr<Bytes> inflated;
    if (version >= 3) {
        if (size < kHeaderV3) return malformedBinary(8, "size out of range");
        auto inflatedSize = load<std::uint64_t>(b, 32);
        if (inflatedSize != 0) {
            if (entriesOffset > size || inflatedSize < entriesOffset || inflatedSize > (1ull << 34))
                return malformedBinary(16, "compressed sizes out of range");
            auto body = inflate(b.subspan(entriesOffset), inflatedSize - entriesOffset);
            if (!body) return body.error();
            inflated = std::make_shared<Bytes>(b.begin(), b.begin() + entriesOffset);
            inflated->insert(inflated->end(), body->begin(), body->end());
            b = *inflated;
        }
    }
    std::uint64_t count = version == 1 ? 1 : load<std::uint64_t>(b, 24);
    if (count == 0 || count > b.size() / kEntrySize || !fits(b, entriesOffset, count * kEntrySize))
        return malformedBinary(16, "entries out of range");
    OffloadBinary out;
    out.size = size;
    for (std::uint64_t i = 0; i < count; ++i) {
        auto e = readEntry(b, entriesOffset + i * kEntrySize, version);
        if (!e) return e.error();
        e->compressed = inflated != nullptr;
        e->inflated = inflated; // keeps the images' bytes alive
        out.entries.push_back(std::move(*e));
    }
    return out;
}

} // namespace aotpack::foreign
