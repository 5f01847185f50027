// `aotpack capture --from-binary`: the SPIR-V images that SYCL programs and libraries carry
// (src/foreign finds them), written into a capture directory as the SYCL runtime would create
// them with zeModuleCreate, so that `aotpack build` and `aotpack run` serve them natively
// without running the program. docs/FOREIGN_BINARIES.md says what matches and what still JITs.
#pragma once

#include "capture/capture_dir.h"

#include <filesystem>
#include <functional>
#include <vector>

namespace aotpack::capture {

struct BinaryCapture {
    std::size_t images = 0;     // device images found in the files
    std::size_t spirv = 0;      // of which SPIR-V, recorded
    std::size_t described = 0;  // of those, with build flags (a DPC++ descriptor, OpenMP notes)
    std::size_t translated = 0; // of those, SPIR-V translated from LLVM bitcode
    std::vector<std::string> untranslated; // bitcode images no translator read: why, each
    CaptureSummary capture;                // what finishCapture made of the directory
};

// LLVM bitcode -> SPIR-V (src/toolchain's translators; the caller chooses them).
using BitcodeTranslator = std::function<Expected<Bytes>(ByteView bitcode)>;

// Errors: a file cannot be read or is malformed (3); the files hold no SPIR-V and no bitcode a
// translator reads (9); the directory cannot be written (6). Bitcode for SPIR targets is
// translated with `translate` when given.
Expected<BinaryCapture> captureFromBinaries(const std::vector<std::filesystem::path>& files,
                                            const std::filesystem::path& dir,
                                            const BitcodeTranslator& translate = {});

} // namespace aotpack::capture
