// ocloc's fat-binary AR layout (intel-gpu-facts §3.1), written by hand so that member names are
// exactly what NEO's lookup needs and no GNU symbol table appears (NEO rejects one).
#include "archive/tools.h"
#include "devices/ip_version.h"

#include <algorithm>
#include <cstring>
#include <elf.h>

namespace aotpack::archive {

namespace {

constexpr std::uint32_t kShtOpenclSpirv = 0xff000009;
constexpr std::uint32_t kShtOpenclOptions = 0xff000006;
constexpr std::uint16_t kEtOpenclObjects = 0xff02;

template <class T> void put(Bytes& out, std::size_t at, const T& value) {
    std::memcpy(out.data() + at, &value, sizeof value);
}

void appendMember(Bytes& ar, std::string name, ByteView data) {
    char header[61];
    std::snprintf(header, sizeof header, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", (name + "/").c_str(),
                  "0", "0", "0", "644", data.size());
    ar.insert(ar.end(), header, header + 60);
    ar.insert(ar.end(), data.begin(), data.end());
    if (data.size() % 2) ar.push_back(0);
}

// ocloc's ArEncoder(padTo8Bytes): a "pad_N" member of spaces puts the next member's data on an
// 8-byte boundary.
void appendAligned(Bytes& ar, const std::string& name, ByteView data, int& padCount) {
    std::size_t soFar = ar.size() - 8;
    if ((soFar + 60) % 8 != 0) {
        std::size_t padSize = 8 - ((soFar + 120) % 8);
        Bytes spaces(padSize, ' ');
        appendMember(ar, "pad_" + std::to_string(padCount++), spaces);
    }
    appendMember(ar, name, data);
}

} // namespace

Bytes makeSpirvElf(ByteView spirv, std::string_view options) {
    std::string shstrtab = std::string("\0.shstrtab\0SPIRV Object\0", 24);
    std::uint32_t optionsName = static_cast<std::uint32_t>(shstrtab.size());
    if (!options.empty()) shstrtab += std::string("BuildOptions\0", 13);
    std::uint16_t sections = options.empty() ? 3 : 4;
    auto align8 = [](std::size_t v) { return (v + 7) & ~std::size_t(7); };
    std::size_t spirvAt = sizeof(Elf64_Ehdr) + sections * sizeof(Elf64_Shdr);
    std::size_t optionsAt = align8(spirvAt + spirv.size());
    std::size_t strtabAt = options.empty() ? optionsAt : align8(optionsAt + options.size());
    Bytes out(strtabAt + shstrtab.size(), 0);

    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = kEtOpenclObjects;
    eh.e_version = EV_CURRENT;
    eh.e_shoff = sizeof(Elf64_Ehdr);
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = sections;
    eh.e_shstrndx = sections - 1;
    put(out, 0, eh);

    std::vector<Elf64_Shdr> sh(sections);
    sh[1] = {11, kShtOpenclSpirv, 0, 0, spirvAt, spirv.size(), 0, 0, 8, 0};
    if (!options.empty())
        sh[2] = {optionsName, kShtOpenclOptions, 0, 0, optionsAt, options.size(), 0, 0, 8, 0};
    sh[sections - 1] = {1, SHT_STRTAB, 0, 0, strtabAt, shstrtab.size(), 0, 0, 8, 0};
    for (std::size_t i = 0; i < sh.size(); ++i)
        put(out, sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Shdr), sh[i]);
    std::memcpy(out.data() + spirvAt, spirv.data(), spirv.size());
    if (!options.empty()) std::memcpy(out.data() + optionsAt, options.data(), options.size());
    std::memcpy(out.data() + strtabAt, shstrtab.data(), shstrtab.size());
    return out;
}

Bytes encodeOclocAr(const std::vector<ArMember>& members) {
    Bytes ar = {'!', '<', 'a', 'r', 'c', 'h', '>', '\n'};
    int pads = 0;
    for (const auto& m : members)
        appendAligned(ar, m.name, m.data, pads);
    return ar;
}

namespace {

// An entry's bytes: from the archive, or through `remote` for a slim archive's pinned payloads.
Expected<Bytes> payloadOf(const ArchiveReader& in, const EntryView& e,
                          const RemotePayload& remote) {
    bool onServer = e.kind == EntryKind::RemoteNative || e.kind == EntryKind::RemoteSpirv;
    if (!onServer) return in.payload(e);
    if (!remote)
        return makeError(Errc::Usage, "'" + in.name() + "' is a slim archive: module '" +
                                          std::string(e.module) +
                                          "' has payloads on the natives server");
    return remote(e);
}

} // namespace

Expected<Bytes> exportAr(const ArchiveReader& in, std::string_view module,
                         const RemotePayload& remote) {
    auto spirv = in.find(module, EntryKind::Spirv);
    if (!spirv) spirv = in.find(module, EntryKind::RemoteSpirv);
    auto natives = in.nativeEntries(module);
    auto remoteNatives = in.entriesOf(module, EntryKind::RemoteNative);
    natives.insert(natives.end(), remoteNatives.begin(), remoteNatives.end());
    std::sort(natives.begin(), natives.end(),
              [](const EntryView& a, const EntryView& b) { return a.targetIp < b.targetIp; });
    if (!spirv && natives.empty())
        return makeError(Errc::NotFound,
                         "module '" + std::string(module) + "' is not in '" + in.name() + "'");
    std::vector<Bytes> payloads; // kept alive for the members' views
    std::vector<std::string> names;
    for (const EntryView& e : natives) { // IP order; names at most 15 characters ("64.1023.255.63")
        auto zebin = payloadOf(in, e, remote);
        if (!zebin) return zebin.error();
        payloads.push_back(std::move(*zebin));
        names.push_back("64." + devices::IpVersion::fromValue(e.targetIp).str());
    }
    if (spirv) {
        auto il = payloadOf(in, *spirv, remote);
        if (!il) return il.error();
        payloads.push_back(makeSpirvElf(*il, in.meta(*spirv, "options").value_or("")));
        names.push_back("generic_ir");
    }
    std::vector<ArMember> members;
    for (std::size_t i = 0; i < payloads.size(); ++i)
        members.push_back({names[i], payloads[i]});
    return encodeOclocAr(members);
}

} // namespace aotpack::archive
