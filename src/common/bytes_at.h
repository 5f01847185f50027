// Bounds-checked reads of little-endian fields, shared by the ELF reader and the container readers
// of src/foreign.
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <cstring>

namespace aotpack {

// "malformed CONTAINER at offset N: WHAT" (exit 3), the readers' one shape of error.
inline Error malformedAt(const std::string& container, std::uint64_t offset,
                         const std::string& what) {
    return makeError(Errc::BadInput, "malformed " + container + " at offset " +
                                         std::to_string(offset) + ": " + what);
}

// True when [at, at + size) lies inside [0, limit) (no overflow).
inline bool fitsWithin(std::uint64_t at, std::uint64_t size, std::uint64_t limit) {
    return at <= limit && size <= limit - at;
}

// True when [at, at + size) lies inside `b`.
inline bool fits(ByteView b, std::uint64_t at, std::uint64_t size) {
    return fitsWithin(at, size, b.size());
}

// The T at `at`; the caller has checked fits(b, at, sizeof(T)).
template <class T> T load(ByteView b, std::uint64_t at) {
    T v;
    std::memcpy(&v, b.data() + at, sizeof v);
    return v;
}

} // namespace aotpack
