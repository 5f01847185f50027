// libFuzzer target: the remote cache's record decoder on arbitrary bytes (a server controls them).
#include "cache/action_result.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto outputs = aotpack::cache::decodeActionResult(aotpack::ByteView(data, size));
    if (outputs) // what decodes encodes back to something that decodes to the same
        if (aotpack::cache::decodeActionResult(aotpack::cache::encodeActionResult(*outputs)) !=
            outputs)
            __builtin_trap();
    return 0;
}
