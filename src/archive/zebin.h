// Minimal read-only view of a zebin (Intel GPU ELF): the kernels it contains and whether it still
// carries SPIR-V. Bounds-checked; a malformed file yields an error, never a crash.
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <string>
#include <vector>

namespace aotpack::archive {

struct ZebinInfo {
    std::vector<std::string> kernels; // from ".text.<name>" sections, sorted
    bool hasSpirv = false; // an ".spv" section (IR that aotpack keeps once per module instead)
};

Expected<ZebinInfo> inspectZebin(ByteView elf);

} // namespace aotpack::archive
