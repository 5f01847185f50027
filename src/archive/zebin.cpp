#include "archive/zebin.h"

#include "common/elf_sections.h"

#include <algorithm>

namespace aotpack::archive {

Expected<ZebinInfo> inspectZebin(ByteView bytes) {
    auto elf = readElf(bytes); // the one ELF reader (common/elf_sections.h)
    if (!elf) return makeError(Errc::BadInput, "not a zebin: " + elf.error().message);
    if (elf->sections.empty()) return makeError(Errc::BadInput, "not a zebin: no sections");
    ZebinInfo info;
    for (const auto& s : elf->sections) {
        if (s.name.starts_with(".text.")) info.kernels.push_back(s.name.substr(6));
        if (s.name == ".spv") info.hasSpirv = true;
    }
    std::sort(info.kernels.begin(), info.kernels.end());
    return info;
}

} // namespace aotpack::archive
