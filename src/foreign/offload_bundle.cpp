#include "foreign/offload_bundle.h"

#include "common/bytes_at.h"
#include "foreign/inflate.h"

#include <cstring>

namespace aotpack::foreign {

namespace {

constexpr std::string_view kCompressedMagic = "CCOB";
constexpr std::uint64_t kMaxEntries = 4096;
constexpr std::uint64_t kMaxBundleInflated = 1ull << 34;

Error malformedBundle(std::uint64_t offset, const std::string& what) {
    return malformedAt("offload bundle", offset, what);
}

bool startsWith(ByteView b, std::string_view magic) {
    return b.size() >= magic.size() && std::memcmp(b.data(), magic.data(), magic.size()) == 0;
}

Expected<OffloadBundle> readPlain(ByteView b) {
    std::uint64_t at = kBundleMagic.size();
    if (!fits(b, at, 8)) return malformedBundle(at, "no entry count");
    auto count = load<std::uint64_t>(b, at);
    at += 8;
    if (count == 0 || count > kMaxEntries) return malformedBundle(24, "entry count out of range");
    OffloadBundle out;
    for (std::uint64_t i = 0; i < count; ++i) {
        if (!fits(b, at, 24)) return malformedBundle(at, "entry header out of range");
        auto offset = load<std::uint64_t>(b, at), size = load<std::uint64_t>(b, at + 8),
             idSize = load<std::uint64_t>(b, at + 16);
        if (!fits(b, at + 24, idSize)) return malformedBundle(at + 16, "entry id out of range");
        if (!fits(b, offset, size)) return malformedBundle(at, "entry bytes out of range");
        std::string id(reinterpret_cast<const char*>(b.data() + at + 24), idSize);
        out.entries.push_back({std::move(id), offset, b.subspan(offset, size)});
        out.size = std::max(out.size, offset + size);
        at += 24 + idSize;
    }
    out.size = std::max(out.size, at);
    return out;
}

Expected<OffloadBundle> readCompressed(ByteView b) {
    if (b.size() < 16) return malformedBundle(0, "compressed header out of range");
    auto version = load<std::uint16_t>(b, 4), method = load<std::uint16_t>(b, 6);
    if (version < 1 || version > 3)
        return malformedBundle(4, "unknown version " + std::to_string(version));
    if (method > 1)
        return malformedBundle(6, "unknown compression method " + std::to_string(method));
    std::uint64_t header = version == 1 ? 16 : version == 2 ? 24 : 32;
    if (b.size() < header) return malformedBundle(0, "compressed header out of range");
    std::uint64_t total = version == 1   ? b.size()
                          : version == 2 ? load<std::uint32_t>(b, 8)
                                         : load<std::uint64_t>(b, 8);
    std::uint64_t inflatedSize = version == 1   ? load<std::uint32_t>(b, 8)
                                 : version == 2 ? load<std::uint32_t>(b, 12)
                                                : load<std::uint64_t>(b, 16);
    if (total < header || total > b.size()) return malformedBundle(8, "total size out of range");
    if (inflatedSize > kMaxBundleInflated) return malformedBundle(8, "inflated size out of range");
    auto body = inflateBody(b.subspan(header, total - header), inflatedSize,
                            method == 1 ? Codec::Zstd : Codec::Zlib);
    if (!body) return malformedBundle(header, "its compressed body does not decode to its size");
    auto inflated = std::make_shared<const Bytes>(std::move(*body));
    if (!startsWith(*inflated, kBundleMagic))
        return malformedBundle(header, "its inflated body is not a bundle");
    auto out = readPlain(*inflated);
    if (!out) return out.error();
    out->compressed = true;
    out->size = total;
    out->inflated = std::move(inflated);
    return out;
}

} // namespace

bool looksLikeOffloadBundle(ByteView bytes) {
    return startsWith(bytes, kBundleMagic) || startsWith(bytes, kCompressedMagic);
}

Expected<OffloadBundle> readOffloadBundle(ByteView bytes) {
    if (startsWith(bytes, kBundleMagic)) return readPlain(bytes);
    if (startsWith(bytes, kCompressedMagic)) return readCompressed(bytes);
    return malformedBundle(0, "no __CLANG_OFFLOAD_BUNDLE__ or CCOB magic");
}

BundleId parseBundleId(std::string_view id) {
    BundleId out;
    auto dash = id.find('-');
    out.kind = std::string(id.substr(0, dash));
    if (dash == std::string_view::npos) return out;
    // The triple has up to five components (arch-vendor-os-env, or arch-vendor-os); a target id
    // follows the fifth. Empty trailing components are how the bundler pads triples.
    std::vector<std::string> parts;
    for (std::string_view rest = id.substr(dash + 1);;) {
        auto d = rest.find('-');
        parts.emplace_back(rest.substr(0, d));
        if (d == std::string_view::npos) break;
        rest = rest.substr(d + 1);
    }
    std::size_t tripleParts = std::min<std::size_t>(parts.size(), 4);
    for (std::size_t i = 0; i < tripleParts; ++i)
        out.triple += (i ? "-" : "") + parts[i];
    while (out.triple.ends_with('-'))
        out.triple.pop_back();
    for (std::size_t i = tripleParts; i < parts.size(); ++i)
        if (!parts[i].empty()) out.arch += (out.arch.empty() ? "" : "-") + parts[i];
    return out;
}

} // namespace aotpack::foreign
