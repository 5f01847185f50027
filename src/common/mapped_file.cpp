#include "common/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace aotpack {

std::optional<MappedFile> MappedFile::open(const std::filesystem::path& path, bool noFollow) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (noFollow ? O_NOFOLLOW : 0));
    if (fd < 0) return std::nullopt;
    struct stat st {};
    void* base = MAP_FAILED;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        base = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (base == MAP_FAILED) return std::nullopt;
    return MappedFile(base, static_cast<std::size_t>(st.st_size), st.st_mtim.tv_sec);
}

MappedFile::~MappedFile() {
    if (base_) ::munmap(base_, size_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)), size_(std::exchange(other.size_, 0)),
      mtime_(other.mtime_) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        if (base_) ::munmap(base_, size_);
        base_ = std::exchange(other.base_, nullptr);
        size_ = std::exchange(other.size_, 0);
        mtime_ = other.mtime_;
    }
    return *this;
}

void releaseMappedPages(ByteView consumed) {
    auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    auto begin = (reinterpret_cast<std::uintptr_t>(consumed.data()) + page - 1) / page * page;
    auto end = (reinterpret_cast<std::uintptr_t>(consumed.data()) + consumed.size()) / page * page;
    // A read-only private file mapping: the pages are unmapped, the file's page cache keeps them.
    if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

} // namespace aotpack
