// libFuzzer target: `aotpack inspect` reads files other tools made, some hostile. Every reader
// (ELF sections, OffloadBinary v1-v3, static libraries, ocloc ARs, zebin notes, SPIR-V, zstd
// frames) must reject bad input with an error, never crash, hang or over-allocate.
#include "foreign/inspect.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto result = aotpack::foreign::inspectBytes({data, size}, "fuzz");
    if (result) (void)aotpack::foreign::summaryLine({*result});
    return 0;
}
