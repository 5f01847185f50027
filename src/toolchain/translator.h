// LLVM bitcode -> SPIR-V with the Khronos translator (llvm-spirv), for device images that carry
// bitcode (DPC++ fat objects and static libraries, clang-offload-bundler entries). A translator
// reads bitcode of its own LLVM release and older ones: the newest one found is tried first, and
// each older one after it, so whichever release wrote the bitcode, the first that reads it wins.
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <filesystem>
#include <functional>
#include <vector>

namespace aotpack::toolchain {

struct Translator {
    std::filesystem::path path;
    int llvmVersion = 0; // from its name (llvm-spirv-15, /usr/lib/llvm-15/bin/llvm-spirv)
    std::string name;    // in messages: "llvm-spirv-15", a store's "llvm-spirv-22-<hash>"
};

// $AOTPACK_LLVM_SPIRV first when set; then, newest LLVM first, the toolchain store's translators
// (aotpack toolchain add SOURCE --translator N), llvm-spirv-N on PATH and
// /usr/lib/llvm-N/bin/llvm-spirv.
std::vector<Translator> availableTranslators();

// Translators older than the LLVM release that wrote the bitcode (its identification block) are
// not tried. Errors: no translator here is new enough (9, naming the one needed and the
// `aotpack toolchain add` that gets it); none of those
// tried reads it (3, naming them and what the newest said).
Expected<Bytes> translateBitcode(ByteView bitcode, const std::vector<Translator>& translators);

// translateBitcode with availableTranslators(), looked for on the first call only (most
// binaries hold no bitcode, and then nothing is looked for).
std::function<Expected<Bytes>(ByteView)> localBitcodeTranslator();

} // namespace aotpack::toolchain
