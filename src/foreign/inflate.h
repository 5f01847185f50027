// Decompressing a container's body when the container states the inflated size (LLVM's
// OffloadBinary v3, clang-offload-bundler's CCOB): zstd or zlib, with the claimed size checked
// against what the compressed bytes can hold before anything is allocated.
#pragma once

#include "common/file_io.h"

#include <optional>

namespace aotpack::foreign {

enum class Codec { Zlib, Zstd };

// Nothing when the body does not decode to exactly `inflatedSize` bytes.
std::optional<Bytes> inflateBody(ByteView body, std::uint64_t inflatedSize, Codec codec);

} // namespace aotpack::foreign
