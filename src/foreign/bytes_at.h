// Bounds-checked reads of little-endian fields, shared by the container readers of src/foreign.
#pragma once

#include "common/file_io.h"

#include <cstring>

namespace aotpack::foreign {

// True when [at, at + size) lies inside `b` (no overflow).
inline bool fits(ByteView b, std::uint64_t at, std::uint64_t size) {
    return at <= b.size() && size <= b.size() - at;
}

// The T at `at`; the caller has checked fits(b, at, sizeof(T)).
template <class T> T load(ByteView b, std::uint64_t at) {
    T v;
    std::memcpy(&v, b.data() + at, sizeof v);
    return v;
}

} // namespace aotpack::foreign
