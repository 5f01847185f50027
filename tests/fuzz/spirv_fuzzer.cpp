// What the build does with SPIR-V it is given, before any compiler sees it: the structural parse,
// entry points and fp64, and the full validation (on a copy without debug names, whose
// instruction numbers are mapped back). SPIR-V is untrusted input: none of it may crash.
#include "compile/spirv_module.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto info =
        aotpack::compile::inspectSpirv(aotpack::ByteView(data, size), "module 'fuzz'", true);
    (void)info;
    return 0;
}
