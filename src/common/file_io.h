// Whole-file reads and crash-safe writes. Every output aotpack produces goes through
// writeFileAtomic: the bytes land in a temporary file in the destination directory, are fsync'ed,
// then renamed over the destination, so a reader sees the old file or the complete new one, never a
// torn one.
#pragma once

#include "common/error.h"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace aotpack {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

Expected<Bytes> readFile(const std::filesystem::path& path);
Expected<std::string> readTextFile(const std::filesystem::path& path);

// Writes `data` to `path` atomically (temp file + fsync + rename). `mode` applies to the new file.
Status writeFileAtomic(const std::filesystem::path& path, ByteView data, unsigned mode = 0644);
inline Status writeFileAtomic(const std::filesystem::path& path, const std::string& text) {
    return writeFileAtomic(
        path, ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

} // namespace aotpack
