#include "common/elf_sections.h"

#include "common/bytes_at.h"

#include <cstring>
#include <elf.h>

namespace aotpack {

bool looksLikeElf(ByteView bytes) {
    return bytes.size() >= sizeof(Elf64_Ehdr) && std::memcmp(bytes.data(), ELFMAG, SELFMAG) == 0;
}

static Error malformedElf(std::uint64_t offset, const std::string& what) {
    return malformedAt("ELF", offset, what);
}

Expected<ElfFile> readElf(ByteView bytes) {
    if (!looksLikeElf(bytes)) return malformedElf(0, "no ELF header");
    Elf64_Ehdr eh;
    std::memcpy(&eh, bytes.data(), sizeof eh);
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return malformedElf(4, "not a 64-bit little-endian ELF");
    ElfFile elf;
    elf.machine = eh.e_machine;
    elf.type = eh.e_type;
    elf.end = sizeof eh;
    if (eh.e_shnum == 0) return elf;
    if (eh.e_shentsize != sizeof(Elf64_Shdr) ||
        !fits(bytes, eh.e_shoff, std::uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr)))
        return malformedElf(0x28, "section table out of range");
    std::vector<Elf64_Shdr> headers(eh.e_shnum);
    std::memcpy(headers.data(), bytes.data() + eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr));
    elf.end = eh.e_shoff + std::uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr);
    if (eh.e_shstrndx >= eh.e_shnum) return malformedElf(0x3e, "section name table out of range");
    const auto& names = headers[eh.e_shstrndx];
    if (!fits(bytes, names.sh_offset, names.sh_size))
        return malformedElf(names.sh_offset, "section name table out of range");
    std::string_view strtab(reinterpret_cast<const char*>(bytes.data() + names.sh_offset),
                            names.sh_size);
    for (std::size_t i = 0; i < headers.size(); ++i) {
        const auto& h = headers[i];
        std::uint64_t at = eh.e_shoff + i * sizeof(Elf64_Shdr);
        if (h.sh_name >= strtab.size() && h.sh_name != 0)
            return malformedElf(at, "bad section name");
        ElfSection s;
        s.name = std::string(strtab.substr(std::min<std::size_t>(h.sh_name, strtab.size())));
        s.name = s.name.substr(0, s.name.find('\0'));
        s.type = h.sh_type;
        s.flags = h.sh_flags;
        s.offset = h.sh_offset;
        s.address = h.sh_addr;
        if (h.sh_type != SHT_NOBITS && h.sh_type != SHT_NULL) {
            if (!fits(bytes, h.sh_offset, h.sh_size))
                return malformedElf(at, "section '" + s.name + "' out of range");
            s.bytes = bytes.subspan(h.sh_offset, h.sh_size);
            elf.end = std::max(elf.end, h.sh_offset + h.sh_size);
        }
        elf.sections.push_back(std::move(s));
    }
    return elf;
}

} // namespace aotpack
