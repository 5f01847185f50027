#include "foreign/syclbin.h"

#include "common/bytes_at.h"

#include <cstring>

namespace aotpack::foreign {

namespace {

constexpr std::uint32_t kSyclbinMagic = 0x53594249; // "IBYS" in memory: "SYBI" little-endian
constexpr std::uint64_t kFileHeaderSize = 56, kHeaderSize = 32;

struct Layout {
    std::uint32_t modules, irs, natives;
    ByteView binary; // the binary byte table
    std::uint64_t binaryStart;
};

Expected<Layout> layoutOf(ByteView b) {
    auto bad = [](const std::string& why) {
        return makeError(Errc::BadInput, "malformed SYCLBIN v1: " + why);
    };
    if (b.size() < kFileHeaderSize) return bad("shorter than its header");
    auto version = load<std::uint32_t>(b, 4);
    if (version != 1) return bad("version " + std::to_string(version) + " is not known");
    Layout l{
        load<std::uint32_t>(b, 8), load<std::uint32_t>(b, 12), load<std::uint32_t>(b, 16), {}, 0};
    auto metadataSize = load<std::uint64_t>(b, 24), binarySize = load<std::uint64_t>(b, 32);
    std::uint64_t headers =
        kFileHeaderSize + kHeaderSize * (std::uint64_t(l.modules) + l.irs + l.natives);
    if (metadataSize > b.size() || headers > b.size()) return bad("tables larger than the file");
    std::uint64_t binaryStart = headers + ((metadataSize + 7) & ~7ull);
    if (!fitsWithin(binaryStart, binarySize, b.size())) return bad("byte tables outside the file");
    l.binary = b.subspan(binaryStart, binarySize);
    l.binaryStart = binaryStart;
    return l;
}

} // namespace

bool looksLikeSyclbinV1(ByteView b) {
    return b.size() >= 4 && load<std::uint32_t>(b, 0) == kSyclbinMagic;
}

Expected<std::vector<SyclbinImage>> readSyclbinV1(ByteView b) {
    auto l = layoutOf(b);
    if (!l) return l.error();
    std::vector<SyclbinImage> images;
    for (std::uint32_t m = 0; m < l->modules; ++m) {
        std::uint64_t h = kFileHeaderSize + kHeaderSize * m;
        std::uint32_t counts[2] = {load<std::uint32_t>(b, h + 16), load<std::uint32_t>(b, h + 24)};
        std::uint32_t firsts[2] = {load<std::uint32_t>(b, h + 20), load<std::uint32_t>(b, h + 28)};
        std::uint32_t limits[2] = {l->irs, l->natives};
        for (int native = 0; native < 2; ++native) {
            if (!fitsWithin(firsts[native], counts[native], limits[native]))
                return makeError(Errc::BadInput, "malformed SYCLBIN v1: abstract module " +
                                                     std::to_string(m) + " names images it lacks");
            std::uint64_t table =
                kFileHeaderSize + kHeaderSize * (std::uint64_t(l->modules) + (native ? l->irs : 0));
            for (std::uint32_t i = 0; i < counts[native]; ++i) {
                std::uint64_t ih = table + kHeaderSize * (std::uint64_t(firsts[native]) + i);
                auto offset = load<std::uint64_t>(b, ih + 16),
                     size = load<std::uint64_t>(b, ih + 24);
                if (!fitsWithin(offset, size, l->binary.size()))
                    return makeError(Errc::BadInput, "malformed SYCLBIN v1: an image of abstract "
                                                     "module " +
                                                         std::to_string(m) +
                                                         " lies outside the binary table");
                images.push_back(
                    {native == 1, m, l->binaryStart + offset, l->binary.subspan(offset, size)});
            }
        }
    }
    return images;
}

Expected<std::optional<ByteView>> syclbinV2Code(const OffloadEntry& e) {
    auto role = e.strings.find("role");
    std::string name = role == e.strings.end() ? "" : role->second;
    if (name == "global_metadata" || name == "am_metadata") return std::optional<ByteView>();
    if (name != "ir" && name != "native")
        return makeError(Errc::BadInput, "SYCLBIN v2 entry with unknown role '" + name + "'");
    if (e.image.size() < 8)
        return makeError(Errc::BadInput, "SYCLBIN v2 entry shorter than its metadata size");
    auto metadata = load<std::uint64_t>(e.image, 0);
    if (metadata > e.image.size() - 8)
        return makeError(Errc::BadInput, "SYCLBIN v2 entry's metadata size is out of range");
    return std::optional<ByteView>(e.image.subspan(8 + metadata));
}

} // namespace aotpack::foreign
