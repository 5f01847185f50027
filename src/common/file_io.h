// Whole-file reads and crash-safe writes. Every output aotpack produces goes through
// writeFileAtomic: the bytes land in a temporary file in the destination directory, then are
// renamed over the destination, so a reader (or a process killed mid-write) sees the old file or
// the complete new one, never a torn one. Outputs are fsynced before the rename; the directory is
// not (as in ccache and ninja). Cache entries are not fsynced at all (Sync::No): each carries its
// own checksum and is verified on every read, so one torn by a power loss is a miss, and an
// fsync per entry was most of a cold job's own cost on ext4 (bench/scale.py).
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
// The entries of a directory (not recursive, unsorted): empty when it cannot be read, and never a
// throw (a range-for over directory_iterator throws from its increment when readdir fails).
std::vector<std::filesystem::path> listDirectory(const std::filesystem::path& dir);

enum class Sync { Yes, No };
// Writes `data` to `path` atomically (temp file + fsync + rename). `mode` applies to the new file.
Status writeFileAtomic(const std::filesystem::path& path, ByteView data, unsigned mode = 0644,
                       Sync sync = Sync::Yes);
inline Status writeFileAtomic(const std::filesystem::path& path, const std::string& text,
                              Sync sync = Sync::Yes, unsigned mode = 0644) {
    return writeFileAtomic(
        path, ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), mode,
        sync);
}

} // namespace aotpack
