// A read-only memory map of a whole file: the runtime hands cached binaries to the driver from
// it without reading them into a buffer first.
#pragma once

#include "common/file_io.h"

#include <filesystem>
#include <optional>

namespace aotpack {

class MappedFile {
  public:
    // Nothing for a missing, empty or non-regular file. `noFollow` refuses symlinks (cache
    // entries are never read through one).
    static std::optional<MappedFile> open(const std::filesystem::path& path, bool noFollow);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    ByteView bytes() const { return {static_cast<const std::uint8_t*>(base_), size_}; }
    std::int64_t modifiedSeconds() const { return mtime_; } // since the epoch

  private:
    MappedFile(void* base, std::size_t size, std::int64_t mtime)
        : base_(base), size_(size), mtime_(mtime) {}
    void* base_ = nullptr;
    std::size_t size_ = 0;
    std::int64_t mtime_ = 0;
};

// Done with these bytes of a MappedFile for now: their pages leave this process's resident memory
// (a reader that walks a 1 GB file keeps its resident set small); reading them again faults
// them back in from the file. Only whole pages inside `consumed`. Only for a MappedFile's bytes:
// on other memory it would lose the data (MADV_DONTNEED).
void releaseMappedPages(ByteView consumed);

} // namespace aotpack
