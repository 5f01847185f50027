#include "foreign/device_image.h"

#include "archive/format.h"
#include "archive/reader.h"
#include "archive/zebin.h"
#include "common/ar_members.h"
#include "common/elf_sections.h"
#include "common/text.h"
#include "devices/database.h"

#include <cstring>
#include <elf.h>
#include <zstd.h>

namespace aotpack::foreign {

namespace {

constexpr std::uint32_t kSpirvMagic = 0x07230203;
constexpr std::uint32_t kMaxOpcode = 8192; // core and every vendor extension's opcodes are below
constexpr std::uint64_t kMaxFrameInflated = 1ull << 32; // a frame claiming more is not an image
constexpr std::uint64_t kMaxZstdRatio = 32768;          // a 4-byte RLE block per 128 KiB at most

std::uint32_t word(ByteView b, std::uint64_t i) {
    std::uint32_t w;
    std::memcpy(&w, b.data() + 4 * i, 4);
    return w;
}

Expected<DeviceImage> describeSpirv(ByteView b) {
    DeviceImage d;
    d.kind = "spirv";
    d.size = spirvLength(b);
    for (std::uint64_t i = 5, n = d.size / 4; i < n;) {
        std::uint32_t count = word(b, i) >> 16, opcode = word(b, i) & 0xFFFF;
        if (count == 0 || i + count > n) break; // cut short where another image starts
        if (opcode == 15 && count >= 3 && word(b, i + 1) == 6) ++d.kernels; // EntryPoint Kernel
        i += count;
    }
    return d;
}

// The targets a zebin can serve, from its IntelGT notes.
std::vector<NativeTarget> zebinTargets(const ElfFile& elf) {
    std::uint32_t family = 0, metadata = 0, config = 0;
    for (const auto& s : elf.sections) {
        if (s.name != ".note.intelgt.compat") continue;
        for (std::uint64_t p = 0; p + 12 <= s.bytes.size();) {
            std::uint32_t h[3];
            std::memcpy(h, s.bytes.data() + p, 12);
            std::uint64_t desc = p + 12 + ((std::uint64_t(h[0]) + 3) & ~3ull);
            if (desc > s.bytes.size() || h[1] > s.bytes.size() - desc) break;
            std::uint32_t value = 0;
            if (h[1] >= 4) std::memcpy(&value, s.bytes.data() + desc, 4);
            if (h[2] == 1) family = value;
            if (h[2] == 3) metadata = value;
            if (h[2] == 6) config = value;
            p = desc + ((std::uint64_t(h[1]) + 3) & ~3ull);
        }
    }
    const auto& db = devices::Database::builtin();
    if (config) {
        auto ip = devices::IpVersion::fromValue(config);
        auto known = db.findIp(ip);
        return {{known ? known->name() : ip.str(), ip.str()}};
    }
    std::uint32_t revision = (metadata >> 8) & 0x1F;
    std::vector<NativeTarget> out;
    // ocloc 22.43's zebins name their product family and revision, not their IP (no
    // PRODUCT_CONFIG note): the device database says which devices have that family.
    for (const auto& d : db.devices()) {
        if (!family || d.productFamily != family) continue;
        std::vector<const devices::Stepping*> steppings{&d.current};
        for (const auto& s : d.older)
            steppings.push_back(&s);
        for (const auto* s : steppings)
            if (s->pciRevision == revision)
                out.push_back({devices::TargetInfo{&d, s}.name(), s->ip.str()});
    }
    if (out.size() > 1) { // the family and revision fit several steppings: say so, claim none
        std::vector<std::string> names;
        for (const auto& t : out)
            names.push_back(t.name + " (" + t.ip + ")");
        return {{"one of " + join(names, ", "), ""}};
    }
    if (out.empty() && family)
        out.push_back(
            {"product family " + std::to_string(family) + " revision " + std::to_string(revision),
             ""});
    return out;
}

Expected<DeviceImage> describeZebin(ByteView b) {
    auto elf = readElf(b);
    if (!elf) return elf.error();
    DeviceImage d;
    d.kind = "zebin";
    d.size = elf->end;
    auto info = archive::inspectZebin(b.first(d.size));
    d.kernels = info ? info->kernels.size() : 0;
    d.targets = zebinTargets(*elf);
    return d;
}

// SPIR-V itself, or a container holding it at a word boundary: ocloc's generic_ir member is
// NEO's IR ELF (ET_OPENCL_OBJECTS) with the module in a section.
static bool holdsSpirv(ByteView b) {
    for (std::uint64_t i = 0; 4 * i + 20 <= b.size(); ++i) // word(): a word index
        if (word(b, i) == kSpirvMagic) return true;
    return false;
}

// ocloc's fat binary: members "64.<ip>" (and generic_ir/spirv); their zebins give the kernels.
Expected<DeviceImage> describeAr(ByteView b) {
    DeviceImage d;
    d.kind = "ocloc-ar";
    auto ar = readArMembers(b);
    for (const auto& m : ar.members) {
        // The fat binary carries SPIR-V for other GPUs: in generic_ir, or (OpenCL C built without
        // -exclude_ir) inside each member's zebin.
        if (m.name != "pad" && !m.name.starts_with("pad_") && holdsSpirv(m.bytes))
            d.properties["spirv"] = m.name;
        if (!m.name.starts_with("64.")) continue;
        auto ip = devices::parseIpVersion(m.name.substr(3));
        auto known = ip ? devices::Database::builtin().findIp(*ip) : std::nullopt;
        d.targets.push_back({known ? known->name() : m.name.substr(3), ip ? ip->str() : ""});
        if (auto z = archive::inspectZebin(m.bytes); z)
            d.kernels = std::max(d.kernels, z->kernels.size());
    }
    d.size = ar.end;
    return d;
}

Expected<DeviceImage> describeAotpack(ByteView b) {
    auto in = archive::ArchiveReader::openMemory(b, "<embedded archive>");
    if (!in) return in.error();
    DeviceImage d;
    d.kind = "aotpack-archive";
    d.size = in->fileSize();
    d.kernels = in->modules().size();
    for (auto ip : in->targets())
        d.targets.push_back({devices::targetName(ip), devices::IpVersion::fromValue(ip).str()});
    return d;
}

Expected<DeviceImage> describeZstd(ByteView b) {
    std::uint64_t stored = ZSTD_findFrameCompressedSize(b.data(), b.size());
    unsigned long long inflated = ZSTD_getFrameContentSize(b.data(), b.size());
    if (ZSTD_isError(stored) || inflated == ZSTD_CONTENTSIZE_ERROR ||
        inflated == ZSTD_CONTENTSIZE_UNKNOWN || inflated > kMaxFrameInflated ||
        inflated / kMaxZstdRatio > stored) // more than zstd's blocks can expand to: not an image
        return makeError(Errc::BadInput, "a zstd frame that is not a whole image");
    Bytes out(inflated);
    std::size_t n = ZSTD_decompress(out.data(), out.size(), b.data(), stored);
    if (ZSTD_isError(n) || n != out.size() || sniff(out) == ImageKind::Zstd ||
        sniff(out) == ImageKind::None)
        return makeError(Errc::BadInput, "a zstd frame that holds no device image");
    auto inner = describeImage(out);
    if (!inner) return inner.error();
    inner->compressed = true;
    inner->size = stored;
    return inner;
}

// ocloc's fat binary: an AR whose members include "64.<ip>" (after "pad_N" alignment members).
bool isOclocAr(ByteView b) {
    if (b.size() < 68 || !looksLikeAr(b)) return false;
    for (const auto& m : readArMembers(b, 64).members)
        if (m.name.starts_with("64.")) return true;
    return false;
}

} // namespace

ImageKind sniff(ByteView b) {
    if (b.size() >= 20 && word(b, 0) == kSpirvMagic) return ImageKind::Spirv;
    if (looksLikeElf(b) && b[EI_CLASS] == ELFCLASS64) {
        std::uint16_t machine;
        std::memcpy(&machine, b.data() + 18, 2);
        if (machine == kMachineIntelGt) return ImageKind::Zebin;
    }
    if (isOclocAr(b)) return ImageKind::OclocAr;
    if (b.size() >= sizeof archive::kMagic &&
        std::memcmp(b.data(), archive::kMagic, sizeof archive::kMagic) == 0)
        return ImageKind::AotpackArchive;
    if (b.size() >= 4 && word(b, 0) == ZSTD_MAGICNUMBER) return ImageKind::Zstd;
    return ImageKind::None;
}

bool looksLikeBitcode(ByteView b) {
    constexpr std::uint32_t kRaw = 0xDEC04342, kWrapper = 0x0B17C0DE; // 'BC' C0DE; DEC0170B
    return b.size() >= 8 && (word(b, 0) == kRaw || word(b, 0) == kWrapper);
}

std::uint64_t spirvLength(ByteView b) {
    std::uint64_t n = b.size() / 4, i = 5;
    while (i < n) {
        std::uint32_t w = word(b, i), count = w >> 16;
        if (w == kSpirvMagic || count == 0 || (w & 0xFFFF) >= kMaxOpcode || i + count > n) break;
        i += count;
    }
    // Bytes after a module can pass for instructions for a while: the module also ends where
    // another image starts.
    std::uint64_t end = std::min<std::uint64_t>(i, n) * 4;
    for (std::uint64_t at = 20; at + 20 <= end; at += 4)
        if (ImageKind k = sniff(b.subspan(at));
            k != ImageKind::None && (k == ImageKind::Spirv || at % 8 == 0))
            return at;
    return end;
}

Expected<Bytes> spirvOf(ByteView stored) {
    if (sniff(stored) == ImageKind::Spirv) {
        auto n = spirvLength(stored);
        return Bytes(stored.begin(), stored.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (sniff(stored) != ImageKind::Zstd || !describeZstd(stored))
        return makeError(Errc::BadInput, "not a SPIR-V image");
    Bytes out(ZSTD_getFrameContentSize(stored.data(), stored.size()));
    std::size_t frame = ZSTD_findFrameCompressedSize(stored.data(), stored.size());
    std::size_t n = ZSTD_decompress(out.data(), out.size(), stored.data(), frame);
    if (ZSTD_isError(n) || sniff(out) != ImageKind::Spirv)
        return makeError(Errc::BadInput, "not a SPIR-V image");
    out.resize(spirvLength(out));
    return out;
}

Expected<DeviceImage> describeImage(ByteView b) {
    switch (sniff(b)) {
    case ImageKind::Spirv:
        return describeSpirv(b);
    case ImageKind::Zebin:
        return describeZebin(b);
    case ImageKind::OclocAr:
        return describeAr(b);
    case ImageKind::AotpackArchive:
        return describeAotpack(b);
    case ImageKind::Zstd:
        return describeZstd(b);
    case ImageKind::None:
        break;
    }
    return makeError(Errc::BadInput, "not a device image");
}

std::optional<OclocArSpirv> spirvOfOclocAr(ByteView stored) {
    // NEO's section types for the IR ELF (compute-runtime shared/source/device_binary_format/
    // elf/ocl_elf.h: SHT_OPENCL_SPIRV, SHT_OPENCL_OPTIONS).
    constexpr std::uint32_t kShtOpenclSpirv = 0xff000009, kShtOpenclOptions = 0xff000006;
    for (const auto& m : readArMembers(stored).members) {
        if (m.name != "generic_ir") continue;
        auto elf = readElf(m.bytes);
        if (!elf) return std::nullopt;
        OclocArSpirv out;
        for (const auto& s : elf->sections) {
            if (s.type == kShtOpenclSpirv) out.spirv.assign(s.bytes.begin(), s.bytes.end());
            if (s.type == kShtOpenclOptions)
                out.options = std::string(s.bytes.begin(), s.bytes.end()).c_str(); // NUL-ended
        }
        if (out.spirv.size() >= 20 && word(out.spirv, 0) == kSpirvMagic) return out;
    }
    return std::nullopt;
}

} // namespace aotpack::foreign
