// The section table of a 64-bit little-endian ELF file (host objects, shared libraries, zebins),
// bounds-checked: a damaged or hostile file gives an error naming the offset, never a crash. The
// one ELF reader: foreign/ walks host binaries with it, archive/zebin.h reads zebins with it.
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <string>
#include <vector>

namespace aotpack {

struct ElfSection {
    std::string name;
    std::uint32_t type = 0;
    std::uint64_t flags = 0;
    std::uint64_t offset = 0;  // in the file
    std::uint64_t address = 0; // where it is loaded (sh_addr): 0 in objects
    ByteView bytes;            // empty for SHT_NOBITS
};

struct ElfFile {
    std::uint16_t machine = 0; // e_machine: 205 is Intel GPU (a zebin)
    std::uint16_t type =
        0; // e_type: ET_EXEC and ET_DYN are linked (their addresses mean something)
    std::vector<ElfSection> sections;
    std::uint64_t end = 0; // the largest offset the header, sections or section table reach
};

constexpr std::uint16_t kMachineIntelGt = 205;

bool looksLikeElf(ByteView bytes);
Expected<ElfFile> readElf(ByteView bytes);

} // namespace aotpack
