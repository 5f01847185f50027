// Whole-file reads and crash-safe writes. Every output aotpack produces goes through
// writeFileAtomic: the bytes land in a temporary file in the destination directory, then are
// renamed over the destination, so a reader (or a process killed mid-write) sees the old file or
// the complete new one, never a torn one. The temporary file is fsynced before the rename; the
// directory is not (as in ccache and ninja), and cache entries are verified on every read anyway.
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
