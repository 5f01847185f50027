#include "archive/zebin.h"

#include <algorithm>
#include <cstring>
#include <elf.h>

namespace aotpack::archive {

Expected<ZebinInfo> inspectZebin(ByteView elf) {
    auto bad = [](const std::string& what) {
        return makeError(Errc::BadInput, "not a zebin: " + what);
    };
    if (elf.size() < sizeof(Elf64_Ehdr) || std::memcmp(elf.data(), ELFMAG, SELFMAG) != 0)
        return bad("no ELF header");
    Elf64_Ehdr eh;
    std::memcpy(&eh, elf.data(), sizeof eh);
    if (eh.e_ident[EI_CLASS] != ELFCLASS64) return bad("not a 64-bit ELF");
    if (eh.e_shentsize != sizeof(Elf64_Shdr)) return bad("unexpected section header size");
    std::uint64_t tableEnd = eh.e_shoff + std::uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr);
    if (eh.e_shoff > elf.size() || tableEnd > elf.size() || eh.e_shstrndx >= eh.e_shnum)
        return bad("section table out of range");
    std::vector<Elf64_Shdr> sections(eh.e_shnum);
    std::memcpy(sections.data(), elf.data() + eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr));
    const Elf64_Shdr& names = sections[eh.e_shstrndx];
    if (names.sh_offset > elf.size() || names.sh_size > elf.size() - names.sh_offset)
        return bad("section name table out of range");
    std::string_view strtab(reinterpret_cast<const char*>(elf.data() + names.sh_offset),
                            names.sh_size);
    ZebinInfo info;
    for (const auto& s : sections) {
        if (s.sh_name >= strtab.size()) return bad("section name out of range");
        std::string_view name = strtab.substr(s.sh_name);
        name = name.substr(0, name.find('\0'));
        if (name.rfind(".text.", 0) == 0) info.kernels.emplace_back(name.substr(6));
        if (name == ".spv") info.hasSpirv = true;
    }
    std::sort(info.kernels.begin(), info.kernels.end());
    return info;
}

} // namespace aotpack::archive
